// Package testcreds generates the project's own SAT-shaped test credentials
// (testdata/): a test CA, FIEL and CSD certificates shaped exactly as SAT
// issues them, and private keys encrypted exactly as SAT does (DER
// EncryptedPrivateKeyInfo, PBES2, PBKDF2-HMAC-SHA1 with no PRF field, 2048
// iterations, DES-EDE3-CBC).
//
// Output is reproducible: keys, salts and IVs come from a deterministic
// generator seeded by each credential's name, and every date is fixed, so
// running the generator twice gives the same bytes (a test checks that the
// committed testdata/ matches). Nothing here is for production use.
package testcreds

import (
	"crypto"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Password opens every generated key.
const Password = "12345678a"

// Credential describes one generated credential folder.
type Credential struct {
	Dir       string // folder under creds/
	Desc      string
	RFC       string // x500UniqueIdentifier value as SAT writes it ("A / B" for a moral)
	CURP      string // serialNumber value
	Name      string
	OU        string // non-empty for a CSD
	NotBefore time.Time
	NotAfter  time.Time
	T61       bool   // write Name and RFC as T61String (Latin-1), as SAT does for Ñ
	Issuer    string // "ca" (default) or "foreign"
	KeyFrom   string // for a mismatched pair: the folder whose key is written
	Serial    string // número de certificado (20 digits)
	WantType  string
}

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 12, 0, 0, 0, time.UTC) }

// Credentials is the catalogue of generated credentials.
var Credentials = []Credential{
	{Dir: "fiel-fisica", Desc: "FIEL persona física", RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000001", WantType: "FIEL"},
	{Dir: "fiel-moral", Desc: "FIEL persona moral", RFC: "TCE010101AB2 / GOAM800101AB1", CURP: " / GOAM800101MDFMRR09", Name: "TALLERES DEL CENTRO SA DE CV", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000002", WantType: "FIEL"},
	{Dir: "csd-moral", Desc: "CSD (sello digital) persona moral", RFC: "TCE010101AB2 / GOAM800101AB1", CURP: " / GOAM800101MDFMRR09", Name: "TALLERES DEL CENTRO SA DE CV", OU: "Sucursal Centro", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000003", WantType: "CSD"},
	{Dir: "fiel-expired", Desc: "FIEL vencida", RFC: "ROLJ750505CD3", CURP: "ROLJ750505HJCDPN02", Name: "JUAN RODRIGUEZ LOPEZ", NotBefore: d(2019, 3, 1), NotAfter: d(2023, 3, 1), Serial: "30001000000900000004", WantType: "FIEL"},
	{Dir: "fiel-not-yet-valid", Desc: "FIEL todavía no vigente", RFC: "SAHL900909EF4", CURP: "SAHL900909MNLNRR05", Name: "LAURA SANCHEZ HERRERA", NotBefore: d(2031, 1, 1), NotAfter: d(2035, 1, 1), Serial: "30001000000900000005", WantType: "FIEL"},
	{Dir: "fiel-enie", Desc: "FIEL con Ñ (T61String)", RFC: "PEÑJ800101GH5", CURP: "PENJ800101HDFXXS01", Name: "JOSE PEÑA NUÑEZ", T61: true, NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000006", WantType: "FIEL"},
	{Dir: "fiel-ampersand", Desc: "FIEL persona moral con & en el RFC", RFC: "M&A010101IJ6 / GOAM800101AB1", CURP: " / GOAM800101MDFMRR09", Name: "MORALES & ASOCIADOS SC", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000007", WantType: "FIEL"},
	{Dir: "mismatch", Desc: "par que no corresponde (.cer de fiel-fisica, .key de fiel-moral)", KeyFrom: "fiel-moral", RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000008", WantType: "FIEL"},
	{Dir: "not-sat", Desc: "FIEL emitida por una AC que no es del SAT", Issuer: "foreign", RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", NotBefore: d(2025, 1, 1), NotAfter: d(2029, 1, 1), Serial: "30001000000900000009", WantType: "FIEL"},
}

var (
	oidUID     = asn1.ObjectIdentifier{2, 5, 4, 45}
	oidSerial  = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidName    = asn1.ObjectIdentifier{2, 5, 4, 41}
	oidCN      = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidC       = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidEmail   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidPBES2   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oid3DESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// drbg is a deterministic byte stream: SHA-256 in counter mode over a seed.
type drbg struct {
	seed [32]byte
	ctr  uint64
	buf  []byte
}

func newDRBG(label string) *drbg {
	return &drbg{seed: sha256.Sum256([]byte("efirma-testcreds:" + label))}
}

func (r *drbg) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(r.buf) == 0 {
			var b [40]byte
			copy(b[:], r.seed[:])
			for i := 0; i < 8; i++ {
				b[32+i] = byte(r.ctr >> (8 * i))
			}
			r.ctr++
			h := sha256.Sum256(b[:])
			r.buf = h[:]
		}
		c := copy(p[n:], r.buf)
		r.buf = r.buf[c:]
		n += c
	}
	return len(p), nil
}

// rsaKey makes an RSA-2048 key deterministically from r (crypto/rsa's
// GenerateKey is randomized on purpose, so it cannot be reproducible).
func rsaKey(r io.Reader) (*rsa.PrivateKey, error) {
	e := big.NewInt(65537)
	prime := func() *big.Int {
		b := make([]byte, 128)
		for {
			_, _ = io.ReadFull(r, b)
			b[0] |= 0xC0
			b[127] |= 1
			p := new(big.Int).SetBytes(b)
			for i := 0; i < 4096; i++ {
				if p.ProbablyPrime(32) && new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, big.NewInt(1))).Cmp(big.NewInt(1)) == 0 {
					return p
				}
				p.Add(p, big.NewInt(2))
			}
		}
	}
	p, q := prime(), prime()
	if p.Cmp(q) == 0 {
		return nil, fmt.Errorf("equal primes")
	}
	n := new(big.Int).Mul(p, q)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
	dd := new(big.Int).ModInverse(e, phi)
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: dd, Primes: []*big.Int{p, q}}
	k.Precompute()
	return k, k.Validate()
}

// attr encodes one AttributeTypeAndValue in its own RDN set.
func attr(oid asn1.ObjectIdentifier, tag int, value []byte) []byte {
	v, _ := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: value})
	o, _ := asn1.Marshal(oid)
	seq, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(o, v...)})
	set, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: seq})
	return set
}

