// Package e2e drives the real extension in Debian's Chromium (headless=new)
// with chromedp, against the real host (bin/efirma built from this tree) and
// the demo portal. The browser rig itself is internal/chromerig, shared with
// `make demo`; this file adapts it to tests.
//
// One browser serves every test of the binary (started by the first test
// that needs it, closed by TestMain); only TestPolicyBlocksHost (a policy
// is read at start), TestExpiryNotification (warnings fire on install) and
// TestSATLogin (SAT's host names mapped to its replica at start) start a
// Chromium of their own. Everything lives in temporary folders:
// a fake HOME whose .config/chromium is the browser profile (so that
// `efirma install --dev --browser chromium` with that HOME registers the host
// where this Chromium looks), EFIRMA_HOME, and the servers on loopback.
//
// Without chromium the tests skip, except under CI=true where that is a
// failure.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/protocol"
)

// hostVersion is stamped into the host built for the tests, so that the
// popup's "version …" can be checked against something this test chose.
const hostVersion = "1.0.0-e2e"

// fixtureDirs are the SAT test credentials every test finds imported.
var fixtureDirs = []string{"eku9003173c9-fiel", "eku9003173c9-fiel-expired-2023", "eku9003173c9-csd"}

// rig is the shared browser with the extension, the host registration and
// the binaries; t is the test using it now.
type rig struct {
	t        *testing.T
	root     string // repository root
	fixtures string // ../shared/fixtures/sat
	tmp      string
	bin      string // built binaries
	efirma   string // host binary
	userHome string // HOME of Chromium and of `efirma install`
	home     string // EFIRMA_HOME
	profile  string // --user-data-dir = userHome/.config/chromium
	chromium string
	host     *chromerig.Host
	b        *chromerig.Browser
	browser  context.Context
	extID    string
	certIDs  map[string]string            // fixture folder → certificate id
	certs    map[string]protocol.CertInfo // fixture folder → what import said
	// uiSpanish: chrome.i18n.getUILanguage() is Spanish.
	uiSpanish bool
}

var shared struct {
	once sync.Once
	r    *rig
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if r := shared.r; r != nil {
		r.b.Close()
		os.RemoveAll(r.tmp)
	}
	os.Exit(code)
}

