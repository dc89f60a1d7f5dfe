package signing

// This file owns the detached CMS (CAdES-BES) format the host builds for a
// document (sign with format "cms") and its strict parser for verifiers.
//
// The host never signs a document's bytes as they come: it hashes the
// document it showed in the consent window and signs a SignedAttributes
// structure it built itself (contentType id-data, signingTime,
// messageDigest = SHA-256 of the document, signingCertificateV2 = SHA-256
// of the signing certificate, RFC 5035). The result is a ContentInfo with
// SignedData (RFC 5652), content detached, one signer, the certificate
// included; `openssl cms -verify -binary -inform DER -content FILE` checks it.
//
// Only encoding/asn1 is used; the few SET OF values are built by hand so
// that their DER order is right.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"
)

// Object identifiers of the CMS format.
var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// MaxCMSBytes bounds a CMS structure given to ParseCMS (one certificate,
// one signer: a few KiB; 64 KiB leaves room for a long chain-less cert).
const MaxCMSBytes = 64 << 10

// Errors of the CMS format. ParseCMS and VerifyCMS wrap them.
var (
	ErrCMSMalformed   = errors.New("cms: malformed structure")
	ErrCMSUnsupported = errors.New("cms: unsupported structure")
	ErrCMSDigest      = errors.New("cms: messageDigest does not match the document")
	ErrCMSCertHash    = errors.New("cms: signingCertificateV2 does not match the certificate")
	ErrCMSSignature   = errors.New("cms: signature does not verify")
)

// tlv encodes one DER element with a universal or context tag byte.
func tlv(tag byte, content ...[]byte) []byte {
	n := 0
	for _, c := range content {
		n += len(c)
	}
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	for _, c := range content {
		out = append(out, c...)
	}
	return out
}

const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagSequence    = 0x30
	tagSet         = 0x31
	tagCtx0        = 0xa0 // [0] constructed
	tagCtx4        = 0xa4 // [4] constructed (directoryName)
)

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic("internal error: cms: " + err.Error())
	}
	return b
}

// derSet encodes a SET OF with its elements in DER order (sorted by their
// encodings, X.690 11.6).
func derSet(elems ...[]byte) []byte {
	sorted := append([][]byte(nil), elems...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return tlv(tagSet, sorted...)
}

func algID(oid asn1.ObjectIdentifier, nullParams bool) []byte {
	if nullParams {
		return tlv(tagSequence, mustMarshal(oid), []byte{0x05, 0x00})
	}
	return tlv(tagSequence, mustMarshal(oid))
}

func attribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	return tlv(tagSequence, mustMarshal(oid), derSet(value))
}

// signingTimeValue encodes t as RFC 5652 requires (encoding/asn1 already
// picks UTCTime for 1950–2049 and GeneralizedTime otherwise); whole
// seconds, UTC.
func signingTimeValue(t time.Time) []byte {
	return mustMarshal(t.UTC().Truncate(time.Second))
}

// SignedAttributes returns the DER SET (tag 0x31) the signature covers, for
// a document with SHA-256 digest and the signing certificate, at signingTime.
func SignedAttributes(cert *x509.Certificate, digest [sha256.Size]byte, signingTime time.Time) []byte {
	certHash := sha256.Sum256(cert.Raw)
	// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256 (omitted in
	// DER), certHash, issuerSerial { GeneralNames{ directoryName }, serial } }
	issuerSerial := tlv(tagSequence,
		tlv(tagSequence, tlv(tagCtx4, cert.RawIssuer)),
		mustMarshal(cert.SerialNumber))
	essCertID := tlv(tagSequence, tlv(tagOctetString, certHash[:]), issuerSerial)
	signingCertV2 := tlv(tagSequence, tlv(tagSequence, essCertID))
	return derSet(
		attribute(oidContentType, mustMarshal(oidData)),
		attribute(oidSigningTime, signingTimeValue(signingTime)),
		attribute(oidMessageDigest, tlv(tagOctetString, digest[:])),
		attribute(oidSigningCertificateV2, signingCertV2),
	)
}

// signatureAlgorithm names the signature algorithm for a public key.
func signatureAlgorithm(pub crypto.PublicKey) ([]byte, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return algID(oidRSAEncryption, true), nil
	case *ecdsa.PublicKey:
		return algID(oidECDSAWithSHA256, false), nil
	}
	return nil, fmt.Errorf("%w: key type %T", ErrCMSUnsupported, pub)
}

