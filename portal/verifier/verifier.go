// Package verifier is the portal side of Conector e.firma: what a Go web
// portal needs to sign people in with their SAT e.firma and to accept
// documents they sign, without trusting anything the browser says.
//
// It owns three things:
//
//   - Challenges (Issue, Consume): 32 random bytes, base64url, single use,
//     bound to the portal's session and valid for a TTL (5 minutes by
//     default), kept in a NonceStore: MemoryStore for one server, redisstore.Store
//     (package portal/verifier/redisstore) for several behind a load
//     balancer.
//   - Login tokens (VerifyToken, Authenticate): the "efirma-auth:1" token the
//     page library hands the page, checked in a fixed order (format,
//     certificate, validity at the verifier's clock, chain to the configured
//     trust anchors, FIEL only, allowed RFCs, the signature over
//     protocol.AuthMessage with the origin the portal was configured with,
//     never one taken from the token, and revocation by OCSP).
//   - Document signatures (VerifySignature): a "sign" result over data the
//     portal itself holds, with the same certificate checks; and detached
//     CMS signatures the host built over a document (VerifyCMS, format
//     signing.VerifyCMS), with the same checks at the verifier's clock.
//
// Rules: every refusal wraps one sentinel *Error (errors.Is, CodeOf,
// Message for the text in Spanish or English); input from the browser is
// bounded and never panics; a Verifier is safe for concurrent use. The
// package imports no host code, no key decryption and no Redis client (a
// test keeps it so).
package verifier

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// Bounds on what a browser may send.
const (
	// MaxTokenBytes bounds a login token's JSON.
	MaxTokenBytes = 16 << 10
	// maxSignatureBytes bounds a decoded signature (RSA 8192 is 1 KiB).
	maxSignatureBytes = 1024
)

// Config configures a Verifier.
type Config struct {
	// Origin is the portal's own origin, exactly as the browser serializes
	// it ("https://portal.example.gob.mx", no path, no trailing slash). The
	// token's signature is checked over this origin and no other.
	Origin string
	// Anchors are the trust anchors: ProductionAnchors() (SAT's production
	// CAs and OCSP responder certificates, built in) in production, or
	// sat.LoadAnchors on a folder (SAT's test CAs in tests). Required. The
	// responder certificates among them are known to the OCSP check.
	Anchors *sat.Anchors
	// Store keeps challenges; nil means a new MemoryStore.
	Store NonceStore
	// ChallengeTTL is how long a challenge is valid; 0 means 5 minutes.
	ChallengeTTL time.Duration
	// StoreTimeout bounds each call to Store, so that a login fails fast
	// (ErrStore) when the store is down instead of waiting for the
	// client's retries; 0 means DefaultStoreTimeout.
	StoreTimeout time.Duration
	// AllowedRFCs, when not empty, is the only RFCs that may sign in
	// (compared in upper case; for a persona moral, the company's RFC).
	AllowedRFCs []string
	// OCSP configures the revocation check; nil skips it (the Result then
	// says RevocationNotChecked).
	OCSP *OCSP
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultStoreTimeout bounds one nonce-store call.
const DefaultStoreTimeout = time.Second

// HealthChecker is implemented by a NonceStore that can be down (Redis).
type HealthChecker interface {
	// Healthy returns nil when the store answers now.
	Healthy(ctx context.Context) error
}

// Healthy reports whether the verifier can issue and consume challenges
// now: nil, or ErrStore when the store does not answer within the store
// timeout. A portal's health check (/healthz) should use it, so a load
// balancer stops sending logins to an instance whose Redis is down.
func (v *Verifier) Healthy(ctx context.Context) error {
	hc, ok := v.store.(HealthChecker)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, v.storeTO)
	defer cancel()
	if err := hc.Healthy(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrStore, err)
	}
	return nil
}

// Verifier checks challenges, login tokens and document signatures.
type Verifier struct {
	origin  string
	anchors *sat.Anchors
	store   NonceStore
	ttl     time.Duration
	storeTO time.Duration
	allowed map[string]bool
	ocsp    *OCSP
	now     func() time.Time
}

