package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
)

// TestImportWarnings (issue 14 §2): «Mis certificados» still imports an
// expired FIEL, a CSD and a certificate not issued by SAT as a SAT e.firma,
// but the import message is a warning that says it cannot sign in and why
// (a valid FIEL gets the green success), the list says why on each such
// row, every «Quitar» names its certificate, and the toolbar popup lists
// what cannot sign in.
func TestImportWarnings(t *testing.T) {
	r := newRig(t)
	home := t.TempDir()
	r.useHost(t, r.efirma, home, chromerig.HostOptions{})
	ctx, cancel := r.tab(r.b.ExtensionURL("options.html"))
	defer cancel()

	cases := []struct {
		dir, class, why string
	}{
		{"eku9003173c9-csd", "aviso", "cert_why_csd"},
		{"eku9003173c9-fiel-expired-2023", "aviso", "cert_why_expired"},
		{"not-sat-issuer", "aviso", "cert_why_not_fiel"},
		{"eku9003173c9-fiel", "ok", ""},
	}
	for _, tc := range cases {
		dir := filepath.Join(r.fixtures, tc.dir)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#mensaje").hidden = true`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.WaitReady(chromedp.CSS("#importar-boton")),
			chromedp.SetUploadFiles(chromedp.CSS("#cer"), []string{filepath.Join(dir, "certificate.cer")}),
			chromedp.SetUploadFiles(chromedp.CSS("#key"), []string{filepath.Join(dir, "private_key.key")}),
			chromedp.SendKeys(chromedp.CSS("#key-password"), "12345678a"),
			chromedp.Click(chromedp.CSS("#importar-boton")),
		); err != nil {
			t.Fatal(err)
		}
		type shown struct{ Class, Text, Role string }
		m, err := waitJS[shown](ctx, `!document.querySelector("#mensaje").hidden && {class: document.querySelector("#mensaje").className, text: document.querySelector("#mensaje").textContent, role: document.querySelector("#mensaje").getAttribute("role")}`, 10*time.Second)
		if err != nil {
			t.Fatalf("%s: no import message: %v", tc.dir, err)
		}
		if m.Class != tc.class {
			t.Errorf("%s: import message %q has class %q, want %q", tc.dir, m.Text, m.Class, tc.class)
		}
		if tc.why != "" && !strings.Contains(m.Text, r.msg(tc.why)) {
			t.Errorf("%s: import message %q does not say why (%q)", tc.dir, m.Text, r.msg(tc.why))
		}
		if m.Role != "status" {
			t.Errorf("#mensaje role = %q, want status (announced)", m.Role)
		}
	}

	type row struct{ Why, Status, Label string }
	rows, err := waitJS[[]row](ctx, `document.querySelectorAll("#lista-cuerpo tr").length === 4 && [...document.querySelectorAll("#lista-cuerpo tr")].map(tr => ({why: tr.dataset.why, status: tr.children[4].textContent, label: tr.querySelector("button.quitar").getAttribute("aria-label")}))`, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	whys := map[string]bool{}
	for _, rw := range rows {
		labels[rw.Label] = true
		whys[rw.Why] = true
		if rw.Why != "" && !strings.Contains(rw.Status, r.msg(rw.Why)) {
			t.Errorf("row %+v does not say why inline", rw)
		}
	}
	if len(labels) != 4 {
		t.Errorf("«Quitar» names %v: want four distinct", labels)
	}
	for _, tc := range cases {
		if !whys[tc.why] {
			t.Errorf("no row with data-why %q: %+v", tc.why, rows)
		}
	}

	pctx, pcancel := r.tab(r.b.ExtensionURL("popup.html"))
	defer pcancel()
	items, err := waitJS[[]string](pctx, `!document.querySelector("#no-sirven").hidden && [...document.querySelectorAll("#no-sirven li")].map(li => li.textContent)`, 10*time.Second)
	if err != nil {
		t.Fatalf("the popup does not list what cannot sign in: %v", err)
	}
	joined := strings.Join(items, "\n")
	if len(items) != 2 || !strings.Contains(joined, r.msg("cert_why_csd")) || !strings.Contains(joined, r.msg("cert_why_not_fiel")) {
		t.Errorf("popup #no-sirven = %q, want the CSD and the non-SAT certificate with their reasons", items)
	}
}