func latin1(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

func subject(c Credential) []byte {
	strTag, enc := asn1.TagUTF8String, func(s string) []byte { return []byte(s) }
	if c.T61 {
		strTag, enc = asn1.TagT61String, latin1
	}
	var body []byte
	body = append(body, attr(oidCN, strTag, enc(c.Name))...)
	body = append(body, attr(oidName, strTag, enc(c.Name))...)
	body = append(body, attr(oidO, strTag, enc(c.Name))...)
	body = append(body, attr(oidC, asn1.TagPrintableString, []byte("MX"))...)
	body = append(body, attr(oidEmail, asn1.TagIA5String, []byte("pruebas@conector-efirma.invalid"))...)
	body = append(body, attr(oidUID, strTag, enc(c.RFC))...)
	body = append(body, attr(oidSerial, asn1.TagPrintableString, []byte(c.CURP))...)
	if c.OU != "" {
		body = append(body, attr(oidOU, asn1.TagUTF8String, []byte(c.OU))...)
	}
	out, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	return out
}

// EncryptSATKey encrypts a key exactly as SAT's .key files are: DER
// EncryptedPrivateKeyInfo with PBES2 (PBKDF2-HMAC-SHA1, no PRF field, 2048
// iterations, 8-byte salt) and DES-EDE3-CBC.
func EncryptSATKey(key crypto.Signer, password string, r io.Reader) ([]byte, error) {
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 8)
	iv := make([]byte, 8)
	io.ReadFull(r, salt)
	io.ReadFull(r, iv)
	dk, err := pbkdf2.Key(sha1.New, password, salt, 2048, 24)
	if err != nil {
		return nil, err
	}
	block, err := des.NewTripleDESCipher(dk)
	if err != nil {
		return nil, err
	}
	pad := 8 - len(plain)%8
	for i := 0; i < pad; i++ {
		plain = append(plain, byte(pad))
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, plain)
	type kdfParams struct {
		Salt       []byte
		Iterations int
	}
	type algo struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters any
	}
	params := struct {
		KDF algo
		Enc algo
	}{algo{oidPBKDF2, kdfParams{salt, 2048}}, algo{oid3DESCBC, iv}}
	return asn1.Marshal(struct {
		Algo algo
		Data []byte
	}{algo{oidPBES2, params}, ct})
}

