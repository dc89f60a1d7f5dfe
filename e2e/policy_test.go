package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/protocol"
)

// chromiumEtc is where Debian's Chromium reads its managed policies:
// /etc/chromium/policies/managed/*.json (installer/status.go reads the same).
const chromiumEtc = "/etc/chromium"

// startBrowser starts another Chromium with the extension, for a test that
// needs its own: a policy is read at start, onInstalled fires on a fresh
// profile. It is closed at cleanup.
func (r *rig) startBrowser(t *testing.T, chromium, profile string, env []string) *chromerig.Browser {
	t.Helper()
	b, err := chromerig.Start(chromerig.Config{
		Chromium:  chromium,
		Extension: filepath.Join(r.root, "extension"),
		Profile:   profile,
		Lang:      "es-419",
		Env:       env,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// lastNativeError connects to the host from an extension page and returns
// the browser's own runtime.lastError text when the port disconnects.
func lastNativeError(t *testing.T, b *chromerig.Browser) string {
	t.Helper()
	ctx, cancel, err := b.Tab(b.ExtensionURL("pages.css"))
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	msg, err := waitJS[string](ctx, `new Promise((resolve) => {
		const port = chrome.runtime.connectNative(`+jsString(protocol.HostName)+`);
		port.onDisconnect.addListener(() => resolve(chrome.runtime.lastError?.message || "(none)"));
		setTimeout(() => resolve("(still connected)"), 5000);
	})`, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// hostReachable waits until an extension page of b gets an answer to hello
// from the host (sendNativeMessage starts a host for one message).
func hostReachable(t *testing.T, b *chromerig.Browser, within time.Duration) {
	t.Helper()
	ctx, cancel, err := b.Tab(b.ExtensionURL("pages.css"))
	if err != nil {
		t.Error(err)
		return
	}
	defer cancel()
	if _, err := waitJS[bool](ctx, `chrome.runtime.sendNativeMessage(`+jsString(protocol.HostName)+`, {id: "1", command: "hello", params: {}}).then((r) => !!(r && r.result), () => false)`, within); err != nil {
		t.Errorf("the shared browser does not reach the host after the policy file went: %v", err)
	}
}

// TestPolicyBlocksHost (cause 4, IT policy): a managed policy file
// {"NativeMessagingBlocklist": ["mx.efirma.conector"]} in
// /etc/chromium/policies/managed/, read by a Chromium started for this test
// (policy is read at start). Chromium refuses the connection with its own
// text ("…disabled by the system administrator."), the Diagnóstico page
// names the policy (host-allowed error with the fix for IT, host-installed
// not-checked), the page library reports ERR_HOST_BLOCKED, and `efirma
// status --json` with the same policy reports chromium blocked by it.
//
// Chromium has no command-line switch to set a policy in release builds
// (the stored Chromium docs and policy pages show none; policies come from
// the platform: on Linux, files under /etc/chromium/policies), and a running
// Chromium reloads that folder when it changes ("Dynamic Policy Refresh"),
// so a machine-wide blocklist would reach every Chromium on the machine —
// including the other browser tests `go test ./...` runs at the same time.
// So the file is written into a copy of /etc/chromium that only this test's
// processes see: Chromium and `efirma status` run in a private mount
// namespace (`unshare --mount`, root) where the copy is bind-mounted over
// /etc/chromium; the real /etc is never written. Where namespaces are not
// allowed (a container without CAP_SYS_ADMIN) — or with
// EFIRMA_E2E_POLICY=machine — the file goes into the real folder under an
// obviously ours name (efirma-e2e-blocklist-<pid>.json) for the seconds the
// test needs and is removed by a defer and t.Cleanup, also on failure.
// Writing /etc needs root: without it the test skips, or fails under CI=true.
func TestPolicyBlocksHost(t *testing.T) {
	r := newRig(t)
	needRoot(t, "write Chromium's managed policy under /etc/chromium/policies/managed")
	policy := []byte(`{"NativeMessagingBlocklist": ["` + protocol.HostName + `"]}` + "\n")
	name := fmt.Sprintf("efirma-e2e-blocklist-%d.json", os.Getpid())
	tmp := t.TempDir()

	// run wraps a command so that it sees the test's policy.
	run, policyFile, private := privatePolicy(t, name, policy)
	if !private {
		dir := filepath.Join(chromiumEtc, "policies", "managed")
		var made []string // folders this test created, removed after the file
		for d := dir; d != chromiumEtc && d != "/"; d = filepath.Dir(d) {
			if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
				made = append(made, d)
			}
		}
		policyFile = filepath.Join(dir, name)
		remove := func() {
			_ = os.Remove(policyFile)
			for _, d := range made {
				_ = os.Remove(d) // only if still empty
			}
		}
		defer remove()
		t.Cleanup(func() {
			remove()
			// The shared browser may have reloaded the folder meanwhile
			// (Chromium waits for it to settle): wait until it reaches
			// the host again, so that the next tests find it as before.
			hostReachable(t, r.b, 30*time.Second)
		})
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(policyFile, policy, 0o644); err != nil {
			t.Fatal(err)
		}
		run = func(args ...string) []string { return args }
		t.Logf("no private mount namespace (unavailable, or EFIRMA_E2E_POLICY=machine): machine-wide policy file %s for the length of this test", policyFile)
	}

	// The browser: a fresh HOME whose .config/chromium is the profile (so
	// that `efirma status` finds the per-user registration), the host
	// registered there and working — only the policy stands in the way.
	home := filepath.Join(tmp, "user")
	profile := filepath.Join(home, ".config", "chromium")
	if _, err := chromerig.RegisterHost(profile, tmp, r.efirma, r.home); err != nil {
		t.Fatal(err)
	}
	b := r.startBrowser(t, wrapScript(t, run(r.chromium)), profile, []string{"HOME=" + home, "EFIRMA_HOME=" + r.home, "EFIRMA_DEV_ORIGINS=1"})

	if got := lastNativeError(t, b); !strings.Contains(got, "disabled by the system administrator") {
		t.Fatalf("Chromium said %q, want its policy refusal (…disabled by the system administrator.)", got)
	} else {
		t.Logf("Chromium says: %q", got)
	}

	r.t = t
	d := diagnose(t, b)
	if c := d.one(t, "host-allowed", ""); c.Status != "error" || c.Reason != r.msg("diag_blocked") || c.Fix != r.msg("diag_blocked_fix") {
		t.Errorf("host-allowed = %+v\nwant error %q, fix %q", c, r.msg("diag_blocked"), r.msg("diag_blocked_fix"))
	}
	if c := d.one(t, "host-installed", ""); c.Status != "not-checked" || c.Reason != r.msg("diag_blocked_first") {
		t.Errorf("host-installed = %+v, want not-checked: %q", c, r.msg("diag_blocked_first"))
	}
	if d.Summary != "error" {
		t.Errorf("#resumen data-status = %q, want error", d.Summary)
	}

	// The page library on a portal page.
	if err := b.SetDeveloperMode(true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel, err := b.Tab(servePage(t, "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if _, err := waitJS[bool](ctx, `window.ready === true`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	start(t, ctx, "s", "status", `{}`)
	out := result(t, ctx, "s", 10*time.Second)
	host, _ := out.R["host"].(map[string]any)
	herr, _ := host["error"].(map[string]any)
	if !out.OK || host["available"] != false || herr["code"] != "ERR_HOST_BLOCKED" || !strings.Contains(fmt.Sprint(herr["hint"]), "NativeMessagingAllowlist") {
		t.Errorf("status() = %+v, want the host unavailable with ERR_HOST_BLOCKED and the Allowlist hint", out)
	}

	// The installer reads the same folder.
	args := run(r.efirma, "status", "--json", "--browser", "chromium")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+home, "EFIRMA_HOME="+r.home)
	stdout, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("efirma status: %v\n%s", err, stdout)
	}
	if err == nil {
		t.Errorf("efirma status exited 0 with the host blocked for the only browser asked:\n%s", stdout)
	}
	var rep struct {
		Browsers []struct {
			Browser string `json:"browser"`
			Usable  bool   `json:"usable"`
			Notes   []string
			Policy  struct {
				Sources   []string `json:"sources"`
				Blocklist []string `json:"blocklist"`
			} `json:"policy"`
			Targets []struct {
				Scope string `json:"scope"`
				Valid bool   `json:"valid"`
			} `json:"targets"`
		} `json:"browsers"`
	}
	if err := json.Unmarshal(stdout, &rep); err != nil || len(rep.Browsers) != 1 {
		t.Fatalf("efirma status --json: %v\n%s", err, stdout)
	}
	cs := rep.Browsers[0]
	userValid := slices.ContainsFunc(cs.Targets, func(tg struct {
		Scope string `json:"scope"`
		Valid bool   `json:"valid"`
	}) bool {
		return tg.Scope == "user" && tg.Valid
	})
	if cs.Browser != "chromium" || cs.Usable || !slices.Contains(cs.Notes, "blocked_by_policy") ||
		!slices.Contains(cs.Policy.Blocklist, protocol.HostName) || !slices.Contains(cs.Policy.Sources, policyFile) || !userValid {
		t.Errorf("efirma status for chromium = %+v\nwant registered (user, valid), not usable, blocked_by_policy from %s", cs, policyFile)
	}
}

// privatePolicy writes a managed policy file named name into a copy of
// /etc/chromium that only the commands wrapped by run see (a private mount
// namespace, see TestPolicyBlocksHost), and returns run and the path the
// wrapped commands see the file at. ok is false, and nothing is written,
// where mount namespaces are not available or EFIRMA_E2E_POLICY=machine.
func privatePolicy(t *testing.T, name string, policy []byte) (run func(args ...string) []string, policyFile string, ok bool) {
	t.Helper()
	if os.Getenv("EFIRMA_E2E_POLICY") == "machine" || exec.Command("unshare", "--mount", "true").Run() != nil {
		return nil, "", false
	}
	if _, err := os.Stat(chromiumEtc); err != nil {
		t.Skipf("%s does not exist to mount the test's copy over: %v", chromiumEtc, err)
	}
	etc := filepath.Join(t.TempDir(), "etc-chromium")
	if err := copyDir(chromiumEtc, etc); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(etc, "policies", "managed"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "policies", "managed", name), policy, 0o644); err != nil {
		t.Fatal(err)
	}
	run = func(args ...string) []string {
		return append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c",
			`mount --bind "$0" ` + chromiumEtc + ` && exec "$@"`, etc}, args...)
	}
	policyFile = filepath.Join(chromiumEtc, "policies", "managed", name)
	t.Logf("policy in a private mount namespace: %s", policyFile)
	return run, policyFile, true
}

// wrapScript writes a shell script that runs args with its own arguments
// after them (a browser binary for chromerig that runs inside run).
func wrapScript(t *testing.T, args []string) string {
	t.Helper()
	wrapper := filepath.Join(t.TempDir(), "chromium-with-policy.sh")
	script := "#!/bin/sh\nexec"
	for _, a := range args {
		script += " " + shQuote(a)
	}
	script += ` "$@"` + "\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper
}

// TestPolicyDownloadURL (issue 14 §4): the IT kit's linux-json with
// --download-url, as `efirma policy` writes it, in Chromium's managed
// policy folder; the extension's install page (the page the popup and
// Diagnóstico open when the connector is missing) then links to that
// address. Needs a private mount namespace (see TestPolicyBlocksHost): the
// kit's policies are for the extension's own ID, which must not reach the
// shared browser, so there is no machine-wide fallback.
func TestPolicyDownloadURL(t *testing.T) {
	r := newRig(t)
	needRoot(t, "mount Chromium's managed policy folder")
	const download = `https://ti.ejemplo.gob.mx/descargas/efirma/?so=linux&v="1.2"`
	cmd := exec.Command(r.efirma, "policy", "--format", "linux-json", "--browser", "chrome",
		"--extension-id", r.extID, "--portal", "https://portal.ejemplo.gob.mx", "--download-url", download)
	kit, err := cmd.Output()
	if err != nil {
		t.Fatalf("efirma policy: %v", err)
	}
	// The force-install entry names the store, and Chromium gives a
	// force-installed ID precedence over the unpacked extension with that
	// ID (its service worker never starts): the browser gets the kit
	// without that one entry, everything else as written.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(kit, &doc); err != nil {
		t.Fatalf("efirma policy wrote %v:\n%s", err, kit)
	}
	if want := `["` + r.extID + `;https://clients2.google.com/service/update2/crx"]`; string(compactJSON(t, doc["ExtensionInstallForcelist"])) != want {
		t.Errorf("ExtensionInstallForcelist = %s, want %s", doc["ExtensionInstallForcelist"], want)
	}
	delete(doc, "ExtensionInstallForcelist")
	if kit, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	run, _, private := privatePolicy(t, fmt.Sprintf("efirma-e2e-kit-%d.json", os.Getpid()), kit)
	if !private {
		if os.Getenv("CI") == "true" && os.Getenv("EFIRMA_E2E_POLICY") != "machine" {
			t.Fatal("no private mount namespace (unshare --mount) under CI=true")
		}
		t.Skip("no private mount namespace (unavailable, or EFIRMA_E2E_POLICY=machine): the kit's force-install must not reach the shared browser")
	}
	home := filepath.Join(t.TempDir(), "user")
	b := r.startBrowser(t, wrapScript(t, run(r.chromium)), filepath.Join(home, ".config", "chromium"),
		[]string{"HOME=" + home, "EFIRMA_HOME=" + r.home})

	ctx, cancel, err := b.Tab(b.ExtensionURL("install.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	type page struct {
		Managed, Href, Text string
		Shown, NoURLShown   bool
	}
	// Chromium loads the extension's managed storage shortly after start.
	var got page
	for deadline := time.Now().Add(15 * time.Second); ; {
		got, err = waitJS[page](ctx, `document.body.dataset.ready === "true" && (async () => ({
			managed: String((await chrome.storage.managed.get("connectorDownloadUrl")).connectorDownloadUrl),
			href: document.querySelector("#descarga-enlace").href,
			text: document.querySelector("#descarga-enlace").textContent,
			shown: !document.querySelector("#descarga").hidden,
			noURLShown: !document.querySelector("#sin-descarga").hidden,
		}))()`, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got.Shown || time.Now().After(deadline) {
			break
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	// The page shows the address as the browser writes it (quotes in
	// the query percent-encoded).
	const href = `https://ti.ejemplo.gob.mx/descargas/efirma/?so=linux&v=%221.2%22`
	if got.Managed != download || !got.Shown || got.NoURLShown || got.Href != href || got.Text != href {
		t.Fatalf("install page = %+v, want the link to %s from the policy kit", got, href)
	}
}

// compactJSON is raw without insignificant spaces.
func compactJSON(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return b.Bytes()
}

// copyDir copies the regular files and folders of src into dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o644)
		}
		return nil
	})
}

// shQuote quotes s for /bin/sh.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// needRoot skips the test when it does not run as root (what it needs root
// for: to do), and fails it under CI=true, which runs as root.
func needRoot(t *testing.T, to string) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the policy test needs root to %s (CI=true runs as root)", to)
	}
	t.Skipf("not root: cannot %s (run as root, as CI does)", to)
}
