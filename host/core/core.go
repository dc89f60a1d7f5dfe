// Package core is what the host can do for a person or a page, whoever
// asks: list the credentials of every key source, find one, import,
// remove and export stored ones, authenticate (sign a login), sign
// documents, diagnose, and build and check OCSP requests. The browser's
// adapter (host/server: native messaging, JSON, one file per command) and
// the terminal adapter (host/cli: flags, prompts, text) both call it; neither
// calls the other.
//
// Rules: a credential is looked up once per request, and only in the
// source that owns its id (keys.Source.Owns), so a slow token never delays
// a stored key; origins, challenges, documents and the reserved prefix are
// checked here, before any key is touched; wrong-password tries are
// counted per Core (one browser connection is one Core) and never include
// the password; errors keep their cause for the log and map to protocol
// codes in one place (keys.CodeOf). Request-scoped logs come from the
// context (zerolog.Ctx), falling back to Options.Log.
package core

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/rs/zerolog"
)

// Options configure a Core.
type Options struct {
	// Store is the user's credential store; nil when there is none (no
	// user folder): import, remove and export then fail.
	Store *store.Store
	// Sources besides the store (tokens).
	Sources []keys.Source
	// DevOrigins allows http://localhost origins (development).
	DevOrigins bool
	Log        zerolog.Logger
	Now        func() time.Time
	// OCSP configures OCSPRequest and OCSPCheck.
	OCSP OCSPConfig
	// Doctor configures Doctor and Diagnose; nil leaves diagnose
	// unavailable (ErrUnknownCommand) unless Diagnose is set.
	Doctor *DoctorConfig
	// Diagnose, when set, replaces Doctor's checks in Diagnose (tests).
	Diagnose func(ctx context.Context) doctor.Report
	// Anchors is the trust store for the issuer check of List; nil means
	// SAT's production CAs built in (sat.ProductionAnchors).
	Anchors func() (*sat.Anchors, error)
}

// TrustAnchors returns the trust store loader for a configured CA folder:
// caDir's certificates when set (an override), else SAT's production CAs
// built into the program.
func TrustAnchors(caDir string) func() (*sat.Anchors, error) {
	if caDir == "" {
		return func() (*sat.Anchors, error) { return sat.ProductionAnchors(), nil }
	}
	return func() (*sat.Anchors, error) { return sat.LoadAnchors(caDir) }
}

// anchors loads a trust store, SAT's production CAs when load is nil.
func anchorsOf(load func() (*sat.Anchors, error)) (*sat.Anchors, error) {
	if load == nil {
		return sat.ProductionAnchors(), nil
	}
	return load()
}

// IssuerCheck fills info.IssuerCheck and IssuerCA: which CA of the trust
// store issued cert (at a time within its validity, so an expired e.firma
// is still recognised).
func IssuerCheck(info *protocol.CertInfo, cert *x509.Certificate, a *sat.Anchors, now time.Time) {
	if a == nil {
		return
	}
	ca, err := a.Issuer(cert, sat.WithinValidity(cert, now))
	switch {
	case err != nil:
		info.IssuerCheck = protocol.IssuedByUnknown
	case a.SAT():
		info.IssuerCheck, info.IssuerCA = protocol.IssuedBySAT, a.Name(ca)
	default:
		info.IssuerCheck, info.IssuerCA = protocol.IssuedByConfigured, a.Name(ca)
	}
}

// Core runs the host's operations. It is safe for concurrent use.
type Core struct {
	opt     Options
	sources []keys.Source

	mu       sync.Mutex
	failures map[string]int // wrong password attempts per certificate, this session
}

// New returns a Core.
func New(opt Options) *Core {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	c := &Core{opt: opt, failures: map[string]int{}}
	if opt.Store != nil {
		c.sources = append(c.sources, opt.Store)
	}
	c.sources = append(c.sources, opt.Sources...)
	return c
}

// Now is the Core's clock.
func (c *Core) Now() time.Time { return c.opt.Now() }

// Store returns the credential store, or nil.
func (c *Core) Store() *store.Store { return c.opt.Store }

// log returns the request's logger (from ctx) or the Core's.
func (c *Core) log(ctx context.Context) *zerolog.Logger {
	if l := zerolog.Ctx(ctx); l.GetLevel() != zerolog.Disabled {
		return l
	}
	return &c.opt.Log
}

