package sat

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // CertID hashes
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/ocsp"
)

// SAT's e.firma status (OCSP) services. SAT leaf certificates carry no OCSP
// address, so the URL is configuration.
const (
	OCSPURL     = "https://cfdi.sat.gob.mx/edofiel"
	OCSPTestURL = "https://cfdit.sat.gob.mx/edofiel"
)

// OCSP answers.
const (
	OCSPGood    = "good"
	OCSPRevoked = "revoked"
	OCSPUnknown = "unknown"
)

// Errors of CheckOCSPResponse.
var (
	// ErrOCSPResponse: the response is wrong (bad signature, stale, for
	// another certificate, malformed) and must never be trusted.
	ErrOCSPResponse = errors.New("OCSP response is not acceptable")
	// ErrOCSPTryLater: the responder answered "try later" or "internal
	// error": it is unavailable, not wrong.
	ErrOCSPTryLater = errors.New("OCSP responder is unavailable")
)

// ocspSkew is the clock difference tolerated with the responder.
const ocspSkew = 5 * time.Minute

// OCSPResult is an accepted OCSP answer.
type OCSPResult struct {
	Status     string // OCSPGood, OCSPRevoked or OCSPUnknown
	RevokedAt  time.Time
	Reason     int
	ThisUpdate time.Time
	NextUpdate time.Time
}

// OCSPRequest builds the DER request for cert, issued by issuer.
func OCSPRequest(cert, issuer *x509.Certificate) ([]byte, error) {
	der, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, fmt.Errorf("failed to build OCSP request: %w", err)
	}
	return der, nil
}

// CheckOCSPResponse parses and checks an OCSP response about cert: signed
// by responder when given, else by the issuing CA or a responder
// certificate that CA issued for OCSP signing — included in the response,
// or one of known (the responder certificates published with the CAs, such
// as Anchors.Responders: SAT's answers may not carry theirs); fresh at now
// (until nextUpdate, or maxAge after thisUpdate when there is none); and
// about cert's serial under cert's issuer (the CertID's hashes).
func CheckOCSPResponse(der []byte, cert, issuer, responder *x509.Certificate, now time.Time, maxAge time.Duration, known ...*x509.Certificate) (OCSPResult, error) {
	resp, err := ocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) && (re.Status == ocsp.TryLater || re.Status == ocsp.InternalError) {
			return OCSPResult{}, fmt.Errorf("%w: responder says %v", ErrOCSPTryLater, re.Status)
		}
		return OCSPResult{}, fmt.Errorf("%w: %v", ErrOCSPResponse, err)
	}
	if err := checkCertID(der, cert, issuer); err != nil {
		return OCSPResult{}, fmt.Errorf("%w: %v", ErrOCSPResponse, err)
	}
	if err := checkOCSPSigner(resp, issuer, responder, now, known); err != nil {
		return OCSPResult{}, fmt.Errorf("%w: %v", ErrOCSPResponse, err)
	}
	if resp.ThisUpdate.After(now.Add(ocspSkew)) {
		return OCSPResult{}, fmt.Errorf("%w: thisUpdate %s is in the future", ErrOCSPResponse, resp.ThisUpdate.Format(time.RFC3339))
	}
	if !resp.NextUpdate.IsZero() {
		if now.After(resp.NextUpdate.Add(ocspSkew)) {
			return OCSPResult{}, fmt.Errorf("%w: stale, nextUpdate %s", ErrOCSPResponse, resp.NextUpdate.Format(time.RFC3339))
		}
	} else if now.Sub(resp.ThisUpdate) > maxAge+ocspSkew {
		return OCSPResult{}, fmt.Errorf("%w: stale, thisUpdate %s", ErrOCSPResponse, resp.ThisUpdate.Format(time.RFC3339))
	}
	r := OCSPResult{ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate, Status: OCSPUnknown}
	switch resp.Status {
	case ocsp.Good:
		r.Status = OCSPGood
	case ocsp.Revoked:
		r.Status, r.RevokedAt, r.Reason = OCSPRevoked, resp.RevokedAt, resp.RevocationReason
	}
	return r, nil
}

