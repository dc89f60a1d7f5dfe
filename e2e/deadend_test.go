package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/protocol"
)

// TestNoUsableCertificate (issue 14 §1): with only certificates that cannot
// do what the site asked (an expired FIEL, a CSD, a FIEL not valid yet, or
// a mix), the consent window says so in one sentence with the reason and
// the way out, the accept button and the password are disabled, every row
// says why inline, and when the person closes the window (Cerrar or the
// window's own close) the page receives the specific code — never
// ERR_USER_CANCELLED.
func TestNoUsableCertificate(t *testing.T) {
	r := newRig(t)
	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))
	creds := filepath.Join(r.root, "testdata", "creds")
	sat := func(d string) [2]string {
		return [2]string{filepath.Join(r.fixtures, d, "certificate.cer"), filepath.Join(r.fixtures, d, "private_key.key")}
	}
	gen := func(d string) [2]string {
		return [2]string{filepath.Join(creds, d, "certificate.cer"), filepath.Join(creds, d, "private_key.key")}
	}
	cases := []struct {
		name  string
		pairs [][2]string
		code  string
		// sentence is a part of the window's message (the page library's
		// text, Spanish); why are the inline reasons (_locales keys).
		sentence string
		why      []string
		closeByX bool
	}{
		{"only an expired FIEL", [][2]string{sat("eku9003173c9-fiel-expired-2023")}, "ERR_CERT_EXPIRED", "CertiSAT Web", []string{"cert_why_expired"}, false},
		{"only a CSD", [][2]string{sat("eku9003173c9-csd")}, "ERR_NOT_FIEL", "otro par de archivos", []string{"cert_why_csd"}, true},
		{"a FIEL not valid yet", [][2]string{gen("fiel-not-yet-valid")}, "ERR_CERT_NOT_YET_VALID", "fecha", []string{"cert_why_not_yet_valid"}, false},
		{"an expired FIEL beside a CSD", [][2]string{sat("eku9003173c9-fiel-expired-2023"), sat("eku9003173c9-csd")}, "ERR_CERT_EXPIRED", "CertiSAT Web", []string{"cert_why_expired", "cert_why_csd"}, false},
		{"an expired FIEL beside one not valid yet", [][2]string{sat("eku9003173c9-fiel-expired-2023"), gen("fiel-not-yet-valid")}, "ERR_NO_USABLE_CERTIFICATE", "Ninguno", []string{"cert_why_expired", "cert_why_not_yet_valid"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			home := t.TempDir()
			ids := map[string]protocol.CertInfo{}
			for _, p := range tc.pairs {
				info, err := chromerig.Import(r.efirma, home, p[0], p[1], "12345678a")
				if err != nil {
					t.Fatal(err)
				}
				ids[info.ID] = info
			}
			r.useHost(t, r.efirma, home, chromerig.HostOptions{})

			ctx, cancel := r.tab(base + "/")
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder")), chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
				t.Fatal(err)
			}
			cctx, ccancel := r.waitConsent()
			defer ccancel()
			type window struct {
				Code, Text   string
				Accept, Pass bool // disabled
				Why          map[string]string
				Cancel       string
			}
			w, err := waitJS[window](cctx, `!document.querySelector("#sin-uso").hidden && {
				code: document.querySelector("#sin-uso").dataset.code,
				text: document.querySelector("#sin-uso").textContent,
				accept: document.querySelector("#aceptar").disabled,
				pass: document.querySelector("#password").disabled,
				why: Object.fromEntries([...document.querySelectorAll("#certificados label")].map(l => [l.querySelector("input").value, l.querySelector(".why")?.textContent || ""])),
				cancel: document.querySelector("#cancelar").textContent,
			}`, 10*time.Second)
			if err != nil {
				t.Fatalf("the consent window does not say why nothing can be used: %v", err)
			}
			if w.Code != tc.code {
				t.Errorf("#sin-uso data-code = %q, want %s", w.Code, tc.code)
			}
			if r.uiSpanish && !strings.Contains(w.Text, tc.sentence) {
				t.Errorf("#sin-uso = %q, want it to contain %q", w.Text, tc.sentence)
			}
			if !w.Accept || !w.Pass {
				t.Errorf("accept disabled %v, password disabled %v: want both disabled", w.Accept, w.Pass)
			}
			if w.Cancel != r.msg("consent_close") {
				t.Errorf("#cancelar = %q, want %q", w.Cancel, r.msg("consent_close"))
			}
			if len(w.Why) != len(tc.pairs) {
				t.Errorf("rows %v, want %d", w.Why, len(tc.pairs))
			}
			var whys []string
			for id, why := range w.Why {
				if _, ok := ids[id]; !ok {
					t.Errorf("row for unknown certificate %s", id)
				}
				whys = append(whys, why)
			}
			for _, key := range tc.why {
				found := false
				for _, got := range whys {
					found = found || got == r.msg(key)
				}
				if !found {
					t.Errorf("no row says %q inline: %v", r.msg(key), w.Why)
				}
			}
			if tc.closeByX {
				// The window's own close: the service worker sees it go.
				if _, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`window.close(), true`)); err != nil {
					t.Logf("close: %v", err)
				}
			} else if err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS("#cancelar"))); err != nil && !strings.Contains(err.Error(), "target detached") && !strings.Contains(err.Error(), "target closed") {
				// «Cerrar» closes its own window: chromedp may see the target
				// go before its click action returns; waitClosed checks it did.
				t.Fatal(err)
			}
			r.waitClosed()
			type shown struct{ Code, Message string }
			e, err := waitJS[shown](ctx, `!document.querySelector("#error").hidden && {code: document.querySelector("#error").dataset.code, message: document.querySelector("#error").textContent}`, 10*time.Second)
			if err != nil || e.Code != tc.code {
				t.Fatalf("portal error = %+v (%v), want %s", e, err, tc.code)
			}
			if strings.Contains(e.Message, "cancel") {
				t.Errorf("the portal speaks of cancelling: %q", e.Message)
			}
		})
	}
}
