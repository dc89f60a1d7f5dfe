package e2e

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
)

const challenge = `"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"`

func TestExtension(t *testing.T) {
	r := newRig(t)
	r.setDeveloperMode(false)
	page := servePage(t, "127.0.0.1")

	t.Run("developer switch off: localhost cannot reach the extension", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		// No content script on localhost with the switch off (F-06 of issue
		// 11): the page cannot tell the extension from no extension.
		start(t, ctx, "a", "authenticate", `{challenge: `+challenge+`}`)
		out := result(t, ctx, "a", 5*time.Second)
		if out.OK || out.Code != "ERR_EXTENSION_UNAVAILABLE" || !out.IsEfirmaError {
			t.Fatalf("got %+v, want ERR_EXTENSION_UNAVAILABLE", out)
		}
		if !strings.Contains(out.Message, "no está instalada") {
			t.Errorf("message %q is not the Spanish one", out.Message)
		}
		r.noConsentFor(500 * time.Millisecond)
	})

	r.t = t
	r.setDeveloperMode(true)

	t.Run("status", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		start(t, ctx, "s", "status", `{}`)
		out := result(t, ctx, "s", 10*time.Second)
		host, _ := out.R["host"].(map[string]any)
		if !out.OK || host["available"] != true || host["protocol"] != float64(1) {
			t.Fatalf("status = %+v", out)
		}
	})

	t.Run("both page channels: the synchronous event, and postMessage for older libraries", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		// The event crosses from the page's world to the content script's:
		// taken (preventDefault) and acknowledged before dispatchEvent returns.
		type sent struct {
			Taken   bool     `json:"taken"`
			Replies []string `json:"replies"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[sent](`(() => {
			window.replies = [];
			addEventListener("efirma:reply", (e) => { const d = JSON.parse(e.detail); window.replies.push(d.type + (d.ok ? ":ok:" + d.result.host.available : "")); });
			const taken = !dispatchEvent(new CustomEvent("efirma:request", {cancelable: true, detail: JSON.stringify({type: "efirma:request", v: 1, id: "e2e-event", action: "status", params: {timeout: 5000}})}));
			return {taken, replies: [...window.replies]};
		})()`))
		if err != nil || !got.Taken || len(got.Replies) != 1 || got.Replies[0] != "efirma:ack" {
			t.Fatalf("request event: %+v %v, want taken and acknowledged at once", got, err)
		}
		if _, err := waitJS[bool](ctx, `window.replies.includes("efirma:response:ok:true")`, 10*time.Second); err != nil {
			t.Fatalf("no answer by event: %v", err)
		}
		// An older page library's postMessage is still served.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.posted = [], addEventListener("message", (e) => { if (e.source === window && e.data?.id === "e2e-old") window.posted.push(e.data.type + ":" + e.origin); }), postMessage({type: "efirma:request", v: 1, id: "e2e-old", action: "status", params: {timeout: 5000}}, location.origin), true)`)); err != nil {
			t.Fatal(err)
		}
		if _, err := waitJS[bool](ctx, `window.posted.includes("efirma:ack:"+location.origin) && window.posted.includes("efirma:response:"+location.origin)`, 10*time.Second); err != nil {
			t.Fatalf("postMessage request: %v", err)
		}
	})

	t.Run("page without the content script", func(t *testing.T) {
		r.t = t
		other := servePage(t, "127.0.0.2")
		ctx, cancel := r.openTestPage(other)
		defer cancel()
		start(t, ctx, "a", "authenticate", `{challenge: `+challenge+`}`)
		out := result(t, ctx, "a", 5*time.Second)
		if out.Code != "ERR_EXTENSION_UNAVAILABLE" {
			t.Fatalf("got %+v, want ERR_EXTENSION_UNAVAILABLE", out)
		}
		r.noConsentFor(300 * time.Millisecond)
	})

	t.Run("closing the consent window cancels", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		start(t, ctx, "a", "authenticate", `{challenge: `+challenge+`}`)
		cctx, ccancel := r.waitConsent()
		site, err := waitJS[string](cctx, `document.querySelector("#sitio").textContent || null`, 5*time.Second)
		if err != nil || site != page {
			t.Fatalf("#sitio = %q (%v), want %s", site, err, page)
		}
		// Expired FIEL and CSD are listed but cannot be chosen.
		disabled, err := chromedp.Run(cctx, chromedp.Evaluate[map[string]bool](`Object.fromEntries([...document.querySelectorAll("#certificados input")].map(i => [i.value, i.disabled]))`))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{
			r.certIDs["eku9003173c9-fiel"]:              false,
			r.certIDs["eku9003173c9-fiel-expired-2023"]: true,
			r.certIDs["eku9003173c9-csd"]:               true,
		}
		for id, d := range want {
			if got, ok := disabled[id]; !ok || got != d {
				t.Errorf("certificate %s disabled=%v (present %v), want %v; all: %v", id, got, ok, d, disabled)
			}
		}
		if _, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`window.close(), true`)); err != nil {
			t.Logf("close: %v", err)
		}
		ccancel()
		out := result(t, ctx, "a", 5*time.Second)
		if out.Code != "ERR_USER_CANCELLED" || out.Message != "Se canceló el uso de la e.firma." {
			t.Fatalf("got %+v, want ERR_USER_CANCELLED in Spanish", out)
		}
		r.waitClosed()
	})

	t.Run("host killed during a request, then the next works", func(t *testing.T) {
		r.t = t
		ctx, cctx := r.startConsent(t, page, "a", "authenticate", `{challenge: `+challenge+`}`)
		if err := chromedp.Do(cctx, chromedp.WaitReady(chromedp.CSS("#certificados input"))); err != nil {
			t.Fatal(err)
		}
		// Freeze the host so that the authenticate request is surely in
		// flight, then kill it.
		pid := r.hostPID()
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		r.choose(cctx, r.certIDs["eku9003173c9-fiel"], "12345678a")
		if _, err := waitJS[bool](cctx, `document.querySelector("#trabajando").textContent !== ""`, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		out := result(t, ctx, "a", 10*time.Second)
		if out.Code != "ERR_HOST_EXITED" || !strings.Contains(out.Message, "se cerró") {
			t.Fatalf("got %+v, want ERR_HOST_EXITED", out)
		}
		r.waitClosed()
		start(t, ctx, "b", "authenticate", `{challenge: `+challenge+`}`)
		c2, c2cancel := r.waitConsent()
		defer c2cancel()
		r.choose(c2, r.certIDs["eku9003173c9-fiel"], "12345678a")
		out = result(t, ctx, "b", 15*time.Second)
		if !out.OK || out.R["format"] != "efirma-auth:1" || out.R["signature"] == "" {
			t.Fatalf("second try: %+v", out)
		}
		if r.hostPID() == pid {
			t.Error("the same host process answered after being killed")
		}
		r.waitClosed()
	})

	t.Run("a second press while the first is answered is ignored", func(t *testing.T) {
		r.t = t
		ctx, cctx := r.startConsent(t, page, "a", "authenticate", `{challenge: `+challenge+`}`)
		if err := chromerig.Pick(cctx, r.certIDs["eku9003173c9-fiel"], "12345678a"); err != nil {
			t.Fatal(err)
		}
		// Two presses in one task: the window changes nothing on screen
		// until the answer (consent.js BUSY_AFTER_MS), so the button is
		// still enabled and the password still typed for the second. It
		// must send nothing again: a second submit would be answered at
		// once with ERR_REQUEST_PENDING, shown in #error. The evaluation
		// waits in the window for that error or «Listo» (#trabajando) for
		// the one answer, with the field emptied («Firmando…» on the way,
		// when the host takes over 300 ms on a loaded machine, is passed by).
		after, err := chromedp.Run(cctx, chromedp.Evaluate[[]string](`new Promise((resolve) => {
			const e = document.querySelector("#error"), w = document.querySelector("#trabajando"), p = document.querySelector("#password");
			const b = document.querySelector("#aceptar");
			b.click(); b.click();
			const sync = [String(e.hidden), e.textContent, p.value];
			const look = () => { if (!e.hidden || (w.textContent && w.textContent !== `+strconv.Quote(r.msg("consent_working"))+`)) { resolve([...sync, String(e.hidden), e.textContent, w.textContent, p.value]); return true; } return false; };
			if (!look()) new MutationObserver((_, o) => { if (look()) o.disconnect(); }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 7 {
			t.Fatalf("after two presses: %q", after)
		}
		if after[0] != "true" || after[1] != "" || after[2] != "12345678a" {
			t.Errorf("right after two presses: #error hidden=%q text=%q, password=%q; want nothing changed", after[0], after[1], after[2])
		}
		if after[3] != "true" || after[4] != "" || after[5] != r.msg("consent_done") || after[6] != "" {
			t.Errorf("the window's answer: #error hidden=%q text=%q, #trabajando=%q, password=%q; want only %q, the field emptied", after[3], after[4], after[5], after[6], r.msg("consent_done"))
		}
		out := result(t, ctx, "a", 15*time.Second)
		if !out.OK || out.R["format"] != "efirma-auth:1" || out.R["signature"] == "" {
			t.Fatalf("the press's answer: %+v", out)
		}
		r.waitClosed()
	})

	t.Run("host not registered", func(t *testing.T) {
		r.t = t
		manifest := r.hostManifest()
		if err := os.Rename(manifest, manifest+".off"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(manifest+".off", manifest)
		// The connection to the host started earlier is still open: end it
		// so that the next request has to start the host again.
		_ = syscall.Kill(r.hostPID(), syscall.SIGKILL)
		time.Sleep(200 * time.Millisecond)
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		start(t, ctx, "s", "status", `{}`)
		out := result(t, ctx, "s", 10*time.Second)
		host, _ := out.R["host"].(map[string]any)
		herr, _ := host["error"].(map[string]any)
		if !out.OK || host["available"] != false || herr["code"] != "ERR_HOST_NOT_FOUND" || !strings.Contains(herr["hint"].(string), "instale") {
			t.Fatalf("status = %+v, want host unavailable with ERR_HOST_NOT_FOUND and how to install", out)
		}
		start(t, ctx, "a", "authenticate", `{challenge: `+challenge+`}`)
		if out := result(t, ctx, "a", 10*time.Second); out.Code != "ERR_HOST_NOT_FOUND" {
			t.Fatalf("authenticate = %+v, want ERR_HOST_NOT_FOUND", out)
		}
		r.noConsentFor(300 * time.Millisecond)
		pctx, pcancel := r.tab("chrome-extension://" + r.extID + "/popup.html")
		defer pcancel()
		msg, err := chromedp.Run(pctx, chromedp.Poll[string](`document.querySelector("#conector-error:not([hidden])")?.textContent`, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err != nil || !strings.Contains(msg, r.text("no está instalado", "not installed")) {
			t.Fatalf("popup says %q (%v)", msg, err)
		}
		// Issue 14 §4: and says where to get it — the bundled install page.
		if _, err := waitJS[bool](pctx, `!document.querySelector("#instalar-conector-bloque").hidden && document.querySelector("#instalar-conector").getAttribute("href") === "install.html"`, 5*time.Second); err != nil {
			t.Errorf("the popup does not link to the install page: %v", err)
		}
		ictx, icancel := r.tab("chrome-extension://" + r.extID + "/install.html")
		defer icancel()
		type page struct {
			NoURL    bool
			Sections []string
			Steps    int
		}
		ip, err := waitJS[page](ictx, `document.body.dataset.ready === "true" && {noURL: !document.querySelector("#sin-descarga").hidden && document.querySelector("#descarga").hidden, sections: [...document.querySelectorAll("section[data-os]")].map(s => s.dataset.os), steps: document.querySelectorAll("section li").length}`, 5*time.Second)
		if err != nil || !ip.NoURL || len(ip.Sections) != 3 || ip.Sections[0] != "Linux" || ip.Steps < 9 {
			t.Errorf("install page = %+v (%v), want the steps per system with Linux (this computer) first and, without a policy, «ask IT»", ip, err)
		}
	})
}
