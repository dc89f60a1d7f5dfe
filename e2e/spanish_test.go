package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
)

// TestConsentLanguage checks that the consent window speaks the browser's UI
// language, word for word from the extension's _locales. With Chromium's
// Spanish locale installed (chromium-l10n; CI installs it) and
// LANGUAGE=es_MX:es / --lang=es-419 that must be Spanish; outside CI without
// the package the window is checked in English instead.
func TestConsentLanguage(t *testing.T) {
	r := newRig(t)
	must := os.Getenv("CI") == "true" || chromerig.SpanishLocaleInstalled(r.chromium)
	if must && !r.uiSpanish {
		t.Fatalf("Chromium's UI language is %q, want Spanish (chromium-l10n installed: %v, CI=%q)",
			r.b.UILang, chromerig.SpanishLocaleInstalled(r.chromium), os.Getenv("CI"))
	}
	locale := r.text("es", "en")
	msgs := readLocale(t, filepath.Join(r.root, "extension", "_locales", locale, "messages.json"))
	english := readLocale(t, filepath.Join(r.root, "extension", "_locales", "en", "messages.json"))

	r.setDeveloperMode(true)
	page := servePage(t, "127.0.0.1")
	ctx, cctx := r.startConsent(t, page, "a", "authenticate", `{challenge: `+challenge+`}`)
	if _, err := waitJS[bool](cctx, `document.querySelector("#operacion").textContent !== ""`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	type shown struct {
		Texts                    map[string]string
		Title, Operation, Accept string
	}
	got, err := chromedp.Run(cctx, chromedp.Evaluate[shown](`({
		texts: Object.fromEntries([...document.querySelectorAll("body [data-i18n]")].map(e => [e.dataset.i18n, e.textContent])),
		title: document.title,
		operation: document.querySelector("#operacion").textContent,
		accept: document.querySelector("#aceptar").textContent,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Texts) < 8 {
		t.Fatalf("only %d localized elements in the consent window: %v", len(got.Texts), got.Texts)
	}
	for key, text := range got.Texts {
		if text != msgs[key] {
			t.Errorf("%s = %q, want %q (%s)", key, text, msgs[key], locale)
		}
	}
	// The window title is "<consent_title> — <site>".
	if !strings.HasPrefix(got.Title, msgs["consent_title"]+" — ") || !strings.HasSuffix(got.Title, page) {
		t.Errorf("title = %q, want %q — %s", got.Title, msgs["consent_title"], page)
	}
	for _, c := range []struct{ what, got, key string }{
		{"#operacion", got.Operation, "consent_op_authenticate"},
		{"#aceptar", got.Accept, "consent_accept_authenticate"},
	} {
		if c.got != msgs[c.key] {
			t.Errorf("%s = %q, want %q", c.what, c.got, msgs[c.key])
		}
		if r.uiSpanish && c.got == english[c.key] {
			t.Errorf("%s = %q is the English text", c.what, c.got)
		}
	}
	if r.uiSpanish && (got.Operation != "Iniciar sesión" || !strings.HasPrefix(got.Title, "Confirmar uso de su e.firma")) {
		t.Errorf("consent window not in Spanish: title %q, operation %q", got.Title, got.Operation)
	}

	if err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS("#cancelar"))); err != nil {
		t.Logf("click cancelar: %v", err)
	}
	if out := result(t, ctx, "a", 5*time.Second); out.Code != "ERR_USER_CANCELLED" {
		t.Errorf("cancel: %+v", out)
	}
	r.waitClosed()
}

// readLocale reads an extension _locales/<lang>/messages.json as key → text.
func readLocale(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = v.Message
	}
	return out
}
