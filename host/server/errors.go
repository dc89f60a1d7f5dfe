package server

import (
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

// newError builds the protocol error for a code, with the Spanish message
// and hint from the catalogue. details["variant"] picks a more precise hint
// when the catalogue has one ("hint.ERR_NOT_FIEL.OTHER").
func newError(code protocol.Code, details map[string]any) *protocol.Error {
	hint := "hint." + string(code)
	if v, ok := details["variant"].(string); ok && i18n.Has(hint+"."+v) {
		hint += "." + v
	}
	return &protocol.Error{
		Code:    code,
		Message: i18n.T(i18n.ES, "code."+string(code)),
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
