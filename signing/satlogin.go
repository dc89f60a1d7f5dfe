package signing

// The SAT e.firma login format: what SAT's own login page
// (form#certform on loginda.siat.sat.gob.mx and cfdiau.sat.gob.mx) expects
// in its "token" and "fert" fields. docs/SAT-LOGIN.md gives the contract and
// its sources.
//
//	text  = guid "|" RFC "|" número de certificado
//	sig   = RSASSA-PKCS1-v1_5 with SHA-1 over text
//	token = base64( base64(text) "#" base64( base64(sig) ) )
//	fert  = the certificate's notAfter in UTC as yyMMddHHmmssZ
//
// SHA-1 is used here and nowhere else in the project, because SAT's login
// verifies SHA1withRSA (a token signer accepts SHA-1 only under the opts
// SATLoginSHA1). The signed text is built here from the certificate's own
// RFC and número (read by package sat) and the page's guid: nobody supplies
// the text. It always starts with a guid that can hold neither "|" nor a
// control character and has exactly two "|", so it can never be the bytes
// of an authentication message (AuthMessage starts "efirma-auth:1" and a
// NUL byte); and a login or document signature uses SHA-256 or SHA-384,
// never SHA-1, so no signature of one kind verifies as the other.

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/protocol"
)

// SATMaxGUIDLen bounds the guid SAT's login page issues (it is echoed into
// the signed text).
const SATMaxGUIDLen = protocol.MaxSATGUIDLen

// SATMaxTokenLen bounds a token given to VerifySATLogin.
const SATMaxTokenLen = 16 << 10

// SATFertLayout is the layout of "fert" (Go's reference time).
const SATFertLayout = "060102150405Z"

// Errors of the SAT login format. Callers branch on them.
var (
	ErrSATOrigin    = errors.New("origin is not an https origin of sat.gob.mx or one of its subdomains on the default port")
	ErrSATGUID      = errors.New("guid must be 1 to 128 characters of A-Z, a-z, 0-9 and - _ . : + / = { }")
	ErrSATKey       = errors.New("the SAT login needs an RSA key")
	ErrSATCert      = errors.New("the certificate has no RFC or no 20-digit número de certificado")
	ErrSATToken     = errors.New("the SAT login token is malformed")
	ErrSATUnknown   = errors.New("no known certificate has the número de certificado in the token")
	ErrSATSignature = errors.New("the SAT login signature does not verify")
	ErrSATFacts     = errors.New("the RFC in the token is not the RFC of its certificate")
	ErrSATFert      = errors.New("fert is not the notAfter of the certificate")
)

// satDomain is the only registrable domain the SAT login signs for.
const satDomain = "sat.gob.mx"

// ValidateSATOrigin accepts exactly "https://sat.gob.mx" and
// "https://<labels>.sat.gob.mx" on the default port, as the browser
// serializes origins (lowercase, no port, no path). It refuses look-alikes
// such as "https://loginda.siat.sat.gob.mx.evil.example" or
// "https://evilsat.gob.mx".
func ValidateSATOrigin(origin string) error {
	host, ok := strings.CutPrefix(origin, "https://")
	if !ok || len(origin) > 300 || host == "" {
		return ErrSATOrigin
	}
	if host != satDomain && !strings.HasSuffix(host, "."+satDomain) {
		return ErrSATOrigin
	}
	for _, l := range strings.Split(host, ".") {
		if !protocol.ValidLabel(l) {
			return ErrSATOrigin // also any ":port", "/path", "@", uppercase
		}
	}
	return nil
}

// ValidateSATGUID checks the guid the login page gave: 1 to SATMaxGUIDLen
// characters of a safe ASCII alphabet (letters, digits, "-_.:+/={}"), so no
// "|" (the text's separator), "#", space or control character.
func ValidateSATGUID(guid string) error {
	if len(guid) == 0 || len(guid) > SATMaxGUIDLen {
		return ErrSATGUID
	}
	for i := 0; i < len(guid); i++ {
		c := guid[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:+/={}", c) >= 0) {
			return ErrSATGUID
		}
	}
	return nil
}

// SATCertificate is a certificate with the two facts the SAT login text
// names. Package sat reads them (sat.FactsOf: RFC and Serial); this package
// cannot import sat (sat imports it), so the caller passes them.
type SATCertificate struct {
	Cert *x509.Certificate
	// RFC is the certificate's own RFC: a persona moral's is the company's,
	// the part before " / " (sat.Facts.RFC).
	RFC string
	// Numero is the número de certificado: the 20 digits read from the
	// serial's bytes (sat.Facts.Serial).
	Numero string
}

// SATLoginText returns the text the SAT login signs for c and guid:
// guid|RFC|número.
func SATLoginText(c SATCertificate, guid string) (string, error) {
	if err := ValidateSATGUID(guid); err != nil {
		return "", err
	}
	if !satRFC(c.RFC) || !satNumero(c.Numero) || c.Cert == nil || string(c.Cert.SerialNumber.Bytes()) != c.Numero {
		return "", ErrSATCert
	}
	return guid + "|" + c.RFC + "|" + c.Numero, nil
}

// satRFC reports whether rfc looks like an RFC: 12 or 13 characters of
// A-Z, 0-9, Ñ and "&" (SAT's alphabet). Anything else cannot be in the text.
func satRFC(rfc string) bool {
	n := 0
	for _, r := range rfc {
		n++
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == 'Ñ' || r == '&') {
			return false
		}
	}
	return n == 12 || n == 13
}

