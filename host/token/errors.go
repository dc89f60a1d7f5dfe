package token

import "errors"

// Errors of module loading. Callers branch on them with errors.Is.
var (
	// ErrModuleMissing: no file at the module path. Not a warning: most
	// well-known paths are absent on any given computer.
	ErrModuleMissing = errors.New("pkcs11 module not installed")
	// ErrNotPKCS11: the file exists but the dynamic loader refused it or it
	// has no C_GetFunctionList (garbage, an executable, another library).
	ErrNotPKCS11 = errors.New("file is not a PKCS#11 library")
	// ErrModuleInit: the library loaded but C_Initialize failed.
	ErrModuleInit = errors.New("pkcs11 module failed to initialize")
)
