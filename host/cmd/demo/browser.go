package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/protocol"
)

// demoPassword is the password of every generated test credential.
const demoPassword = "12345678a"

// browserPhase runs the real flow in headless Chromium against the demo
// portal and saves screenshots.
func (d *demo) browserPhase(o options) error {
	d.heading("demo.phase.browser")
	chromium, err := chromerig.FindChromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			return hinted{fmt.Errorf("%w (CI=true)", err), d.t("demo.browser.missing.ci", chromerig.AptInstall)}
		}
		d.detail("demo.browser.missing", chromerig.AptInstall)
		return nil
	}
	if err := d.ensureBinary(o.root, o.portalBin, "./portal/cmd/demo-portal"); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "efirma-demo-browser-")
	if err != nil {
		return err
	}
	d.atExit(func() { removeAll(tmp) })
	out := o.out
	if out == "" {
		if out, err = os.MkdirTemp("", "efirma-demo-capturas-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	d.atExit(func() { _ = os.Remove(out) }) // only if no screenshot was saved

	home := filepath.Join(tmp, "efirma-home")
	profile := filepath.Join(tmp, "profile")
	cert, err := chromerig.Import(o.bin, home, filepath.Join(o.creds, "certificate.cer"), filepath.Join(o.creds, "private_key.key"), demoPassword)
	if err != nil {
		return err
	}
	d.say("demo.browser.imported", cert.Name, cert.RFC, home)
	host, err := chromerig.RegisterHost(profile, tmp, o.bin, home)
	if err != nil {
		return err
	}
	d.say("demo.browser.registered", host.Manifest)

	addr, err := chromerig.FreeAddr("127.0.0.1")
	if err != nil {
		return err
	}
	portal, err := chromerig.StartPortal(o.portalBin, o.caDir, addr)
	if err != nil {
		return err
	}
	d.atExit(portal.Stop)
	d.say("demo.browser.portal", portal.URL, o.caDir)

	b, err := chromerig.Start(chromerig.Config{
		Chromium:  chromium,
		Extension: filepath.Join(o.root, "extension"),
		Profile:   profile,
		Lang:      d.browserLang(),
		Visible:   o.visible,
	})
	if err != nil {
		return err
	}
	d.atExit(b.Close)
	d.say("demo.browser.started", chromium, b.ExtID, b.UILang)
	if d.lang == i18n.ES && !b.Spanish() {
		d.detail("demo.browser.l10n")
	}
	if err := b.SetDeveloperMode(true); err != nil {
		return err
	}
	d.say("demo.browser.devmode")

	if o.visible {
		// A person is at the display: they click through the flow.
		if err := chromedp.Do(b.Ctx, chromedp.Navigate(portal.URL)); err != nil {
			return err
		}
		d.heading("demo.visible.title")
		fmt.Println(d.t("demo.visible.steps", portal.URL, demoPassword))
		d.keeping.Store(true)
		select {
		case <-d.interrupted:
		case <-b.Ctx.Done(): // the person closed the browser
		}
		fmt.Println(d.t("demo.keep.stopped"))
		return nil
	}

	f := flow{d: d, b: b, portal: portal.URL, cert: cert, out: out}
	if err := f.run(); err != nil {
		return err
	}
	if o.sat {
		b.Close() // phase 3 starts a Chromium of its own
		if err := d.satPhase(o, chromium, tmp, home, cert, &f); err != nil {
			return err
		}
	}
	d.say("demo.browser.shots", out)
	for _, s := range f.shots {
		d.detail("demo.browser.shot", s)
	}
	if o.keep {
		b.Close()
		return d.keep(o, portal)
	}
	d.say("demo.browser.done")
	return nil
}

// flow is the person's path through the portal.
type flow struct {
	d      *demo
	b      *chromerig.Browser
	portal string
	cert   protocol.CertInfo
	out    string
	shots  []string
}

func (f *flow) shot(ctx context.Context, name string) error {
	path := filepath.Join(f.out, name)
	if err := chromerig.Screenshot(ctx, path); err != nil {
		return err
	}
	f.shots = append(f.shots, path)
	return nil
}

func (f *flow) run() error {
	d := f.d
	ctx, cancel, err := f.b.Tab(f.portal + "/")
	if err != nil {
		return err
	}
	defer cancel()
	// The home page says whether it sees the extension and the connector.
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#acceder"))); err != nil {
		return err
	}
	estado, err := chromerig.WaitJS[string](ctx, `document.querySelector("#estado-extension")?.dataset.estado`, 10*time.Second)
	if err != nil {
		return err
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#estado-extension").textContent`))
	if err != nil {
		return err
	}
	if err := f.shot(ctx, "01-portal.png"); err != nil {
		return err
	}
	if estado != "disponible" {
		return f.pageError(ctx, fmt.Errorf("the portal's home page does not see the extension and the connector (%s): %s", estado, shown))
	}
	d.say("demo.browser.home", f.portal, strings.TrimSpace(shown))

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		return err
	}
	cctx, ccancel, op, err := openConsent(f.b, f.portal)
	if err != nil {
		return err
	}
	defer ccancel()
	d.say("demo.browser.consent", f.portal, op)
	if err := chromerig.Pick(cctx, f.cert.ID, demoPassword); err != nil {
		return err
	}
	if err := f.shot(cctx, "02-consentimiento.png"); err != nil {
		return err
	}
	d.detail("demo.browser.picked", f.cert.Name, f.cert.RFC)
	if err := chromerig.Accept(cctx); err != nil {
		return err
	}

	type user struct{ Name, RFC, CURP string }
	u, err := chromerig.WaitJS[user](ctx, `location.pathname === "/inicio" && document.readyState === "complete" && document.querySelector("#rfc") && {
		name: document.querySelector("#nombre").textContent.trim(),
		rfc: document.querySelector("#rfc").textContent.trim(),
		curp: document.querySelector("#curp").textContent.trim(),
	}`, 15*time.Second)
	if err != nil {
		return f.pageError(ctx, fmt.Errorf("not signed in: %w", err))
	}
	if u.RFC != f.cert.RFC || u.Name != f.cert.Name || u.CURP != f.cert.CURP {
		return fmt.Errorf("/inicio shows %+v, the certificate says %s %s %s", u, f.cert.Name, f.cert.RFC, f.cert.CURP)
	}
	if err := f.b.WaitConsentClosed(5 * time.Second); err != nil {
		return err
	}
	if err := f.shot(ctx, "03-inicio.png"); err != nil {
		return err
	}
	d.say("demo.browser.inicio", u.Name, u.RFC, u.CURP)

	// "Solicitar cita": the portal asks for a signature of its cadena.
	fecha := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	// Follow the link like a person; then work on the new page through
	// evaluations (chromedp's node ids from the old page may linger).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#ir-cita"))); err != nil {
		return err
	}
	tramite, err := chromerig.WaitJS[string](ctx, `location.pathname === "/cita" && document.readyState === "complete" && document.querySelector("#solicitar") && (() => {
		const f = document.querySelector("#fecha");
		f.value = `+jsString(fecha)+`;
		f.dispatchEvent(new Event("input", {bubbles: true}));
		f.dispatchEvent(new Event("change", {bubbles: true}));
		return document.querySelector("#tramite").selectedOptions[0]?.textContent || null;
	})()`, 10*time.Second)
	if err != nil {
		return f.pageError(ctx, err)
	}
	d.say("demo.browser.cita", tramite, fecha)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#solicitar").click(), true`)); err != nil {
		return err
	}
	cctx, ccancel, err = f.b.WaitConsent(10 * time.Second)
	if err != nil {
		return f.pageError(ctx, err)
	}
	defer ccancel()
	preview, err := chromerig.WaitJS[string](cctx, `!document.querySelector("#vista-bloque").hidden && document.querySelector("#vista .docview-text")?.textContent`, 10*time.Second)
	if err != nil {
		return err
	}
	d.detail("demo.browser.preview", preview)
	if err := chromerig.Choose(cctx, f.cert.ID, demoPassword); err != nil {
		return err
	}
	folio, err := chromerig.WaitJS[string](ctx, `document.querySelector("#resultado:not([hidden])")?.dataset.folio`, 15*time.Second)
	if err != nil {
		return f.pageError(ctx, fmt.Errorf("no folio: %w", err))
	}
	if err := f.b.WaitConsentClosed(5 * time.Second); err != nil {
		return err
	}
	if err := f.shot(ctx, "04-cita.png"); err != nil {
		return err
	}
	d.say("demo.browser.folio", folio)
	return nil
}

