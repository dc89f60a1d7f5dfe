package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/host/cli"
	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

const testdata = "../../testdata"

func credFile(name, file string) string { return filepath.Join(testdata, "creds", name, file) }

type result struct {
	code           int
	stdout, stderr string
}

// run calls cli.Run in process with a fixed clock and no token sources, so
// that the time-dependent results (expiring, expired, days left) are exact.
func run(t *testing.T, home string, now time.Time, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	cfg := &config.Config{Home: home}
	if ca := filepath.Join(testdata, "ca"); strings.Contains(strings.Join(args, " "), "--with-ca") {
		cfg.CADir = ca
		args = removeArg(args, "--with-ca")
	}
	code := cli.Run(args, cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Lang: i18n.ES, Config: cfg, Now: func() time.Time { return now },
	})
	return result{code, out.String(), errb.String()}
}

func removeArg(args []string, a string) []string {
	var out []string
	for _, x := range args {
		if x != a {
			out = append(out, x)
		}
	}
	return out
}

func importCred(t *testing.T, home, name string) {
	t.Helper()
	r := run(t, home, time.Now(), "12345678a\n", "import", "--cer", credFile(name, "certificate.cer"), "--key", credFile(name, "private_key.key"), "--password-stdin")
	if r.code != cli.ExitOK {
		t.Fatalf("import %s: %d\n%s", name, r.code, r.stderr)
	}
}

func doctorReport(t *testing.T, r result) doctor.Report {
	t.Helper()
	var rep doctor.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json output: %v\n%s", err, r.stdout)
	}
	return rep
}

func findCheck(rep doctor.Report, id string) *doctor.Check {
	for i := range rep.Checks {
		if rep.Checks[i].ID == id {
			return &rep.Checks[i]
		}
	}
	return nil
}

// fiel-fisica is valid 2025-01-01 12:00 to 2029-01-01 12:00 UTC.
func TestDoctorValidityByDate(t *testing.T) {
	home := t.TempDir()
	importCred(t, home, "fiel-fisica")
	tests := []struct {
		name     string
		now      time.Time
		check    string
		status   doctor.Status
		exit     int
		inReason string
	}{
		{"valid", time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), "validity", doctor.OK, cli.ExitOK, "(945 días)"},
		{"31 days left", time.Date(2028, 12, 1, 12, 0, 0, 0, time.UTC), "validity", doctor.OK, cli.ExitOK, "(31 días)"},
		{"30 days left", time.Date(2028, 12, 2, 12, 0, 0, 0, time.UTC), "expiring", doctor.Warning, cli.ExitWarning, "Vence en 30 días"},
		{"1 day left", time.Date(2028, 12, 31, 12, 0, 0, 0, time.UTC), "expiring", doctor.Warning, cli.ExitWarning, "Vence en 1 día ("},
		{"expired", time.Date(2029, 2, 1, 0, 0, 0, 0, time.UTC), "expired", doctor.Error, cli.ExitError, "Venció el 1 de enero de 2029."},
		{"not yet valid", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), "not-yet-valid", doctor.Error, cli.ExitError, "a partir del 1 de enero de 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The generated FIEL's own CA is configured: only the dates decide.
			r := run(t, home, tt.now, "", "doctor", "--offline", "--json", "--with-ca")
			if r.code != tt.exit {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.exit, r.stdout)
			}
			rep := doctorReport(t, r)
			c := findCheck(rep, tt.check)
			if c == nil {
				t.Fatalf("no %q check in %+v", tt.check, rep.Checks)
			}
			if c.Status != tt.status || !strings.Contains(c.Reason, tt.inReason) {
				t.Errorf("check %+v, want status %s and reason containing %q", c, tt.status, tt.inReason)
			}
			if !strings.Contains(c.Certificate, "GOAM800101AB1") {
				t.Errorf("check does not name the certificate: %q", c.Certificate)
			}
		})
	}
}

func TestDoctorIssuer(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	home := t.TempDir()
	importCred(t, home, "fiel-fisica")
	rep := doctorReport(t, run(t, home, now, "", "doctor", "--offline", "--json"))
	// Without a CA folder the issuer is checked against SAT's production
	// CAs built in (issue 13 §3): a generated test FIEL is not SAT's.
	if c := findCheck(rep, "issuer"); c == nil || c.Status != doctor.Error || !strings.Contains(c.Reason, "No la emitió el SAT") {
		t.Errorf("without a CA folder, SAT's built-in CAs: %+v", c)
	}
	r := run(t, home, now, "", "doctor", "--offline", "--json", "--with-ca")
	if c := findCheck(doctorReport(t, r), "issuer"); c == nil || c.Status != doctor.OK || r.code != cli.ExitOK {
		t.Errorf("with the test CA: %+v (exit %d)", c, r.code)
	}
	// The expired FIEL of the same CA is still recognised as issued by it.
	home2 := t.TempDir()
	importCred(t, home2, "fiel-expired")
	r = run(t, home2, now, "", "doctor", "--offline", "--json", "--with-ca")
	rep = doctorReport(t, r)
	if c := findCheck(rep, "issuer"); c == nil || c.Status != doctor.OK {
		t.Errorf("expired FIEL issuer check: %+v", c)
	}
	if r.code != cli.ExitError || findCheck(rep, "expired") == nil {
		t.Errorf("expired FIEL: exit %d", r.code)
	}
	// A certificate from another CA.
	home3 := t.TempDir()
	importCred(t, home3, "not-sat")
	r = run(t, home3, now, "", "doctor", "--offline", "--json", "--with-ca")
	if c := findCheck(doctorReport(t, r), "issuer"); c == nil || c.Status != doctor.Error || r.code != cli.ExitError {
		t.Errorf("not-sat: %+v (exit %d)", c, r.code)
	}
}

