package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/efirma/conector/internal/chromerig"
)

// axeTags are the rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeSource is axe-core's axe.min.js from e2e/axe (npm ci --prefix e2e/axe).
// Without it the accessibility test skips, except under CI=true.
func axeSource(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "e2e", "axe", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core missing (CI=true): run `npm ci --prefix e2e/axe`: %v", err)
		}
		t.Skipf("axe-core missing: run `npm ci --prefix e2e/axe` to run the accessibility test (%v)", err)
	}
	return string(b)
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// runAxe injects axe-core into the page of ctx (once) and returns the
// WCAG 2.0/2.1 A and AA violations there.
func runAxe(t *testing.T, ctx context.Context, state, src string) []axeViolation {
	t.Helper()
	if loaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`)); !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+"\n;true")); err != nil {
			t.Fatalf("%s: injecting axe-core failed", state)
		}
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag", values: `+tags+`}, resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", state, err)
	}
	return v
}

// checkAxe fails the test on any WCAG 2.0/2.1 A or AA violation in the
// page of ctx, naming the state, the rule and the nodes.
func checkAxe(t *testing.T, ctx context.Context, state, src string) {
	t.Helper()
	v := runAxe(t, ctx, state, src)
	for _, x := range v {
		t.Errorf("%s: axe %s (%s): %s\n\t%s", state, x.ID, x.Impact, x.Help, strings.Join(x.Nodes, "\n\t"))
	}
	if len(v) == 0 {
		t.Logf("%s: 0 violations", state)
	}
}

// activeID is the id of the focused element of ctx's page ("" for none or body).
func activeID(ctx context.Context) string {
	id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement !== document.body ? document.activeElement.id : ""`))
	return id
}

// wantFocus fails unless the element with id has the focus (within a moment).
func wantFocus(t *testing.T, ctx context.Context, id, after string) {
	t.Helper()
	got := ""
	if !chromerig.WaitFor(ctx, 3*time.Second, 50*time.Millisecond, func() bool { got = activeID(ctx); return got == id }) {
		t.Errorf("after %s the focus is on %q, want #%s", after, got, id)
	}
}