type issuer struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func makeCA(label, cn string) (*issuer, error) {
	key, err := rsaKey(newDRBG(label))
	if err != nil {
		return nil, err
	}
	var body []byte
	body = append(body, attr(oidCN, asn1.TagUTF8String, []byte(cn))...)
	body = append(body, attr(oidO, asn1.TagUTF8String, []byte("PRUEBAS CONECTOR E.FIRMA (NO ES DEL SAT)"))...)
	body = append(body, attr(oidOU, asn1.TagUTF8String, []byte("SAT-IES Authority"))...)
	body = append(body, attr(oidC, asn1.TagPrintableString, []byte("MX"))...)
	name, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes([]byte("3000100000099" + label[:1])),
		RawSubject:            name,
		NotBefore:             d(2015, 1, 1),
		NotAfter:              d(2040, 1, 1),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          ski(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(newDRBG(label+"-sig"), tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	return &issuer{c, key}, err
}

func ski(pub *rsa.PublicKey) []byte {
	h := sha1.Sum(x509.MarshalPKCS1PublicKey(pub))
	return h[:]
}

// Generate writes ca/, foreign-ca/ and creds/<name>/ under dir.
func Generate(dir string) error {
	ca, err := makeCA("ca", "AC UAT CONECTOR PRUEBAS")
	if err != nil {
		return err
	}
	foreign, err := makeCA("foreign", "AC AJENA DE PRUEBAS")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "ca", "ac-pruebas.cer"), ca.cert.Raw); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "foreign-ca", "ac-ajena.cer"), foreign.cert.Raw); err != nil {
		return err
	}
	keysByDir := map[string]*rsa.PrivateKey{}
	for _, c := range Credentials {
		if c.KeyFrom != "" {
			continue
		}
		k, err := rsaKey(newDRBG(c.Dir))
		if err != nil {
			return err
		}
		keysByDir[c.Dir] = k
	}
	for _, c := range Credentials {
		iss := ca
		if c.Issuer == "foreign" {
			iss = foreign
		}
		certKey := keysByDir[c.Dir]
		keyOut := certKey
		if c.KeyFrom != "" {
			certKey = keysByDir["fiel-fisica"]
			keyOut = keysByDir[c.KeyFrom]
		}
		tmpl := &x509.Certificate{
			SerialNumber: new(big.Int).SetBytes([]byte(c.Serial)),
			RawSubject:   subject(c),
			NotBefore:    c.NotBefore,
			NotAfter:     c.NotAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		}
		if c.OU == "" { // FIEL shape
			tmpl.KeyUsage |= x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}
		}
		der, err := x509.CreateCertificate(newDRBG(c.Dir+"-sig"), tmpl, iss.cert, &certKey.PublicKey, iss.key)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Dir, err)
		}
		keyDER, err := EncryptSATKey(keyOut, Password, newDRBG(c.Dir+"-pbe"))
		if err != nil {
			return fmt.Errorf("%s: %w", c.Dir, err)
		}
		base := filepath.Join(dir, "creds", c.Dir)
		if err := writeFile(filepath.Join(base, "certificate.cer"), der); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(base, "private_key.key"), keyDER); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
