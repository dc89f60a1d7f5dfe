//go:build cgo

package token

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/sat"
)

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
