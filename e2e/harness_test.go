// Package e2e drives the real extension in Debian's Chromium (headless=new)
// with chromedp, against the real host (bin/efirma built from this tree) and
// the demo portal. Everything lives in temporary folders: EFIRMA_HOME, the
// browser profile (whose NativeMessagingHosts/ registers the host) and the
// servers on loopback.
//
// Without chromium the tests skip, except under CI=true where that is a
// failure.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/protocol"
)

// rig is one browser with the extension, one host registration and the
// servers the tests use.
type rig struct {
	t         *testing.T
	root      string // repository root
	fixtures  string // ../shared/fixtures/sat
	tmp       string
	efirma    string // host binary
	home      string // EFIRMA_HOME
	profile   string // --user-data-dir
	pidFile   string // the wrapper writes the running host's PID here
	browser   context.Context
	extID     string
	certIDs   map[string]string // fixture folder → certificate id
	uiSpanish bool              // chrome.i18n.getUILanguage() is Spanish
}

func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("EFIRMA_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found (CI=true): install Debian's chromium package")
	}
	t.Skip("chromium not found; install Debian's chromium package to run the end-to-end tests")
	return ""
}

// binDir holds the binaries built once for all tests of this package.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "efirma-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goBuild builds pkg (once per test binary) and returns the binary's path.
func goBuild(t *testing.T, root, _, pkg, name string) string {
	t.Helper()
	out := filepath.Join(binDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func cgo() string {
	if v := os.Getenv("CGO_ENABLED"); v != "" {
		return v
	}
	return "1"
}

// freePort returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func newRig(t *testing.T) *rig {
	chromium := chromiumPath(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, root: root, fixtures: filepath.Join(root, "..", "shared", "fixtures", "sat"), tmp: t.TempDir(), extID: extension.DevID, certIDs: map[string]string{}}
	if _, err := os.Stat(r.fixtures); err != nil {
		t.Fatalf("SAT test credentials missing at %s: %v", r.fixtures, err)
	}
	r.efirma = goBuild(t, root, r.tmp, "./host/cmd/efirma", "efirma")
	r.home = filepath.Join(r.tmp, "home")
	r.profile = filepath.Join(r.tmp, "profile")
	r.pidFile = filepath.Join(r.tmp, "host.pid")
	for _, d := range []string{"eku9003173c9-fiel", "eku9003173c9-fiel-expired-2023", "eku9003173c9-csd"} {
		r.importCredential(d)
	}
	r.registerHost()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(r.profile),
	}
	opts = append(opts, chromedp.DefaultExecAllocatorOptions[:]...)
	extDir := filepath.Join(root, "extension")
	opts = append(opts,
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-extensions", false),
		chromedp.Flag("load-extension", extDir),
		chromedp.Flag("disable-extensions-except", extDir),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "es-MX"),
		chromedp.Env("LANGUAGE=es_MX:es", "LANG=es_MX.UTF-8"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	r.browser = browser
	r.waitServiceWorker()
	ctx, cancel := r.tab("chrome-extension://" + r.extID + "/popup.html")
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`chrome.i18n.getUILanguage()`))
	cancel()
	if err != nil {
		t.Fatalf("UI language: %v", err)
	}
	r.uiSpanish = strings.HasPrefix(lang, "es")
	if !r.uiSpanish {
		t.Logf("Chromium's UI language is %s (install chromium-l10n for Spanish); the extension's pages are checked in English", lang)
	}
	return r
}

// importCredential imports a fixture folder into EFIRMA_HOME with the CLI.
func (r *rig) importCredential(dir string) {
	t := r.t
	cmd := exec.Command(r.efirma, "import", "--json", "--password-stdin",
		"--cer", filepath.Join(r.fixtures, dir, "certificate.cer"),
		"--key", filepath.Join(r.fixtures, dir, "private_key.key"))
	cmd.Env = append(os.Environ(), "EFIRMA_HOME="+r.home)
	cmd.Stdin = strings.NewReader("12345678a\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("efirma import %s: %v\n%s", dir, err, out)
	}
	var info protocol.CertInfo
	if err := json.Unmarshal(out, &info); err != nil || info.ID == "" {
		// Some versions wrap the result; find the id anyway.
		var wrap struct {
			Certificate protocol.CertInfo `json:"certificate"`
		}
		if json.Unmarshal(out, &wrap) != nil || wrap.Certificate.ID == "" {
			t.Fatalf("efirma import %s: no id in %s", dir, out)
		}
		info = wrap.Certificate
	}
	r.certIDs[dir] = info.ID
}

