package sat

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
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
	// ErrPasswordTooLong: longer than protocol.MaxPasswordBytes (an input
	// bound, not a wrong try).
	ErrPasswordTooLong = errors.New("password longer than the limit")
)

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
	if IsPEM(data) {
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
				if _, err := parsePlainKey(b.Bytes, ErrNotAKey); err != nil {
					return 0, nil, nil, fmt.Errorf("%w: %w: unreadable %s block", ErrNotAKey, ErrDamaged, b.Type)
				}
				return keyPlain, b.Bytes, b, nil
			case b.Type == "CERTIFICATE":
				sawCert = true
			}
		}
		switch {
		case sawCert:
			return 0, nil, nil, fmt.Errorf("%w: %w", ErrNotAKey, ErrCertificateNotKey)
		case !sawBlock:
			// "-----BEGIN" without a block that decodes: cut or edited.
			return 0, nil, nil, fmt.Errorf("%w: %w: PEM text does not decode", ErrNotAKey, ErrDamaged)
		}
		return 0, nil, nil, ErrNotAKey
	}
	err := checkEncryptedPKCS8(data)
	if err == nil {
		return keyEncrypted, data, nil, nil
	}
	if _, perr := parsePlainKey(data, ErrNotAKey); perr == nil {
		return keyPlain, data, nil, nil
	}
	if _, cerr := x509.ParseCertificate(data); cerr == nil {
		return 0, nil, nil, fmt.Errorf("%w: %w", ErrNotAKey, ErrCertificateNotKey)
	}
	if errors.Is(err, ErrUnsupportedEncryption) || errors.Is(err, ErrDamaged) {
		return 0, nil, nil, err
	}
	if truncatedDER(data) {
		return 0, nil, nil, fmt.Errorf("%w: %w: cut short", ErrNotAKey, ErrDamaged)
	}
	return 0, nil, nil, err
}

// truncatedDER reports whether data starts as a DER SEQUENCE whose declared
// length runs past the end of the file: a key or certificate cut short.
func truncatedDER(data []byte) bool {
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

// DecryptKey opens a private key file as SAT issues it (DER
// EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA1 and DES-EDE3-CBC), or
// a PEM "ENCRYPTED PRIVATE KEY", or a PKCS#1 PEM key with DEK-Info. A PEM
// file may hold other blocks (a certificate) before the key. An unencrypted
// key is ErrUnencryptedKey whatever the password (ParseUnencryptedKey opens
// it); the other refusals say what the file is (see ErrCertificateNotKey,
// ErrDamaged, ErrUnsupportedEncryption).
func DecryptKey(data []byte, password []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, ErrNotAKey
	}
	form, der, blk, err := classifyKey(data)
	if err != nil {
		return nil, err
	}
	if form == keyPlain {
		return nil, ErrUnencryptedKey
	}
	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, ErrPasswordTooLong
	}
	if form == keyLegacyPEM {
		//lint:ignore SA1019 SAT's older kits ship PKCS#1 keys in legacy PEM encryption.
		plain, err := x509.DecryptPEMBlock(blk, password) //nolint:staticcheck
		if err != nil {
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, ErrWrongPassword
			}
			return nil, fmt.Errorf("%w: %w: %v", ErrNotAKey, ErrUnsupportedEncryption, err)
		}
		return parsePlainKey(plain, ErrWrongPassword)
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(der, password)
	if err != nil {
		// The scheme and parameters were checked above, so what fails now
		// is the padding or the inner structure after decryption: a wrong
		// password.
		return nil, ErrWrongPassword
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, ErrNotAKey
	}
	return s, nil
}

// ParseUnencryptedKey reads an unencrypted PKCS#8, PKCS#1 or SEC 1 key (DER
// or PEM; in PEM the first private key block).
func ParseUnencryptedKey(data []byte) (crypto.Signer, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, ErrNotAKey
	}
	form, der, _, err := classifyKey(data)
	if err != nil {
		return nil, err
	}
	if form != keyPlain {
		return nil, fmt.Errorf("%w: the key is encrypted", ErrNotAKey)
	}
	return parsePlainKey(der, ErrNotAKey)
}

