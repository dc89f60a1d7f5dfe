package keyfile

// decryptPBES2 opens a DER EncryptedPrivateKeyInfo with PBES2 (RFC 8018):
// PBKDF2 with HMAC-SHA1 (the default PRF, as SAT writes it) or
// HMAC-SHA-224/256/384/512, and DES-EDE3-CBC or AES-CBC. It exists so that
// the password stays in bytes the caller zeroes (issue 11, F-05): the
// library path (x/crypto/pbkdf2 → crypto/pbkdf2) turns the password into a
// Go string, and two copies of it stayed in the host's memory after every
// unlock. The derived key and the decrypted buffer are zeroed here too.
// checkEncryptedPKCS8 has already bounded the work and checked the IV and
// block sizes.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"hash"

	"github.com/efirma/conector/sat"
)

var (
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
)

// errPBES2 is a structure decryptPBES2 does not handle; errPadding a
// decryption whose padding is wrong (a wrong password).
var (
	errPBES2   = errors.New("unsupported PBES2 structure")
	errPadding = errors.New("bad padding after decryption")
)

// pbkdf2Key is PBKDF2 (RFC 8018 5.2) over crypto/hmac, which copies the
// password only XORed into its pads.
func pbkdf2Key(h func() hash.Hash, password, salt []byte, iter, keyLen int) []byte {
	prf := hmac.New(h, password)
	hLen := prf.Size()
	out := make([]byte, 0, (keyLen+hLen-1)/hLen*hLen)
	u := make([]byte, hLen)
	t := make([]byte, hLen)
	var ctr [4]byte
	for block := uint32(1); len(out) < keyLen; block++ {
		prf.Reset()
		prf.Write(salt)
		binary.BigEndian.PutUint32(ctr[:], block)
		prf.Write(ctr[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for i := 1; i < iter; i++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			subtle.XORBytes(t, t, u)
		}
		out = append(out, t...)
	}
	clear(u)
	clear(t)
	clear(out[keyLen:cap(out)])
	return out[:keyLen]
}

// pbes2Params is PBES2-params (RFC 8018): the key derivation and the
// encryption scheme, each an algorithm with its raw parameters.
type pbes2Params struct {
	KDF struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue
	}
	Enc struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue
	}
}

// parsePBES2Params reads PBES2-params from their DER.
func parsePBES2Params(der []byte) (pbes2Params, error) {
	var p pbes2Params
	_, err := asn1.Unmarshal(der, &p)
	return p, err
}

// decryptPBES2 returns the decrypted PKCS#8 DER (the caller zeroes it).
func decryptPBES2(der, password []byte) ([]byte, error) {
	var epki struct {
		Algo struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Data []byte
	}
	if _, err := asn1.Unmarshal(der, &epki); err != nil {
		return nil, errPBES2
	}
	return decryptPBES2Data(epki.Algo.Parameters.FullBytes, epki.Data, password)
}

// decryptPBES2Data decrypts data with the DER PBES2-params paramsDER (a
// .pfx carries them on its encrypted SafeContents as well as on its key
// bags) and returns the unpadded plaintext (the caller zeroes it).
func decryptPBES2Data(paramsDER, data, password []byte) ([]byte, error) {
	params, err := parsePBES2Params(paramsDER)
	if err != nil {
		return nil, errPBES2
	}
	var kdf struct {
		Salt       []byte
		Iterations int
		KeyLength  int `asn1:"optional"`
		PRF        struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		} `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, errPBES2
	}
	h := sha1.New
	switch a := kdf.PRF.Algorithm; {
	case len(a) == 0, a.Equal(oidHMACSHA1):
	case a.Equal(oidHMACSHA224):
		h = sha256.New224
	case a.Equal(oidHMACSHA256):
		h = sha256.New
	case a.Equal(oidHMACSHA384):
		h = sha512.New384
	case a.Equal(oidHMACSHA512):
		h = sha512.New
	default:
		return nil, errPBES2
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil {
		return nil, errPBES2
	}
	keyLen := 0
	var newCipher func([]byte) (cipher.Block, error)
	switch a := params.Enc.Algorithm; {
	case a.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	case a.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case a.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case a.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	default:
		return nil, errPBES2
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, errPBES2
	}
	key := pbkdf2Key(h, password, kdf.Salt, kdf.Iterations, keyLen)
	defer clear(key)
	block, err := newCipher(key)
	if err != nil || len(iv) != block.BlockSize() {
		return nil, errPBES2
	}
	return decryptCBC(block, iv, data)
}

// decryptCBC decrypts whole blocks of data and removes the PKCS#7 padding
// (errPadding when it is wrong: a wrong password); a plaintext it refuses
// is zeroed.
func decryptCBC(block cipher.Block, iv, data []byte) ([]byte, error) {
	if len(iv) != block.BlockSize() || len(data) == 0 || len(data)%block.BlockSize() != 0 {
		return nil, errPBES2
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	n := int(plain[len(plain)-1])
	if n == 0 || n > block.BlockSize() {
		clear(plain)
		return nil, errPadding
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			clear(plain)
			return nil, errPadding
		}
	}
	return plain[:len(plain)-n], nil
}

// encryptPBES2 encrypts the PKCS#8 DER plain as a DER
// EncryptedPrivateKeyInfo: PBES2 with PBKDF2-HMAC-SHA256 (iter iterations,
// the given salt) and AES-256-CBC with iv. Like decryptPBES2 it keeps the
// password in the caller's bytes (the library path made a Go string of
// it); the derived key and the padded plaintext are zeroed.
func encryptPBES2(plain, password, salt, iv []byte, iter int) ([]byte, error) {
	algo, data, err := encryptPBES2Data(plain, password, salt, iv, iter)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(sat.EncryptedKeyInfo{Algo: algo, Data: data})
}

// encryptPBES2Data encrypts plain as encryptPBES2 does and returns the
// AlgorithmIdentifier (PBES2 and its parameters) and the ciphertext apart,
// for a .pfx's encrypted SafeContents as well as its key bag.
func encryptPBES2Data(plain, password, salt, iv []byte, iter int) (pkix.AlgorithmIdentifier, []byte, error) {
	var none pkix.AlgorithmIdentifier
	key := pbkdf2Key(sha256.New, password, salt, iter, 32)
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return none, nil, err
	}
	if len(iv) != block.BlockSize() {
		return none, nil, errPBES2
	}
	n := block.BlockSize() - len(plain)%block.BlockSize()
	data := make([]byte, len(plain)+n)
	copy(data, plain)
	for i := len(plain); i < len(data); i++ {
		data[i] = byte(n)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)

	type algorithm = pkix.AlgorithmIdentifier
	raw := func(v any) (asn1.RawValue, error) {
		b, err := asn1.Marshal(v)
		return asn1.RawValue{FullBytes: b}, err
	}
	kdfParams, err := raw(struct {
		Salt       []byte
		Iterations int
		PRF        algorithm
	}{salt, iter, algorithm{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return none, nil, err
	}
	ivParam, err := raw(iv)
	if err != nil {
		return none, nil, err
	}
	pbes2, err := raw(struct{ KDF, Enc algorithm }{algorithm{Algorithm: oidPBKDF2, Parameters: kdfParams}, algorithm{Algorithm: oidAES256CBC, Parameters: ivParam}})
	if err != nil {
		return none, nil, err
	}
	return algorithm{Algorithm: oidPBES2, Parameters: pbes2}, data, nil
}
