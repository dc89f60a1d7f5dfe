package token

// DefaultModules returns the well-known PKCS#11 module paths on macOS:
// OpenSC (the official installer, then Homebrew on Apple silicon and
// Intel), SafeNet Authentication Client (libeTPkcs11.dylib and the eToken
// framework), Thales IDPrime and Athena.
func DefaultModules() []string {
	return []string{
		"/Library/OpenSC/lib/opensc-pkcs11.so",
		"/opt/homebrew/lib/opensc-pkcs11.so",
		"/usr/local/lib/opensc-pkcs11.so",
		"/usr/local/lib/libeTPkcs11.dylib",
		"/Library/Frameworks/eToken.framework/Versions/Current/libeToken.dylib",
		"/usr/local/lib/libIDPrimePKCS11.dylib",
		"/usr/local/lib/libASEP11.dylib",
	}
}