// pageError adds what the portal page shows in #error to err, and saves a
// screenshot of it.
func (f *flow) pageError(ctx context.Context, err error) error {
	shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#error:not([hidden])")?.textContent || ""`))
	_ = f.shot(ctx, "error.png")
	if shown = strings.TrimSpace(shown); shown != "" {
		return fmt.Errorf("%w; the portal says: %s", err, shown)
	}
	return err
}

// keep leaves the portal running until Ctrl+C and says how to try it in
// the person's own browser.
func (d *demo) keep(o options, portal *chromerig.Portal) error {
	d.heading("demo.keep.title")
	fmt.Println(d.t("demo.keep.steps", portal.URL, filepath.Join(o.root, "extension"), o.bin,
		filepath.Join(o.creds, "certificate.cer"), filepath.Join(o.creds, "private_key.key")))
	d.keeping.Store(true)
	select {
	case <-d.interrupted:
		fmt.Println(d.t("demo.keep.stopped"))
		return nil
	case <-portal.Done():
		// Ctrl+C in a terminal reaches the portal too; it may end first.
		select {
		case <-d.interrupted:
			fmt.Println(d.t("demo.keep.stopped"))
			return nil
		case <-time.After(time.Second):
			return errors.New("the demo portal stopped:\n" + portal.Logs())
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// openConsent waits for the consent window and reads the operation it
// names, failing unless the site it names is wantSite.
func openConsent(b *chromerig.Browser, wantSite string) (context.Context, context.CancelFunc, string, error) {
	cctx, cancel, err := b.WaitConsent(10 * time.Second)
	if err != nil {
		return nil, nil, "", err
	}
	site, err := chromerig.WaitJS[string](cctx, `document.querySelector("#sitio").textContent || null`, 5*time.Second)
	if err == nil && site != wantSite {
		err = fmt.Errorf("the consent window names the site %q, want %q", site, wantSite)
	}
	var op string
	if err == nil {
		op, err = chromerig.WaitJS[string](cctx, `document.querySelector("#operacion").textContent || null`, 5*time.Second)
	}
	if err != nil {
		cancel()
		return nil, nil, "", err
	}
	return cctx, cancel, op, nil
}
