package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// satLogin answers "sat-login" with the token and fert of SAT's own e.firma
// login form (docs/SAT-LOGIN.md).
func satLogin(ctx context.Context, s *Server, p protocol.SATLoginParams) (protocol.SATLoginResult, error) {
	return s.core.SATLogin(ctx, p)
}
