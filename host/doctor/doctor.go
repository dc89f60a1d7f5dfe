// Package doctor runs the host-side checks behind `efirma doctor` and the
// protocol's "diagnose" command: each check has a status (ok, warning,
// error, not-checked), a Spanish reason and the concrete fix.
//
// Rules: checks never need a password; a check that cannot run says
// not-checked and why, never ok; personal data in reports is masked by the
// caller's choice (Mask).
package doctor

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// Status of a check, from best to worst.
type Status string

// The statuses.
const (
	OK         Status = "ok"
	NotChecked Status = "not-checked"
	Warning    Status = "warning"
	Error      Status = "error"
)

func (s Status) rank() int {
	switch s {
	case OK:
		return 0
	case NotChecked:
		return 1
	case Warning:
		return 2
	}
	return 3
}

// Check is one finding.
type Check struct {
	ID          string `json:"id"`
	Status      Status `json:"status"`
	Title       string `json:"title"`
	Reason      string `json:"reason"`
	Fix         string `json:"fix,omitempty"`
	Certificate string `json:"certificate,omitempty"`
}

// Report is the result of Run.
type Report struct {
	Worst  Status  `json:"worst"`
	Checks []Check `json:"checks"`
}

// Env is what the checks look at.
type Env struct {
	Lang    i18n.Lang
	Sources []keys.Source
	Anchors *sat.Anchors // the trust store (SAT's built in, or caDir); nil: not checked
	Now     func() time.Time
	// TimeServer is an NTP server ("host:123") to compare the clock with;
	// empty disables the comparison.
	TimeServer string
	// Extra checks from other parts (tokens), appended as given.
	Extra func(ctx context.Context, lang i18n.Lang) []Check
	// Files, when set, are checked too (not imported yet).
	Files *Files
}

// ExpiringDays is how close to expiry a warning starts.
const ExpiringDays = 30

var envNow = time.Now

// Run performs every check.
func Run(ctx context.Context, env Env) Report {
	if env.Now == nil {
		env.Now = envNow
	}
	t := func(k string, a ...any) string { return i18n.T(env.Lang, k, a...) }
	var checks []Check
	checks = append(checks, clockCheck(ctx, env))
	var creds []keys.Credential
	for _, src := range env.Sources {
		cs, warns, err := src.List(ctx)
		if err != nil {
			checks = append(checks, Check{ID: "source", Status: Warning, Title: t("doctor.source.title", src.Name()), Reason: err.Error(), Fix: t("doctor.source.fix")})
			continue
		}
		for _, w := range warns {
			checks = append(checks, Check{ID: "source", Status: Warning, Title: t("doctor.source.title", src.Name()), Reason: w, Fix: t("doctor.source.fix")})
		}
		creds = append(creds, cs...)
	}
	if len(creds) == 0 && env.Files == nil {
		checks = append(checks, Check{ID: "no-certificates", Status: Error, Title: t("doctor.none.title"), Reason: t("doctor.none.reason"), Fix: t("doctor.none.fix")})
	}
	now := env.Now()
	// An expired e.firma kept beside its renewal is not why login fails:
	// it is a warning (remove it), not an error.
	renewed := map[string]bool{}
	for _, c := range creds {
		if st, _ := sat.Status(c.Certificate(), now); st == protocol.StatusValid {
			f := sat.FactsOf(c.Certificate())
			renewed[f.RFC+"|"+f.Type] = true
		}
	}
	for _, c := range creds {
		cs := credentialChecks(c, env, now)
		f := sat.FactsOf(c.Certificate())
		for i := range cs {
			if cs[i].ID == "expired" && renewed[f.RFC+"|"+f.Type] {
				cs[i].Status = Warning
				cs[i].Fix = i18n.T(env.Lang, "doctor.expired.renewed", c.ID())
			}
		}
		checks = append(checks, cs...)
	}
	if env.Files != nil {
		checks = append(checks, FileChecks(*env.Files, env)...)
	}
	if env.Extra != nil {
		checks = append(checks, env.Extra(ctx, env.Lang)...)
	}
	r := Report{Worst: OK}
	for _, c := range checks {
		r.Add(c)
	}
	return r
}

// Add appends a check and updates Worst.
func (r *Report) Add(c Check) {
	r.Checks = append(r.Checks, c)
	if r.Worst == "" || c.Status.rank() > r.Worst.rank() {
		r.Worst = c.Status
	}
}

