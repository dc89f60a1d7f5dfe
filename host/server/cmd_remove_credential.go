package server

import (
	"context"

	"github.com/efirma/conector/protocol"
)

// removeCredential answers "remove-credential".
func removeCredential(ctx context.Context, s *Server, p protocol.RemoveParams) (map[string]any, error) {
	if err := s.core.Remove(ctx, p.CertificateID); err != nil {
		return nil, err
	}
	return map[string]any{"removed": p.CertificateID}, nil
}
