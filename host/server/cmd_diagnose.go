package server

import (
	"context"

	"github.com/efirma/conector/host/doctor"
)

// diagnose answers "diagnose".
func diagnose(ctx context.Context, s *Server) (doctor.Report, error) {
	return s.core.Diagnose(ctx)
}
