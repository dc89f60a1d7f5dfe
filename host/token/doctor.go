package token

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/sat"
)

// Module states in a Report.
const (
	ModuleLoaded  = "loaded"
	ModuleMissing = "missing"
	ModuleBroken  = "broken"
)

// Report is what "efirma doctor" prints about tokens.
type Report struct {
	Modules []ModuleReport
}

// ModuleReport is one module path.
type ModuleReport struct {
	Path  string
	State string // ModuleLoaded, ModuleMissing or ModuleBroken
	// Error is why a module is broken, or why its slots could not be read.
	Error string
	// Library facts from C_GetInfo (loaded modules).
	Manufacturer, Description, Version string
	Tokens                             []TokenReport
}

// TokenReport is one token present in a slot.
type TokenReport struct {
	Slot                               uint
	Label, Serial, Manufacturer, Model string
	Flags                              TokenFlags
	// Error is why the certificates could not be read.
	Error        string
	Certificates []CertReport
	// Skipped counts certificate objects that are not parseable X.509.
	Skipped int
}

// TokenFlags are the token flags a person needs to know about.
type TokenFlags struct {
	Initialized, PINLocked, PINCountLow, PINFinalTry, ProtectedPath, LoginRequired bool
}

// CertReport is one certificate object.
type CertReport struct {
	Label    string // CKA_LABEL
	ID       string // CKA_ID in hex
	Subject  string // SAT name, or the subject's common name
	RFC      string
	NotAfter string // YYYY-MM-DD
	HasKey   bool
	// CredentialID is the id List gives this certificate.
	CredentialID string
}

func flagsOf(f uint) TokenFlags {
	return TokenFlags{
		Initialized:   f&pkcs11.CKF_TOKEN_INITIALIZED != 0,
		PINLocked:     f&pkcs11.CKF_USER_PIN_LOCKED != 0,
		PINCountLow:   f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		PINFinalTry:   f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		ProtectedPath: f&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		LoginRequired: f&pkcs11.CKF_LOGIN_REQUIRED != 0,
	}
}

// Doctor reports on each module path: loaded, missing or broken, the tokens
// present with their PIN state, and the certificates on each token. It
// never logs in and never fails; problems are in the report.
func Doctor(ctx context.Context, modules []string) Report {
	var r Report
	for _, path := range modules {
		mr := ModuleReport{Path: path}
		m, err := loadModule(ctx, path)
		switch {
		case errors.Is(err, ErrModuleMissing):
			mr.State = ModuleMissing
		case err != nil:
			mr.State, mr.Error = ModuleBroken, err.Error()
		default:
			mr.State = ModuleLoaded
			mr.Manufacturer = m.info.ManufacturerID
			mr.Description = m.info.LibraryDescription
			mr.Version = fmt.Sprintf("%d.%d", m.info.LibraryVersion.Major, m.info.LibraryVersion.Minor)
			toks, err := m.presentTokens()
			if err != nil {
				mr.Error = err.Error()
			}
			for _, t := range toks {
				mr.Tokens = append(mr.Tokens, tokenReport(m, t))
			}
		}
		r.Modules = append(r.Modules, mr)
	}
	return r
}

func tokenReport(m *module, t tokenDesc) TokenReport {
	tr := TokenReport{
		Slot: t.slot, Label: t.info.Label, Serial: t.info.SerialNumber,
		Manufacturer: t.info.ManufacturerID, Model: t.info.Model,
		Flags: flagsOf(t.info.Flags),
	}
	if !tr.Flags.Initialized {
		return tr
	}
	objs, skipped, err := m.certificates(t.slot)
	if err != nil {
		tr.Error = err.Error()
		return tr
	}
	tr.Skipped = skipped
	for _, o := range objs {
		f := sat.FactsOf(o.cert)
		subject := f.Name
		if subject == "" {
			subject = o.cert.Subject.CommonName
		}
		tr.Certificates = append(tr.Certificates, CertReport{
			Label: o.label, ID: hex.EncodeToString(o.id), Subject: subject, RFC: f.RFC,
			NotAfter:     o.cert.NotAfter.UTC().Format("2006-01-02"),
			HasKey:       o.hasKey,
			CredentialID: credentialID(t.info.SerialNumber, o.id, o.cert),
		})
	}
	return tr
}

// Lines renders the report for people, one line per item, in lang. Missing
// modules are left out unless verbose, since most well-known paths are
// absent on any computer.
func (r Report) Lines(lang i18n.Lang, verbose bool) []string {
	var out []string
	for _, m := range r.Modules {
		switch m.State {
		case ModuleMissing:
			if verbose {
				out = append(out, i18n.T(lang, "token.doctor.module.miss", m.Path))
			}
			continue
		case ModuleBroken:
			out = append(out, i18n.T(lang, "token.doctor.module.broken", m.Path, m.Error))
			continue
		}
		out = append(out, i18n.T(lang, "token.doctor.module.ok", m.Path, strings.TrimSpace(m.Description), m.Version))
		if m.Error != "" {
			out = append(out, i18n.T(lang, "token.doctor.module.error", m.Path, m.Error))
		}
		if len(m.Tokens) == 0 {
			out = append(out, i18n.T(lang, "token.doctor.no_tokens"))
		}
		for _, t := range m.Tokens {
			out = append(out, i18n.T(lang, "token.doctor.token", t.Label, t.Serial, t.Slot, t.Flags.describe(lang)))
			switch {
			case t.Error != "":
				out = append(out, i18n.T(lang, "token.doctor.token.error", t.Error))
			case t.Flags.Initialized && len(t.Certificates) == 0:
				out = append(out, i18n.T(lang, "token.doctor.empty"))
			}
			for _, c := range t.Certificates {
				key := i18n.T(lang, "token.doctor.cert.nokey")
				if c.HasKey {
					key = i18n.T(lang, "token.doctor.cert.key")
				}
				who := c.Subject
				if c.RFC != "" {
					who += ", " + c.RFC
				}
				out = append(out, i18n.T(lang, "token.doctor.cert", c.Label, who, c.NotAfter, key))
			}
			if t.Skipped > 0 {
				out = append(out, i18n.T(lang, "token.doctor.skipped", t.Skipped))
			}
		}
	}
	if len(out) == 0 {
		out = append(out, i18n.T(lang, "token.doctor.none"))
	}
	return out
}

// describe lists the flags a person should know, most serious first.
func (f TokenFlags) describe(lang i18n.Lang) string {
	var parts []string
	if !f.Initialized {
		parts = append(parts, i18n.T(lang, "token.flag.uninitialized"))
	}
	switch {
	case f.PINLocked:
		parts = append(parts, i18n.T(lang, "token.flag.locked"))
	case f.PINFinalTry:
		parts = append(parts, i18n.T(lang, "token.flag.final_try"))
	case f.PINCountLow:
		parts = append(parts, i18n.T(lang, "token.flag.count_low"))
	case f.Initialized:
		parts = append(parts, i18n.T(lang, "token.flag.ok"))
	}
	if f.ProtectedPath {
		parts = append(parts, i18n.T(lang, "token.flag.pin_pad"))
	}
	return strings.Join(parts, ", ")
}
