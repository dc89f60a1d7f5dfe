package sat

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
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
// certificate that CA issued for OCSP signing; fresh at now (until
// nextUpdate, or maxAge after thisUpdate when there is none).
func CheckOCSPResponse(der []byte, cert, issuer, responder *x509.Certificate, now time.Time, maxAge time.Duration) (OCSPResult, error) {
	resp, err := ocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) && (re.Status == ocsp.TryLater || re.Status == ocsp.InternalError) {
			return OCSPResult{}, fmt.Errorf("%w: responder says %v", ErrOCSPTryLater, re.Status)
		}
		return OCSPResult{}, fmt.Errorf("%w: %v", ErrOCSPResponse, err)
	}
	if err := checkOCSPSigner(resp, issuer, responder, now); err != nil {
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
func checkOCSPSigner(resp *ocsp.Response, issuer, responder *x509.Certificate, now time.Time) error {
	if responder != nil {
		if err := resp.CheckSignatureFrom(responder); err != nil {
			return fmt.Errorf("not signed by the configured responder: %v", err)
		}
		return nil
	}
	if resp.Certificate == nil {
		if err := resp.CheckSignatureFrom(issuer); err != nil {
			return fmt.Errorf("not signed by the issuing CA: %v", err)
		}
		return nil
	}
	d := resp.Certificate
	if bytes.Equal(d.Raw, issuer.Raw) {
		return resp.CheckSignatureFrom(issuer)
	}
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
	// ParseResponseForCert already checked the response against d.
	return nil
}
