// Package keys is the one interface the host uses for every private key,
// wherever it lives: a SAT .cer/.key pair or a .pfx in the user's store
// (host/store), or a PKCS#11 token (host/token). Each is a Credential that
// unlocks to a crypto.Signer.
//
// Rules: a Source never keeps a password or PIN after release is called (a
// token key with CKA_ALWAYS_AUTHENTICATE keeps a copy of the PIN between
// Unlock and release, because the token asks for it before each signature,
// and zeroes it on release); errors
// that the browser must see with a specific code wrap a *protocol.Error made
// by Coded; every other error becomes ERR_INTERNAL in the host's one mapping
// (host/server).
package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/efirma/conector/protocol"
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
	Name() string
	// List returns the credentials present now. A problem with part of the
	// source (one broken module) is a warning, not an error.
	List(ctx context.Context) (creds []Credential, warnings []string, err error)
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
