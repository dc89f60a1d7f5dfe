package sat

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
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

// What exactly is wrong with a file given as a key or a certificate. Each
// is its own situation for the person, with its own message; all but
// ErrUnencryptedKey come wrapped with ErrNotAKey or ErrBadCertificate.
var (
	// ErrUnencryptedKey: a private key with no password (PKCS#8 or PKCS#1,
	// DER or PEM), as online guides that "decrypt the .key" leave it. It is
	// usable: the import asks for a new password and stores it encrypted.
	ErrUnencryptedKey = errors.New("the private key file is not encrypted")
	// ErrCertificateNotKey: a certificate was given where the key goes.
	ErrCertificateNotKey = errors.New("the file is a certificate, not a private key")
	// ErrKeyNotCertificate: a private key was given where the certificate goes.
	ErrKeyNotCertificate = errors.New("the file is a private key, not a certificate")
	// ErrDamaged: the file starts as a key or certificate but is cut short
	// or corrupt.
	ErrDamaged = errors.New("the file is damaged")
	// ErrUnsupportedEncryption: an encrypted key in a scheme we do not
	// open (PBES1, scrypt, an unknown cipher), or one asking for unbounded
	// work.
	ErrUnsupportedEncryption = errors.New("the private key's encryption is not supported")
)

// Problem names what is wrong with a key or certificate file, for the
// protocol's details.variant of ERR_BAD_CREDENTIAL_FILE and the messages:
// "unencryptedKey", "certificateNotKey", "keyNotCertificate",
// "damaged", "unsupportedEncryption", or "" when err is none of these.
func Problem(err error) string {
	switch {
	case errors.Is(err, ErrUnencryptedKey):
		return "unencryptedKey"
	case errors.Is(err, ErrCertificateNotKey):
		return "certificateNotKey"
	case errors.Is(err, ErrKeyNotCertificate):
		return "keyNotCertificate"
	case errors.Is(err, ErrDamaged):
		return "damaged"
	case errors.Is(err, ErrUnsupportedEncryption):
		return "unsupportedEncryption"
	}
	return ""
}

// TruncatedDER reports whether data starts as a DER SEQUENCE whose
// declared length runs past the end of the file: a key or certificate cut
// short.
func TruncatedDER(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	n := int(data[1])
	hdr := 2
	if n&0x80 != 0 {
		l := n & 0x7f
		if l == 0 || l > 3 || len(data) < 2+l {
			return false
		}
		n = 0
		for _, b := range data[2 : 2+l] {
			n = n<<8 | int(b)
		}
		hdr += l
	}
	return hdr+n > len(data) && n > 64
}

// EncryptedKeyInfo is PKCS#8's EncryptedPrivateKeyInfo (RFC 5958 §3), for
// reading a key file's encryption scheme before any decryption (here and in
// package keyfile).
type EncryptedKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

// looksLikeKey reports, from the structure alone (no decryption), whether
// DER data is a private key: unencrypted PKCS#8, PKCS#1 or SEC 1, or an
// EncryptedPrivateKeyInfo.
func looksLikeKey(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return true
	}
	var epki EncryptedKeyInfo
	rest, err := asn1.Unmarshal(der, &epki)
	return err == nil && len(rest) == 0 && len(epki.Data) > 0 && len(epki.Algo.Algorithm) > 0
}
