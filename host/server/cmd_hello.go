package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// hello answers the extension's status check: versions, the sources the
// host serves, the limits both ends enforce and whether it accepts
// development (localhost) origins.
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
		DevOrigins: s.opt.DevOrigins,
	}, nil
}
