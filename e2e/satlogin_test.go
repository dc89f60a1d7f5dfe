package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/satreplica"
	"github.com/efirma/conector/signing"
)

// lookalike is a host that ends like SAT's login host but is not under
// sat.gob.mx; the test maps it to the same replica.
const lookalike = "loginda.siat.sat.gob.mx.evil.example"

const satButton = "#efirma-sat-login-boton"

// TestSATLogin signs in to the SAT replica (internal/satreplica) in a
// Chromium of its own that reaches it under SAT's real names
// (--host-resolver-rules) and accepts its certificate by SPKI: the button
// «Ingresar con el Conector e.firma» on form#certform, the consent window
// «Iniciar sesión en el SAT», the real SAT test FIEL, and the replica's
// "RFC autenticado". Then the refusals: a wrong password keeps the window
// open, a CSD and an expired FIEL cannot be chosen (and the service worker
// refuses them when asked anyway), www.sat.gob.mx without the form gets no
// button, a look-alike host gets no button and the replica no signature,
// and a replayed token is refused by the replica.
func TestSATLogin(t *testing.T) {
	r := newRig(t)
	certs, err := satreplica.LoadCertificates(r.fixtures)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := satreplica.Start("127.0.0.1:0", satreplica.Config{Certificates: certs, ExtraNames: []string{lookalike}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rep.Close)
	tmp := t.TempDir()
	profile := filepath.Join(tmp, "profile")
	if _, err := chromerig.RegisterHost(profile, tmp, r.efirma, r.home); err != nil {
		t.Fatal(err)
	}
	b, err := chromerig.Start(chromerig.Config{
		Chromium:  r.chromium,
		Extension: filepath.Join(r.root, "extension"),
		Profile:   profile,
		Lang:      "es-419",
		Env:       []string{"HOME=" + tmp, "EFIRMA_HOME=" + r.home},
		HostRules: rep.HostRules(lookalike),
		TrustSPKI: []string{rep.SPKI},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	fiel, csd, expired := r.certIDs["eku9003173c9-fiel"], r.certIDs["eku9003173c9-csd"], r.certIDs["eku9003173c9-fiel-expired-2023"]
	const password = "12345678a"

	tab := func(t *testing.T, url string) context.Context {
		t.Helper()
		ctx, cancel, err := b.Tab(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
		return ctx
	}
	// noButton checks that the replica's page (holding sel) loaded and,
	// after sat-login.js had time to act (it runs at document_idle), has no
	// button of ours.
	noButton := func(t *testing.T, ctx context.Context, sel string) {
		t.Helper()
		if _, err := chromerig.WaitJS[bool](ctx, `!!document.querySelector(`+jsString(sel)+`)`, 10*time.Second); err != nil {
			t.Fatalf("the replica's page did not load: %v", err)
		}
		time.Sleep(1500 * time.Millisecond)
		if _, err := chromerig.WaitJS[bool](ctx, `document.getElementById("efirma-sat-login") === null`, time.Second); err != nil {
			t.Fatalf("our button is on the page: %v", err)
		}
	}
	attempts := func() int { return len(rep.Attempts()) }
	// clicked clicks the button on ctx's page once no consent window is left
	// from an earlier step, and attaches to the window it opens.
	clicked := func(t *testing.T, ctx context.Context) context.Context {
		t.Helper()
		if err := b.WaitConsentClosed(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(satButton)), chromedp.Click(chromedp.CSS(satButton))); err != nil {
			t.Fatal(err)
		}
		consent, cancel, err := b.WaitConsent(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
		return consent
	}

	t.Run("www.sat.gob.mx without the form has no button; its link leads to one", func(t *testing.T) {
		ctx := tab(t, "https://"+satreplica.HostWWW+"/")
		noButton(t, ctx, "main#inicio")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#efirma"))); err != nil {
			t.Fatal(err)
		}
		label, err := chromerig.WaitJS[string](ctx, `location.host === "loginda.siat.sat.gob.mx" && document.querySelector("`+satButton+`")?.textContent`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if label != r.text("Ingresar con el Conector e.firma", "Sign in with Conector e.firma") {
			t.Fatalf("button says %q", label)
		}
		// SAT's own controls still work: its script still refuses an empty form.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit"))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromerig.WaitJS[bool](ctx, `document.getElementById("mensaje").textContent.includes("Capture los datos requeridos")`, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("look-alike host: no button, no signature", func(t *testing.T) {
		before := attempts()
		ctx := tab(t, "https://"+lookalike+satreplica.PathFIEL)
		noButton(t, ctx, "form#certform input[name=guid]")
		if err := b.NoConsentFor(300 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if attempts() != before {
			t.Fatal("the replica received a login from the look-alike page")
		}
	})

	var accepted satreplica.Attempt
	t.Run("FIEL signs in; wrong password stays in the window; CSD and expired cannot", func(t *testing.T) {
		ctx := tab(t, "https://"+satreplica.HostLogin+satreplica.PathFIEL)
		// The page records every message it receives, to show that nothing
		// about the certificates reaches it.
		if _, err := chromerig.WaitJS[bool](ctx, `(window.__seen = [], addEventListener("message", (e) => __seen.push(JSON.stringify(e.data))), true)`, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		consent := clicked(t, ctx)
		op, err := chromerig.WaitJS[string](consent, `(() => { const op = document.getElementById("operacion").textContent, site = document.getElementById("sitio").textContent; return op && site ? op + " | " + site : null; })()`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := r.text("Iniciar sesión en el SAT", "Sign in to SAT") + " | https://loginda.siat.sat.gob.mx"; op != want {
			t.Fatalf("consent says %q, want %q", op, want)
		}
		// The CSD and the expired FIEL are listed but cannot be chosen.
		for _, id := range []string{csd, expired} {
			dis, err := chromerig.WaitJS[string](consent, `(() => { const i = document.querySelector('#certificados input[value="`+id+`"]'); return i ? String(i.disabled) : null; })()`, 5*time.Second)
			if err != nil || dis != "true" {
				t.Fatalf("certificate %s: disabled = %q, %v", id, dis, err)
			}
		}
		// Asked anyway (as a tampered window could), the service worker refuses.
		for id, code := range map[string]string{csd: "ERR_NOT_FIEL", expired: "ERR_CERT_EXPIRED"} {
			got, err := chromerig.WaitJS[string](consent, `chrome.runtime.sendMessage({type: "consent:submit", session: new URLSearchParams(location.search).get("s"), certificateId: "`+id+`", password: "`+password+`"}).then((o) => o.ok ? "ok" : o.error.code)`, 10*time.Second)
			if err != nil || got != code {
				t.Fatalf("submit %s: %q, %v; want %s", id, got, err, code)
			}
		}
		if err := chromerig.Choose(consent, fiel, "contraseña-mala"); err != nil {
			t.Fatal(err)
		}
		msg, err := chromerig.WaitJS[string](consent, `!document.getElementById("error").hidden && document.getElementById("error").textContent`, 15*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, r.msg("err_ERR_WRONG_PASSWORD")) {
			t.Fatalf("consent error %q, want the wrong-password text", msg)
		}
		if ts, _ := b.ConsentTargets(); len(ts) != 1 {
			t.Fatal("the consent window closed after a wrong password")
		}
		if attempts() != 0 {
			t.Fatal("the form was posted after a wrong password")
		}
		// The consent window listed three certificates; the page saw none of
		// them: no message, and no id, RFC or serial in its DOM.
		leak, err := chromerig.WaitJS[string](ctx, `(() => {
			const html = document.documentElement.outerHTML;
			const found = [`+jsString(fiel)+`, `+jsString(csd)+`, "30001000000500003415", "EKU9003173C9"].filter((s) => html.includes(s));
			return JSON.stringify({messages: window.__seen, found});
		})()`, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if leak != `{"messages":[],"found":[]}` {
			t.Fatalf("the page learned something: %s", leak)
		}
		if err := chromerig.Choose(consent, fiel, password); err != nil {
			t.Fatal(err)
		}
		got, err := chromerig.WaitJS[string](ctx, `document.getElementById("autenticado")?.textContent`, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got != "RFC autenticado: EKU9003173C9" {
			t.Fatalf("replica says %q", got)
		}
		all := rep.Attempts()
		if len(all) != 1 || all[0].RFC != "EKU9003173C9" {
			t.Fatalf("attempts = %+v", all)
		}
		accepted = all[0]
		// The form carried the token, not the password; SAT's own file and
		// password fields stayed empty (the page's checks were bypassed).
		for k, vs := range accepted.Form {
			for _, v := range vs {
				if strings.Contains(v, password) || strings.Contains(v, fiel) {
					t.Errorf("form field %s carries the password or the certificate id", k)
				}
			}
		}
		if accepted.Form.Get("privateKeyPassword") != "" {
			t.Error("the page's password field was filled")
		}
		if text, _, err := signing.DecodeSATToken(accepted.Token); err != nil || text != accepted.GUID+"|EKU9003173C9|30001000000500003415" {
			t.Errorf("token text %q, %v", text, err)
		}
	})

	t.Run("cfdiau: token and fert inputs are created", func(t *testing.T) {
		ctx := tab(t, "https://"+satreplica.HostCFDIAU+satreplica.PathCFDIAU)
		consent := clicked(t, ctx)
		if err := chromerig.Choose(consent, fiel, password); err != nil {
			t.Fatal(err)
		}
		got, err := chromerig.WaitJS[string](ctx, `document.getElementById("autenticado")?.textContent`, 20*time.Second)
		if err != nil || got != "RFC autenticado: EKU9003173C9" {
			t.Fatalf("replica says %q, %v", got, err)
		}
	})

	t.Run("cancel shows the reason beside the button", func(t *testing.T) {
		ctx := tab(t, "https://"+satreplica.HostLogin+satreplica.PathFIEL)
		consent := clicked(t, ctx)
		// The window closes while the click is answered, so chromedp may
		// report the target gone; what counts is what the page shows next.
		_ = chromedp.Do(consent, chromedp.Click(chromedp.CSS("#cancelar")))
		msg, err := chromerig.WaitJS[string](ctx, `document.getElementById("efirma-sat-login-estado")?.dataset.code === "ERR_USER_CANCELLED" && document.getElementById("efirma-sat-login-estado").textContent`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, r.msg("err_ERR_USER_CANCELLED")) {
			t.Fatalf("status %q", msg)
		}
	})

	t.Run("a replayed token is refused", func(t *testing.T) {
		if accepted.Token == "" {
			t.Skip("no accepted login to replay")
		}
		before := attempts()
		ctx := tab(t, "https://"+satreplica.HostLogin+satreplica.PathFIEL)
		replay := `(() => {
			const f = document.getElementById("certform");
			f.token.value = ` + jsString(accepted.Token) + `;
			f.fert.value = ` + jsString(accepted.Fert) + `;
			f.guid.value = ` + jsString(accepted.GUID) + `;
			HTMLFormElement.prototype.submit.call(f);
			return true;
		})()`
		if _, err := chromerig.WaitJS[bool](ctx, replay, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		got, err := chromerig.WaitJS[string](ctx, `document.getElementById("motivo")?.textContent`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, satreplica.ErrGUIDUsed.Error()) {
			t.Fatalf("replica says %q", got)
		}
		if all := rep.Attempts(); len(all) != before+1 || all[len(all)-1].RFC != "" {
			t.Fatalf("the replay was accepted: %+v", all[len(all)-1])
		}
	})
	if t.Failed() {
		for _, a := range rep.Attempts() {
			t.Logf("replica attempt on %s: guid %s, RFC %q, refused: %q", a.Host, a.GUID, a.RFC, a.Reason)
		}
	}
}