// SignCMS builds a detached CMS SignedData (CAdES-BES) over a document
// whose SHA-256 is digest, signed by signer whose certificate is cert. The
// signature is RSASSA-PKCS1-v1_5 with SHA-256 for RSA keys and ECDSA with
// SHA-256 (DER) for EC keys. It returns the DER ContentInfo.
func SignCMS(signer crypto.Signer, cert *x509.Certificate, digest [sha256.Size]byte, signingTime time.Time) ([]byte, error) {
	sigAlg, err := signatureAlgorithm(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	attrs := SignedAttributes(cert, digest, signingTime)
	h := sha256.Sum256(attrs)
	sig, err := signer.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return assemble(cert, attrs, sigAlg, sig), nil
}

// assemble wraps signed attributes and a signature into a ContentInfo.
func assemble(cert *x509.Certificate, attrs, sigAlg, sig []byte) []byte {
	sha := algID(oidSHA256, false)
	// The signed attributes are [0] IMPLICIT in SignerInfo: same content,
	// context tag instead of SET.
	implicitAttrs := append([]byte{tagCtx0}, attrs[1:]...)
	signerInfo := tlv(tagSequence,
		mustMarshal(1), // version 1: IssuerAndSerialNumber
		tlv(tagSequence, cert.RawIssuer, mustMarshal(cert.SerialNumber)),
		sha,
		implicitAttrs,
		sigAlg,
		tlv(tagOctetString, sig),
	)
	signedData := tlv(tagSequence,
		mustMarshal(1),
		derSet(sha),
		tlv(tagSequence, mustMarshal(oidData)), // no eContent: detached
		tlv(tagCtx0, cert.Raw),
		derSet(signerInfo),
	)
	return tlv(tagSequence, mustMarshal(oidSignedData), tlv(tagCtx0, signedData))
}

// Parsed structures. encoding/asn1 checks DER lengths and tags; the rest
// (exactly one signer, the attributes we require) is checked in ParseCMS.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []algorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    algorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"tag:0"`
	SignatureAlgorithm algorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type attr struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// CMS is a parsed detached SignedData with one signer.
type CMS struct {
	Certificate *x509.Certificate
	SigningTime time.Time
	// Digest is the messageDigest attribute: SHA-256 of the document.
	Digest []byte
	// signed is the DER SET of signed attributes the signature covers.
	signed    []byte
	sigAlg    asn1.ObjectIdentifier
	signature []byte
	certHash  []byte
}

func malformed(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCMSMalformed, what, err)
	}
	return fmt.Errorf("%w: %s", ErrCMSMalformed, what)
}

// unmarshalAll decodes b into v and refuses trailing bytes.
func unmarshalAll(b []byte, v any, what string) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return malformed(what, err)
	}
	if len(rest) != 0 {
		return malformed(what+": trailing data", nil)
	}
	return nil
}

// ParseCMS parses a DER detached CMS SignedData with exactly one signer,
// its certificate included, SHA-256 as digest, and the signed attributes
// contentType (id-data), messageDigest, signingTime and
// signingCertificateV2. It does not check the signature (VerifyCMS does).
func ParseCMS(der []byte) (*CMS, error) {
	if len(der) > MaxCMSBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrCMSMalformed, len(der), MaxCMSBytes)
	}
	var ci contentInfo
	if err := unmarshalAll(der, &ci, "ContentInfo"); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: content type %v is not signedData", ErrCMSUnsupported, ci.ContentType)
	}
	var sd signedData
	if err := unmarshalAll(ci.Content.Bytes, &sd, "SignedData"); err != nil {
		return nil, err
	}
	if sd.Version != 1 || len(sd.SignerInfos) != 1 || len(sd.DigestAlgorithms) != 1 || !sd.DigestAlgorithms[0].Algorithm.Equal(oidSHA256) {
		return nil, fmt.Errorf("%w: want version 1, one SHA-256 signer", ErrCMSUnsupported)
	}
	if !sd.EncapContentInfo.EContentType.Equal(oidData) || len(sd.EncapContentInfo.EContent.FullBytes) != 0 {
		return nil, fmt.Errorf("%w: content must be id-data and detached", ErrCMSUnsupported)
	}
	if len(sd.Certificates.Bytes) == 0 {
		return nil, fmt.Errorf("%w: no certificate included", ErrCMSUnsupported)
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return nil, malformed("certificates", err)
	}
	si := sd.SignerInfos[0]
	if si.Version != 1 || !si.DigestAlgorithm.Algorithm.Equal(oidSHA256) || len(si.UnsignedAttrs.FullBytes) != 0 {
		return nil, fmt.Errorf("%w: signer must be version 1, SHA-256, no unsigned attributes", ErrCMSUnsupported)
	}
	out := &CMS{sigAlg: si.SignatureAlgorithm.Algorithm, signature: si.Signature}
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, si.SID.Issuer.FullBytes) && c.SerialNumber.Cmp(si.SID.Serial) == 0 {
			out.Certificate = c
			break
		}
	}
	if out.Certificate == nil {
		return nil, fmt.Errorf("%w: the signer's certificate is not included", ErrCMSUnsupported)
	}
	if si.SignedAttrs.Class != asn1.ClassContextSpecific || !si.SignedAttrs.IsCompound {
		return nil, malformed("signed attributes", nil)
	}
	// The signature covers the attributes with the SET tag (RFC 5652 5.4).
	out.signed = tlv(tagSet, si.SignedAttrs.Bytes)
	seen := map[string]bool{}
	rest := si.SignedAttrs.Bytes
	for len(rest) > 0 {
		var a attr
		var err error
		rest, err = asn1.Unmarshal(rest, &a)
		if err != nil {
			return nil, malformed("attribute", err)
		}
		key := a.Type.String()
		if seen[key] {
			return nil, malformed("attribute "+key+" repeated", nil)
		}
		seen[key] = true
		if err := out.attribute(a); err != nil {
			return nil, err
		}
	}
	for _, need := range []asn1.ObjectIdentifier{oidContentType, oidMessageDigest, oidSigningTime, oidSigningCertificateV2} {
		if !seen[need.String()] {
			return nil, fmt.Errorf("%w: signed attribute %v missing", ErrCMSUnsupported, need)
		}
	}
	return out, nil
}

