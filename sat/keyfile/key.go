// Package keyfile opens the private key files of an e.firma or CSD: the
// SAT .key (DER EncryptedPrivateKeyInfo, PBES2), its PEM forms, unencrypted
// PKCS#8/PKCS#1 keys, and PKCS#12 (.pfx) files. It is the only package that
// decrypts keys; package sat keeps the certificate facts (and the errors
// and CheckPair, which need no decryption), so a verifier that imports sat
// gets no key-decryption code.
//
// Rules: every input is bounded (file size, password length) and the
// key-derivation work a file asks for is checked before any is done
// (MaxPBKDF2Iterations); failures are the sat sentinels (sat.ErrWrongPassword,
// sat.ErrNotAKey, sat.ErrBadPFX, ...), never a panic; a .key is decrypted
// by our own PBES2 (pbes2.go), which keeps the password in the caller's
// bytes and zeroes the derived key and the plaintext.
package keyfile

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/efirma/conector/sat"
	"strings"

	"github.com/efirma/conector/protocol"
)

var oidPBES2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}

// DecryptKey opens a private key file as SAT issues it (DER
// EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA1 and DES-EDE3-CBC), or
// a PEM "ENCRYPTED PRIVATE KEY", or a PKCS#1 PEM key with DEK-Info.
func DecryptKey(data []byte, password []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, sat.ErrNotAKey
	}
	if len(password) == 0 {
		return nil, sat.ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, sat.ErrPasswordTooLong
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
					return nil, sat.ErrWrongPassword
				}
				return nil, fmt.Errorf("%w: %v", sat.ErrNotAKey, err)
			}
			return parsePlainKey(plain, sat.ErrWrongPassword)
		default:
			return nil, sat.ErrNotAKey
		}
	}
	if err := checkEncryptedPKCS8(der); err != nil {
		return nil, err
	}
	// Our own PBES2 (pbes2.go) keeps the password in bytes the caller
	// zeroes; the library's would make a string of it.
	plain, err := decryptPBES2(der, password)
	if errors.Is(err, errPBES2) {
		return nil, fmt.Errorf("%w: %v", sat.ErrNotAKey, err)
	}
	if err != nil {
		// The scheme and parameters were checked above, so what fails now
		// is the padding after decryption: a wrong password.
		return nil, sat.ErrWrongPassword
	}
	defer clear(plain)
	// The inner structure not parsing is a wrong password too (a wrong
	// key can leave valid-looking padding by chance).
	return parsePlainKey(plain, sat.ErrWrongPassword)
}

// ParseUnencryptedKey reads an unencrypted PKCS#8 or PKCS#1 key (DER or PEM).
func ParseUnencryptedKey(data []byte) (crypto.Signer, error) {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	return parsePlainKey(data, sat.ErrNotAKey)
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

// MaxPBKDF2Iterations bounds the work a key file may ask for. SAT writes
// 2048; openssl's default is 2048; anything near this bound is already
// seconds of CPU per try.
const MaxPBKDF2Iterations = 1_000_000

var (
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// CheckPBKDF2Work checks DER PBKDF2-params before any derivation: at most
// MaxPBKDF2Iterations iterations and a salt of at most 64 bytes. Key files
// (.key) and PKCS#12 files (.pfx) share this bound.
func CheckPBKDF2Work(der []byte) error {
	var kdf struct {
		Salt       []byte
		Iterations int
		Rest       asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(der, &kdf); err != nil {
		return errors.New("bad PBKDF2 parameters")
	}
	if kdf.Iterations < 1 || kdf.Iterations > MaxPBKDF2Iterations || len(kdf.Salt) > 64 {
		return fmt.Errorf("PBKDF2 iterations %d or salt length %d out of bounds", kdf.Iterations, len(kdf.Salt))
	}
	return nil
}

// checkEncryptedPKCS8 checks the outer EncryptedPrivateKeyInfo before any
// decryption: the scheme must be PBES2 with PBKDF2 (bounded iterations and
// salt) and a CBC cipher we support. So a file that is not a key, or asks
// for unbounded work, or uses another scheme (PBES1, scrypt) is sat.ErrNotAKey
// at once, never a wrong password and never a hang.
func checkEncryptedPKCS8(der []byte) error {
	var epki struct {
		Algo struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Data []byte
	}
	rest, err := asn1.Unmarshal(der, &epki)
	if err != nil || len(bytes.TrimRight(rest, "\x00")) != 0 || len(epki.Data) == 0 {
		return sat.ErrNotAKey
	}
	if !epki.Algo.Algorithm.Equal(oidPBES2) {
		return fmt.Errorf("%w: unsupported encryption scheme %v", sat.ErrNotAKey, epki.Algo.Algorithm)
	}
	var params struct {
		KDF struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		Enc struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
	}
	if _, err := asn1.Unmarshal(epki.Algo.Parameters.FullBytes, &params); err != nil {
		return fmt.Errorf("%w: bad PBES2 parameters", sat.ErrNotAKey)
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return fmt.Errorf("%w: unsupported key derivation %v", sat.ErrNotAKey, params.KDF.Algorithm)
	}
	if err := CheckPBKDF2Work(params.KDF.Parameters.FullBytes); err != nil {
		return fmt.Errorf("%w: %v", sat.ErrNotAKey, err)
	}
	block := 0
	switch {
	case params.Enc.Algorithm.Equal(oidDESEDE3CBC):
		block = 8
	case params.Enc.Algorithm.Equal(oidAES128CBC), params.Enc.Algorithm.Equal(oidAES192CBC), params.Enc.Algorithm.Equal(oidAES256CBC):
		block = 16
	default:
		return fmt.Errorf("%w: unsupported cipher %v", sat.ErrNotAKey, params.Enc.Algorithm)
	}
	// The decryptor panics on a wrong IV length or a partial block: refuse
	// both here, from the structure alone.
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != block {
		return fmt.Errorf("%w: bad IV for the cipher", sat.ErrNotAKey)
	}
	if len(epki.Data)%block != 0 {
		return fmt.Errorf("%w: encrypted key is not whole cipher blocks", sat.ErrNotAKey)
	}
	return nil
}
