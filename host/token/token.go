// Package token owns credentials on PKCS#11 tokens and smart cards: the
// keys.Source named "pkcs11", the crypto.Signer of a token key, the list of
// modules to look for on each OS, and the diagnostics report of
// "efirma doctor".
//
// Modules. ModulesFromEnv merges the configured paths, EFIRMA_PKCS11_MODULES
// and the well-known paths for this OS. Each path is loaded (dlopen and
// C_Initialize with CKF_OS_LOCKING_OK) at most once per process, on first
// use, and is never finalized or unloaded; two names of one file (symlinks)
// are one module. A missing file is skipped with a log line; a file that is
// not a PKCS#11 library or whose C_Initialize fails is a warning of List and
// is tried again only when the file changes. Neither stops the host.
//
// Sessions and concurrency. Listing opens a short read-only public session
// per token and never logs in. Unlock takes the token's login lock (one per
// module and slot), opens its own session and logs in; the returned
// signer's session stays logged in until release, which logs out, closes the
// session and frees the lock. PKCS#11 login state is shared by every session
// of the process on a token, so the lock is what keeps one request's
// logout from breaking another's signature and makes every request prove
// its own PIN: requests for one token wait their turn (honouring their
// context), requests for different tokens run in parallel. A signer may be
// called from several goroutines; its calls are serialised. Callers must
// call release, and must not hold a signer while waiting for a person.
//
// PIN. The token flags are read before a login: a locked PIN is refused
// (ERR_PIN_LOCKED) and a final try is refused unless the person confirmed it
// (ERR_PIN_FINAL_TRY). Tokens with a protected authentication path (PIN pad)
// log in without a PIN. Keys with CKA_ALWAYS_AUTHENTICATE get a
// context-specific login before each signature, so their signer keeps a copy
// of the PIN until release, which zeroes it; no other PIN outlives Unlock.
//
// Identity. A credential's ID is "pkcs11:" followed by the first 32 hex
// digits of SHA-256(token serial || 0 || CKA_ID || 0 || SHA-256(certificate)),
// stable across reinsertion, slot changes and module changes (the same token
// seen through two modules is listed once, by the first module). Its URI is
// the RFC 7512 form pkcs11:token=...;serial=...;id=...;type=cert.
package token

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
	"github.com/rs/zerolog"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

// Config configures the pkcs11 source.
type Config struct {
	// Modules are the module paths to look in, in order (usually the result
	// of ModulesFromEnv).
	Modules []string
	// Lang is the language of warnings and reasons (Spanish by default).
	Lang i18n.Lang
}

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

// URI returns the RFC 7512 URI of a certificate object.
func URI(tokenLabel, serial string, id []byte) string {
	var b strings.Builder
	b.WriteString("pkcs11:token=")
	b.WriteString(pctEncode([]byte(tokenLabel)))
	if serial != "" {
		b.WriteString(";serial=")
		b.WriteString(pctEncode([]byte(serial)))
	}
	if len(id) > 0 {
		b.WriteString(";id=")
		for _, c := range id {
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	b.WriteString(";type=cert")
	return b.String()
}

// pctEncode percent-encodes every byte but the RFC 3986 unreserved ones,
// which is valid in any RFC 7512 path attribute value.
func pctEncode(v []byte) string {
	var b strings.Builder
	for _, c := range v {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%")
		b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
