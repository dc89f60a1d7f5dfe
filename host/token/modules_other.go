//go:build !linux && !darwin && !windows

package token

// DefaultModules returns the well-known PKCS#11 module paths on the BSDs
// and other systems: OpenSC from ports or pkgsrc.
func DefaultModules() []string {
	return []string{
		"/usr/local/lib/opensc-pkcs11.so",
		"/usr/local/lib/pkcs11/opensc-pkcs11.so",
		"/usr/pkg/lib/opensc-pkcs11.so",
	}
}
