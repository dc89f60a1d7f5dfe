package keyfile

// Our own PKCS#12 (RFC 7292), so that a .pfx password stays in bytes the
// caller zeroes (docs/SECURITY.md, "Secrets in memory"): the library we
// used made a Go string and a BMPString of it that nothing could wipe.
// Decoding supports what people's files use: the classic MAC (HMAC-SHA1 or
// HMAC-SHA256 keyed by the PKCS#12 key derivation), bags and SafeContents
// encrypted with PBES2 (pbes2.go), pbeWithSHAAnd3-KeyTripleDES-CBC or
// pbeWithSHAAnd40BitRC2-CBC / 128BitRC2-CBC (rc2.go), unencrypted
// SafeContents, keyBag, pkcs8ShroudedKeyBag and certBag (X.509). Every
// buffer derived from the password (its BMPString, the derived keys and
// IVs, the MAC key) and every decrypted plaintext is zeroed after use.

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

var (
	oidKeyBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidCertBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidLocalKeyID     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidPBE3DES        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBERC2128      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBERC240       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	errPFXUnsupported = errors.New("unsupported encryption")
)

// PKCS#12 key derivation purposes (RFC 7292 B.3).
const (
	pkcs12KeyMaterial = 1
	pkcs12IV          = 2
	pkcs12MACKey      = 3
)

