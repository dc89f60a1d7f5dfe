package token

import (
	"strings"

	"github.com/efirma/conector/i18n"
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
	// HasKey: a key object with the certificate's CKA_ID is visible before
	// login. When false and ID is set, the key may be hidden until login:
	// it is not checked until the PIN is entered (doctor never logs in).
	HasKey bool
	// CredentialID is the id List gives this certificate.
	CredentialID string
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
				key := i18n.T(lang, "token.doctor.cert.hidden")
				switch {
				case c.HasKey:
					key = i18n.T(lang, "token.doctor.cert.key")
				case c.ID == "":
					key = i18n.T(lang, "token.doctor.cert.nokey")
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
