package app

import (
	"context"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/token"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/installer"
	"github.com/efirma/conector/sat"
	"github.com/rs/zerolog"
)

// tokenSources builds the PKCS#11 source. Nothing is loaded until the first
// List, so host start-up stays lean.
func tokenSources(cfg *config.Config, log zerolog.Logger) []keys.Source {
	return []keys.Source{token.NewSource(token.Config{Modules: token.ModulesFromEnv(cfg.PKCS11Modules), Lang: i18n.ES}, log)}
}

// extraDoctor adds the checks of the other parts to doctor: where the host
// is registered (installer) and the tokens.
func extraDoctor(cfg *config.Config) func(ctx context.Context, lang i18n.Lang) []doctor.Check {
	return func(ctx context.Context, lang i18n.Lang) []doctor.Check {
		var out []doctor.Check
		if home, err := os.UserHomeDir(); err == nil {
			if st, err := installer.Status(installer.Options{Home: home}); err == nil {
				out = append(out, RegistrationChecks(st, lang)...)
			}
		}
		return append(out, TokenChecks(token.Doctor(ctx, token.ModulesFromEnv(cfg.PKCS11Modules)), lang)...)
	}
}

// TokenChecks converts a token report: locked PINs are errors, final try,
// low count, broken modules and certificates without a CKA_ID are warnings;
// a key not visible before login is not checked (it is checked with the
// PIN when used). Each driver appears once (symlinks resolved); with no
// driver loaded and no token there are no token items.
func TokenChecks(r token.Report, lang i18n.Lang) []doctor.Check {
	t := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	var out []doctor.Check
	seen := map[string]bool{}
	for _, m := range r.Modules {
		// One driver once: a library and its symlinks (libfoo.so →
		// libfoo.so.1.2) are the same module.
		real := m.Path
		if p, err := filepath.EvalSymlinks(m.Path); err == nil {
			real = p
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		switch m.State {
		case token.ModuleMissing:
			continue
		case token.ModuleBroken:
			out = append(out, doctor.Check{ID: "pkcs11-module", Status: doctor.Warning, Title: t("doctor.module.title", m.Path), Reason: t("doctor.module.broken", m.Error), Fix: t("hint.ERR_MODULE_UNAVAILABLE")})
			continue
		}
		if len(m.Tokens) == 0 {
			out = append(out, doctor.Check{ID: "pkcs11-token", Status: doctor.NotChecked, Title: t("doctor.module.title", m.Path), Reason: t("doctor.token.none"), Fix: t("hint.ERR_TOKEN_NOT_PRESENT")})
		}
		for _, tk := range m.Tokens {
			title := t("doctor.token.title", strings.TrimSpace(tk.Label), tk.Slot)
			switch {
			case tk.Flags.PINLocked:
				out = append(out, doctor.Check{ID: "pin-locked", Status: doctor.Error, Title: title, Reason: t("code.ERR_PIN_LOCKED"), Fix: t("hint.ERR_PIN_LOCKED")})
			case tk.Flags.PINFinalTry:
				out = append(out, doctor.Check{ID: "pin-final-try", Status: doctor.Warning, Title: title, Reason: t("code.ERR_PIN_FINAL_TRY"), Fix: t("hint.ERR_PIN_FINAL_TRY")})
			case tk.Flags.PINCountLow:
				out = append(out, doctor.Check{ID: "pin-count-low", Status: doctor.Warning, Title: title, Reason: t("doctor.token.countlow"), Fix: t("hint.ERR_PIN_INCORRECT")})
			case tk.Error != "":
				out = append(out, doctor.Check{ID: "pkcs11-token", Status: doctor.Warning, Title: title, Reason: tk.Error, Fix: t("hint.ERR_TOKEN_NOT_PRESENT")})
			default:
				out = append(out, doctor.Check{ID: "pkcs11-token", Status: doctor.OK, Title: title, Reason: t("doctor.token.ok", len(tk.Certificates))})
			}
			for _, c := range tk.Certificates {
				switch {
				case c.HasKey:
				case c.ID == "":
					out = append(out, doctor.Check{ID: "key", Status: doctor.Warning, Title: t("doctor.key.title", c.RFC+" ("+c.Label+")"), Reason: t("token.reason.no_id"), Fix: t("hint.ERR_KEY_UNUSABLE"), Certificate: c.RFC})
				default:
					// Hidden until login (doctor never logs in): not
					// checked, not missing.
					out = append(out, doctor.Check{ID: "key", Status: doctor.NotChecked, Title: t("doctor.key.title", c.RFC+" ("+c.Label+")"), Reason: t("doctor.key.after_pin"), Certificate: c.RFC})
				}
			}
		}
	}
	// No driver and no token: no token items at all (most people use the
	// .cer/.key files).
	return out
}

// installerCommand runs install, uninstall, status and policy.
func installerCommand(stdout, stderr io.Writer, lang i18n.Lang) func(string, []string) int {
	return func(name string, args []string) int {
		env := installer.DefaultEnv(lang)
		env.Stdout, env.Stderr = stdout, stderr
		return installer.Command(name, args, env)
	}
}

// doctorConfig is what doctor and diagnose check besides the sources: the
// trust store (the CA folder, read at each run, or SAT's production CAs
// built in), the time server and the other parts.
func doctorConfig(cfg *config.Config) *core.DoctorConfig {
	return &core.DoctorConfig{TimeServer: cfg.TimeServer, Extra: extraDoctor(cfg), Anchors: core.TrustAnchors(cfg.CADir)}
}

// ocspConfig loads the trust store (the CA folder, or SAT's production CAs
// built in) and the pinned responder on first use only.
func ocspConfig(cfg *config.Config) core.OCSPConfig {
	oc := core.OCSPConfig{URL: cfg.OCSPURL, Anchors: sync.OnceValues(core.TrustAnchors(cfg.CADir))}
	if cfg.OCSPResponderCert != "" {
		oc.Responder = sync.OnceValues(func() (*x509.Certificate, error) {
			data, err := os.ReadFile(cfg.OCSPResponderCert)
			if err != nil {
				return nil, err
			}
			return sat.ParseCertificate(data)
		})
	}
	return oc
}
