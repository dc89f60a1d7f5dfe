// Package sat owns the SAT credential formats: the facts SAT encodes in an
// e.firma or CSD certificate (RFC, CURP, legal name, número de certificado,
// FIEL or CSD), the encrypted private key files SAT issues, and the chain
// check against a folder of CA certificates.
//
// Rules: every input comes from a file or a browser and is bounded and
// parsed without panics; errors callers branch on are sentinels
// (ErrBadCertificate, ErrWrongPassword, ErrNotAKey, ErrKeyMismatch); nothing
// here logs or keeps a password.
package sat

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/efirma/conector/protocol"
)

// ErrBadCertificate is returned for input that is not an X.509 certificate.
var ErrBadCertificate = errors.New("not an X.509 certificate")

var (
	oidUniqueIdentifier = asn1.ObjectIdentifier{2, 5, 4, 45}
	oidSerialNumber     = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidName             = asn1.ObjectIdentifier{2, 5, 4, 41}
	oidCommonName       = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidOrganization     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit          = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// Facts are what SAT encodes in a certificate.
type Facts struct {
	RFC                string
	RFCRepresentative  string
	CURP               string
	CURPRepresentative string
	Name               string
	// Serial is the SAT número de certificado: the serial number's bytes read
	// as ASCII (20 digits); when they are not printable, the decimal serial.
	Serial    string
	Issuer    string
	Type      string
	NotBefore time.Time
	NotAfter  time.Time
}

// ParseCertificate reads a certificate in DER or PEM form. From PEM it
// takes the first CERTIFICATE block, skipping others (a public key before
// it, or the private key after it in one file). A private key given as the
// certificate is ErrKeyNotCertificate and a cut or corrupt file ErrDamaged,
// both wrapped with ErrBadCertificate.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	if len(data) == 0 || len(data) > protocol.MaxCredentialFileBytes {
		return nil, ErrBadCertificate
	}
	if IsPEM(data) {
		sawKey, sawBlock := false, false
		var der []byte
		for rest := data; der == nil; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			sawBlock = true
			switch {
			case b.Type == "CERTIFICATE":
				der = b.Bytes
			case strings.HasSuffix(b.Type, "PRIVATE KEY"):
				sawKey = true
			}
		}
		switch {
		case der != nil:
			data = der
		case sawKey:
			return nil, fmt.Errorf("%w: %w", ErrBadCertificate, ErrKeyNotCertificate)
		case !sawBlock:
			return nil, fmt.Errorf("%w: %w: PEM text does not decode", ErrBadCertificate, ErrDamaged)
		default:
			return nil, ErrBadCertificate
		}
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		if looksLikeKey(data) {
			return nil, fmt.Errorf("%w: %w", ErrBadCertificate, ErrKeyNotCertificate)
		}
		if TruncatedDER(data) {
			return nil, fmt.Errorf("%w: %w: %v", ErrBadCertificate, ErrDamaged, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrBadCertificate, err)
	}
	return c, nil
}