// newRig returns the shared rig, starting it on first use. A missing
// Chromium skips, or fails under CI=true.
func newRig(t *testing.T) *rig {
	t.Helper()
	chromium, err := chromerig.FindChromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true): %s", err, chromerig.AptInstall)
		}
		t.Skipf("%v; %s to run the end-to-end tests", err, chromerig.AptInstall)
	}
	shared.once.Do(func() { shared.r, shared.err = startRig(chromium) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	r := shared.r
	r.t = t
	if !r.uiSpanish {
		t.Logf("Chromium's UI language is %s (install chromium-l10n for Spanish); the extension's pages are checked in English", r.b.UILang)
	}
	return r
}

func startRig(chromium string) (_ *rig, err error) {
	root, err := chromerig.FindRoot(".")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "efirma-e2e-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	r := &rig{
		root:     root,
		fixtures: filepath.Join(root, "..", "shared", "fixtures", "sat"),
		tmp:      tmp,
		bin:      filepath.Join(tmp, "bin"),
		userHome: filepath.Join(tmp, "user"),
		home:     filepath.Join(tmp, "efirma-home"),
		chromium: chromium,
		certIDs:  map[string]string{},
		certs:    map[string]protocol.CertInfo{},
	}
	r.profile = filepath.Join(r.userHome, ".config", "chromium")
	r.efirma = filepath.Join(r.bin, "efirma")
	if _, err := os.Stat(r.fixtures); err != nil {
		return nil, fmt.Errorf("SAT test credentials missing at %s: %w", r.fixtures, err)
	}
	if err := chromerig.Build(root, "./host/cmd/efirma", r.efirma, "-X github.com/efirma/conector/host/version.Version="+hostVersion); err != nil {
		return nil, err
	}
	// The SAT test credentials are issued by SAT's test CAs, not by the
	// production CAs the host trusts by default: the rig's host is
	// configured as a test environment is (caDir = SAT's test CAs).
	if err := os.MkdirAll(r.home, 0o700); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`{"caDir": %q}`, filepath.Join(r.fixtures, "ca", "test"))
	if err := os.WriteFile(filepath.Join(r.home, "config.json"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	for _, d := range fixtureDirs {
		info, err := chromerig.Import(r.efirma, r.home,
			filepath.Join(r.fixtures, d, "certificate.cer"), filepath.Join(r.fixtures, d, "private_key.key"), "12345678a")
		if err != nil {
			return nil, err
		}
		r.certIDs[d] = info.ID
		r.certs[d] = info
	}
	if r.host, err = chromerig.RegisterHost(r.profile, tmp, r.efirma, r.home); err != nil {
		return nil, err
	}
	// The hosts Chromium starts inherit its environment: with the installer's
	// own manifest (no wrapper) they still use the test's store.
	r.b, err = chromerig.Start(chromerig.Config{
		Chromium:  chromium,
		Extension: filepath.Join(root, "extension"),
		Profile:   r.profile,
		Lang:      "es-419",
		Env:       []string{"HOME=" + r.userHome, "EFIRMA_HOME=" + r.home, "EFIRMA_DEV_ORIGINS=1"},
	})
	if err != nil {
		return nil, err
	}
	r.browser, r.extID, r.uiSpanish = r.b.Ctx, r.b.ExtID, r.b.Spanish()
	return r, nil
}

// goBuild builds pkg once per test binary and returns the binary's path.
func (r *rig) goBuild(pkg, name string) string {
	r.t.Helper()
	out := filepath.Join(r.bin, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := chromerig.Build(r.root, pkg, out, ""); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T, host string) string {
	t.Helper()
	addr, err := chromerig.FreeAddr(host)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func (r *rig) hostManifest() string { return r.host.Manifest }

// registerHost (re)writes the test's own host registration (the wrapper).
func (r *rig) registerHost() {
	r.t.Helper()
	h, err := chromerig.RegisterHost(r.profile, r.tmp, r.efirma, r.home)
	if err != nil {
		r.t.Fatal(err)
	}
	r.host = h
}

// tab opens a new tab at url.
func (r *rig) tab(url string) (context.Context, context.CancelFunc) {
	r.t.Helper()
	ctx, cancel, err := r.b.Tab(url)
	if err != nil {
		r.t.Fatal(err)
	}
	return ctx, cancel
}

// consentTargets lists the consent windows open now.
func (r *rig) consentTargets() []*target.Info {
	r.t.Helper()
	ts, err := r.b.ConsentTargets()
	if err != nil {
		r.t.Fatal(err)
	}
	return ts
}

// waitConsent waits for the consent window and attaches to it.
func (r *rig) waitConsent() (context.Context, context.CancelFunc) {
	r.t.Helper()
	ctx, cancel, err := r.b.WaitConsent(10 * time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	return ctx, cancel
}

// noConsentFor checks that no consent window appears within d.
func (r *rig) noConsentFor(d time.Duration) {
	r.t.Helper()
	if err := r.b.NoConsentFor(d); err != nil {
		r.t.Fatal(err)
	}
}

// waitClosed waits until no consent window is left.
func (r *rig) waitClosed() {
	r.t.Helper()
	if err := r.b.WaitConsentClosed(5 * time.Second); err != nil {
		r.t.Fatal(err)
	}
}

// setDeveloperMode flips the switch in the options page, like a person.
func (r *rig) setDeveloperMode(on bool) {
	r.t.Helper()
	if err := r.b.SetDeveloperMode(on); err != nil {
		r.t.Fatal(err)
	}
}

// choose picks the certificate, types the password and presses Acceder/Firmar.
func (r *rig) choose(ctx context.Context, certID, password string) {
	r.t.Helper()
	if err := chromerig.Choose(ctx, certID, password); err != nil {
		r.t.Fatal(err)
	}
}

// hostPID is the PID of the host process started last (the wrapper records it).
func (r *rig) hostPID() int {
	r.t.Helper()
	pid, err := r.host.PID()
	if err != nil {
		r.t.Fatal(err)
	}
	return pid
}

// text picks the Spanish or English expectation for the extension's own
// pages: they follow the browser's UI language (chrome.i18n), which is
// Spanish only when Chromium has its Spanish locale (chromium-l10n) and
// LANGUAGE=es. The page library's texts are Spanish regardless.
func (r *rig) text(es, en string) string {
	if r.uiSpanish {
		return es
	}
	return en
}

// startDemoPortal starts the demo portal on addr, trusting the SAT test CAs.
func (r *rig) startDemoPortal(addr string) string {
	t := r.t
	t.Helper()
	bin := r.goBuild("./portal/cmd/demo-portal", "demo-portal")
	p, err := chromerig.StartPortal(bin, filepath.Join(r.fixtures, "ca", "test"), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("demo portal output:\n%s", p.Logs())
		}
	})
	return p.URL
}

// runningHosts lists the host processes running now: those whose
// executable is the test's efirma (the wrapper execs it).
func (r *rig) runningHosts() []int { return hostsOf(r.efirma) }

// waitJS is chromerig.WaitJS.
func waitJS[T any](ctx context.Context, expr string, within time.Duration) (T, error) {
	return chromerig.WaitJS[T](ctx, expr, within)
}
