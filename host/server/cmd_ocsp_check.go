package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// ocspCheck answers "ocsp-check".
func ocspCheck(ctx context.Context, s *Server, p protocol.OCSPParams) (protocol.OCSPCheckResult, error) {
	return s.core.OCSPCheck(ctx, p)
}