// FactsOf extracts the SAT facts from a certificate. The subject is read from
// the raw DER so that T61String values (SAT's encoding of Ñ) decode right.
func FactsOf(c *x509.Certificate) Facts {
	attrs := rawSubjectAttrs(c.RawSubject)
	f := Facts{NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	f.RFC, f.RFCRepresentative = splitPair(attrs.get(oidUniqueIdentifier))
	f.CURP, f.CURPRepresentative = splitPair(attrs.get(oidSerialNumber))
	f.Name = attrs.get(oidName)
	if f.Name == "" {
		f.Name = attrs.get(oidCommonName)
	}
	if f.Name == "" {
		f.Name = attrs.get(oidOrganization)
	}
	f.Serial = serialOf(c)
	iss := rawSubjectAttrs(c.RawIssuer)
	f.Issuer = iss.get(oidCommonName)
	if f.Issuer == "" {
		f.Issuer = iss.get(oidOrganization)
	}
	f.Type = classify(c, attrs.has(oidOrgUnit))
	return f
}

// Status returns the validity state of the certificate at t and the whole
// days left until NotAfter (negative once expired).
func Status(c *x509.Certificate, t time.Time) (status string, daysLeft int) {
	daysLeft = int(c.NotAfter.Sub(t).Hours() / 24)
	if c.NotAfter.Before(t) && daysLeft == 0 {
		daysLeft = -1
	}
	switch {
	case t.Before(c.NotBefore):
		return protocol.StatusNotYetValid, daysLeft
	case t.After(c.NotAfter):
		return protocol.StatusExpired, daysLeft
	}
	return protocol.StatusValid, daysLeft
}

// classify tells FIEL from CSD by shape: a FIEL has no OU and the clientAuth
// extended key usage; a CSD has an OU and no extended key usage.
func classify(c *x509.Certificate, hasOU bool) string {
	clientAuth := false
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			clientAuth = true
		}
	}
	switch {
	case !hasOU && clientAuth:
		return protocol.TypeFIEL
	case hasOU && len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0:
		return protocol.TypeCSD
	}
	return protocol.TypeOther
}

func serialOf(c *x509.Certificate) string {
	// SAT writes the número de certificado as ASCII digits in the serial.
	b := c.SerialNumber.Bytes()
	if len(b) > 0 {
		digits := true
		for _, x := range b {
			if x < '0' || x > '9' {
				digits = false
				break
			}
		}
		if digits {
			return string(b)
		}
	}
	return c.SerialNumber.String()
}

// splitPair splits SAT's "A / B" form; either side may be empty.
func splitPair(v string) (string, string) {
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return strings.TrimSpace(v), ""
	}
	return strings.TrimSpace(a), strings.TrimSpace(b)
}

type attrList []struct {
	oid asn1.ObjectIdentifier
	val string
}

// has reports whether the attribute is present, whatever its value.
func (l attrList) has(oid asn1.ObjectIdentifier) bool {
	for _, a := range l {
		if a.oid.Equal(oid) {
			return true
		}
	}
	return false
}

func (l attrList) get(oid asn1.ObjectIdentifier) string {
	for _, a := range l {
		if a.oid.Equal(oid) {
			return a.val
		}
	}
	return ""
}

// rawSubjectAttrs decodes a DER Name, turning every string type to UTF-8.
func rawSubjectAttrs(der []byte) attrList {
	var rdns []asn1.RawValue
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil
	}
	rest := seq.Bytes
	for len(rest) > 0 {
		var set asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &set)
		if err != nil {
			break
		}
		rdns = append(rdns, set)
	}
	var out attrList
	for _, set := range rdns {
		inner := set.Bytes
		for len(inner) > 0 {
			var atv struct {
				Type  asn1.ObjectIdentifier
				Value asn1.RawValue
			}
			var err error
			inner, err = asn1.Unmarshal(inner, &atv)
			if err != nil {
				break
			}
			out = append(out, struct {
				oid asn1.ObjectIdentifier
				val string
			}{atv.Type, decodeString(atv.Value)})
		}
	}
	return out
}

// decodeString turns an ASN.1 string value into UTF-8. T61String and other
// 8-bit types are read as UTF-8 when valid and as Latin-1 otherwise (SAT
// writes Ñ as the single byte 0xD1); BMPString is UTF-16BE.
func decodeString(v asn1.RawValue) string {
	b := v.Bytes
	switch v.Tag {
	case 30: // BMPString
		if len(b)%2 != 0 {
			return ""
		}
		var sb strings.Builder
		for i := 0; i+1 < len(b); i += 2 {
			sb.WriteRune(rune(b[i])<<8 | rune(b[i+1]))
		}
		return sb.String()
	case 28: // UniversalString
		return ""
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, 0, len(b))
	for _, x := range b {
		r = append(r, rune(x))
	}
	return string(r)
}

// IsPEM reports whether data looks like PEM text.
func IsPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}