// registerHost writes the native-messaging manifest into the profile, pointing
// at a wrapper that sets EFIRMA_HOME and development origins and records the
// host's PID (exec keeps it).
func (r *rig) registerHost() {
	t := r.t
	wrapper := filepath.Join(r.tmp, "efirma-host.sh")
	script := fmt.Sprintf("#!/bin/sh\necho $$ > %q\nEFIRMA_HOME=%q EFIRMA_DEV_ORIGINS=1 exec %q \"$@\"\n", r.pidFile, r.home, r.efirma)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	m := map[string]any{
		"name":            protocol.HostName,
		"description":     "Conector e.firma (e2e)",
		"path":            wrapper,
		"type":            "stdio",
		"allowed_origins": extension.AllowedOrigins(),
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	dir := filepath.Join(r.profile, "NativeMessagingHosts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.hostManifest(), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) hostManifest() string {
	return filepath.Join(r.profile, "NativeMessagingHosts", protocol.HostName+".json")
}

func (r *rig) waitServiceWorker() {
	want := "chrome-extension://" + r.extID + "/background.js"
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ts, err := chromedp.Targets(r.browser)
		if err == nil {
			for _, ti := range ts {
				if ti.URL == want {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("the extension's service worker (%s) did not start: is the ID right?", want)
}

// tab opens a new tab at url.
func (r *rig) tab(url string) (context.Context, context.CancelFunc) {
	r.t.Helper()
	ctx, cancel := chromedp.NewContext(r.browser)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		cancel()
		r.t.Fatalf("open %s: %v", url, err)
	}
	return ctx, cancel
}

// consentTargets lists the consent windows open now.
func (r *rig) consentTargets() []*target.Info {
	ts, err := chromedp.Targets(r.browser)
	if err != nil {
		r.t.Fatalf("targets: %v", err)
	}
	var out []*target.Info
	for _, ti := range ts {
		if ti.Type == "page" && strings.HasPrefix(ti.URL, "chrome-extension://"+r.extID+"/consent.html") {
			out = append(out, ti)
		}
	}
	return out
}

// waitConsent waits for the consent window and attaches to it.
func (r *rig) waitConsent() (context.Context, context.CancelFunc) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ts := r.consentTargets(); len(ts) > 0 {
			ctx, cancel := chromedp.NewContext(r.browser, chromedp.WithTargetID(ts[0].TargetID))
			if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#aceptar"))); err != nil {
				cancel()
				r.t.Fatalf("consent window: %v", err)
			}
			return ctx, cancel
		}
		time.Sleep(25 * time.Millisecond)
	}
	r.t.Fatal("the consent window did not open")
	return nil, nil
}

// noConsentFor checks that no consent window appears within d.
func (r *rig) noConsentFor(d time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ts := r.consentTargets(); len(ts) > 0 {
			r.t.Fatalf("a consent window opened: %s", ts[0].URL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitClosed waits until no consent window is left.
func (r *rig) waitClosed() {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if len(r.consentTargets()) == 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	r.t.Fatal("the consent window stayed open")
}

// setDeveloperMode flips the switch in the options page, like a person.
func (r *rig) setDeveloperMode(on bool) {
	r.t.Helper()
	ctx, cancel := r.tab("chrome-extension://" + r.extID + "/options.html")
	defer cancel()
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#modo-desarrollador").checked`))
	if err != nil {
		r.t.Fatalf("developer switch: %v", err)
	}
	if checked != on {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#modo-desarrollador"))); err != nil {
			r.t.Fatalf("developer switch: %v", err)
		}
	}
	js := fmt.Sprintf(`(async () => (await chrome.storage.local.get("developerMode")).developerMode === %v)()`, on)
	if _, err := waitJS[bool](ctx, js, 5*time.Second); err != nil {
		r.t.Fatalf("developer switch did not become %v: %v", on, err)
	}
}

// hostPID is the PID of the host process started last (the wrapper records it).
func (r *rig) hostPID() int {
	r.t.Helper()
	b, err := os.ReadFile(r.pidFile)
	if err != nil {
		r.t.Fatalf("host pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		r.t.Fatalf("host pid %q: %v", b, err)
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

// startDemoPortal builds and starts the demo portal on a free port.
func (r *rig) startDemoPortal(addr string) string {
	t := r.t
	bin := goBuild(t, r.root, r.tmp, "./portal/cmd/demo-portal", "demo-portal")
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-addr", addr, "-ca-dir", filepath.Join(r.fixtures, "ca", "test"))
	cmd.Dir = r.root
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("demo portal output:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/efirma.js"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("demo portal did not start on %s:\n%s", addr, logs.String())
	return ""
}

// waitJS evaluates expr in the page's main world every 50 ms until it gives a
// value that is not null, undefined or false, and returns it. (chromedp.Poll
// may pick the content script's isolated world on pages where the extension
// runs, so the tests poll with plain evaluations.)
func waitJS[T any](ctx context.Context, expr string, within time.Duration) (T, error) {
	deadline := time.Now().Add(within)
	var last error
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[*T](`(async () => { const v = await (`+expr+`); return v === false ? null : v; })()`, chromedp.EvalAwaitPromise))
		if err == nil && v != nil {
			return *v, nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			var zero T
			if last == nil {
				last = errors.New("still not true")
			}
			return zero, fmt.Errorf("waiting for %s: %w", expr, last)
		}
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
