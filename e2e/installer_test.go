package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/protocol"
)

// TestInstaller registers the host with the real `efirma install --dev --browser
// chromium` into the browser's HOME (issue 6 §4): the popup then reports the
// connector installed with its version; after `efirma uninstall` it reports
// it missing, in Spanish, with how to install it.
func TestInstaller(t *testing.T) {
	r := newRig(t)
	manifest := r.hostManifest()
	// Chromium on Linux reads <user-data-dir>/NativeMessagingHosts/, and the
	// profile is $HOME/.config/chromium: the installer's per-user location.
	if err := os.Remove(manifest); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.t = t
		r.killHosts()
		r.registerHost()
	})
	r.killHosts()

	efirma := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(r.efirma, args...)
		cmd.Env = append(os.Environ(), "HOME="+r.userHome, "EFIRMA_HOME="+r.home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("efirma %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// --dev: the unpacked extension under test has the development ID, which
	// a plain install no longer allows (issue 11 F-01).
	out := efirma("install", "--dev", "--browser", "chromium")
	if !strings.Contains(out, manifest) {
		t.Errorf("install does not name %s:\n%s", manifest, out)
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatalf("install did not write the manifest Chromium reads: %v\n%s", err, out)
	}
	var m struct {
		Name           string   `json:"name"`
		Path           string   `json:"path"`
		Type           string   `json:"type"`
		AllowedOrigins []string `json:"allowed_origins"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != protocol.HostName || m.Path != r.efirma || m.Type != "stdio" || !slices.Contains(m.AllowedOrigins, extension.AllowedOrigins()[0]) {
		t.Fatalf("installed manifest %+v: want %s at %s allowing the development ID", m, protocol.HostName, r.efirma)
	}

	t.Run("popup: installed with its version", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(r.b.ExtensionURL("popup.html"))
		defer cancel()
		want := r.text("Conector instalado, versión ", "Connector installed, version ") + hostVersion
		got, err := waitJS[string](ctx, `document.querySelector("#conector").textContent.includes(`+jsString(hostVersion)+`) && document.querySelector("#conector").textContent`, 10*time.Second)
		if err != nil || got != want {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("popup #conector = %q (%v), want %q; page: %q", got, err, want, msg)
		}
		// The host Chromium started from the installed manifest serves the
		// store: the three imported certificates.
		n, err := waitJS[string](ctx, `!document.querySelector("#num-certificados").hidden && document.querySelector("#num-certificados").textContent`, 10*time.Second)
		if err != nil || n != r.text("Certificados: 3", "Certificates: 3") {
			t.Errorf("popup #num-certificados = %q (%v)", n, err)
		}
		if pids := r.runningHosts(); len(pids) == 0 {
			t.Error("no host process runs the installed binary")
		}
	})

	r.t = t
	r.killHosts()
	out = efirma("uninstall", "--browser", "chromium")
	if _, err := os.Stat(manifest); !os.IsNotExist(err) {
		t.Fatalf("uninstall left %s (%v):\n%s", manifest, err, out)
	}

	t.Run("popup: missing, with the explanation", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(r.b.ExtensionURL("popup.html"))
		defer cancel()
		got, err := waitJS[string](ctx, `!document.querySelector("#conector-error").hidden && document.querySelector("#conector").textContent`, 10*time.Second)
		if err != nil || got != r.text("El conector e.firma no está instalado o no responde.", "The e.firma connector is not installed or does not answer.") {
			t.Fatalf("popup #conector = %q (%v)", got, err)
		}
		type shown struct {
			Code, Text string
		}
		e, err := waitJS[shown](ctx, `({code: document.querySelector("#conector-error").dataset.code, text: document.querySelector("#conector-error").textContent})`, 5*time.Second)
		if err != nil || e.Code != "ERR_HOST_NOT_FOUND" {
			t.Fatalf("popup error %+v (%v), want ERR_HOST_NOT_FOUND", e, err)
		}
		for _, want := range []string{
			r.text("El conector e.firma no está instalado en este equipo.", "The e.firma connector is not installed on this computer."),
			r.text("Descargue e instale el conector e.firma", "Download and install the e.firma connector"),
		} {
			if !strings.Contains(e.Text, want) {
				t.Errorf("popup error %q lacks %q", e.Text, want)
			}
		}
	})
}

// killHosts ends every running host so that the next request starts one
// from whatever manifest is registered then (the extension keeps an idle
// connection open for a while).
func (r *rig) killHosts() {
	r.t.Helper()
	pids := r.runningHosts()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(r.runningHosts()) > 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("host processes %v did not end", r.runningHosts())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(pids) > 0 {
		// Let the extension see the disconnect before the next request.
		time.Sleep(200 * time.Millisecond)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