// bmpPassword is the password as PKCS#12 feeds it to its key derivation:
// UTF-16BE with two zero bytes at the end (RFC 7292 B.1), made from the
// UTF-8 bytes without a Go string. The buffer is sized once, so no
// reallocation leaves a copy behind; the caller zeroes it.
func bmpPassword(password []byte) []byte {
	out := make([]byte, 0, 2*len(password)+2)
	for rest := password; len(rest) > 0; {
		r, n := utf8.DecodeRune(rest)
		rest = rest[n:]
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = append(out, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is the PKCS#12 key derivation (RFC 7292 appendix B.2) of n
// bytes for purpose id from the BMPString password bmp, with hash h whose
// block is v bytes (64 for SHA-1 and SHA-256). Its intermediate buffers
// are zeroed; the caller zeroes the result.
func pkcs12KDF(h func() hash.Hash, v int, bmp, salt []byte, id byte, iter, n int) []byte {
	d := bytes.Repeat([]byte{id}, v)
	sLen := v * ((len(salt) + v - 1) / v)
	pLen := v * ((len(bmp) + v - 1) / v)
	in := make([]byte, sLen+pLen)
	for i := 0; i < sLen; i++ {
		in[i] = salt[i%len(salt)]
	}
	for i := 0; i < pLen; i++ {
		in[sLen+i] = bmp[i%len(bmp)]
	}
	defer clear(in)
	md := h()
	u := md.Size()
	out := make([]byte, 0, (n+u-1)/u*u)
	a := make([]byte, 0, u)
	b := make([]byte, v)
	defer clear(a[:cap(a)])
	defer clear(b)
	for {
		md.Reset()
		md.Write(d)
		md.Write(in)
		a = md.Sum(a[:0])
		for i := 1; i < iter; i++ {
			md.Reset()
			md.Write(a)
			a = md.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= n {
			break
		}
		for i := range b {
			b[i] = a[i%u]
		}
		// Each v-byte block I_j of in becomes (I_j + B + 1) mod 2^(8v).
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				s := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(s)
				carry = s >> 8
			}
		}
	}
	clear(out[n:cap(out)])
	return out[:n]
}

// pfxMACHash is the hash of a classic PKCS#12 MAC (checkPFXWork has
// refused the others).
func pfxMACHash(oid asn1.ObjectIdentifier) func() hash.Hash {
	if oid.Equal(oidSHA256) {
		return sha256.New
	}
	return sha1.New
}

// pfxMAC computes the MAC of authSafe with the BMPString password bmp.
func pfxMAC(h func() hash.Hash, bmp, salt []byte, iter int, authSafe []byte) []byte {
	key := pkcs12KDF(h, 64, bmp, salt, pkcs12MACKey, iter, h().Size())
	defer clear(key)
	m := hmac.New(h, key)
	m.Write(authSafe)
	return m.Sum(nil)
}

// decryptPFXData decrypts data encrypted with the algorithm algo: PBES2
// (with the password's UTF-8 bytes, as openssl and Windows do) or a
// PKCS#12 PBE (with its BMPString bmp). It bounds the work first. The
// plaintext is the caller's to zero.
func decryptPFXData(algo pkix.AlgorithmIdentifier, data, password, bmp []byte) ([]byte, error) {
	if err := checkPBEWork(algo); err != nil {
		return nil, err
	}
	if algo.Algorithm.Equal(oidPBES2) {
		return decryptPBES2Data(algo.Parameters.FullBytes, data, password)
	}
	var keyLen, rc2Bits int
	switch {
	case algo.Algorithm.Equal(oidPBE3DES):
		keyLen = 24
	case algo.Algorithm.Equal(oidPBERC2128):
		keyLen, rc2Bits = 16, 128
	case algo.Algorithm.Equal(oidPBERC240):
		keyLen, rc2Bits = 5, 40
	default:
		return nil, fmt.Errorf("%w %v", errPFXUnsupported, algo.Algorithm)
	}
	var pbe pkcs12PBEParams
	if _, err := asn1.Unmarshal(algo.Parameters.FullBytes, &pbe); err != nil {
		return nil, errPBES2
	}
	key := pkcs12KDF(sha1.New, 64, bmp, pbe.Salt, pkcs12KeyMaterial, pbe.Iterations, keyLen)
	defer clear(key)
	iv := pkcs12KDF(sha1.New, 64, bmp, pbe.Salt, pkcs12IV, pbe.Iterations, 8)
	defer clear(iv)
	var block cipher.Block
	if rc2Bits != 0 {
		c := newRC2(key, rc2Bits)
		defer c.wipe()
		block = c
	} else {
		var err error
		if block, err = des.NewTripleDESCipher(key); err != nil {
			return nil, errPBES2
		}
	}
	return decryptCBC(block, iv, data)
}

// pkcs12PBEParams are the parameters of a legacy PKCS#12 PBE
// (pbeWithSHAAnd…, RFC 7292 appendix C).
type pkcs12PBEParams struct {
	Salt       []byte
	Iterations int
}

// safeBag is one SafeBag; Value and Attrs point into the SafeContents
// (no copy of a decrypted key is made while parsing).
type safeBag struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"explicit,tag:0"`
	Attrs asn1.RawValue `asn1:"optional,set"`
}

// pfxContents is what decodePFX collected from the bags.
type pfxContents struct {
	key   crypto.Signer
	certs []*x509.Certificate
}

// pfxContentInfo is a ContentInfo (RFC 5652 §3): the authenticated safe,
// and each SafeContents in it. Content is the whole explicit [0] element
// (encoding/asn1 reads and writes a RawValue as it stands; Content.Bytes
// is what the tag holds).
type pfxContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

// pfxPDU is a PFX (RFC 7292 §4): its version (3), the authenticated safe
// and the MAC over it, whose iteration count is 1 when absent.
type pfxPDU struct {
	Version  int
	AuthSafe pfxContentInfo
	MacData  struct {
		Mac struct {
			Algorithm pkix.AlgorithmIdentifier
			Digest    []byte
		}
		Salt       []byte
		Iterations int `asn1:"optional,default:1"`
	} `asn1:"optional"`
}

// pfxEncryptedData is an encrypted SafeContents (RFC 7292 §5.1,
// EncryptedData of RFC 5652 §8): its encryption algorithm and the
// encrypted content.
type pfxEncryptedData struct {
	Version int
	Info    struct {
		ContentType asn1.ObjectIdentifier
		Algo        pkix.AlgorithmIdentifier
		Content     asn1.RawValue `asn1:"tag:0,optional"`
	}
}

// badPFX is sat.ErrBadPFX with what is wrong.
func badPFX(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sat.ErrBadPFX}, a...)...)
}

// decodePFX opens a .pfx that checkPFXWork accepted: it checks the MAC
// (sat.ErrWrongPassword when it differs), then reads every SafeContents
// and bag, and returns the one private key and the certificate whose
// public key is the key's. Errors: sat.ErrBadPFX, sat.ErrWrongPassword,
// sat.ErrKeyMismatch.
func decodePFX(pfx, password []byte) (crypto.Signer, *x509.Certificate, error) {
	var p pfxPDU
	if _, err := asn1.Unmarshal(pfx, &p); err != nil {
		return nil, nil, badPFX("not a PKCS#12 structure")
	}
	if p.Version != 3 {
		return nil, nil, badPFX("version %d, want 3", p.Version)
	}
	if pr := p.MacData.Mac.Algorithm.Parameters; len(pr.FullBytes) != 0 && !bytes.Equal(pr.FullBytes, asn1.NullBytes) {
		return nil, nil, badPFX("unsupported MAC parameters")
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, nil, badPFX("bad authenticated safe")
	}

	// The MAC, which proves the password. An empty password is written
	// by some programs as the two zero bytes of an empty BMPString and by
	// others as no bytes at all: try both, as openssl does.
	h := pfxMACHash(p.MacData.Mac.Algorithm.Algorithm)
	bmp := bmpPassword(password)
	defer clear(bmp)
	mac := pfxMAC(h, bmp, p.MacData.Salt, p.MacData.Iterations, authSafe)
	if !hmac.Equal(mac, p.MacData.Mac.Digest) && len(password) == 0 {
		bmp = bmp[:0]
		mac = pfxMAC(h, bmp, p.MacData.Salt, p.MacData.Iterations, authSafe)
	}
	if !hmac.Equal(mac, p.MacData.Mac.Digest) {
		return nil, nil, sat.ErrWrongPassword
	}

	var safe []pfxContentInfo
	if _, err := asn1.Unmarshal(authSafe, &safe); err != nil {
		return nil, nil, badPFX("bad authenticated safe")
	}
	var got pfxContents
	for _, ci := range safe {
		var contents []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &contents); err != nil {
				return nil, nil, badPFX("bad safe contents")
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed pfxEncryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil {
				return nil, nil, badPFX("bad encrypted safe contents")
			}
			data, err := octets(ed.Info.Content)
			if err != nil {
				return nil, nil, badPFX("bad encrypted safe contents")
			}
			plain, err := decryptPFXData(ed.Info.Algo, data, password, bmp)
			if err != nil {
				return nil, nil, pfxDecryptError("encrypted safe contents", err)
			}
			contents = plain
		default:
			return nil, nil, badPFX("unsupported content type %v", ci.ContentType)
		}
		err := got.readBags(contents, password, bmp)
		clear(contents)
		if err != nil {
			return nil, nil, err
		}
	}
	if got.key == nil {
		return nil, nil, badPFX("no private key in the file")
	}
	if len(got.certs) == 0 {
		return nil, nil, badPFX("no certificate in the file")
	}
	if signing.Algorithm(got.key.Public()) == "" {
		return nil, nil, badPFX("unsupported key type")
	}
	// A file may hold the chain: the certificate is the one whose public
	// key is the key's; without one, CheckPair names the mismatch.
	cert := got.certs[0]
	type equaler interface{ Equal(crypto.PublicKey) bool }
	for _, c := range got.certs {
		if pub, ok := c.PublicKey.(equaler); ok && pub.Equal(got.key.Public()) {
			cert = c
			break
		}
	}
	if err := sat.CheckPair(cert, got.key); err != nil {
		return nil, nil, err
	}
	return got.key, cert, nil
}

// readBags reads the SafeBags of one SafeContents into c.
func (c *pfxContents) readBags(contents, password, bmp []byte) error {
	var bags []safeBag
	if _, err := asn1.Unmarshal(contents, &bags); err != nil {
		return badPFX("bad safe bags")
	}
	for _, b := range bags {
		switch {
		case b.ID.Equal(oidKeyBag), b.ID.Equal(oidShroudedKeyBag):
			if c.key != nil {
				return badPFX("more than one private key in the file")
			}
			der := b.Value.Bytes // a keyBag: PrivateKeyInfo
			if b.ID.Equal(oidShroudedKeyBag) {
				var epki sat.EncryptedKeyInfo
				if _, err := asn1.Unmarshal(b.Value.Bytes, &epki); err != nil {
					return badPFX("bad shrouded key bag")
				}
				plain, err := decryptPFXData(epki.Algo, epki.Data, password, bmp)
				if err != nil {
					return pfxDecryptError("key bag", err)
				}
				defer clear(plain)
				der = plain
			}
			k, err := parsePlainKey(der, sat.ErrBadPFX)
			if err != nil {
				return badPFX("unreadable private key")
			}
			c.key = k
		case b.ID.Equal(oidCertBag):
			var cb struct {
				ID    asn1.ObjectIdentifier
				Value asn1.RawValue `asn1:"explicit,tag:0"`
			}
			if _, err := asn1.Unmarshal(b.Value.Bytes, &cb); err != nil {
				return badPFX("bad certificate bag")
			}
			if !cb.ID.Equal(oidX509Cert) {
				continue // an SDSI certificate: not ours
			}
			var der []byte
			if _, err := asn1.Unmarshal(cb.Value.Bytes, &der); err != nil {
				return badPFX("bad certificate bag")
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return badPFX("unreadable certificate: %v", err)
			}
			c.certs = append(c.certs, cert)
		}
		// CRL, secret and nested SafeContents bags are not used.
	}
	return nil
}

// octets reads the encryptedContent of an EncryptedContentInfo: a
// primitive OCTET STRING, or a constructed one (BER) made of primitive
// pieces.
func octets(v asn1.RawValue) ([]byte, error) {
	if !v.IsCompound {
		return v.Bytes, nil
	}
	var out []byte
	for rest := v.Bytes; len(rest) > 0; {
		var piece []byte
		var err error
		if rest, err = asn1.Unmarshal(rest, &piece); err != nil {
			return nil, err
		}
		out = append(out, piece...)
	}
	return out, nil
}

// pfxDecryptError names a failed decryption after the MAC was right: a
// wrong padding means the part was encrypted with another password (a
// "two-password" file), anything else a scheme or structure we refuse.
func pfxDecryptError(what string, err error) error {
	if errors.Is(err, errPadding) {
		return sat.ErrWrongPassword
	}
	return fmt.Errorf("%w: %s: %v", sat.ErrBadPFX, what, err)
}

// PFX export parameters. PFXIterations is used for the key bag's and the
// certificates' PBKDF2 and for the MAC's PKCS#12 derivation alike: a
// guesser attacks the cheapest of the three, so a strong bag behind a
// 2048-iteration MAC (openssl 3's defaults: PBKDF2 2048, MAC 2048) would
// buy nothing. 600 000 is OWASP's figure for PBKDF2-HMAC-SHA256: an
// exported file is a backup that leaves the machine, and may be guessed at
// offline for years. Opening it costs about 0.4 s of one core (measured on
// the test machine: `openssl pkcs12 -nodes` 0.40 s; our decoder took 65 ms
// at 100 000), paid on each unlock if the person imports the backup again; it is under MaxPBKDF2Iterations, which our
// decoder enforces on every derivation.
const (
	PFXIterations = 600_000
	pfxSaltBytes  = 16
)

// EncodePFX writes key and cert as a PKCS#12 file protected with
// password: the certificate in a SafeContents and the key in a
// pkcs8ShroudedKeyBag, both PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), and an
// HMAC-SHA256 MAC, each with PFXIterations; openssl opens it (tested).
// The password stays in the caller's bytes; its BMPString, the derived
// keys and the plaintext PKCS#8 are zeroed.
func EncodePFX(key crypto.Signer, cert *x509.Certificate, password []byte) ([]byte, error) {
	if err := sat.CheckPair(cert, key); err != nil {
		return nil, err
	}
	return encodePFX(key, cert, password, PFXIterations)
}

// encodePFX is EncodePFX with iter iterations and without the pair check
// (tests seed the fuzzer with cheap files and make a mismatched one).
func encodePFX(key crypto.Signer, cert *x509.Certificate, password []byte, iter int) ([]byte, error) {
	if len(password) == 0 {
		return nil, sat.ErrEmptyPassword
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, sat.ErrPasswordTooLong
	}
	random := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := rand.Read(b)
		return b, err
	}
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("failed to write the .pfx: %w", err) }
	type attribute struct {
		ID     asn1.ObjectIdentifier
		Values []asn1.RawValue `asn1:"set"`
	}
	keyID := sha1.Sum(cert.Raw)
	keyIDValue, err := asn1.Marshal(keyID[:])
	if err != nil {
		return fail(err)
	}
	attrs := []attribute{{oidLocalKeyID, []asn1.RawValue{{FullBytes: keyIDValue}}}}
	type bag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue // explicit [0]
		Attrs []attribute   `asn1:"set"`
	}
	// explicit0 wraps DER in an explicit [0] tag (encoding/asn1 writes
	// a RawValue's FullBytes as they are, ignoring a tag option).
	explicit0 := func(der []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
	}
	octetsOf := func(b []byte) (asn1.RawValue, error) {
		der, err := asn1.Marshal(b)
		return asn1.RawValue{FullBytes: der}, err
	}

	// seal encrypts plain with PBES2 under a salt and an IV of its own.
	seal := func(plain []byte) (pkix.AlgorithmIdentifier, []byte, error) {
		salt, err := random(pfxSaltBytes)
		if err != nil {
			return pkix.AlgorithmIdentifier{}, nil, err
		}
		iv, err := random(aes.BlockSize)
		if err != nil {
			return pkix.AlgorithmIdentifier{}, nil, err
		}
		return encryptPBES2Data(plain, password, salt, iv, iter)
	}

	// The certificate, in an encrypted SafeContents.
	certValue, err := octetsOf(cert.Raw)
	if err != nil {
		return fail(err)
	}
	certBag, err := asn1.Marshal(struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
	}{oidX509Cert, explicit0(certValue.FullBytes)})
	if err != nil {
		return fail(err)
	}
	certContents, err := asn1.Marshal([]bag{{oidCertBag, explicit0(certBag), attrs}})
	if err != nil {
		return fail(err)
	}
	var ed pfxEncryptedData
	ed.Info.ContentType = oidData
	algo, certData, err := seal(certContents)
	if err != nil {
		return fail(err)
	}
	// The encrypted content is an implicit [0] OCTET STRING.
	ed.Info.Algo, ed.Info.Content = algo, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: certData}
	encryptedData, err := asn1.Marshal(ed)
	if err != nil {
		return fail(err)
	}

	// The key, in a shrouded key bag.
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fail(err)
	}
	defer clear(plain)
	algo, keyData, err := seal(plain)
	if err != nil {
		return fail(err)
	}
	shrouded, err := asn1.Marshal(sat.EncryptedKeyInfo{Algo: algo, Data: keyData})
	if err != nil {
		return fail(err)
	}
	keyContents, err := asn1.Marshal([]bag{{oidShroudedKeyBag, explicit0(shrouded), attrs}})
	if err != nil {
		return fail(err)
	}
	keyValue, err := octetsOf(keyContents)
	if err != nil {
		return fail(err)
	}

	authSafe, err := asn1.Marshal([]pfxContentInfo{
		{oidEncryptedData, explicit0(encryptedData)},
		{oidData, explicit0(keyValue.FullBytes)},
	})
	if err != nil {
		return fail(err)
	}
	authSafeValue, err := octetsOf(authSafe)
	if err != nil {
		return fail(err)
	}
	salt, err := random(pfxSaltBytes)
	if err != nil {
		return fail(err)
	}
	bmp := bmpPassword(password)
	defer clear(bmp)
	mac := pfxMAC(sha256.New, bmp, salt, iter, authSafe)
	var p pfxPDU
	p.Version = 3
	p.AuthSafe = pfxContentInfo{oidData, explicit0(authSafeValue.FullBytes)}
	p.MacData.Mac.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	p.MacData.Mac.Digest, p.MacData.Salt, p.MacData.Iterations = mac, salt, iter
	out, err := asn1.Marshal(p)
	if err != nil {
		return fail(err)
	}
	return out, nil
}
