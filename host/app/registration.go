package app

import (
	"strings"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/installer"
)

// RegistrationChecks turns the installer's status into doctor checks: the
// host must be registered, valid and not blocked for at least one browser;
// broken registrations, blocking policies and snap Chromium are reported
// per browser with the fix, except for browsers not installed on this
// computer.
func RegistrationChecks(st installer.StatusReport, lang i18n.Lang) []doctor.Check {
	t := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	var out []doctor.Check
	var usable []string
	for _, b := range st.Browsers {
		if b.Usable {
			usable = append(usable, b.Name)
		}
		if !b.BrowserInstalled {
			// Not on this computer: nothing to fix for it (issue 14 §4).
			continue
		}
		var problems []string
		for _, tg := range b.Targets {
			if tg.Installed && !tg.Valid {
				for _, p := range tg.Problems {
					problems = append(problems, t("installer.problem."+p))
				}
			}
		}
		if len(problems) > 0 {
			out = append(out, doctor.Check{ID: "host-registration", Status: doctor.Error, Title: t("doctor.reg.browser", b.Name), Reason: strings.Join(problems, "; "), Fix: t("doctor.reg.fix")})
		}
		for _, n := range b.Notes {
			st := doctor.Warning
			if n == installer.NoteBlocked || n == installer.NoteUserLevelBlocked {
				st = doctor.Error
			}
			if n == installer.NoteNoPolicyReader {
				st = doctor.NotChecked
			}
			var args []any
			if n == installer.NoteForcedNotAllowed {
				args = []any{strings.Join(b.ForcedNotAllowed, ", ")}
			}
			out = append(out, doctor.Check{ID: "host-policy", Status: st, Title: t("doctor.reg.browser", b.Name), Reason: t("installer.note."+n, args...)})
		}
	}
	if len(usable) == 0 {
		out = append([]doctor.Check{{ID: "host-registration", Status: doctor.Error, Title: t("doctor.reg.title"), Reason: t("doctor.reg.none"), Fix: t("doctor.reg.fix")}}, out...)
	} else {
		out = append([]doctor.Check{{ID: "host-registration", Status: doctor.OK, Title: t("doctor.reg.title"), Reason: t("doctor.reg.ok", strings.Join(usable, ", "))}}, out...)
	}
	return out
}
