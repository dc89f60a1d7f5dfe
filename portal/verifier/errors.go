package verifier

import "errors"

// Error is a refusal the portal can show. Every refusal of this package
// wraps exactly one of the sentinel *Error values below, so callers branch
// with errors.Is(err, verifier.ErrNotFIEL) and read the stable Code with
// CodeOf; the wrapped detail is for the portal's log, not for the page.
type Error struct {
	// Code is stable and machine-readable ("challenge-replayed", "not-fiel").
	Code string
	msg  string
}

func (e *Error) Error() string { return e.msg }

func newError(code, msg string) *Error { return &Error{Code: code, msg: msg} }

// Challenge refusals.
var (
	ErrChallengeFormat   = newError("challenge-format", "challenge is not 43 base64url characters")
	ErrChallengeUnknown  = newError("challenge-unknown", "challenge was never issued")
	ErrChallengeReplayed = newError("challenge-replayed", "challenge was already used")
	ErrChallengeExpired  = newError("challenge-expired", "challenge expired")
	ErrChallengeForeign  = newError("challenge-foreign", "challenge was issued to another session")
	ErrNoSession         = newError("no-session", "no session")
	ErrStoreFull         = newError("store-full", "too many outstanding challenges")
	ErrStore             = newError("store", "nonce store failed")
)

// Token and signature refusals, in the order the checks run.
var (
	ErrTokenFormat        = newError("token-format", "token is not an efirma-auth:1 token")
	ErrSignatureFormat    = newError("signature-format", "signed document is malformed")
	ErrCertificate        = newError("certificate", "certificate cannot be parsed")
	ErrCertExpired        = newError("cert-expired", "certificate expired")
	ErrCertNotYetValid    = newError("cert-not-yet-valid", "certificate not yet valid")
	ErrNotTrusted         = newError("not-trusted", "certificate does not chain to a trust anchor")
	ErrNotFIEL            = newError("not-fiel", "certificate is not an e.firma (FIEL)")
	ErrRFCNotAllowed      = newError("rfc-not-allowed", "RFC is not allowed to sign in")
	ErrAlgorithm          = newError("algorithm", "signature algorithm does not match the certificate key")
	ErrBadSignature       = newError("bad-signature", "signature does not verify")
	ErrDataReserved       = newError("data-reserved", "signed data starts with the reserved login prefix")
	ErrRevoked            = newError("revoked", "certificate revoked")
	ErrRevocationUnknown  = newError("revocation-unknown", "OCSP responder does not know the certificate")
	ErrRevocationResponse = newError("revocation-response", "OCSP response is not acceptable")
	ErrRevocationDown     = newError("revocation-unavailable", "OCSP responder cannot be reached")
)

// Codes lists every refusal, for catalogue completeness tests.
var Codes = []*Error{
	ErrChallengeFormat, ErrChallengeUnknown, ErrChallengeReplayed, ErrChallengeExpired,
	ErrChallengeForeign, ErrNoSession, ErrStoreFull, ErrStore,
	ErrTokenFormat, ErrSignatureFormat, ErrCertificate, ErrCertExpired, ErrCertNotYetValid, ErrNotTrusted,
	ErrNotFIEL, ErrRFCNotAllowed, ErrAlgorithm, ErrBadSignature, ErrDataReserved,
	ErrRevoked, ErrRevocationUnknown, ErrRevocationResponse, ErrRevocationDown,
}

// CodeOf returns the Code of the refusal err wraps, or "internal".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}
