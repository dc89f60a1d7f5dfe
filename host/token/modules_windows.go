package token

import (
	"os"
	"path/filepath"
)

// DefaultModules returns the well-known PKCS#11 module paths on Windows:
// OpenSC (installed in Program Files and, by older installers, in
// System32), SafeNet Authentication Client (eTPKCS11.dll in System32),
// Thales IDPrime (IDPrimePKCS11.dll), Athena (asepkcs.dll) and Gemalto
// Classic Client (gclib.dll).
func DefaultModules() []string {
	sys := filepath.Join(envOr("SystemRoot", `C:\Windows`), "System32")
	pf := envOr("ProgramFiles", `C:\Program Files`)
	return []string{
		filepath.Join(pf, "OpenSC Project", "OpenSC", "pkcs11", "opensc-pkcs11.dll"),
		filepath.Join(sys, "opensc-pkcs11.dll"),
		filepath.Join(sys, "eTPKCS11.dll"),
		filepath.Join(sys, "IDPrimePKCS11.dll"),
		filepath.Join(sys, "asepkcs.dll"),
		filepath.Join(pf, "Gemalto", "Classic Client", "BIN", "gclib.dll"),
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