func credentialChecks(c keys.Credential, env Env, now time.Time) []Check {
	t := func(k string, a ...any) string { return i18n.T(env.Lang, k, a...) }
	cert := c.Certificate()
	f := sat.FactsOf(cert)
	label := f.RFC + " (" + f.Type + ", " + f.Serial + ")"
	status, days := sat.Status(cert, now)
	var out []Check
	add := func(id string, st Status, title, reason, fix string) {
		out = append(out, Check{ID: id, Status: st, Title: title, Reason: reason, Fix: fix, Certificate: label})
	}
	date := i18n.LongDate(env.Lang, cert.NotAfter.Local())
	switch {
	case status == protocol.StatusExpired:
		add("expired", Error, t("doctor.expired.title", label), t("doctor.expired.reason", date), t("hint.ERR_CERT_EXPIRED"))
	case status == protocol.StatusNotYetValid:
		add("not-yet-valid", Error, t("doctor.notyet.title", label), t("doctor.notyet.reason", i18n.LongDateTime(env.Lang, cert.NotBefore.Local())), t("hint.ERR_CERT_NOT_YET_VALID"))
	case days <= 1:
		add("expiring", Warning, t("doctor.expiring.title", label), t("doctor.expiring.reason."+[]string{"zero", "one"}[days], date), t("doctor.expiring.fix"))
	case days <= ExpiringDays:
		add("expiring", Warning, t("doctor.expiring.title", label), t("doctor.expiring.reason", days, date), t("doctor.expiring.fix"))
	default:
		add("validity", OK, t("doctor.valid.title", label), t("doctor.valid.reason", date, days), "")
	}
	switch f.Type {
	case protocol.TypeCSD:
		add("csd", Warning, t("doctor.csd.title", label), t("doctor.csd.reason"), t("hint.ERR_NOT_FIEL"))
	case protocol.TypeOther:
		add("not-fiel", Warning, t("doctor.other.title", label), t("doctor.other.reason"), t("hint.ERR_NOT_FIEL"))
	}
	out = append(out, chainCheck(cert, env, label, now))
	var info protocol.CertInfo
	c.Decorate(&info)
	if !info.Usable {
		add("key", Error, t("doctor.key.title", label), info.Reason, t("hint.ERR_KEY_UNUSABLE"))
	}
	return out
}

func chainCheck(cert *x509.Certificate, env Env, label string, now time.Time) Check {
	t := func(k string, a ...any) string { return i18n.T(env.Lang, k, a...) }
	if env.Anchors == nil {
		return Check{ID: "issuer", Status: NotChecked, Title: t("doctor.issuer.title", label), Reason: t("doctor.issuer.nocas"), Fix: t("doctor.issuer.nocas.fix"), Certificate: label}
	}
	ca, err := env.Anchors.Issuer(cert, sat.WithinValidity(cert, now))
	switch {
	case err != nil && env.Anchors.SAT():
		return Check{ID: "issuer", Status: Error, Title: t("doctor.issuer.title", label), Reason: t("doctor.issuer.notsat"), Fix: t("doctor.issuer.bad.fix"), Certificate: label}
	case err != nil:
		return Check{ID: "issuer", Status: Error, Title: t("doctor.issuer.title", label), Reason: t("doctor.issuer.bad"), Fix: t("doctor.issuer.bad.fix"), Certificate: label}
	case env.Anchors.SAT():
		return Check{ID: "issuer", Status: OK, Title: t("doctor.issuer.title", label), Reason: t("doctor.issuer.sat", env.Anchors.Name(ca)), Certificate: label}
	}
	return Check{ID: "issuer", Status: OK, Title: t("doctor.issuer.title", label), Reason: t("doctor.issuer.ok"), Certificate: label}
}

// MaxClockSkew is how far the system clock may be from the time source.
const MaxClockSkew = 2 * time.Minute

func clockCheck(ctx context.Context, env Env) Check {
	t := func(k string, a ...any) string { return i18n.T(env.Lang, k, a...) }
	title := t("doctor.clock.title")
	if env.TimeServer == "" {
		return Check{ID: "clock", Status: NotChecked, Title: title, Reason: t("doctor.clock.off"), Fix: t("doctor.clock.manual")}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	before := env.Now()
	remote, err := sntpTime(ctx, env.TimeServer)
	if err != nil {
		return Check{ID: "clock", Status: NotChecked, Title: title, Reason: t("doctor.clock.offline"), Fix: t("doctor.clock.manual")}
	}
	skew := before.Sub(remote)
	if skew < 0 {
		skew = -skew
	}
	if skew > MaxClockSkew {
		return Check{ID: "clock", Status: Error, Title: title, Reason: t("doctor.clock.bad", skew.Round(time.Second).String(), i18n.LongDateTime(env.Lang, remote.Local())), Fix: t("doctor.clock.fix")}
	}
	return Check{ID: "clock", Status: OK, Title: title, Reason: t("doctor.clock.ok")}
}

// Mask hides most of an RFC or CURP for reports given to a help desk:
// the first four and the last two characters stay.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-6) + string(r[len(r)-2:])
}

// ExitCode maps the worst status: 0 ok or not-checked, 3 warning, 4 error.
func ExitCode(s Status) int {
	switch s {
	case Warning:
		return 3
	case Error:
		return 4
	}
	return 0
}
