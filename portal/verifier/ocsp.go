package verifier

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/efirma/conector/sat"
)

// SAT's e.firma status (OCSP) services. SAT leaf certificates carry no OCSP
// address, so the URL is configuration.
const (
	SATOCSPURL     = sat.OCSPURL
	SATTestOCSPURL = sat.OCSPTestURL
)

// ProductionAnchors is SAT's production trust store, built into the
// program (sat/ca/prod): AC0–AC5 and Banco de México's roots as anchors,
// and SAT's OCSP responder certificates for AC4 and AC5, which the
// revocation check then knows. Use it with ProductionOCSP in production.
func ProductionAnchors() *sat.Anchors { return sat.ProductionAnchors() }

// ProductionOCSP returns the revocation check against SAT's production
// service (SATOCSPURL), refusing the login when it cannot be reached.
// With ProductionAnchors, answers signed by SAT's published responder
// certificates are accepted.
func ProductionOCSP() *OCSP { return &OCSP{URL: SATOCSPURL} }

// TestAnchors loads SAT's test CAs (or any CA folder) for a test
// environment, with SATTestOCSPURL. SAT's test CAs are test data and are
// not built in: a production verifier must never trust them.
func TestAnchors(dir string) (*sat.Anchors, error) { return sat.LoadAnchors(dir) }

// Defaults of OCSP.
const (
	DefaultOCSPTimeout = 10 * time.Second
	DefaultOCSPMaxAge  = time.Hour
	// maxOCSPResponseBytes bounds a responder's answer.
	maxOCSPResponseBytes = 64 << 10
)

// OCSP configures the revocation check.
type OCSP struct {
	// URL is the responder (SATOCSPURL in production).
	URL string
	// Responder pins the one certificate whose key may sign the responses.
	// When nil, a response must be signed by the certificate's issuing CA
	// or by a responder certificate that CA issued for OCSP signing,
	// included in the response or among the anchors' Responders (SAT's two
	// responder certificates are in ProductionAnchors).
	Responder *x509.Certificate
	// Client makes the requests; nil means an http.Client with Timeout.
	Client *http.Client
	// Timeout bounds one request when Client is nil; 0 means 10 s.
	Timeout time.Duration
	// MaxAge is how old a response without nextUpdate may be; 0 means one
	// hour. A response with nextUpdate is fresh until then.
	MaxAge time.Duration
	// FailOpen accepts the login when the responder cannot be reached (a
	// network error, an HTTP error, "try later"), reporting
	// RevocationUnavailable in the Result. The default is to refuse
	// (ErrRevocationDown). A response that arrives and is wrong (bad
	// signature, stale, for another certificate) is always refused.
	FailOpen bool
}

func (o *OCSP) check() error {
	if o.URL == "" {
		return errors.New("OCSP responder URL not configured")
	}
	return nil
}

func (o *OCSP) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	t := o.Timeout
	if t <= 0 {
		t = DefaultOCSPTimeout
	}
	return &http.Client{Timeout: t}
}

// status asks the responder about cert (issued by issuer) and returns
// RevocationGood, or RevocationUnavailable under FailOpen, or a refusal.
// The response is checked by sat.CheckOCSPResponse, shared with the host.
func (o *OCSP) status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time, known []*x509.Certificate) (string, error) {
	der, err := o.fetch(ctx, cert, issuer)
	if err == nil {
		maxAge := o.MaxAge
		if maxAge <= 0 {
			maxAge = DefaultOCSPMaxAge
		}
		var r sat.OCSPResult
		r, err = sat.CheckOCSPResponse(der, cert, issuer, o.Responder, now, maxAge, known...)
		switch {
		case err == nil && r.Status == sat.OCSPGood:
			return RevocationGood, nil
		case err == nil && r.Status == sat.OCSPRevoked:
			return "", fmt.Errorf("%w on %s (reason %d)", ErrRevoked, r.RevokedAt.UTC().Format(time.RFC3339), r.Reason)
		case err == nil:
			return "", ErrRevocationUnknown
		case errors.Is(err, sat.ErrOCSPResponse):
			return "", fmt.Errorf("%w: %v", ErrRevocationResponse, err)
		}
	}
	// The responder could not be reached or said "try later".
	if o.FailOpen {
		return RevocationUnavailable, nil
	}
	return "", fmt.Errorf("%w: %v", ErrRevocationDown, err)
}

func (o *OCSP) fetch(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
	reqDER, err := sat.OCSPRequest(cert, issuer)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(reqDER))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	resp, err := o.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("responder answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOCSPResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read OCSP response: %w", err)
	}
	if len(body) > maxOCSPResponseBytes {
		return nil, errors.New("OCSP response too large")
	}
	return body, nil
}
