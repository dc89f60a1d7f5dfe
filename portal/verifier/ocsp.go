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

	"golang.org/x/crypto/ocsp"
)

// SAT's e.firma status (OCSP) services. SAT leaf certificates carry no OCSP
// address, so the URL is configuration.
const (
	SATOCSPURL     = "https://cfdi.sat.gob.mx/edofiel"
	SATTestOCSPURL = "https://cfdit.sat.gob.mx/edofiel"
)

// Defaults of OCSP.
const (
	DefaultOCSPTimeout = 10 * time.Second
	DefaultOCSPMaxAge  = time.Hour
	// ocspSkew is the clock difference tolerated with the responder.
	ocspSkew = 5 * time.Minute
	// maxOCSPResponseBytes bounds a responder's answer.
	maxOCSPResponseBytes = 64 << 10
)

// OCSP configures the revocation check.
type OCSP struct {
	// URL is the responder (SATOCSPURL in production).
	URL string
	// Responder is the certificate whose key signs the responses (SAT
	// publishes it beside its CAs). When nil, a response must be signed by
	// the certificate's issuing CA or by a responder certificate that CA
	// issued for OCSP signing and included in the response.
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
func (o *OCSP) status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (string, error) {
	der, err := o.fetch(ctx, cert, issuer)
	if err != nil {
		if o.FailOpen {
			return RevocationUnavailable, nil
		}
		return "", fmt.Errorf("%w: %v", ErrRevocationDown, err)
	}
	resp, err := ocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) && (re.Status == ocsp.TryLater || re.Status == ocsp.InternalError) {
			if o.FailOpen {
				return RevocationUnavailable, nil
			}
			return "", fmt.Errorf("%w: responder says %v", ErrRevocationDown, re.Status)
		}
		return "", fmt.Errorf("%w: %v", ErrRevocationResponse, err)
	}
	if err := o.checkSigner(resp, issuer, now); err != nil {
		return "", fmt.Errorf("%w: %v", ErrRevocationResponse, err)
	}
	if resp.ThisUpdate.After(now.Add(ocspSkew)) {
		return "", fmt.Errorf("%w: thisUpdate %s is in the future", ErrRevocationResponse, resp.ThisUpdate.Format(time.RFC3339))
	}
	if !resp.NextUpdate.IsZero() {
		if now.After(resp.NextUpdate.Add(ocspSkew)) {
			return "", fmt.Errorf("%w: stale, nextUpdate %s", ErrRevocationResponse, resp.NextUpdate.Format(time.RFC3339))
		}
	} else {
		maxAge := o.MaxAge
		if maxAge <= 0 {
			maxAge = DefaultOCSPMaxAge
		}
		if now.Sub(resp.ThisUpdate) > maxAge+ocspSkew {
			return "", fmt.Errorf("%w: stale, thisUpdate %s", ErrRevocationResponse, resp.ThisUpdate.Format(time.RFC3339))
		}
	}
	switch resp.Status {
	case ocsp.Good:
		return RevocationGood, nil
	case ocsp.Revoked:
		return "", fmt.Errorf("%w on %s (reason %d)", ErrRevoked, resp.RevokedAt.UTC().Format(time.RFC3339), resp.RevocationReason)
	}
	return "", ErrRevocationUnknown
}

// checkSigner verifies who signed the response: the configured responder
// certificate, else the issuing CA, else a delegated responder that CA
// certified for OCSP signing (valid at now).
func (o *OCSP) checkSigner(resp *ocsp.Response, issuer *x509.Certificate, now time.Time) error {
	if o.Responder != nil {
		if err := resp.CheckSignatureFrom(o.Responder); err != nil {
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

func (o *OCSP) fetch(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
	reqDER, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, fmt.Errorf("failed to build OCSP request: %w", err)
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
