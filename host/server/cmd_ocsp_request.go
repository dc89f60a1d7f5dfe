package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// ocspRequest answers "ocsp-request".
func ocspRequest(ctx context.Context, s *Server, p protocol.OCSPParams) (protocol.OCSPRequestResult, error) {
	return s.core.OCSPRequest(ctx, p)
}
