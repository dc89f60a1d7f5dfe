package core

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"time"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// OCSPConfig is what the host needs to build and check OCSP requests. The
// host never goes to the network for revocation: the extension POSTs the
// request (through the browser, with its proxy settings) and returns the
// answer for checking.
type OCSPConfig struct {
	// URL is the responder; default SAT's production e.firma service.
	URL string
	// Anchors loads the CA folder (the issuer is needed to name the
	// certificate in the request and to check the answer); nil means SAT's
	// production CAs built in, whose OCSP responder certificates the check
	// then knows.
	Anchors func() (*sat.Anchors, error)
	// Responder, when set, is the only certificate allowed to sign answers.
	Responder func() (*x509.Certificate, error)
	// MaxAge bounds an answer without nextUpdate; 0 means one hour.
	MaxAge time.Duration
}

func (c *Core) ocspIssuer(ctx context.Context, id string) (cert, issuer *x509.Certificate, known []*x509.Certificate, err error) {
	cred, err := c.Find(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	anchors, err := anchorsOf(c.opt.OCSP.Anchors)
	if err != nil {
		return nil, nil, nil, keys.Coded(protocol.ErrIssuerUnknown, nil, err)
	}
	cert = cred.Certificate()
	issuer, err = anchors.Issuer(cert, sat.WithinValidity(cert, c.opt.Now()))
	if err != nil {
		return nil, nil, nil, keys.Coded(protocol.ErrIssuerUnknown, nil, err)
	}
	return cert, issuer, anchors.Responders(), nil
}

// OCSPRequest builds the OCSP request for a credential's certificate; the
// extension sends it (the host never goes to the network).
func (c *Core) OCSPRequest(ctx context.Context, p protocol.OCSPParams) (protocol.OCSPRequestResult, error) {
	cert, issuer, _, err := c.ocspIssuer(ctx, p.CertificateID)
	if err != nil {
		return protocol.OCSPRequestResult{}, err
	}
	der, err := sat.OCSPRequest(cert, issuer)
	if err != nil {
		return protocol.OCSPRequestResult{}, err
	}
	url := c.opt.OCSP.URL
	if url == "" {
		url = sat.OCSPURL
	}
	return protocol.OCSPRequestResult{URL: url, Request: base64.StdEncoding.EncodeToString(der), ContentType: "application/ocsp-request"}, nil
}

// OCSPCheck checks the responder's answer for a credential's certificate.
// A refused answer is status "invalid", not an error.
func (c *Core) OCSPCheck(ctx context.Context, p protocol.OCSPParams) (protocol.OCSPCheckResult, error) {
	cert, issuer, known, err := c.ocspIssuer(ctx, p.CertificateID)
	if err != nil {
		return protocol.OCSPCheckResult{}, err
	}
	der, err := DecodeBytes("response", p.Response)
	if err != nil {
		return protocol.OCSPCheckResult{}, err
	}
	if len(der) == 0 || len(der) > protocol.MaxOCSPResponseBytes {
		return protocol.OCSPCheckResult{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("OCSP response empty or too large"))
	}
	var responder *x509.Certificate
	if c.opt.OCSP.Responder != nil {
		if responder, err = c.opt.OCSP.Responder(); err != nil {
			return protocol.OCSPCheckResult{}, err
		}
	}
	maxAge := c.opt.OCSP.MaxAge
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	r, err := sat.CheckOCSPResponse(der, cert, issuer, responder, c.opt.Now(), maxAge, known...)
	switch {
	case errors.Is(err, sat.ErrOCSPTryLater):
		return protocol.OCSPCheckResult{Status: protocol.OCSPUnavailable}, nil
	case err != nil:
		c.log(ctx).Warn().Err(err).Msg("OCSP answer refused")
		return protocol.OCSPCheckResult{Status: protocol.OCSPInvalid}, nil
	}
	out := protocol.OCSPCheckResult{Status: r.Status, ThisUpdate: r.ThisUpdate.UTC().Format(time.RFC3339)}
	if !r.NextUpdate.IsZero() {
		out.NextUpdate = r.NextUpdate.UTC().Format(time.RFC3339)
	}
	if r.Status == sat.OCSPRevoked {
		out.RevokedAt = r.RevokedAt.UTC().Format(time.RFC3339)
	}
	return out, nil
}
