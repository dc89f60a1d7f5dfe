package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
)

// diagCheck is one item of the Diagnóstico checklist as the page shows it.
type diagCheck struct {
	ID, Status, From, Title, Reason, Fix, Certificate string
}

// diagnosis is what the Diagnóstico page showed after one run.
type diagnosis struct {
	Checks  []diagCheck
	Summary string // #resumen[data-status]
}

// find returns the checks with id (and, when certificate is not empty, for
// that certificate).
func (d diagnosis) find(id, certificate string) []diagCheck {
	var out []diagCheck
	for _, c := range d.Checks {
		if c.ID == id && (certificate == "" || c.Certificate == certificate) {
			out = append(out, c)
		}
	}
	return out
}

// one returns the only check with id (and certificate), failing otherwise.
func (d diagnosis) one(t *testing.T, id, certificate string) diagCheck {
	t.Helper()
	got := d.find(id, certificate)
	if len(got) != 1 {
		t.Fatalf("want one check %q (certificate %q), got %d in %+v", id, certificate, len(got), d.Checks)
	}
	return got[0]
}

// diagnose opens chrome-extension://<ID>/diagnostics.html in b, waits for
// body[data-ready="true"] and reads the checklist.
func diagnose(t *testing.T, b *chromerig.Browser) diagnosis {
	t.Helper()
	ctx, cancel, err := b.Tab(b.ExtensionURL("diagnostics.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if _, err := waitJS[bool](ctx, `document.body.dataset.ready === "true"`, 30*time.Second); err != nil {
		t.Fatalf("the Diagnóstico page did not finish: %v", err)
	}
	d, err := chromedp.Run(ctx, chromedp.Evaluate[diagnosis](`({
		checks: [...document.querySelectorAll("#checks li[data-id]")].map(li => ({
			id: li.dataset.id, status: li.dataset.status, from: li.dataset.from,
			title: li.querySelector(".titulo")?.textContent || "",
			reason: li.querySelector(".motivo")?.textContent || "",
			fix: [...(li.querySelector(".solucion")?.childNodes || [])].slice(1).map(n => n.textContent).join(""),
			certificate: li.querySelector(".certificado")?.textContent || "",
		})),
		summary: document.querySelector("#resumen").dataset.status,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// msg is the extension's message key in the browser's UI language, with
// $1… substituted as chrome.i18n.getMessage does.
func (r *rig) msg(key string, subs ...string) string {
	r.t.Helper()
	lang := "en"
	if r.uiSpanish {
		lang = "es"
	}
	b, err := os.ReadFile(filepath.Join(r.root, "extension", "_locales", lang, "messages.json"))
	if err != nil {
		r.t.Fatal(err)
	}
	var m map[string]struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatal(err)
	}
	s, ok := m[key]
	if !ok {
		r.t.Fatalf("no message %q in _locales/%s", key, lang)
	}
	out := s.Message
	for i := len(subs); i >= 1; i-- {
		out = strings.ReplaceAll(out, fmt.Sprintf("$%d", i), subs[i-1])
	}
	return out
}

// hostsOf lists the running processes whose executable is exe.
func hostsOf(exe string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		p, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && strings.TrimSuffix(p, " (deleted)") == exe {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killHostsOf ends the hosts running exe (another build than r.efirma) and
// waits until they are gone, so that the extension's next request starts a
// host from whatever manifest is registered then.
func killHostsOf(t *testing.T, exe string) {
	t.Helper()
	pids := hostsOf(exe)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(hostsOf(exe)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("host processes %v did not end", hostsOf(exe))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(pids) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
}

// useHost registers another host (build, EFIRMA_HOME, environment or
// allowed origins) in the shared browser's profile for the rest of the
// test, ending the running hosts so that the next request starts it; the
// test's own registration is back at cleanup.
func (r *rig) useHost(t *testing.T, efirma, home string, o chromerig.HostOptions) *chromerig.Host {
	t.Helper()
	h, err := chromerig.RegisterHostWith(r.profile, t.TempDir(), efirma, home, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.t = t
		killHostsOf(t, efirma)
		r.killHosts()
		r.registerHost()
	})
	r.t = t
	killHostsOf(t, efirma)
	r.killHosts()
	return h
}

// efirmaCmd runs the test's efirma with EFIRMA_HOME=home (and env) and
// returns its stdout; a failure is fatal.
func (r *rig) efirmaCmd(t *testing.T, home string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(r.efirma, args...)
	cmd.Env = append(append(os.Environ(), "EFIRMA_HOME="+home), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("efirma %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out
}
