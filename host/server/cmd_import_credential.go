package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// importCredential answers "import-credential".
func importCredential(ctx context.Context, s *Server, p protocol.ImportParams) (protocol.ImportResult, error) {
	return s.core.Import(ctx, p)
}
