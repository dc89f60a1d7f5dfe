package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// listCertificates answers "list-certificates".
func listCertificates(ctx context.Context, s *Server) (protocol.ListResult, error) {
	return s.core.List(ctx), nil
}
