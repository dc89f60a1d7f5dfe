package sat

import (
	"crypto"
	"crypto/x509"
	"errors"
)

// Errors of the key files (package sat/keyfile) and CheckPair. They are three different situations
// for the person: a mistyped password, a file that is not a key, and a key
// from another e.firma.
var (
	ErrWrongPassword = errors.New("wrong password for the private key")
	ErrNotAKey       = errors.New("not a private key file")
	ErrKeyMismatch   = errors.New("private key does not belong to the certificate")
	ErrEmptyPassword = errors.New("empty password")
	// ErrPasswordTooLong: longer than protocol.MaxPasswordBytes (an input
	// bound, not a wrong try).
	ErrPasswordTooLong = errors.New("password longer than the limit")
)

// ErrBadPFX: the file is not a PKCS#12 (.pfx) file package keyfile
// accepts.
var ErrBadPFX = errors.New("not a valid PKCS#12 (.pfx) file")

// CheckPair reports ErrKeyMismatch unless key is the private half of the
// certificate's public key.
func CheckPair(c *x509.Certificate, key crypto.Signer) error {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok || !pub.Equal(c.PublicKey) {
		return ErrKeyMismatch
	}
	return nil
}
