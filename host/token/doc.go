// Package token owns credentials on PKCS#11 tokens and smart cards: the
// keys.Source named "pkcs11", the crypto.Signer of a token key, the list of
// modules to look for on each OS, and the diagnostics report of
// "efirma doctor".
//
// Modules. ModulesFromEnv merges the configured paths, EFIRMA_PKCS11_MODULES
// and the well-known paths for this OS. Each path is loaded (dlopen and
// C_Initialize with CKF_OS_LOCKING_OK) at most once per process, on first
// use, and is never finalized or unloaded; two names of one file (symlinks)
// are one module. A missing file is skipped with a log line; a file that is
// not a PKCS#11 library or whose C_Initialize fails is a warning of List and
// is tried again only when the file changes; so is a module still loading
// after ModuleLoadTimeout. None of these stops the host. Loading needs cgo:
// a build without it lists no token credentials and warns once per
// installed module.
//
// Listing. Every X.509 certificate object of every initialised token is a
// credential. Listing never logs in, so it cannot always see the key: most
// tokens hide private keys until login, and a token loaded with OpenSC's
// pkcs11-tool --write-object (no public key object) shows no key at all
// before login. So a certificate is usable unless its key type is not
// supported or it has no CKA_ID; when no private or public key with its
// CKA_ID is visible, its Reason notes that the key is checked with the PIN.
// Unlock looks for the private key by CKA_ID after login and checks its
// type and RSA modulus against the certificate; only when none is found
// then is it ERR_KEY_UNUSABLE.
//
// Token gone. A token missing from every slot (looked up by serial, so a
// token moved to another reader is still found), or a call answering
// CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_REMOVED, CKR_SLOT_ID_INVALID or an
// invalid or closed session, is ERR_TOKEN_NOT_PRESENT; a failed signature
// also checks whether the token is still present. The next List reads the
// slots again, so it is right.
//
// Sessions and concurrency. Listing opens a short read-only public session
// per token and never logs in. Unlock takes the token's login lock (one per
// module and slot), opens its own session and logs in; the returned
// signer's session stays logged in until release, which logs out, closes the
// session and frees the lock. PKCS#11 login state is shared by every session
// of the process on a token, so the lock is what keeps one request's
// logout from breaking another's signature and makes every request prove
// its own PIN: requests for one token wait their turn (honouring their
// context), requests for different tokens run in parallel. A signer may be
// called from several goroutines; its calls are serialised. Callers must
// call release, and must not hold a signer while waiting for a person.
//
// PIN. The token flags are read before a login: a locked PIN is refused
// (ERR_PIN_LOCKED) and a final try is refused unless the person confirmed it
// (ERR_PIN_FINAL_TRY). Tokens with a protected authentication path (PIN pad)
// log in without a PIN. Keys with CKA_ALWAYS_AUTHENTICATE get a
// context-specific login before each signature, so their signer keeps a copy
// of the PIN until release, which zeroes it; no other PIN outlives Unlock.
//
// Identity. A credential's ID is "pkcs11:" followed by the first 32 hex
// digits of SHA-256(token serial || 0 || CKA_ID || 0 || SHA-256(certificate)),
// stable across reinsertion, slot changes and module changes (the same token
// seen through two modules is listed once, by the first module). Its URI is
// the RFC 7512 form pkcs11:token=...;serial=...;id=...;type=cert.
package token
