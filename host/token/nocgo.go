//go:build !cgo

package token

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

// ErrNoCgo: this build cannot load PKCS#11 modules (they are C libraries
// and miekg/pkcs11 needs cgo).
var ErrNoCgo = errors.New("built without cgo: PKCS#11 tokens unavailable")

// Source is the keys.Source of PKCS#11 tokens. Built without cgo it lists
// nothing and warns once per installed module.
type Source struct {
	cfg Config
	log zerolog.Logger
}

var _ keys.Source = (*Source)(nil)

// NewSource returns the source for cfg.
func NewSource(cfg Config, log zerolog.Logger) *Source {
	return &Source{cfg: cfg, log: log.With().Str("source", protocol.SourcePKCS11).Logger()}
}

// Name is "pkcs11".
func (s *Source) Name() string { return protocol.SourcePKCS11 }

// List returns no credentials and a warning for each installed module.
func (s *Source) List(ctx context.Context) ([]keys.Credential, []string, error) {
	var warnings []string
	for _, p := range s.cfg.Modules {
		if _, err := os.Stat(p); err == nil {
			s.log.Warn().Err(ErrNoCgo).Str("module", p).Msg("pkcs11 module not loaded")
			warnings = append(warnings, i18n.T(s.cfg.Lang, "token.warn.module", filepath.Base(p)))
		}
	}
	return nil, warnings, ctx.Err()
}

// Doctor reports each installed module as broken (ErrNoCgo).
func Doctor(ctx context.Context, modules []string) Report {
	var r Report
	for _, p := range modules {
		mr := ModuleReport{Path: p, State: ModuleMissing}
		if _, err := os.Stat(p); err == nil {
			mr.State, mr.Error = ModuleBroken, fmt.Sprint(ErrNoCgo)
		}
		r.Modules = append(r.Modules, mr)
	}
	return r
}