// New checks cfg and returns a Verifier.
func New(cfg Config) (*Verifier, error) {
	if err := protocol.ValidateOrigin(cfg.Origin, true); err != nil {
		return nil, fmt.Errorf("portal origin %q: %w", cfg.Origin, err)
	}
	if cfg.Anchors == nil || cfg.Anchors.Len() == 0 {
		return nil, errors.New("no trust anchors configured")
	}
	v := &Verifier{origin: cfg.Origin, anchors: cfg.Anchors, store: cfg.Store, ttl: cfg.ChallengeTTL, storeTO: cfg.StoreTimeout, ocsp: cfg.OCSP, now: cfg.Now}
	if v.store == nil {
		v.store = NewMemoryStore(0)
	}
	if v.storeTO <= 0 {
		v.storeTO = DefaultStoreTimeout
	}
	if v.ttl <= 0 {
		v.ttl = DefaultChallengeTTL
	}
	if v.now == nil {
		v.now = time.Now
	}
	if len(cfg.AllowedRFCs) > 0 {
		v.allowed = map[string]bool{}
		for _, r := range cfg.AllowedRFCs {
			v.allowed[strings.ToUpper(strings.TrimSpace(r))] = true
		}
	}
	if v.ocsp != nil {
		if err := v.ocsp.check(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Origin returns the origin the Verifier checks signatures for.
func (v *Verifier) Origin() string { return v.origin }

// Revocation states reported in Result.Revocation.
const (
	RevocationGood        = "good"
	RevocationNotChecked  = "not-checked"
	RevocationUnavailable = "unavailable" // responder down, OCSP.FailOpen set
)

// Result is who signed, after every check passed.
type Result struct {
	RFC                string
	CURP               string
	RFCRepresentative  string // persona moral: the legal representative
	CURPRepresentative string
	Name               string
	// Serial is the SAT número de certificado (20 digits).
	Serial   string
	Issuer   string
	NotAfter time.Time
	// Revocation is RevocationGood, RevocationNotChecked or
	// RevocationUnavailable.
	Revocation  string
	Certificate *x509.Certificate
	// SigningTime is the CMS signingTime attribute (VerifyCMS only): what
	// the signer's computer said, not a trusted timestamp.
	SigningTime time.Time
}

// PersonaMoral reports whether the certificate is a company's: its RFC
// has 12 characters (a person's has 13). It does not check that a legal
// representative is named; RFCRepresentative and CURPRepresentative say
// who it is when the certificate carries them (SAT's FIEL of a persona
// moral does).
func (r *Result) PersonaMoral() bool { return len(r.RFC) == 12 }

// ParseToken decodes a login token's JSON strictly: bounded size, known
// fields only, each once and spelled exactly (protocol.CheckKeys, the
// host's rule), nothing after the object.
func ParseToken(data []byte) (*protocol.AuthToken, error) {
	if len(data) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrTokenFormat, len(data))
	}
	var t protocol.AuthToken
	if err := protocol.CheckKeys(data, &t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTokenFormat, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTokenFormat, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the token", ErrTokenFormat)
	}
	return &t, nil
}

// Authenticate consumes challenge for session and then verifies tok: the
// whole login check. The challenge is used up even when the token fails.
func (v *Verifier) Authenticate(ctx context.Context, session, challenge string, tok *protocol.AuthToken) (*Result, error) {
	if err := v.Consume(ctx, session, challenge); err != nil {
		return nil, err
	}
	return v.VerifyToken(ctx, challenge, tok)
}

// VerifyToken checks a login token for challenge (which the caller has
// already consumed; Authenticate does both). Checks run in the documented
// order and the first failure is returned.
func (v *Verifier) VerifyToken(ctx context.Context, challenge string, tok *protocol.AuthToken) (*Result, error) {
	if tok == nil {
		return nil, fmt.Errorf("%w: no token", ErrTokenFormat)
	}
	if tok.Format != protocol.AuthFormat {
		return nil, fmt.Errorf("%w: format %.40q", ErrTokenFormat, tok.Format)
	}
	if !validChallenge(challenge) {
		return nil, ErrChallengeFormat
	}
	sig, err := decodeSignature(tok.Algorithm, tok.Signature)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTokenFormat, err)
	}
	return v.verify(ctx, tok.Certificate, tok.Algorithm, protocol.AuthMessage(v.origin, challenge), sig)
}

// VerifySignature checks a "sign" result over data, which the portal holds
// itself (never the bytes the browser says it signed): the signature, then
// the certificate the same way as a login token, at the verifier's clock
// (the moment the signed data arrives). Batch results (Signatures) are not
// accepted here; verify each document with its own call. Data that starts
// with the reserved login prefix is refused.
func (v *Verifier) VerifySignature(ctx context.Context, data []byte, res *protocol.SignResult) (*Result, error) {
	if res == nil || res.Signature == "" || len(res.Signatures) > 0 {
		return nil, fmt.Errorf("%w: not a single signature", ErrSignatureFormat)
	}
	if bytes.HasPrefix(data, []byte(protocol.ReservedPrefix)) {
		return nil, ErrDataReserved
	}
	sig, err := decodeSignature(res.Algorithm, res.Signature)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignatureFormat, err)
	}
	return v.verify(ctx, res.Certificate, res.Algorithm, data, sig)
}

