package server

import (
	"errors"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// CodeOf maps any error to the closed list of protocol codes. This is the
// one place where that happens.
func CodeOf(err error) (protocol.Code, map[string]any) {
	var ce *keys.CodedError
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
	case errors.Is(err, sat.ErrNotAKey), errors.Is(err, sat.ErrBadCertificate), errors.Is(err, store.ErrBadPFX):
		return protocol.ErrBadCredentialFile, nil
	case errors.Is(err, store.ErrNotFound):
		return protocol.ErrCertNotFound, nil
	}
	return protocol.ErrInternal, nil
}

// newError builds the protocol error for a code, with the Spanish message
// and hint from the catalogue. details["variant"] picks a more precise
// message and hint when the catalogue has them ("hint.ERR_NOT_FIEL.OTHER",
// "code.ERR_BAD_CREDENTIAL_FILE.damaged").
func newError(code protocol.Code, details map[string]any) *protocol.Error {
	hint, msg := "hint."+string(code), "code."+string(code)
	if v, ok := details["variant"].(string); ok {
		if i18n.Has(hint + "." + v) {
			hint += "." + v
		}
		if i18n.Has(msg + "." + v) {
			msg += "." + v
		}
	}
	return &protocol.Error{
		Code:    code,
		Message: i18n.T(i18n.ES, msg),
		Hint:    i18n.T(i18n.ES, hint),
		Details: details,
	}
}

func (s *Server) toProtocolError(err error) *protocol.Error {
	code, details := CodeOf(err)
	return newError(code, details)
}

func (s *Server) errorResponse(id string, code protocol.Code, details map[string]any) protocol.Response {
	return protocol.Response{ID: id, Error: newError(code, details)}
}
