package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// authenticate answers "authenticate" with an efirma-auth:1 token.
func authenticate(ctx context.Context, s *Server, p protocol.AuthenticateParams) (protocol.AuthToken, error) {
	return s.core.Authenticate(ctx, p)
}
