package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// hello answers the extension's status check: versions, the sources the
// host serves and the limits both ends enforce.
func hello(_ context.Context, s *Server) (protocol.HelloResult, error) {
	return protocol.HelloResult{
		Version:  s.opt.Version,
		Protocol: protocol.Version,
		Sources:  s.core.SourceNames(),
		Limits: protocol.Limits{
			MaxRequestBytes:   protocol.MaxRequestBytes,
			MaxResponseBytes:  protocol.MaxResponseBytes,
			MaxBatchDocuments: protocol.MaxBatchDocuments,
		},
	}, nil
}