func TestInspectAtFixedTime(t *testing.T) {
	now := time.Date(2028, 12, 22, 12, 0, 0, 0, time.UTC)
	r := run(t, t.TempDir(), now, "", "inspect", "--json", "--cer", credFile("fiel-fisica", "certificate.cer"))
	if r.code != cli.ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var info protocol.CertInfo
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatal(err)
	}
	if info.Status != protocol.StatusValid || info.DaysLeft != 10 || info.Type != protocol.TypeFIEL {
		t.Errorf("info %+v", info)
	}
	r = run(t, t.TempDir(), now, "", "inspect", "--cer", credFile("fiel-fisica", "certificate.cer"))
	if !strings.Contains(r.stdout, "vigente (quedan 10 días)") {
		t.Errorf("text status:\n%s", r.stdout)
	}
}

func TestListDaysLeft(t *testing.T) {
	home := t.TempDir()
	importCred(t, home, "fiel-moral")
	r := run(t, home, time.Date(2029, 1, 11, 12, 0, 0, 0, time.UTC), "", "list", "--json")
	var res protocol.ListResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Certificates) != 1 {
		t.Fatalf("%d certificates", len(res.Certificates))
	}
	c := res.Certificates[0]
	if c.Status != protocol.StatusExpired || c.DaysLeft != -10 || c.RFC != "TCE010101AB2" || c.RFCRepresentative != "GOAM800101AB1" {
		t.Errorf("%+v", c)
	}
}

func TestInstallerNotWired(t *testing.T) {
	r := run(t, t.TempDir(), time.Now(), "", "install")
	if r.code != cli.ExitFailed || !strings.HasPrefix(r.stderr, "error:") {
		t.Errorf("install without an installer: %d %q", r.code, r.stderr)
	}
	called := ""
	var out bytes.Buffer
	code := cli.Run([]string{"status", "--x"}, cli.Env{Stdout: &out, Stderr: &out, Config: &config.Config{Home: t.TempDir()},
		Installer: func(name string, args []string) int { called = name + " " + strings.Join(args, " "); return 7 }})
	if code != 7 || called != "status --x" {
		t.Errorf("installer: code %d, called %q", code, called)
	}
}

// TestBuiltInTrustStore (issue 13 §3): with no configuration, inspect and
// list check the issuer against SAT's production CAs built in: a real
// production CSD (SAT's fixtures) is "emitida por el SAT (AC4)", a
// generated certificate "no la emitió el SAT"; caDir overrides them.
func TestBuiltInTrustStore(t *testing.T) {
	fixtures := filepath.Join(testdata, "..", "..", "shared", "fixtures", "sat")
	prod := filepath.Join(fixtures, "production-csd-cert-only", "certificate.cer")
	if _, err := os.Stat(prod); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("SAT fixtures missing: %v", err)
		}
		t.Skipf("SAT fixtures not found: %v", err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	home := t.TempDir()
	r := run(t, home, now, "", "inspect", "--cer", prod, "--json")
	var info struct {
		IssuerCheck, IssuerCA string
		Trusted               *bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || r.code != cli.ExitOK {
		t.Fatalf("inspect: %v exit %d\n%s%s", err, r.code, r.stdout, r.stderr)
	}
	if info.IssuerCheck != protocol.IssuedBySAT || info.IssuerCA != "AC4" || info.Trusted == nil || !*info.Trusted {
		t.Fatalf("production CSD: %+v, want issued by SAT's AC4", info)
	}
	if r := run(t, home, now, "", "inspect", "--cer", prod); !strings.Contains(r.stdout, "emitida por el SAT (AC4)") {
		t.Fatalf("inspect text:\n%s", r.stdout)
	}
	importCred(t, home, "fiel-fisica")
	r = run(t, home, now, "", "list")
	if !strings.Contains(r.stdout, "no la emitió el SAT") {
		t.Fatalf("list of a generated FIEL:\n%s", r.stdout)
	}
	// caDir overrides the built-in store.
	r = run(t, home, now, "", "list", "--json", "--with-ca")
	if !strings.Contains(r.stdout, `"issuerCheck": "configured"`) {
		t.Fatalf("list with caDir:\n%s", r.stdout)
	}
}
