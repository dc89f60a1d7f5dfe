package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestDiagnostics opens the extension's "Diagnóstico" page with the three
// imported SAT test certificates (a valid FIEL, the same RFC's expired FIEL,
// a CSD): the
// browser-side and the host's checks are listed with their statuses, and
// "Copiar informe" yields a report where the RFC, CURP, name and certificate
// numbers are masked.
func TestDiagnostics(t *testing.T) {
	r := newRig(t)
	origin := r.b.ExtensionURL("")
	origin = strings.TrimSuffix(origin, "/")
	// Let the page write to the clipboard without a person's gesture, and
	// the test read it back.
	if err := chromedp.Do(r.browser, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var res struct{}
		return tg.Call(ctx, "Browser.grantPermissions", map[string]any{
			"origin":      origin,
			"permissions": []browser.PermissionType{browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite},
		}, &res)
	})); err != nil {
		t.Logf("clipboard permission: %v", err)
	}
	ctx, cancel := r.tab(r.b.ExtensionURL("diagnostics.html"))
	defer cancel()
	if _, err := waitJS[bool](ctx, `document.body.dataset.ready === "true"`, 20*time.Second); err != nil {
		t.Fatalf("the checks did not finish: %v", err)
	}
	type check struct{ ID, Status, From, Title, Certificate, Reason string }
	checks, err := chromedp.Run(ctx, chromedp.Evaluate[[]check](`[...document.querySelectorAll("#checks li[data-id]")].map(li => ({
		id: li.dataset.id, status: li.dataset.status, from: li.dataset.from,
		title: li.querySelector(".titulo")?.textContent || "", certificate: li.querySelector(".certificado")?.textContent || "",
		reason: li.querySelector(".motivo")?.textContent || "",
	}))`))
	if err != nil {
		t.Fatal(err)
	}
	has := func(id, status, from string) bool {
		for _, c := range checks {
			if c.ID == id && c.Status == status && c.From == from {
				return true
			}
		}
		return false
	}
	for _, want := range []struct{ id, status, from string }{
		{"extension", "ok", "browser"},
		{"host-installed", "ok", "browser"},
		{"versions", "ok", "browser"},
		// The host's own checks arrived: one per certificate state.
		{"validity", "ok", "host"},
		// The expired FIEL sits beside its renewal (same RFC, valid):
		// a warning, not an error (host/doctor since b5fa6d8).
		{"expired", "warning", "host"},
		{"csd", "warning", "host"},
		// The host finds its own registration in this Chromium's profile
		// (it inherits HOME from the browser).
		{"host-registration", "ok", "host"},
	} {
		if !has(want.id, want.status, want.from) {
			t.Errorf("no check %s=%s from %s in %+v", want.id, want.status, want.from, checks)
		}
	}
	summary, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#resumen").dataset.status`))
	if err != nil || summary != "warning" {
		t.Errorf("#resumen data-status = %q (%v), want warning (the expired FIEL beside its renewal, the CSD)", summary, err)
	}

	// Issue 14 §3: the answer first, a short checklist, details folded.
	problems := 0
	titles := map[string]int{}
	for _, c := range checks {
		if c.Status == "warning" || c.Status == "error" {
			problems++
		}
		if strings.HasPrefix(c.ID, "pkcs11-") {
			titles[c.Title]++
		}
		if c.ID == "validity" && r.uiSpanish && !strings.Contains(c.Reason, " de mayo de 2027") {
			t.Errorf("validity reason %q: want the date as «17 de mayo de 2027»", c.Reason)
		}
	}
	for title, n := range titles {
		if n > 1 {
			t.Errorf("token driver item %q shown %d times", title, n)
		}
	}
	type answer struct {
		Answer, Text, First string
		Short               []string
		Open                bool
	}
	a, err := chromedp.Run(ctx, chromedp.Evaluate[answer](`({
		answer: document.querySelector("#resumen").dataset.answer, text: document.querySelector("#resumen").textContent,
		first: document.querySelector("#primero").hidden ? "" : document.querySelector("#primero").textContent,
		short: [...document.querySelectorAll("#lista-corta li")].map(li => li.dataset.group + "=" + li.dataset.status),
		open: document.querySelector("#detalles").open,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Answer != "problems" || a.Text != r.msg("diag_problems", fmt.Sprint(problems)) || a.First == "" {
		t.Errorf("answer = %+v, want %q and the first problem (%d warnings/errors)", a, r.msg("diag_problems", fmt.Sprint(problems)), problems)
	}
	if len(a.Short) < 3 || len(a.Short) > 6 || a.Open {
		t.Errorf("short checklist %v (details open %v): want 3–6 groups and the details folded", a.Short, a.Open)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#copiar"))); err != nil {
		t.Fatal(err)
	}
	notice, err := waitJS[string](ctx, `!document.querySelector("#aviso").hidden && document.querySelector("#aviso").textContent`, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	report, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#informe").value`))
	if err != nil || len(report) < 200 {
		t.Fatalf("#informe = %q (%v)", report, err)
	}
	if notice == r.text("Informe copiado. Péguelo en su mensaje a soporte.", "Report copied. Paste it into your message to support.") {
		clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Logf("clipboard not readable here: %v", err)
		} else if clip != report {
			t.Errorf("clipboard holds %q, #informe %q", clip, report)
		}
	} else {
		t.Logf("the page could not copy (%q); checking the report it shows", notice)
	}

	fiel := r.certs["eku9003173c9-fiel"]
	if !strings.Contains(report, "EKU9******C9") {
		t.Errorf("the report does not show the masked RFC EKU9******C9:\n%s", report)
	}
	secrets := []string{fiel.RFC, fiel.Name}
	if fiel.CURP != "" {
		secrets = append(secrets, fiel.CURP)
	}
	for _, d := range fixtureDirs {
		secrets = append(secrets, r.certs[d].Serial)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(report, s) {
			t.Errorf("the report shows %q in full:\n%s", s, report)
		}
	}
}
