package sat

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/protocol"
	"github.com/youmark/pkcs8"
)

// Errors of DecryptKey and CheckPair. They are three different situations
// for the person: a mistyped password, a file that is not a key, and a key
// from another e.firma.
var (
	ErrWrongPassword = errors.New("wrong password for the private key")
	ErrNotAKey       = errors.New("not a private key file")
	ErrKeyMismatch   = errors.New("private key does not belong to the certificate")
	ErrEmptyPassword = errors.New("empty password")
)

var oidPBES2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}

// DecryptKey opens a private key file as SAT issues it (DER
// EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA1 and DES-EDE3-CBC), or
// a PEM "ENCRYPTED PRIVATE KEY", or a PKCS#1 PEM key with DEK-Info.
func DecryptKey(data []byte, password []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, ErrNotAKey
	}
	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, ErrWrongPassword
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		switch {
		case b.Type == "ENCRYPTED PRIVATE KEY":
			der = b.Bytes
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && b.Headers["DEK-Info"] != "":
			//lint:ignore SA1019 SAT's older kits ship PKCS#1 keys in legacy PEM encryption.
			plain, err := x509.DecryptPEMBlock(b, password) //nolint:staticcheck
			if err != nil {
				if errors.Is(err, x509.IncorrectPasswordError) {
					return nil, ErrWrongPassword
				}
				return nil, fmt.Errorf("%w: %v", ErrNotAKey, err)
			}
			return parsePlainKey(plain, ErrWrongPassword)
		default:
			return nil, ErrNotAKey
		}
	}
	if !looksEncryptedPKCS8(der) {
		return nil, ErrNotAKey
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(der, password)
	if err != nil {
		// After decryption with a wrong password the padding or the inner
		// structure fails; the outer structure was already checked above.
		return nil, ErrWrongPassword
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, ErrNotAKey
	}
	return s, nil
}

// ParseUnencryptedKey reads an unencrypted PKCS#8 or PKCS#1 key (DER or PEM).
func ParseUnencryptedKey(data []byte) (crypto.Signer, error) {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	return parsePlainKey(data, ErrNotAKey)
}

func parsePlainKey(der []byte, failure error) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, failure
}

// looksEncryptedPKCS8 checks the outer EncryptedPrivateKeyInfo structure so
// that a file that is not a key is not reported as a wrong password.
func looksEncryptedPKCS8(der []byte) bool {
	var epki struct {
		Algo struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Data []byte
	}
	rest, err := asn1.Unmarshal(der, &epki)
	if err != nil || len(bytes.TrimRight(rest, "\x00")) != 0 || len(epki.Data) == 0 {
		return false
	}
	return epki.Algo.Algorithm.Equal(oidPBES2) || len(epki.Algo.Algorithm) > 0
}

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

// Algorithm returns the protocol algorithm name for a public key, or "" when
// the key type is not supported.
func Algorithm(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return protocol.AlgRS256
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return protocol.AlgES256
		case 384:
			return protocol.AlgES384
		}
	case ed25519.PublicKey:
		return ""
	}
	return ""
}
