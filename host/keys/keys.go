// Package keys is the one interface the host uses for every private key,
// wherever it lives: a SAT .cer/.key pair or a .pfx in the user's store
// (host/store), or a PKCS#11 token (host/token). Each is a Credential that
// unlocks to a crypto.Signer.
//
// Rules: a Source never keeps a password or PIN after release is called (a
// token key with CKA_ALWAYS_AUTHENTICATE keeps a copy of the PIN between
// Unlock and release, because the token asks for it before each signature,
// and zeroes it on release); errors
// that the browser must see with a specific code are made by Coded; CodeOf
// is the host's one mapping from any error to the closed list of protocol
// codes (every unknown error becomes ERR_INTERNAL), used by the browser
// adapter, the CLI and doctor alike.
//
// A Source owns its ids: Owns says, from the id alone and without any I/O,
// whether an id can only be this source's, and Find finds one credential.
// The host asks only the owner, so a slow token never delays a stored key.
package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// Errors of Source.Find.
var (
	// ErrNotFound: no credential with that id in the source.
	ErrNotFound = errors.New("credential not found in the store")
	// ErrSourceFailed: the source could not be searched (a token module
	// failed to list); it is also ErrNotFound for the person.
	ErrSourceFailed = errors.New("source failed")
)

// Credential is one certificate with (usually) a private key.
type Credential interface {
	// ID is stable and opaque; it is CertInfo.ID.
	ID() string
	// Source is protocol.SourceFile, SourcePKCS12 or SourcePKCS11.
	Source() string
	// Certificate is the parsed certificate.
	Certificate() *x509.Certificate
	// Decorate fills source-specific CertInfo fields (token label, slot,
	// URI, Usable and Reason).
	Decorate(info *protocol.CertInfo)
	// Unlock opens the private key with secret (a password or a PIN). The
	// caller must call release when done signing; release is never nil
	// when err is nil.
	Unlock(ctx context.Context, secret []byte, opts UnlockOptions) (s crypto.Signer, release func(), err error)
}

// UnlockOptions carries what the person confirmed in the consent window.
type UnlockOptions struct {
	// ConfirmFinalTry allows a PIN attempt when the token reports it is the
	// final one.
	ConfirmFinalTry bool
}

// Source lists credentials of one kind.
type Source interface {
	// Name names the source in logs and warnings ("warning.source.NAME").
	Name() string
	// Serves lists the protocol source names (protocol.SourceFile,
	// SourcePKCS12, SourcePKCS11) of the credentials it holds; hello
	// reports them.
	Serves() []string
	// Owns reports, from the id alone and without I/O, whether id can only
	// belong to this source.
	Owns(id string) bool
	// Find returns the credential with id, or an error wrapping
	// ErrNotFound.
	Find(ctx context.Context, id string) (Credential, error)
	// List returns the credentials present now. A problem with part of the
	// source (one broken module) is a warning, not an error.
	List(ctx context.Context) (creds []Credential, warnings []string, err error)
}

// FindByListing is Find for sources that can only list: it lists and
// picks id.
func FindByListing(ctx context.Context, src Source, id string) (Credential, error) {
	creds, _, err := src.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %s: %w", ErrNotFound, ErrSourceFailed, src.Name(), err)
	}
	for _, c := range creds {
		if c.ID() == id {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
}

// UnusableError is implemented by a credential that can say, with its own
// code, why it is listed as not usable (a stored file damaged since the
// import); nil when it is usable.
type UnusableError interface {
	UnusableError() error
}

// Coded returns an error that carries a protocol code to the browser.
// details may be nil. The wrapped err goes to the log only.
func Coded(code protocol.Code, details map[string]any, err error) error {
	return &CodedError{Code: code, Details: details, Err: err}
}

// CodedError is the error type made by Coded.
type CodedError struct {
	Code    protocol.Code
	Details map[string]any
	Err     error
}

func (e *CodedError) Error() string {
	if e.Err == nil {
		return string(e.Code)
	}
	return fmt.Sprintf("%s: %v", e.Code, e.Err)
}

func (e *CodedError) Unwrap() error { return e.Err }

// CodeOf maps any error to the closed list of protocol codes and its
// details. This is the one place where that happens.
func CodeOf(err error) (protocol.Code, map[string]any) {
	var ce *CodedError
	switch {
	case errors.As(err, &ce):
		return ce.Code, ce.Details
	case sat.Problem(err) != "":
		// What is wrong with that file: unencrypted key, certificate for
		// key, key for certificate, damaged, unsupported encryption.
		return protocol.ErrBadCredentialFile, map[string]any{"variant": sat.Problem(err)}
	case errors.Is(err, sat.ErrWrongPassword), errors.Is(err, sat.ErrEmptyPassword):
		return protocol.ErrWrongPassword, nil
	case errors.Is(err, sat.ErrPasswordTooLong):
		return protocol.ErrBadRequest, map[string]any{"maxPasswordBytes": protocol.MaxPasswordBytes}
	case errors.Is(err, sat.ErrKeyMismatch):
		return protocol.ErrKeyMismatch, nil
	case errors.Is(err, sat.ErrNotAKey), errors.Is(err, sat.ErrBadCertificate), errors.Is(err, sat.ErrBadPFX):
		return protocol.ErrBadCredentialFile, nil
	case errors.Is(err, ErrNotFound):
		return protocol.ErrCertNotFound, nil
	}
	return protocol.ErrInternal, nil
}
