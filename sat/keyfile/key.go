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
// by our own PBES2 (pbes2.go) and a .pfx read and written by our own
// PKCS#12 (pkcs12.go, rc2.go), which keep the password in the caller's
// bytes and zero what is derived from it and the plaintext.
package keyfile

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

var oidPBES2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}

// keyForm is what classifyKey found.
type keyForm int

const (
	keyEncrypted keyForm = iota // DER EncryptedPrivateKeyInfo (PBES2)
	keyLegacyPEM                // PKCS#1 PEM with DEK-Info
	keyPlain                    // unencrypted PKCS#8, PKCS#1 or SEC 1
)

// classifyKey finds the private key in data. From PEM it takes the first
// private key block, skipping others (a certificate or public key before
// it); DER is taken whole. It tells an unencrypted key, a certificate, a
// damaged file and an unsupported scheme apart, without a password.
func classifyKey(data []byte) (keyForm, []byte, *pem.Block, error) {
	if sat.IsPEM(data) {
		sawCert, sawBlock := false, false
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			sawBlock = true
			switch {
			case b.Type == "ENCRYPTED PRIVATE KEY":
				if err := checkEncryptedPKCS8(b.Bytes); err != nil {
					return 0, nil, nil, err
				}
				return keyEncrypted, b.Bytes, b, nil
			case strings.HasSuffix(b.Type, "PRIVATE KEY") && b.Headers["DEK-Info"] != "":
				return keyLegacyPEM, b.Bytes, b, nil
			case strings.HasSuffix(b.Type, "PRIVATE KEY"):
				if _, err := parsePlainKey(b.Bytes, sat.ErrNotAKey); err != nil {
					return 0, nil, nil, fmt.Errorf("%w: %w: unreadable %s block", sat.ErrNotAKey, sat.ErrDamaged, b.Type)
				}
				return keyPlain, b.Bytes, b, nil
			case b.Type == "CERTIFICATE":
				sawCert = true
			}
		}
		switch {
		case sawCert:
			return 0, nil, nil, fmt.Errorf("%w: %w", sat.ErrNotAKey, sat.ErrCertificateNotKey)
		case !sawBlock:
			// "-----BEGIN" without a block that decodes: cut or edited.
			return 0, nil, nil, fmt.Errorf("%w: %w: PEM text does not decode", sat.ErrNotAKey, sat.ErrDamaged)
		}
		return 0, nil, nil, sat.ErrNotAKey
	}
	err := checkEncryptedPKCS8(data)
	if err == nil {
		return keyEncrypted, data, nil, nil
	}
	if _, perr := parsePlainKey(data, sat.ErrNotAKey); perr == nil {
		return keyPlain, data, nil, nil
	}
	if _, cerr := x509.ParseCertificate(data); cerr == nil {
		return 0, nil, nil, fmt.Errorf("%w: %w", sat.ErrNotAKey, sat.ErrCertificateNotKey)
	}
	if errors.Is(err, sat.ErrUnsupportedEncryption) || errors.Is(err, sat.ErrDamaged) {
		return 0, nil, nil, err
	}
	if sat.TruncatedDER(data) {
		return 0, nil, nil, fmt.Errorf("%w: %w: cut short", sat.ErrNotAKey, sat.ErrDamaged)
	}
	return 0, nil, nil, err
}