// Work of the encryption EncryptKey applies: PBES2 with PBKDF2-HMAC-SHA256
// (OWASP's 2023 figure for it) and AES-256-CBC, a 16-byte salt.
const (
	StoreKDFIterations = 600_000
	storeSaltBytes     = 16
)

// EncryptKey encrypts key with password as a DER EncryptedPrivateKeyInfo:
// PBES2, PBKDF2-HMAC-SHA256 with StoreKDFIterations, AES-256-CBC. It is how
// an unencrypted key is stored; DecryptKey opens the result.
func EncryptKey(key crypto.Signer, password []byte) ([]byte, error) {
	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, ErrPasswordTooLong
	}
	der, err := pkcs8.MarshalPrivateKey(key, password, &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{SaltSize: storeSaltBytes, IterationCount: StoreKDFIterations, HMACHash: crypto.SHA256},
	})
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
// for unbounded work, or uses another scheme (PBES1, scrypt) is ErrNotAKey
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
		return ErrNotAKey
	}
	if !epki.Algo.Algorithm.Equal(oidPBES2) {
		return fmt.Errorf("%w: %w: scheme %v", ErrNotAKey, ErrUnsupportedEncryption, epki.Algo.Algorithm)
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
		return fmt.Errorf("%w: %w: bad PBES2 parameters", ErrNotAKey, ErrDamaged)
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return fmt.Errorf("%w: %w: key derivation %v", ErrNotAKey, ErrUnsupportedEncryption, params.KDF.Algorithm)
	}
	if err := CheckPBKDF2Work(params.KDF.Parameters.FullBytes); err != nil {
		return fmt.Errorf("%w: %w: %v", ErrNotAKey, ErrUnsupportedEncryption, err)
	}
	block := 0
	switch {
	case params.Enc.Algorithm.Equal(oidDESEDE3CBC):
		block = 8
	case params.Enc.Algorithm.Equal(oidAES128CBC), params.Enc.Algorithm.Equal(oidAES192CBC), params.Enc.Algorithm.Equal(oidAES256CBC):
		block = 16
	default:
		return fmt.Errorf("%w: %w: cipher %v", ErrNotAKey, ErrUnsupportedEncryption, params.Enc.Algorithm)
	}
	// The decryptor panics on a wrong IV length or a partial block: refuse
	// both here, from the structure alone.
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != block {
		return fmt.Errorf("%w: %w: bad IV for the cipher", ErrNotAKey, ErrDamaged)
	}
	if len(epki.Data)%block != 0 {
		return fmt.Errorf("%w: %w: encrypted key is not whole cipher blocks", ErrNotAKey, ErrDamaged)
	}
	return nil
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
// the key type is not supported. It is signing.Algorithm, kept here for
// the callers that only hold sat facts.
func Algorithm(pub crypto.PublicKey) string { return signing.Algorithm(pub) }

// Problem names what is wrong with a key or certificate file, for the
// protocol's details.variant of ERR_BAD_CREDENTIAL_FILE and the messages:
// "unencrypted-key", "certificate-not-key", "key-not-certificate",
// "damaged", "unsupported-encryption", or "" when err is none of these.
func Problem(err error) string {
	switch {
	case errors.Is(err, ErrUnencryptedKey):
		return "unencrypted-key"
	case errors.Is(err, ErrCertificateNotKey):
		return "certificate-not-key"
	case errors.Is(err, ErrKeyNotCertificate):
		return "key-not-certificate"
	case errors.Is(err, ErrDamaged):
		return "damaged"
	case errors.Is(err, ErrUnsupportedEncryption):
		return "unsupported-encryption"
	}
	return ""
}
