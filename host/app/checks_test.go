package app

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/token"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/installer"
)

func statusOf(cs []doctor.Check, id string) []doctor.Status {
	var out []doctor.Status
	for _, c := range cs {
		if c.ID == id {
			out = append(out, c.Status)
		}
	}
	return out
}

func TestRegistrationChecks(t *testing.T) {
	none := installer.StatusReport{Browsers: []installer.BrowserStatus{{Browser: "chrome", Name: "Google Chrome"}}}
	if s := statusOf(RegistrationChecks(none, i18n.ES), "host-registration"); len(s) != 1 || s[0] != doctor.Error {
		t.Fatalf("not registered anywhere: %v", s)
	}
	mixed := installer.StatusReport{Browsers: []installer.BrowserStatus{
		{Browser: "chrome", Name: "Google Chrome", Usable: true},
		{Browser: "edge", Name: "Microsoft Edge", BrowserInstalled: true, Notes: []string{installer.NoteBlocked}},
		{Browser: "chromium", Name: "Chromium", BrowserInstalled: true, Notes: []string{installer.NoteSnapChromium},
			Targets: []installer.TargetStatus{{Installed: true, Valid: false, Problems: []string{"binary_missing"}}}},
	}}
	cs := RegistrationChecks(mixed, i18n.ES)
	reg := statusOf(cs, "host-registration")
	if len(reg) != 2 || reg[0] != doctor.OK || reg[1] != doctor.Error {
		t.Fatalf("registration: %v in %+v", reg, cs)
	}
	pol := statusOf(cs, "host-policy")
	if len(pol) != 2 || pol[0] != doctor.Error || pol[1] != doctor.Warning {
		t.Fatalf("policy: %v", pol)
	}
	for _, c := range cs {
		if c.Reason == "" || c.Title == "" {
			t.Fatalf("check without text: %+v", c)
		}
	}
	// The same broken registrations for browsers not on this computer:
	// nothing is suggested for them (issue 14 §4).
	for i := range mixed.Browsers {
		mixed.Browsers[i].BrowserInstalled = false
	}
	cs = RegistrationChecks(mixed, i18n.ES)
	if len(cs) != 1 || cs[0].ID != "host-registration" || cs[0].Status != doctor.OK {
		t.Fatalf("browsers not installed: %+v", cs)
	}
	// A development ID allowed, a force-installed extension not allowed:
	// usable, but doctor warns, naming the extension.
	dev := installer.StatusReport{Browsers: []installer.BrowserStatus{{Browser: "chrome", Name: "Google Chrome", Usable: true, BrowserInstalled: true,
		Notes: []string{installer.NoteDevExtension, installer.NoteForcedNotAllowed}, ForcedNotAllowed: []string{"cccccccccccccccccccccccccccccccc"}}}}
	cs = RegistrationChecks(dev, i18n.ES)
	if pol := statusOf(cs, "host-policy"); len(pol) != 2 || pol[0] != doctor.Warning || pol[1] != doctor.Warning {
		t.Fatalf("dev/forced: %+v", cs)
	}
	if !strings.Contains(cs[1].Reason, "desarrollo") || !strings.Contains(cs[2].Reason, "cccccccccccccccccccccccccccccccc") || strings.Contains(cs[2].Reason, "%!") {
		t.Fatalf("dev/forced texts: %q / %q", cs[1].Reason, cs[2].Reason)
	}
}

func TestTokenChecks(t *testing.T) {
	r := token.Report{Modules: []token.ModuleReport{
		{Path: "/missing.so", State: token.ModuleMissing},
		{Path: "/broken.so", State: token.ModuleBroken, Error: "not a PKCS#11 library"},
		{Path: "/ok.so", State: token.ModuleLoaded, Tokens: []token.TokenReport{
			{Label: "locked", Flags: token.TokenFlags{PINLocked: true}},
			{Label: "final", Flags: token.TokenFlags{PINFinalTry: true}},
			{Label: "good", Certificates: []token.CertReport{{RFC: "GOAM800101AB1", ID: "01", HasKey: false}}},
		}},
	}}
	cs := TokenChecks(r, i18n.ES)
	// A key not visible before login is not checked, never "missing".
	want := map[string]doctor.Status{"pkcs11-module": doctor.Warning, "pin-locked": doctor.Error, "pin-final-try": doctor.Warning, "pkcs11-token": doctor.OK, "key": doctor.NotChecked}
	for id, st := range want {
		got := statusOf(cs, id)
		if len(got) != 1 || got[0] != st {
			t.Errorf("%s: %v, want %s", id, got, st)
		}
	}
	for _, c := range cs {
		if c.ID == "key" && c.Reason != i18n.T(i18n.ES, "doctor.key.after_pin") {
			t.Errorf("key check reason %q", c.Reason)
		}
	}
	// A certificate without a CKA_ID: its key can never be found.
	noID := TokenChecks(token.Report{Modules: []token.ModuleReport{{Path: "/ok.so", State: token.ModuleLoaded, Tokens: []token.TokenReport{
		{Label: "t", Certificates: []token.CertReport{{RFC: "GOAM800101AB1"}}}}}}}, i18n.ES)
	if got := statusOf(noID, "key"); len(got) != 1 || got[0] != doctor.Warning {
		t.Errorf("no CKA_ID: %v", got)
	}
	// No driver and no token: no token items (issue 14 §3).
	if cs := TokenChecks(token.Report{Modules: []token.ModuleReport{{Path: "/x", State: token.ModuleMissing}}}, i18n.ES); len(cs) != 0 {
		t.Fatalf("no modules: %+v, want no token items", cs)
	}
	// A driver and its symlink are one driver. Unix-only: Windows drivers
	// are not installed as symlinks, and making one needs a privilege.
	if runtime.GOOS == "windows" {
		return
	}
	dir := t.TempDir()
	lib := filepath.Join(dir, "libtoken.so.1.2")
	if err := os.WriteFile(lib, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "libtoken.so")
	if err := os.Symlink(lib, link); err != nil {
		t.Fatal(err)
	}
	cs = TokenChecks(token.Report{Modules: []token.ModuleReport{{Path: link, State: token.ModuleLoaded}, {Path: lib, State: token.ModuleLoaded}}}, i18n.ES)
	if len(cs) != 1 || cs[0].ID != "pkcs11-token" {
		t.Fatalf("a driver and its symlink: %+v, want one item", cs)
	}
}