// single decodes the one value of an attribute's SET into v.
func single(a attr, v any) error {
	if err := unmarshalAll(a.Values.Bytes, v, "attribute "+a.Type.String()); err != nil {
		return err
	}
	return nil
}

func (c *CMS) attribute(a attr) error {
	switch {
	case a.Type.Equal(oidContentType):
		var ct asn1.ObjectIdentifier
		if err := single(a, &ct); err != nil {
			return err
		}
		if !ct.Equal(oidData) {
			return fmt.Errorf("%w: contentType attribute %v", ErrCMSUnsupported, ct)
		}
	case a.Type.Equal(oidMessageDigest):
		var d []byte
		if err := single(a, &d); err != nil {
			return err
		}
		if len(d) != sha256.Size {
			return malformed("messageDigest is not SHA-256", nil)
		}
		c.Digest = d
	case a.Type.Equal(oidSigningTime):
		var t time.Time
		if err := single(a, &t); err != nil {
			return err
		}
		c.SigningTime = t.UTC()
	case a.Type.Equal(oidSigningCertificateV2):
		var v struct {
			Certs []struct {
				HashAlgorithm algorithmIdentifier `asn1:"optional"`
				CertHash      []byte
				IssuerSerial  asn1.RawValue `asn1:"optional"`
			}
			Policies asn1.RawValue `asn1:"optional"`
		}
		if err := single(a, &v); err != nil {
			return err
		}
		if len(v.Certs) == 0 {
			return malformed("signingCertificateV2 is empty", nil)
		}
		first := v.Certs[0]
		if len(first.HashAlgorithm.Algorithm) != 0 && !first.HashAlgorithm.Algorithm.Equal(oidSHA256) {
			return fmt.Errorf("%w: signingCertificateV2 hash %v", ErrCMSUnsupported, first.HashAlgorithm.Algorithm)
		}
		c.certHash = first.CertHash
	}
	return nil
}

// VerifyCMS parses a detached CMS and checks it against the document: the
// messageDigest equals SHA-256(document), signingCertificateV2 names the
// included certificate, and the signature over the signed attributes
// verifies with that certificate's key. It checks no chain, validity or
// certificate type: callers (portal/verifier) do that.
func VerifyCMS(der, document []byte) (*CMS, error) {
	c, err := ParseCMS(der)
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(document)
	if !bytes.Equal(c.Digest, d[:]) {
		return nil, ErrCMSDigest
	}
	ch := sha256.Sum256(c.Certificate.Raw)
	if !bytes.Equal(c.certHash, ch[:]) {
		return nil, ErrCMSCertHash
	}
	h := sha256.Sum256(c.signed)
	switch pub := c.Certificate.PublicKey.(type) {
	case *rsa.PublicKey:
		if !c.sigAlg.Equal(oidRSAEncryption) && !c.sigAlg.Equal(oidSHA256WithRSA) {
			return nil, fmt.Errorf("%w: signature algorithm %v for an RSA key", ErrCMSUnsupported, c.sigAlg)
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], c.signature) != nil {
			return nil, ErrCMSSignature
		}
	case *ecdsa.PublicKey:
		if !c.sigAlg.Equal(oidECDSAWithSHA256) {
			return nil, fmt.Errorf("%w: signature algorithm %v for an EC key", ErrCMSUnsupported, c.sigAlg)
		}
		if !ecdsa.VerifyASN1(pub, h[:], c.signature) {
			return nil, ErrCMSSignature
		}
	default:
		return nil, fmt.Errorf("%w: key type %T", ErrCMSUnsupported, pub)
	}
	return c, nil
}
