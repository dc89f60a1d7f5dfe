package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
)

// TestForbiddenExtensionID (issue 7 §1 cause 4): the host manifest's
// allowed_origins lists another extension, so Chromium itself refuses the
// connection ("Access to the specified native messaging host is
// forbidden."). The Diagnóstico page names it — host-allowed is an error
// with this extension's ID and the fix — and the page library on the demo
// portal reports ERR_HOST_FORBIDDEN, at status() and at login, with no
// consent window.
func TestForbiddenExtensionID(t *testing.T) {
	r := newRig(t)
	const other = "abcdefghijklmnopabcdefghijklmnop"
	r.useHost(t, r.efirma, r.home, chromerig.HostOptions{AllowedOrigins: []string{"chrome-extension://" + other + "/"}})
	if got := lastNativeError(t, r.b); got != "Access to the specified native messaging host is forbidden." {
		t.Fatalf("Chromium said %q, want its refusal for an extension the manifest does not allow", got)
	}

	d := diagnose(t, r.b)
	if c := d.one(t, "host-installed", ""); c.Status != "ok" || c.Reason != r.msg("diag_host_registered") {
		t.Errorf("host-installed = %+v, want ok: registered", c)
	}
	c := d.one(t, "host-allowed", "")
	if c.Status != "error" || c.Reason != r.msg("diag_forbidden", r.extID) || c.Fix != r.msg("diag_forbidden_fix", r.extID) {
		t.Errorf("host-allowed = %+v\nwant error %q, fix %q", c, r.msg("diag_forbidden", r.extID), r.msg("diag_forbidden_fix", r.extID))
	}
	for _, id := range []string{"versions", "host-checks"} {
		if c := d.one(t, id, ""); c.Status != "not-checked" {
			t.Errorf("%s = %+v, want not-checked (the host was not reached)", id, c)
		}
	}
	if d.Summary != "error" {
		t.Errorf("#resumen data-status = %q, want error", d.Summary)
	}
	if pids := r.runningHosts(); len(pids) != 0 {
		t.Errorf("Chromium started the host %v for an extension it does not allow", pids)
	}

	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))
	ctx, cancel := r.tab(base + "/")
	defer cancel()
	type state struct{ Estado, Codigo, Text string }
	st, err := waitJS[state](ctx, `document.querySelector("#estado-extension")?.dataset.estado && {estado: document.querySelector("#estado-extension").dataset.estado, codigo: document.querySelector("#estado-extension").dataset.codigo || "", text: document.querySelector("#estado-extension").textContent}`, 10*time.Second)
	if err != nil || st.Estado != "sin-conector" || st.Codigo != "ERR_HOST_FORBIDDEN" {
		t.Fatalf("portal home #estado-extension = %+v (%v), want sin-conector with ERR_HOST_FORBIDDEN", st, err)
	}
	// The page library's own Spanish hint (page/efirma.js MESSAGES).
	if !strings.Contains(st.Text, "Reinstale el conector e.firma") {
		t.Errorf("portal home does not explain the refusal: %q", st.Text)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	type shown struct{ Code, Message, Hint string }
	e, err := waitJS[shown](ctx, `!document.querySelector("#error").hidden && {code: document.querySelector("#error").dataset.code, message: document.querySelector("#error .mensaje").textContent, hint: document.querySelector("#error .pista").textContent}`, 10*time.Second)
	if err != nil || e.Code != "ERR_HOST_FORBIDDEN" || e.Message != "El conector e.firma no permite el acceso a esta extensión." {
		t.Fatalf("login error = %+v (%v), want ERR_HOST_FORBIDDEN in Spanish", e, err)
	}
	r.noConsentFor(300 * time.Millisecond)
}

// TestOldHostVersion (cause 5): a host stamped 0.0.1, below the extension's
// MIN_HOST_VERSION (0.1.0), answers hello; the Diagnóstico page's versions
// item is an error naming both versions, with the update fix, while the
// host itself is found and allowed.
func TestOldHostVersion(t *testing.T) {
	r := newRig(t)
	old := filepath.Join(r.bin, "efirma-0.0.1")
	if err := chromerig.Build(r.root, "./host/cmd/efirma", old, "-X github.com/efirma/conector/host/version.Version=0.0.1"); err != nil {
		t.Fatal(err)
	}
	r.useHost(t, old, r.home, chromerig.HostOptions{})

	d := diagnose(t, r.b)
	c := d.one(t, "versions", "")
	if c.Status != "error" || c.Reason != r.msg("diag_version_old", "0.0.1", "0.1.0") || c.Fix != r.msg("diag_versions_fix") {
		t.Errorf("versions = %+v\nwant error %q with fix %q", c, r.msg("diag_version_old", "0.0.1", "0.1.0"), r.msg("diag_versions_fix"))
	}
	for _, id := range []string{"host-installed", "host-allowed"} {
		if c := d.one(t, id, ""); c.Status != "ok" {
			t.Errorf("%s = %+v, want ok", id, c)
		}
	}
	if !strings.Contains(d.one(t, "host-installed", "").Reason, "0.0.1") {
		t.Errorf("host-installed does not name the running version 0.0.1: %+v", d.one(t, "host-installed", ""))
	}
	if d.Summary != "error" {
		t.Errorf("#resumen data-status = %q, want error", d.Summary)
	}
	if len(hostsOf(old)) == 0 {
		t.Error("the old host is not the one that answered")
	}
}
