package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/satreplica"
	"github.com/efirma/conector/protocol"
)

// satPhase signs in to the SAT login replica (internal/satreplica) with the
// extension's button, in a Chromium of its own that reaches the replica
// under SAT's real names. The replica knows the certificates of testdata/,
// so the generated test FIEL signs in; then the same token sent again is
// refused. Screenshots go into out, their paths into f.shots.
func (d *demo) satPhase(o options, chromium, tmp, home string, cert protocol.CertInfo, f *flow) error {
	d.heading("demo.phase.sat")
	certs, err := satreplica.LoadCertificates(filepath.Join(o.root, "testdata", "creds"))
	if err != nil {
		return err
	}
	rep, err := satreplica.Start("127.0.0.1:0", satreplica.Config{Certificates: certs})
	if err != nil {
		return err
	}
	d.atExit(rep.Close)
	d.say("demo.sat.replica", rep.Addr, strings.Join([]string{satreplica.HostWWW, satreplica.HostLogin, satreplica.HostCFDIAU}, ", "), rep.SPKI)

	profile := filepath.Join(tmp, "profile-sat")
	if _, err := chromerig.RegisterHost(profile, filepath.Join(tmp), o.bin, home); err != nil {
		return err
	}
	b, err := chromerig.Start(chromerig.Config{
		Chromium:  chromium,
		Extension: filepath.Join(o.root, "extension"),
		Profile:   profile,
		Lang:      d.browserLang(),
		HostRules: rep.HostRules(),
		TrustSPKI: []string{rep.SPKI},
	})
	if err != nil {
		return err
	}
	d.atExit(b.Close)

	ctx, cancel, err := b.Tab("https://" + satreplica.HostWWW + "/")
	if err != nil {
		return err
	}
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#efirma")), chromedp.Click(chromedp.CSS("#efirma"))); err != nil {
		return err
	}
	label, err := chromerig.WaitJS[string](ctx, `location.host === "loginda.siat.sat.gob.mx" && document.querySelector("#efirma-sat-login-boton")?.textContent`, 10*time.Second)
	if err != nil {
		return fmt.Errorf("the SAT e.firma page has no «Ingresar con el Conector e.firma» button: %w", err)
	}
	if err := f.shot(ctx, "05-sat-efirma.png"); err != nil {
		return err
	}
	d.say("demo.sat.button", "https://"+satreplica.HostLogin+satreplica.PathFIEL, label)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#efirma-sat-login-boton"))); err != nil {
		return err
	}
	site := "https://" + satreplica.HostLogin
	cctx, ccancel, op, err := openConsent(b, site)
	if err != nil {
		return err
	}
	defer ccancel()
	d.say("demo.sat.consent", op, site)
	if err := chromerig.Pick(cctx, cert.ID, demoPassword); err != nil {
		return err
	}
	if err := f.shot(cctx, "06-sat-consentimiento.png"); err != nil {
		return err
	}
	if err := chromerig.Accept(cctx); err != nil {
		return err
	}
	shown, err := chromerig.WaitJS[string](ctx, `document.getElementById("autenticado")?.textContent || document.getElementById("motivo")?.textContent`, 20*time.Second)
	if err != nil {
		return err
	}
	if shown != "RFC autenticado: "+cert.RFC {
		return fmt.Errorf("the SAT replica says %q, want the RFC %s", shown, cert.RFC)
	}
	if err := f.shot(ctx, "07-sat-autenticado.png"); err != nil {
		return err
	}
	d.say("demo.sat.signed", shown)

	// The same token again, as a thief who copied it would send it.
	attempts := rep.Attempts()
	last := attempts[len(attempts)-1]
	if err := replay(ctx, last); err != nil {
		return err
	}
	refused, err := chromerig.WaitJS[string](ctx, `document.getElementById("motivo")?.textContent`, 10*time.Second)
	if err != nil {
		return err
	}
	if !strings.Contains(refused, satreplica.ErrGUIDUsed.Error()) {
		return fmt.Errorf("the SAT replica accepted a replayed token: %q", refused)
	}
	d.say("demo.sat.replay", refused)
	return nil
}

// replay opens the e.firma page again and posts an earlier login's guid,
// token and fert.
func replay(ctx context.Context, a satreplica.Attempt) error {
	if err := chromedp.Do(ctx, chromedp.Navigate("https://"+satreplica.HostLogin+satreplica.PathFIEL)); err != nil {
		return err
	}
	_, err := chromerig.WaitJS[bool](ctx, `(() => {
		const f = document.getElementById("certform");
		if (!f) return null;
		f.token.value = `+jsString(a.Token)+`;
		f.fert.value = `+jsString(a.Fert)+`;
		f.guid.value = `+jsString(a.GUID)+`;
		HTMLFormElement.prototype.submit.call(f);
		return true;
	})()`, 10*time.Second)
	return err
}
