package token

import "runtime"

// DefaultModules returns the well-known PKCS#11 module paths on Linux:
//
//   - OpenSC (opensc-pkcs11.so): most smart cards and many USB tokens,
//     including Feitian ePass2003 and cards that follow PIV or PKCS#15.
//   - SafeNet Authentication Client (libeToken.so, libeTPkcs11.so): the
//     SafeNet/Thales eToken 5110 family sold in Mexico.
//   - Thales IDPrime (libIDPrimePKCS11.so): IDPrime cards and tokens.
//   - Athena / NXP (libASEP11.so): ASEDrive and IDProtect tokens.
//   - Gemalto Classic Client (libgclib.so).
//
// Multiarch directories of Debian and Ubuntu come first, then the generic
// ones of Fedora and vendor installers.
func DefaultModules() []string {
	multiarch := map[string]string{
		"amd64":   "x86_64-linux-gnu",
		"arm64":   "aarch64-linux-gnu",
		"386":     "i386-linux-gnu",
		"arm":     "arm-linux-gnueabihf",
		"ppc64le": "powerpc64le-linux-gnu",
		"riscv64": "riscv64-linux-gnu",
		"s390x":   "s390x-linux-gnu",
	}[runtime.GOARCH]
	var out []string
	if multiarch != "" {
		out = append(out,
			"/usr/lib/"+multiarch+"/opensc-pkcs11.so",
			"/usr/lib/"+multiarch+"/pkcs11/opensc-pkcs11.so",
		)
	}
	return append(out,
		"/usr/lib64/opensc-pkcs11.so",
		"/usr/lib64/pkcs11/opensc-pkcs11.so",
		"/usr/lib/opensc-pkcs11.so",
		"/usr/lib/pkcs11/opensc-pkcs11.so",
		"/usr/local/lib/opensc-pkcs11.so",
		"/usr/lib/libeToken.so",
		"/usr/lib/libeTPkcs11.so",
		"/usr/lib64/libeToken.so",
		"/usr/lib64/libeTPkcs11.so",
		"/usr/lib/libIDPrimePKCS11.so",
		"/usr/lib/libASEP11.so",
		"/usr/lib/libgclib.so",
	)
}
