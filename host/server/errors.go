package server

import (
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

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
	code, details := keys.CodeOf(err)
	return newError(code, details)
}

func (s *Server) errorResponse(id string, code protocol.Code, details map[string]any) protocol.Response {
	return protocol.Response{ID: id, Error: newError(code, details)}
}