// checkOCSPSigner verifies who signed the response: the configured
// responder certificate, else the issuing CA, else a delegated responder
// that CA certified for OCSP signing (valid at now).
func checkOCSPSigner(resp *ocsp.Response, issuer, responder *x509.Certificate, now time.Time, known []*x509.Certificate) error {
	if responder != nil {
		if err := resp.CheckSignatureFrom(responder); err != nil {
			return fmt.Errorf("not signed by the configured responder: %v", err)
		}
		return nil
	}
	if resp.Certificate == nil {
		err := resp.CheckSignatureFrom(issuer)
		if err == nil {
			return nil
		}
		// A published responder certificate of this issuer.
		for _, d := range known {
			if delegatedResponder(d, issuer, now) == nil && resp.CheckSignatureFrom(d) == nil {
				return nil
			}
		}
		return fmt.Errorf("not signed by the issuing CA nor by a responder it certified: %v", err)
	}
	d := resp.Certificate
	if bytes.Equal(d.Raw, issuer.Raw) {
		return resp.CheckSignatureFrom(issuer)
	}
	if err := delegatedResponder(d, issuer, now); err != nil {
		return err
	}
	// ParseResponseForCert already checked the response against d.
	return nil
}

// delegatedResponder checks that d is a responder certificate issuer
// certified for OCSP signing, valid at now.
func delegatedResponder(d, issuer *x509.Certificate, now time.Time) error {
	if err := d.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("responder certificate not issued by the CA: %v", err)
	}
	delegated := false
	for _, u := range d.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			delegated = true
		}
	}
	if !delegated {
		return errors.New("responder certificate lacks the OCSP signing usage")
	}
	if now.Before(d.NotBefore) || now.After(d.NotAfter) {
		return errors.New("responder certificate not valid now")
	}
	return nil
}

// The OCSP structures down to each SingleResponse's CertID (RFC 6960 4.2.1).
type ocspCertID struct {
	HashAlgorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

var ocspCertIDHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

// checkCertID checks that every answer in the response about cert's serial
// names issuer in its CertID (the hashes of the issuer's name and public
// key). ocsp.ParseResponseForCert matches on the serial alone, so without
// this an answer about the same serial under another CA would be read as
// this certificate's.
func checkCertID(der []byte, cert, issuer *x509.Certificate) error {
	var resp struct {
		Status asn1.Enumerated
		Bytes  struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &resp); err != nil {
		return errors.New("malformed OCSP response")
	}
	var basic struct {
		TBS asn1.RawValue
	}
	if _, err := asn1.Unmarshal(resp.Bytes.Response, &basic); err != nil {
		return errors.New("malformed basic OCSP response")
	}
	// ResponseData: [0] version optional, responderID, producedAt,
	// responses, [1] extensions optional. Walk it by position.
	rest := basic.TBS.Bytes
	var responses asn1.RawValue
	for i := 0; len(rest) > 0; i++ {
		var v asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &v); err != nil {
			return errors.New("malformed OCSP response data")
		}
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound {
			responses = v
			break
		}
	}
	if len(responses.Bytes) == 0 {
		return errors.New("OCSP response has no answers")
	}
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return errors.New("issuer public key unreadable")
	}
	matched := false
	rest = responses.Bytes
	for len(rest) > 0 {
		var raw asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
			return errors.New("malformed OCSP single response")
		}
		var id ocspCertID
		if _, err := asn1.Unmarshal(raw.Bytes, &id); err != nil {
			return errors.New("malformed OCSP CertID")
		}
		if id.SerialNumber == nil || id.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		var h crypto.Hash
		for _, c := range ocspCertIDHashes {
			if id.HashAlgorithm.Algorithm.Equal(c.oid) {
				h = c.hash
			}
		}
		if h == 0 {
			return fmt.Errorf("unsupported CertID hash %v", id.HashAlgorithm.Algorithm)
		}
		nh := h.New()
		nh.Write(issuer.RawSubject)
		kh := h.New()
		kh.Write(spki.PublicKey.RightAlign())
		if !bytes.Equal(id.NameHash, nh.Sum(nil)) || !bytes.Equal(id.IssuerKeyHash, kh.Sum(nil)) {
			return errors.New("the answer is about a certificate with this serial from another issuer")
		}
		matched = true
	}
	if !matched {
		return errors.New("no answer for this certificate")
	}
	return nil
}
