package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDemoPortal runs the demo portal's login and "Solicitar cita" the way a
// person does, and records how long the steps take.
func TestDemoPortal(t *testing.T) {
	r := newRig(t)
	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))
	fiel := r.certIDs["eku9003173c9-fiel"]

	t.Run("home page sees the extension and the connector", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(base + "/")
		defer cancel()
		type shown struct{ Estado, Text string }
		got, err := waitJS[shown](ctx, `document.querySelector("#estado-extension")?.dataset.estado && {estado: document.querySelector("#estado-extension").dataset.estado, text: document.querySelector("#estado-extension").textContent}`, 10*time.Second)
		if err != nil || got.Estado != "disponible" || !strings.Contains(got.Text, "versión "+hostVersion) {
			t.Fatalf("#estado-extension = %+v (%v), want disponible with the host's version %s", got, err, hostVersion)
		}
	})

	t.Run("login with a wrong password first", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(base + "/")
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder"))); err != nil {
			t.Fatal(err)
		}
		clicked := time.Now()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := r.waitConsent()
		defer ccancel()
		t.Logf("PERF click «Acceder con firma digital» → consent window ready: %v", time.Since(clicked).Round(time.Millisecond))

		site, err := waitJS[string](cctx, `document.querySelector("#sitio").textContent || null`, 5*time.Second)
		if err != nil || site != base {
			t.Fatalf("#sitio = %q (%v), want %s", site, err, base)
		}
		op, _ := waitJS[string](cctx, `document.querySelector("#operacion").textContent || null`, 5*time.Second)
		if op != r.text("Iniciar sesión", "Sign in") {
			t.Errorf("#operacion = %q", op)
		}

		r.choose(cctx, fiel, "contraseña-mala")
		msg, err := waitJS[string](cctx, `!document.querySelector("#error").hidden && document.querySelector("#error").dataset.code === "ERR_WRONG_PASSWORD" && document.querySelector("#error").textContent`, 10*time.Second)
		if err != nil {
			t.Fatalf("no wrong-password message: %v", err)
		}
		if !strings.Contains(msg, r.text("La contraseña de la llave privada no es correcta", "The private key password is wrong")) {
			t.Errorf("wrong-password message %q", msg)
		}
		if len(r.consentTargets()) != 1 {
			t.Fatal("the consent window must stay open for another try")
		}
		if v, _ := chromedp.Run(cctx, chromedp.Value(chromedp.CSS("#password"))); v != "" {
			t.Error("the password field was not cleared")
		}

		accepted := time.Now()
		r.choose(cctx, fiel, "12345678a")
		rfc, err := waitJS[string](ctx, `location.pathname === "/inicio" && document.readyState === "complete" && document.querySelector("#rfc")?.textContent`, 15*time.Second)
		if err != nil {
			t.Fatalf("not signed in: %v", err)
		}
		t.Logf("PERF «Acceder» in the consent window → portal shows the user: %v", time.Since(accepted).Round(time.Millisecond))
		if strings.TrimSpace(rfc) != "EKU9003173C9" {
			t.Errorf("#rfc = %q, want EKU9003173C9", rfc)
		}
		name, _ := waitJS[string](ctx, `document.querySelector("#nombre")?.textContent`, 5*time.Second)
		if !strings.Contains(name, "ESCUELA KEMPER URGATE") {
			t.Errorf("#nombre = %q", name)
		}
		r.waitClosed()
	})

	t.Run("solicitar cita, signed and verified", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(base + "/cita")
		defer cancel()
		if err := chromedp.Do(ctx,
			chromedp.WaitReady(chromedp.CSS("#solicitar")),
			chromedp.SetValue(chromedp.CSS("#fecha"), time.Now().AddDate(0, 0, 7).Format("2006-01-02")),
			chromedp.Click(chromedp.CSS("#solicitar")),
		); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := r.waitConsent()
		defer ccancel()
		preview, err := waitJS[string](cctx, `!document.querySelector("#vista-bloque").hidden && document.querySelector("#vista .docview-text")?.textContent`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		cadena, _ := waitJS[string](ctx, `document.querySelector("#cadena")?.textContent`, 5*time.Second)
		if !strings.HasPrefix(preview, "||CITA|EKU9003173C9|") || preview != cadena {
			t.Errorf("preview %q, page shows %q", preview, cadena)
		}
		op, _ := waitJS[string](cctx, `document.querySelector("#operacion").textContent || null`, 5*time.Second)
		if op != r.text("Firmar", "Sign") {
			t.Errorf("#operacion = %q", op)
		}
		// For a signature the CSD may be chosen; the expired FIEL may not.
		disabled, err := chromedp.Run(cctx, chromedp.Evaluate[map[string]bool](`Object.fromEntries([...document.querySelectorAll("#certificados input")].map(i => [i.value, i.disabled]))`))
		if err != nil || disabled[r.certIDs["eku9003173c9-csd"]] || !disabled[r.certIDs["eku9003173c9-fiel-expired-2023"]] {
			t.Errorf("selectable for signing: %v (%v)", disabled, err)
		}
		r.choose(cctx, fiel, "12345678a")
		folio, err := waitJS[string](ctx, `document.querySelector("#resultado:not([hidden])")?.dataset.folio`, 15*time.Second)
		if err != nil || folio == "" {
			errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#error")?.textContent || ""`))
			t.Fatalf("no folio (%v); page error: %q", err, errText)
		}
		r.waitClosed()
	})

	t.Run("cancel reaches the portal as user-cancelled", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.tab(base + "/")
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder")), chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := r.waitConsent()
		if err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS("#cancelar"))); err != nil && !strings.Contains(err.Error(), "closed") {
			t.Logf("click cancelar: %v", err)
		}
		ccancel()
		msg, err := waitJS[string](ctx, `!document.querySelector("#error").hidden && document.querySelector("#error .mensaje").textContent`, 10*time.Second)
		if err != nil || msg != "Se canceló el uso de la e.firma." {
			t.Fatalf("portal says %q (%v)", msg, err)
		}
		r.waitClosed()
	})

	t.Run("developer switch off: the portal sees no extension and nothing opens", func(t *testing.T) {
		r.t = t
		// With the developer switch off there is no content script on
		// http://127.0.0.1 (F-06 of issue 11): the portal cannot tell the
		// extension from no extension, and no window opens.
		r.setDeveloperMode(false)
		defer r.setDeveloperMode(true)
		ctx, cancel := r.tab(base + "/")
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder")), chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
			t.Fatal(err)
		}
		msg, err := waitJS[string](ctx, `!document.querySelector("#error").hidden && document.querySelector("#error .mensaje").textContent`, 10*time.Second)
		if err != nil || msg != "La extensión Conector e.firma no está instalada o no está activa en este sitio." {
			t.Fatalf("portal says %q (%v)", msg, err)
		}
		if estado, err := waitJS[string](ctx, `document.querySelector("#estado-extension").dataset.estado`, 5*time.Second); err != nil || estado != "sin-extension" {
			t.Errorf("#estado-extension data-estado = %q (%v), want sin-extension", estado, err)
		}
		r.noConsentFor(300 * time.Millisecond)
	})
}