// VerifyCMS checks a "sign" result of format "cms" (res.CMS: base64 DER,
// content detached) against document, which the portal holds itself: the
// CMS structure (signing.VerifyCMS: messageDigest is SHA-256 of document,
// signingCertificateV2 names the included certificate, the signature over
// the signed attributes verifies), then the certificate exactly as for a
// login token (validity at the verifier's clock, chain, FIEL only, allowed
// RFCs, OCSP). When res.Certificate is given it must be the CMS's signer.
func (v *Verifier) VerifyCMS(ctx context.Context, document []byte, res *protocol.SignResult) (*Result, error) {
	if res == nil || res.CMS == "" || res.Signature != "" || len(res.Signatures) > 0 {
		return nil, fmt.Errorf("%w: not a CMS result", ErrSignatureFormat)
	}
	if len(res.CMS) > base64.StdEncoding.EncodedLen(signing.MaxCMSBytes) {
		return nil, fmt.Errorf("%w: CMS too long", ErrSignatureFormat)
	}
	der, err := base64.StdEncoding.DecodeString(res.CMS)
	if err != nil {
		return nil, fmt.Errorf("%w: CMS is not base64: %v", ErrSignatureFormat, err)
	}
	c, err := signing.ParseCMS(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignatureFormat, err)
	}
	certB64 := base64.StdEncoding.EncodeToString(c.Certificate.Raw)
	if res.Certificate != "" && res.Certificate != certB64 {
		return nil, fmt.Errorf("%w: certificate is not the CMS signer's", ErrSignatureFormat)
	}
	out, err := v.verifyWith(ctx, certB64, func(*x509.Certificate) error {
		switch _, err := signing.VerifyCMS(der, document); {
		case err == nil:
			return nil
		case errors.Is(err, signing.ErrCMSDigest), errors.Is(err, signing.ErrCMSSignature), errors.Is(err, signing.ErrCMSCertHash):
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		default:
			return fmt.Errorf("%w: %v", ErrSignatureFormat, err)
		}
	})
	if err != nil {
		return nil, err
	}
	out.SigningTime = c.SigningTime
	return out, nil
}

func decodeSignature(alg, b64 string) ([]byte, error) {
	switch alg {
	case protocol.AlgRS256, protocol.AlgES256, protocol.AlgES384:
	default:
		return nil, fmt.Errorf("unknown algorithm %.20q", alg)
	}
	if b64 == "" || len(b64) > base64.StdEncoding.EncodedLen(maxSignatureBytes) {
		return nil, errors.New("signature missing or too long")
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("signature is not base64: %v", err)
	}
	return sig, nil
}

// verify runs the certificate checks and the signature check in order.
func (v *Verifier) verify(ctx context.Context, certB64, alg string, msg, sig []byte) (*Result, error) {
	return v.verifyWith(ctx, certB64, func(cert *x509.Certificate) error {
		return checkSignature(cert.PublicKey, alg, msg, sig)
	})
}

// verifyWith runs the certificate checks, then checkSig, then revocation.
func (v *Verifier) verifyWith(ctx context.Context, certB64 string, checkSig func(*x509.Certificate) error) (*Result, error) {
	now := v.now()
	if certB64 == "" || len(certB64) > base64.StdEncoding.EncodedLen(protocol.MaxCredentialFileBytes) {
		return nil, fmt.Errorf("%w: missing or too long", ErrCertificate)
	}
	der, err := base64.StdEncoding.DecodeString(certB64)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrCertificate, err)
	}
	cert, err := sat.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCertificate, err)
	}
	switch st, _ := sat.Status(cert, now); st {
	case protocol.StatusExpired:
		return nil, fmt.Errorf("%w on %s", ErrCertExpired, cert.NotAfter.UTC().Format(time.RFC3339))
	case protocol.StatusNotYetValid:
		return nil, fmt.Errorf("%w until %s", ErrCertNotYetValid, cert.NotBefore.UTC().Format(time.RFC3339))
	}
	issuer, err := v.anchors.Issuer(cert, now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotTrusted, err)
	}
	facts := sat.FactsOf(cert)
	if facts.Type != protocol.TypeFIEL {
		return nil, fmt.Errorf("%w: %s", ErrNotFIEL, facts.Type)
	}
	if v.allowed != nil && !v.allowed[strings.ToUpper(facts.RFC)] {
		return nil, fmt.Errorf("%w: %s", ErrRFCNotAllowed, facts.RFC)
	}
	if err := checkSig(cert); err != nil {
		return nil, err
	}
	res := &Result{
		RFC: facts.RFC, CURP: facts.CURP,
		RFCRepresentative: facts.RFCRepresentative, CURPRepresentative: facts.CURPRepresentative,
		Name: facts.Name, Serial: facts.Serial, Issuer: facts.Issuer,
		NotAfter: cert.NotAfter, Revocation: RevocationNotChecked, Certificate: cert,
	}
	if v.ocsp != nil {
		state, err := v.ocsp.status(ctx, cert, issuer, now, v.anchors.Responders())
		if err != nil {
			return nil, err
		}
		res.Revocation = state
	}
	return res, nil
}

// checkSignature verifies sig over msg with the one definition of the
// schemes (package signing) and names the failure with this package's
// sentinels.
func checkSignature(pub crypto.PublicKey, alg string, msg, sig []byte) error {
	err := signing.Verify(pub, alg, msg, sig)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, signing.ErrAlgorithm):
		return fmt.Errorf("%w: %w", ErrAlgorithm, err)
	case err == signing.ErrBadSignature:
		return ErrBadSignature
	}
	return fmt.Errorf("%w: %w", ErrBadSignature, err)
}
