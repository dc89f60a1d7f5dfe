package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// sign answers "sign" (one document or a batch).
func sign(ctx context.Context, s *Server, p protocol.SignParams) (protocol.SignResult, error) {
	return s.core.Sign(ctx, p)
}
