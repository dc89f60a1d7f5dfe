//go:build cgo

package token

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"path/filepath"
	"sync"

	"github.com/miekg/pkcs11"
	"github.com/rs/zerolog"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

// Source is the keys.Source of PKCS#11 tokens.
type Source struct {
	cfg Config
	log zerolog.Logger

	mu     sync.Mutex
	logged map[string]bool // paths whose absence was already logged at info level
}

var _ keys.Source = (*Source)(nil)

// NewSource returns the source for cfg. It loads nothing yet: modules are
// loaded on the first List.
func NewSource(cfg Config, log zerolog.Logger) *Source {
	return &Source{cfg: cfg, log: log.With().Str("source", protocol.SourcePKCS11).Logger(), logged: map[string]bool{}}
}

// Name is "pkcs11".
func (s *Source) Name() string { return protocol.SourcePKCS11 }

// List returns every certificate on every token of every module. Module and
// token problems are warnings; List itself fails only when ctx ends.
func (s *Source) List(ctx context.Context) ([]keys.Credential, []string, error) {
	var creds []keys.Credential
	var warnings []string
	seenModule := map[*module]bool{}
	seenID := map[string]bool{}
	for _, path := range s.cfg.Modules {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		m, err := loadModule(ctx, path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if errors.Is(err, ErrModuleMissing) {
				s.missing(path)
				continue
			}
			s.log.Warn().Err(err).Str("module", path).Msg("pkcs11 module unusable")
			warnings = append(warnings, i18n.T(s.cfg.Lang, "token.warn.module", filepath.Base(path)))
			continue
		}
		if seenModule[m] {
			continue
		}
		seenModule[m] = true
		toks, err := m.presentTokens()
		if err != nil {
			s.log.Warn().Err(err).Str("module", m.path).Msg("pkcs11 slots unreadable")
			warnings = append(warnings, i18n.T(s.cfg.Lang, "token.warn.module", filepath.Base(path)))
			continue
		}
		for _, t := range toks {
			if t.info.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
				continue
			}
			objs, skipped, err := m.certificates(t.slot)
			if err != nil {
				s.log.Warn().Err(err).Str("module", m.path).Uint("slot", t.slot).Msg("token unreadable")
				warnings = append(warnings, i18n.T(s.cfg.Lang, "token.warn.token", t.info.Label))
				continue
			}
			if skipped > 0 {
				s.log.Info().Int("skipped", skipped).Str("token", t.info.Label).Msg("certificate objects that are not X.509 certificates were skipped")
			}
			for _, o := range objs {
				c := newCredential(m, t, o, s.cfg.Lang)
				if seenID[c.id] {
					continue
				}
				seenID[c.id] = true
				creds = append(creds, c)
			}
		}
	}
	return creds, warnings, nil
}

// missing logs an absent module once per Source at info level and then at
// debug level, so that the well-known paths do not flood the log.
func (s *Source) missing(path string) {
	s.mu.Lock()
	first := !s.logged[path]
	s.logged[path] = true
	s.mu.Unlock()
	ev := s.log.Debug()
	if first {
		ev = s.log.Info()
	}
	ev.Str("module", path).Msg("pkcs11 module not installed, skipped")
}

// credentialID is the stable id described in the package doc.
func credentialID(serial string, ckaID []byte, c *x509.Certificate) string {
	ch := sha256.Sum256(c.Raw)
	h := sha256.New()
	h.Write([]byte(serial))
	h.Write([]byte{0})
	h.Write(ckaID)
	h.Write([]byte{0})
	h.Write(ch[:])
	return "pkcs11:" + hex.EncodeToString(h.Sum(nil))[:32]
}