// satNumero reports whether s is a 20-digit número de certificado.
func satNumero(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// SATFert returns the certificate's notAfter in UTC as yyMMddHHmmssZ.
func SATFert(cert *x509.Certificate) string {
	return cert.NotAfter.UTC().Format(SATFertLayout)
}

// SATLoginSHA1 is the crypto.SignerOpts of the SAT login signature: SHA-1,
// under a type of its own so that a signer that refuses SHA-1 everywhere
// else (the PKCS#11 token signer) can accept it for this format only.
type SATLoginSHA1 struct{}

// HashFunc returns crypto.SHA1.
func (SATLoginSHA1) HashFunc() crypto.Hash { return crypto.SHA1 }

// SATLogin is what SAT's login form receives.
type SATLogin struct {
	Token string
	Fert  string
	// Text is the signed text (guid|RFC|número), for logs and tests.
	Text string
}

// SignSATLogin builds the text for c and guid, signs it with SHA1withRSA
// (PKCS#1 v1.5) and returns the token and fert. signer must hold cert's RSA
// key; the signature is checked against cert before it is returned, so a
// wrong key (or a token that signs something else) never leaves here.
func SignSATLogin(signer crypto.Signer, c SATCertificate, guid string) (SATLogin, error) {
	text, err := SATLoginText(c, guid)
	if err != nil {
		return SATLogin{}, err
	}
	cert := c.Cert
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return SATLogin{}, ErrSATKey
	}
	if _, ok := signer.Public().(*rsa.PublicKey); !ok {
		return SATLogin{}, ErrSATKey
	}
	h := sha1.Sum([]byte(text))
	sig, err := signer.Sign(rand.Reader, h[:], SATLoginSHA1{})
	if err != nil {
		return SATLogin{}, fmt.Errorf("sign SAT login text: %w", err)
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, h[:], sig); err != nil {
		return SATLogin{}, fmt.Errorf("%w: the key did not make a signature of this certificate", ErrSATSignature)
	}
	return SATLogin{Token: EncodeSATToken(text, sig), Fert: SATFert(cert), Text: text}, nil
}

// EncodeSATToken lays out text and signature as SAT's token:
// base64( base64(text) "#" base64( base64(sig) ) ).
func EncodeSATToken(text string, sig []byte) string {
	b64 := base64.StdEncoding.EncodeToString
	return b64([]byte(b64([]byte(text)) + "#" + b64([]byte(b64(sig)))))
}

// SATClaims is what a verified token says.
type SATClaims struct {
	GUID   string
	RFC    string
	Serial string // the número de certificado
	Text   string
	Cert   *x509.Certificate
}

// DecodeSATToken undoes EncodeSATToken: it returns the text and the raw
// signature, without verifying anything.
func DecodeSATToken(token string) (text string, sig []byte, err error) {
	if len(token) == 0 || len(token) > SATMaxTokenLen {
		return "", nil, ErrSATToken
	}
	outer, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", nil, fmt.Errorf("%w: outer base64: %v", ErrSATToken, err)
	}
	a, b, ok := bytes.Cut(outer, []byte("#"))
	if !ok || bytes.IndexByte(b, '#') >= 0 {
		return "", nil, fmt.Errorf("%w: want exactly one '#'", ErrSATToken)
	}
	t, err := base64.StdEncoding.DecodeString(string(a))
	if err != nil {
		return "", nil, fmt.Errorf("%w: text base64: %v", ErrSATToken, err)
	}
	inner, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil {
		return "", nil, fmt.Errorf("%w: signature base64: %v", ErrSATToken, err)
	}
	sig, err = base64.StdEncoding.DecodeString(string(inner))
	if err != nil {
		return "", nil, fmt.Errorf("%w: signature inner base64: %v", ErrSATToken, err)
	}
	return string(t), sig, nil
}

// VerifySATLogin checks a token and fert the way SAT's login does: decode,
// split on "#", find the certificate by the text's número (lookup returns
// nil when it knows none), verify the SHA1withRSA signature with it, check
// that the text's RFC and número are the certificate's and that fert is its
// notAfter. Checking the guid against the one issued (and unused) is the
// caller's part; so is the certificate's validity, type and chain.
func VerifySATLogin(token, fert string, lookup func(numero string) *SATCertificate) (SATClaims, error) {
	text, sig, err := DecodeSATToken(token)
	if err != nil {
		return SATClaims{}, err
	}
	parts := strings.Split(text, "|")
	if len(parts) != 3 {
		return SATClaims{}, fmt.Errorf("%w: text must be guid|RFC|número", ErrSATToken)
	}
	c := SATClaims{GUID: parts[0], RFC: parts[1], Serial: parts[2], Text: text}
	if err := ValidateSATGUID(c.GUID); err != nil {
		return SATClaims{}, fmt.Errorf("%w: %v", ErrSATToken, err)
	}
	if !satNumero(c.Serial) {
		return SATClaims{}, fmt.Errorf("%w: número is not 20 digits", ErrSATToken)
	}
	known := lookup(c.Serial)
	if known == nil || known.Cert == nil {
		return SATClaims{}, ErrSATUnknown
	}
	cert := known.Cert
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return SATClaims{}, ErrSATKey
	}
	h := sha1.Sum([]byte(text))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, h[:], sig); err != nil {
		return SATClaims{}, ErrSATSignature
	}
	if known.Numero != c.Serial || string(cert.SerialNumber.Bytes()) != c.Serial || known.RFC != c.RFC {
		return SATClaims{}, ErrSATFacts
	}
	if fert != SATFert(cert) {
		return SATClaims{}, ErrSATFert
	}
	c.Cert = cert
	return c, nil
}