// wantRadio fails unless a certificate's radio button has the focus.
func wantRadio(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	if !chromerig.WaitFor(ctx, 3*time.Second, 50*time.Millisecond, func() bool {
		ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement?.name === "certificado"`))
		return ok
	}) {
		t.Errorf("after %s the focus is on %q, want a certificate to choose", after, activeID(ctx))
	}
}

// key presses keys (kb.Tab, kb.Enter, text…) in ctx's page.
func key(t *testing.T, ctx context.Context, keys string, opts ...chromedp.KeyOption) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys, opts...)); err != nil {
		t.Fatal(err)
	}
}

// closing runs an action that closes the consent window of ctx (Cerrar,
// Cancelar, Escape): chromedp may then report the target gone, which is
// the expected outcome (the caller waits for the window to be gone).
func closing(ctx context.Context, a chromedp.Action[chromedp.Void]) {
	_ = chromedp.Do(ctx, a)
}

// tabTo presses Tab (at most 15 times) until the element with id has the focus.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for i := 0; i < 15; i++ {
		if activeID(ctx) == id {
			return
		}
		key(t, ctx, kb.Tab)
	}
	t.Fatalf("15 Tabs did not reach #%s (focus on %q)", id, activeID(ctx))
}

// TestAccessibility (issue 14 §5) runs axe-core (WCAG 2.0/2.1 A and AA) in
// real Chromium on every page state a person meets: the portal's home, its
// cancel note and an error, /inicio, /cita and its form error, the consent
// window for a login, after a wrong password, for a signature, and with no
// usable certificate, the popup, «Mis certificados» with and without its
// error, and Diagnóstico. Any violation fails.
func TestAccessibility(t *testing.T) {
	r := newRig(t)
	src := axeSource(t, r.root)
	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))
	fiel := r.certIDs["eku9003173c9-fiel"]

	ctx, cancel := r.tab(base + "/")
	defer cancel()
	if _, err := waitJS[string](ctx, `document.querySelector("#estado-extension")?.dataset.estado`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "portal home", src)
	// The check can fail: an image without a text alternative is caught.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.body.append(Object.assign(document.createElement("img"), {id: "sin-alt", src: "data:image/gif;base64,R0lGODlhAQABAAAAACw="})), true)`)); err != nil {
		t.Fatal(err)
	}
	if v := runAxe(t, ctx, "portal home with an image without alt", src); len(v) != 1 || v[0].ID != "image-alt" {
		t.Errorf("axe on a page with an image without alt: %+v, want one image-alt violation", v)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector("#sin-alt").remove(), true)`)); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel := r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, cctx, "consent window, login", src)
	r.choose(cctx, fiel, "contraseña-mala")
	if _, err := waitJS[bool](cctx, `document.querySelector("#error").dataset.code === "ERR_WRONG_PASSWORD"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, cctx, "consent window, after a wrong password", src)
	closing(cctx, chromedp.Click(chromedp.CSS("#cancelar")))
	ccancel()
	r.waitClosed()
	if _, err := waitJS[bool](ctx, `!document.querySelector("#error").hidden`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "portal home, cancelled", src)

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel = r.waitConsent()
	r.choose(cctx, fiel, "12345678a")
	defer ccancel() // cancelling the context would close the window before the answer
	if _, err := waitJS[bool](ctx, `location.pathname === "/inicio" && document.readyState === "complete"`, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	r.waitClosed()
	checkAxe(t, ctx, "/inicio", src)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/cita"), chromedp.WaitReady(chromedp.CSS("#solicitar"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "/cita", src)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#solicitar"))); err != nil {
		t.Fatal(err)
	}
	if _, err := waitJS[bool](ctx, `!document.querySelector("#error").hidden`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "/cita, a field missing", src)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#fecha"), time.Now().AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS("#solicitar")),
	); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel = r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#vista-bloque").hidden && !document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, cctx, "consent window, signing", src)
	closing(cctx, chromedp.Click(chromedp.CSS("#cancelar")))
	ccancel()
	r.waitClosed()

	pctx, pcancel := r.tab(r.b.ExtensionURL("popup.html"))
	if _, err := waitJS[bool](pctx, `!document.querySelector("#num-certificados").hidden`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, pctx, "popup", src)
	pcancel()

	octx, ocancel := r.tab(r.b.ExtensionURL("options.html"))
	if _, err := waitJS[bool](octx, `document.querySelectorAll("#lista-cuerpo tr").length > 0`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, octx, "Mis certificados", src)
	if err := chromedp.Do(octx, chromedp.Click(chromedp.CSS("#importar-boton"))); err != nil {
		t.Fatal(err)
	}
	if _, err := waitJS[bool](octx, `!document.querySelector("#mensaje").hidden && document.querySelector("#mensaje").className === "error"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, octx, "Mis certificados, an error", src)
	ocancel()

	dctx, dcancel := r.tab(r.b.ExtensionURL("diagnostics.html"))
	if _, err := waitJS[bool](dctx, `document.body.dataset.ready === "true"`, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, dctx, "Diagnóstico", src)
	dcancel()

	// Nothing usable: the consent window's dead-end state and the portal's error.
	home := t.TempDir()
	if _, err := chromerig.Import(r.efirma, home, filepath.Join(r.fixtures, "eku9003173c9-fiel-expired-2023", "certificate.cer"), filepath.Join(r.fixtures, "eku9003173c9-fiel-expired-2023", "private_key.key"), "12345678a"); err != nil {
		t.Fatal(err)
	}
	r.useHost(t, r.efirma, home, chromerig.HostOptions{})
	hctx, hcancel := r.tab(base + "/salir")
	defer hcancel()
	if err := chromedp.Do(hctx, chromedp.Navigate(base+"/"), chromedp.WaitReady(chromedp.CSS("#acceder")), chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel = r.waitConsent()
	defer ccancel()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#sin-uso").hidden`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, cctx, "consent window, no usable certificate", src)
	closing(cctx, chromedp.Click(chromedp.CSS("#cancelar")))
	r.waitClosed()
	if _, err := waitJS[bool](hctx, `document.querySelector("#error").dataset.code === "ERR_CERT_EXPIRED"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, hctx, "portal home, an error", src)
}

// TestKeyboardOnly (issue 14 §5): login, signing and Diagnóstico with the
// keyboard alone (Tab, Enter, Escape, typing), checking where the focus is
// after every error and cancel: the password field (marked aria-invalid)
// after a wrong password, the portal's button after a cancel (Escape in the
// consent window) or an error, the missing field of the appointment form,
// and «Volver a revisar» after it ran again.
func TestKeyboardOnly(t *testing.T) {
	r := newRig(t)
	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))

	ctx, cancel := r.tab(base + "/")
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, "acceder")
	key(t, ctx, kb.Enter)
	cctx, ccancel := r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFocus(t, cctx, "password", "the consent window opened")
	key(t, cctx, "contraseña-mala")
	key(t, cctx, kb.Enter)
	if _, err := waitJS[bool](cctx, `document.querySelector("#error").dataset.code === "ERR_WRONG_PASSWORD"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFocus(t, cctx, "password", "a wrong password")
	if inv, _ := chromedp.Run(cctx, chromedp.Evaluate[string](`document.querySelector("#password").getAttribute("aria-invalid") || ""`)); inv != "true" {
		t.Errorf("password aria-invalid = %q after a wrong password, want true", inv)
	}
	closing(cctx, chromedp.KeyEvent(kb.Escape))
	ccancel()
	r.waitClosed()
	if _, err := waitJS[bool](ctx, `document.querySelector("#error").dataset.code === "ERR_USER_CANCELLED"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFocus(t, ctx, "acceder", "Escape in the consent window")
	if cls, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#error").className`)); !strings.Contains(cls, "nota") {
		t.Errorf("a cancel is shown as %q, want the neutral note", cls)
	}

	key(t, ctx, kb.Enter)
	cctx, ccancel = r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFocus(t, cctx, "password", "the consent window opened again")
	key(t, cctx, "12345678a")
	key(t, cctx, kb.Enter)
	defer ccancel()
	if _, err := waitJS[bool](ctx, `location.pathname === "/inicio" && document.readyState === "complete"`, 15*time.Second); err != nil {
		pe, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.querySelector("#error")?.textContent + " " + document.querySelector("#progreso")?.textContent`))
		ce, _ := chromedp.Run(cctx, chromedp.Evaluate[string](`document.querySelector("#error").textContent + " | " + document.querySelector("#trabajando").textContent + " | pw=" + document.querySelector("#password").value`))
		t.Fatalf("keyboard login did not reach /inicio: %v; portal: %q; consent: %q", err, pe, ce)
	}
	r.waitClosed()

	// Signing: /cita with the keyboard.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/cita"), chromedp.WaitReady(chromedp.CSS("#solicitar"))); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, "solicitar")
	key(t, ctx, kb.Enter)
	wantFocus(t, ctx, "fecha", "a missing date")
	typeDate(t, ctx, time.Now().AddDate(0, 0, 7))
	tabTo(t, ctx, "solicitar")
	key(t, ctx, kb.Enter)
	cctx, ccancel = r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// Two certificates may sign (the FIEL and the CSD): the choice comes first.
	wantRadio(t, cctx, "the signing window opened")
	closing(cctx, chromedp.KeyEvent(kb.Escape))
	ccancel()
	r.waitClosed()
	wantFocus(t, ctx, "solicitar", "Escape in the signing window")
	key(t, ctx, kb.Enter)
	cctx, ccancel = r.waitConsent()
	if _, err := waitJS[bool](cctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	tabTo(t, cctx, "aceptar")
	key(t, cctx, kb.Enter) // nothing chosen yet
	if _, err := waitJS[bool](cctx, `!document.querySelector("#error").hidden`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	wantRadio(t, cctx, "«Elija un certificado.»")
	// Arrow keys move and choose, as in any radio group.
	for i := 0; i < 4; i++ {
		if v, _ := chromedp.Run(cctx, chromedp.Evaluate[string](`document.querySelector('#certificados input:checked')?.value || ""`)); v == r.certIDs["eku9003173c9-fiel"] {
			break
		}
		key(t, cctx, kb.ArrowDown)
	}
	tabTo(t, cctx, "password")
	key(t, cctx, "12345678a")
	key(t, cctx, kb.Enter)
	defer ccancel() // not before the window closed itself
	if _, err := waitJS[string](ctx, `document.querySelector("#resultado:not([hidden])")?.dataset.folio`, 15*time.Second); err != nil {
		pe, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.querySelector("#error")?.textContent + " " + document.querySelector("#progreso")?.textContent + " fecha=" + document.querySelector("#fecha").value`))
		ce, _ := chromedp.Run(cctx, chromedp.Evaluate[string](`document.querySelector("#error").textContent + " | " + document.querySelector("#trabajando").textContent + " | pw=" + document.querySelector("#password").value.length + " active=" + document.activeElement.id`))
		t.Fatalf("keyboard signing gave no folio: %v; portal %q; consent %q", err, pe, ce)
	}
	r.waitClosed()

	// Diagnóstico: run the checks again from the keyboard.
	dctx, dcancel := r.tab(r.b.ExtensionURL("diagnostics.html"))
	defer dcancel()
	if _, err := waitJS[bool](dctx, `document.body.dataset.ready === "true"`, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	tabTo(t, dctx, "revisar")
	key(t, dctx, kb.Enter)
	if _, err := waitJS[bool](dctx, `document.body.dataset.ready === "true"`, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFocus(t, dctx, "revisar", "«Volver a revisar»")
}

// typeDate types d into the focused <input type=date> the way a person
// does: day, month and year in the order the browser's locale shows them
// (dd/mm/aaaa for Spanish, mm/dd/yyyy for English), then checks the value.
func typeDate(t *testing.T, ctx context.Context, d time.Time) {
	t.Helper()
	want := d.Format("2006-01-02")
	for _, order := range []string{"02012006", "01022006"} {
		key(t, ctx, d.Format(order))
		if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#fecha").value`)); v == want {
			return
		}
		// Back to the first part of the date and try the other order.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector("#fecha").value = "", document.querySelector("#fecha").blur(), document.querySelector("#fecha").focus(), true)`)); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#fecha").value`))
	t.Fatalf("typing the date gave %q, want %s", v, want)
}