// SourceNames lists the protocol source names of every source, in order
// (hello's "sources").
func (c *Core) SourceNames() []string {
	names := make([]string, 0, len(c.sources)+1)
	for _, src := range c.sources {
		names = append(names, src.Serves()...)
	}
	return names
}

// Info builds the CertInfo of a credential at time now.
func Info(c keys.Credential, now time.Time) protocol.CertInfo {
	info := InfoOf(c.Certificate(), now)
	info.ID = c.ID()
	info.Source = c.Source()
	c.Decorate(&info)
	return info
}

// InfoOf builds the certificate part of a CertInfo (no id, source or key state).
func InfoOf(cert *x509.Certificate, now time.Time) protocol.CertInfo {
	f := sat.FactsOf(cert)
	status, days := sat.Status(cert, now)
	return protocol.CertInfo{
		Type:               f.Type,
		RFC:                f.RFC,
		RFCRepresentative:  f.RFCRepresentative,
		CURP:               f.CURP,
		CURPRepresentative: f.CURPRepresentative,
		Name:               f.Name,
		Serial:             f.Serial,
		Issuer:             f.Issuer,
		NotBefore:          cert.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:           cert.NotAfter.UTC().Format(time.RFC3339),
		Status:             status,
		DaysLeft:           days,
		Certificate:        base64.StdEncoding.EncodeToString(cert.Raw),
	}
}

// credentials lists every source; a failing source is a warning.
func (c *Core) credentials(ctx context.Context) ([]keys.Credential, []string) {
	log := c.log(ctx)
	var all []keys.Credential
	var warnings []string
	for _, src := range c.sources {
		creds, warns, err := src.List(ctx)
		if err != nil {
			log.Warn().Err(err).Str("source", src.Name()).Msg("source failed")
			warns = append(warns, err.Error())
		}
		for _, w := range warns {
			log.Warn().Str("source", src.Name()).Msg(w)
		}
		// Details (paths, library errors) stay in the log; the browser
		// learns which source had a problem, in Spanish.
		if len(warns) > 0 {
			warnings = append(warnings, i18n.T(i18n.ES, "warning.source."+src.Name()))
		}
		all = append(all, creds...)
	}
	return all, warnings
}

// List returns every credential of every source, usable FIELs first.
func (c *Core) List(ctx context.Context) protocol.ListResult {
	creds, warnings := c.credentials(ctx)
	now := c.opt.Now()
	out := protocol.ListResult{Certificates: make([]protocol.CertInfo, 0, len(creds)), Warnings: warnings}
	anchors, err := anchorsOf(c.opt.Anchors)
	if err != nil {
		c.log(ctx).Warn().Err(err).Msg("trust store unreadable: issuer not checked")
		anchors = nil
	}
	for _, cr := range creds {
		info := Info(cr, now)
		IssuerCheck(&info, cr.Certificate(), anchors, now)
		out.Certificates = append(out.Certificates, info)
	}
	sortInfos(out.Certificates)
	return out
}

// sortInfos puts usable FIELs first, then by expiry, latest first.
func sortInfos(l []protocol.CertInfo) {
	rank := func(i protocol.CertInfo) int {
		r := 0
		if i.Type != protocol.TypeFIEL {
			r += 2
		}
		if i.Status != protocol.StatusValid || !i.Usable {
			r += 4
		}
		return r
	}
	sort.SliceStable(l, func(a, b int) bool {
		ra, rb := rank(l[a]), rank(l[b])
		if ra != rb {
			return ra < rb
		}
		return l[a].NotAfter > l[b].NotAfter
	})
}

// Find returns the credential with id, asking only the source that owns
// it. An unknown id is ErrCertNotFound.
func (c *Core) Find(ctx context.Context, id string) (keys.Credential, error) {
	if id == "" {
		return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("missing certificateId"))
	}
	for _, src := range c.sources {
		if !src.Owns(id) {
			continue
		}
		cred, err := src.Find(ctx, id)
		if errors.Is(err, keys.ErrSourceFailed) {
			c.log(ctx).Warn().Err(err).Str("source", src.Name()).Msg("source failed")
		}
		if errors.Is(err, keys.ErrNotFound) {
			return nil, keys.Coded(protocol.ErrCertNotFound, nil, fmt.Errorf("no credential %q: %w", id, err))
		}
		return cred, err
	}
	return nil, keys.Coded(protocol.ErrCertNotFound, nil, fmt.Errorf("no credential %q", id))
}