// DecryptKey opens a private key file as SAT issues it (DER
// EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA1 and DES-EDE3-CBC), or
// a PEM "ENCRYPTED PRIVATE KEY", or a PKCS#1 PEM key with DEK-Info. A PEM
// file may hold other blocks (a certificate) before the key. An unencrypted
// key is sat.ErrUnencryptedKey whatever the password (ParseUnencryptedKey opens
// it); the other refusals say what the file is (see sat.ErrCertificateNotKey,
// sat.ErrDamaged, sat.ErrUnsupportedEncryption).
func DecryptKey(data []byte, password []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, sat.ErrNotAKey
	}
	form, der, blk, err := classifyKey(data)
	if err != nil {
		return nil, err
	}
	if form == keyPlain {
		return nil, sat.ErrUnencryptedKey
	}
	if len(password) == 0 {
		return nil, sat.ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, sat.ErrPasswordTooLong
	}
	if form == keyLegacyPEM {
		//lint:ignore SA1019 SAT's older kits ship PKCS#1 keys in legacy PEM encryption.
		plain, err := x509.DecryptPEMBlock(blk, password) //nolint:staticcheck
		if err != nil {
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, sat.ErrWrongPassword
			}
			return nil, fmt.Errorf("%w: %w: %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, err)
		}
		return parsePlainKey(plain, sat.ErrWrongPassword)
	}
	// Our own PBES2 (pbes2.go) keeps the password in bytes the caller
	// zeroes; the library's would make a string of it (issue 11 F-05).
	plain, err := decryptPBES2(der, password)
	if errors.Is(err, errPBES2) {
		return nil, fmt.Errorf("%w: %w: %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, err)
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

// ParseUnencryptedKey reads an unencrypted PKCS#8, PKCS#1 or SEC 1 key (DER
// or PEM; in PEM the first private key block).
func ParseUnencryptedKey(data []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, sat.ErrNotAKey
	}
	form, der, _, err := classifyKey(data)
	if err != nil {
		return nil, err
	}
	if form != keyPlain {
		return nil, fmt.Errorf("%w: the key is encrypted", sat.ErrNotAKey)
	}
	return parsePlainKey(der, sat.ErrNotAKey)
}

// Work of the encryption EncryptKey applies: PBES2 with PBKDF2-HMAC-SHA256
// (OWASP's 2023 figure for it) and AES-256-CBC, a 16-byte salt.
const (
	StoreKDFIterations = 600_000
	storeSaltBytes     = 16
)

// EncryptKey encrypts key with password as a DER EncryptedPrivateKeyInfo:
// PBES2, PBKDF2-HMAC-SHA256 with StoreKDFIterations, AES-256-CBC. It is how
// an unencrypted key is stored; DecryptKey opens the result. The password
// stays in the caller's bytes (our own PBES2, encryptPBES2: issue 11, F-05)
// and the plaintext PKCS#8 is zeroed.
func EncryptKey(key crypto.Signer, password []byte) ([]byte, error) {
	if len(password) == 0 {
		return nil, sat.ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, sat.ErrPasswordTooLong
	}
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("failed to encrypt the private key: %w", err)
	}
	defer clear(plain)
	var salt [storeSaltBytes]byte
	var iv [aes.BlockSize]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv[:]); err != nil {
		return nil, err
	}
	der, err := encryptPBES2(plain, password, salt[:], iv[:], StoreKDFIterations)
	if err != nil {
		return nil, fmt.Errorf("failed to encrypt the private key: %w", err)
	}
	return der, nil
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
	var epki sat.EncryptedKeyInfo
	rest, err := asn1.Unmarshal(der, &epki)
	if err != nil || len(bytes.TrimRight(rest, "\x00")) != 0 || len(epki.Data) == 0 {
		return sat.ErrNotAKey
	}
	if !epki.Algo.Algorithm.Equal(oidPBES2) {
		return fmt.Errorf("%w: %w: scheme %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, epki.Algo.Algorithm)
	}
	params, err := parsePBES2Params(epki.Algo.Parameters.FullBytes)
	if err != nil {
		return fmt.Errorf("%w: %w: bad PBES2 parameters", sat.ErrNotAKey, sat.ErrDamaged)
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return fmt.Errorf("%w: %w: key derivation %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, params.KDF.Algorithm)
	}
	if err := CheckPBKDF2Work(params.KDF.Parameters.FullBytes); err != nil {
		return fmt.Errorf("%w: %w: %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, err)
	}
	block := 0
	switch {
	case params.Enc.Algorithm.Equal(oidDESEDE3CBC):
		block = 8
	case params.Enc.Algorithm.Equal(oidAES128CBC), params.Enc.Algorithm.Equal(oidAES192CBC), params.Enc.Algorithm.Equal(oidAES256CBC):
		block = 16
	default:
		return fmt.Errorf("%w: %w: cipher %v", sat.ErrNotAKey, sat.ErrUnsupportedEncryption, params.Enc.Algorithm)
	}
	// The decryptor panics on a wrong IV length or a partial block: refuse
	// both here, from the structure alone.
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != block {
		return fmt.Errorf("%w: %w: bad IV for the cipher", sat.ErrNotAKey, sat.ErrDamaged)
	}
	if len(epki.Data)%block != 0 {
		return fmt.Errorf("%w: %w: encrypted key is not whole cipher blocks", sat.ErrNotAKey, sat.ErrDamaged)
	}
	return nil
}
