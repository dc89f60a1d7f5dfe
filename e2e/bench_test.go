package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/protocol"
)

// TestFlowSpeed (issue 14 §6) measures the login at the browser's own
// speed, side by side in one browser, and reports two ratios (target
// ≤ 1.15 each, docs/PERFORMANCE.md):
//
//   - click «Acceder con firma digital» → consent window ready (certificates
//     listed, password enabled), over the floor: the time the same browser
//     needs to open a bare extension popup window of the same size
//     (chrome.windows.create from an extension page → that page loaded),
//     measured in the same run;
//   - the press of «Acceder» → /inicio shows the RFC, over the sum of its
//     unavoidable parts measured in the same run, in a fresh tab opened
//     like the login's (homeTab), each the way the portal does it without
//     the extension: one authenticate on a warm native
//     port (chrome.runtime.connectNative from an extension page of the
//     same extension, the host already started and answering), the portal
//     page's own POST /api/login with that token, and its own
//     location.assign to /inicio until /inicio is parsed.
//
// Every time is taken on the browser's clock. The log also splits the
// login into what the extension and host take (press → the page posts
// /api/login), the page's POST and its navigation.
//
// It runs only with EFIRMA_BENCH=1 (EFIRMA_BENCH_ROUNDS, default 10);
// EFIRMA_BENCH_STRICT=1 also fails when a median ratio is above 1.15.
func TestFlowSpeed(t *testing.T) {
	if os.Getenv("EFIRMA_BENCH") != "1" {
		t.Skip("set EFIRMA_BENCH=1 to measure the flow speed")
	}
	rounds := 10
	if n, err := strconv.Atoi(os.Getenv("EFIRMA_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	r := newRig(t)
	r.setDeveloperMode(true)
	base := r.startDemoPortal(freeAddr(t, "127.0.0.1"))
	fiel := r.certIDs["eku9003173c9-fiel"]

	octx, ocancel := r.tab(r.b.ExtensionURL("options.html"))
	defer ocancel()
	if err := chromedp.Do(octx, chromedp.WaitReady(chromedp.CSS("#lista"))); err != nil {
		t.Fatal(err)
	}
	floorPort(t, octx)

	var floor, open, accept, parts []time.Duration
	var openHops, floorHops [2][]time.Duration // → the window's page starts loading, → ready
	var hops, part [3][]time.Duration          // ours: press → page posts /api/login, the POST, → /inicio parsed; floor: authenticate, the POST, → /inicio parsed
	for i := 0; i < rounds+1; i++ {            // the first round warms everything up
		f := floorPopup(t, r, octx)
		time.Sleep(personPause)
		// The two logins take turns going first, so that neither always
		// follows the other's work (its closing window, its closed tab).
		var l login
		var fl [3]time.Duration
		if i%2 == 0 {
			l = browserLogin(t, r, octx, base, fiel)
			time.Sleep(personPause)
			fl = floorLogin(t, r, octx, base, fiel)
		} else {
			fl = floorLogin(t, r, octx, base, fiel)
			time.Sleep(personPause)
			l = browserLogin(t, r, octx, base, fiel)
		}
		time.Sleep(personPause)
		if i == 0 {
			continue
		}
		t.Logf("BENCH round %d: click → consent ready %v (floor %v); «Acceder» → /inicio %v = %v + %v + %v (parts %v + %v + %v)",
			i, l.open.total, f.total, l.accept, l.hops[0], l.hops[1], l.hops[2], fl[0], fl[1], fl[2])
		floor, open, accept = append(floor, f.total), append(open, l.open.total), append(accept, l.accept)
		parts = append(parts, fl[0]+fl[1]+fl[2])
		for k := range 2 {
			openHops[k] = append(openHops[k], l.open.hops[k])
			floorHops[k] = append(floorHops[k], f.hops[k])
		}
		for k := range 3 {
			hops[k] = append(hops[k], l.hops[k])
			part[k] = append(part[k], fl[k])
		}
	}
	mf, mo, ma, mp := median(floor), median(open), median(accept), median(parts)
	r1 := float64(mo) / float64(mf)
	r2 := float64(ma) / float64(mp)
	t.Logf("BENCH rounds=%d", rounds)
	t.Logf("BENCH click → consent ready: median %v; floor (bare extension popup): median %v; ratio %.2fx", mo, mf, r1)
	t.Logf("BENCH   split, medians: click → the window's page starts loading %v (floor: from chrome.windows.create %v); → ready %v (floor %v)",
		median(openHops[0]), median(floorHops[0]), median(openHops[1]), median(floorHops[1]))
	t.Logf("BENCH «Acceder» → /inicio with the RFC: median %v; parts (authenticate on a warm native port + the page's POST /api/login + its navigation to /inicio): median %v; ratio %.2fx", ma, mp, r2)
	t.Logf("BENCH   split, medians: press → the page posts /api/login %v (floor: authenticate on a warm native port %v); POST /api/login %v (floor %v); → /inicio parsed %v (floor %v)",
		median(hops[0]), median(part[0]), median(hops[1]), median(part[1]), median(hops[2]), median(part[2]))
	// The same rounds seen pair by pair (each login beside its own round's
	// parts): how much of a run's ratio is the navigation's spread.
	var paired []float64
	var navGap []time.Duration
	for k := range accept {
		paired = append(paired, float64(accept[k])/float64(parts[k]))
		navGap = append(navGap, hops[2][k]-part[2][k])
	}
	t.Logf("BENCH   pair by pair, medians: ours over that round's parts %.2fx; our navigation minus that round's floor navigation %v",
		median(paired), median(navGap))
	if os.Getenv("EFIRMA_BENCH_STRICT") == "1" && (r1 > 1.15 || r2 > 1.15) {
		t.Errorf("ratios %.2fx and %.2fx, target ≤ 1.15x", r1, r2)
	}
}

// personPause is how long each measured step waits before it starts, as a
// person does (reading the page, typing the password): the browser's own
// work after a window or tab opens goes on after the page in it is ready
// (a Chromium trace showed the new window's omnibox-popup WebUI renderer
// compiling its scripts for ~500 ms of CPU, ~200 ms after each popup), and
// on two cores it would otherwise land in the next measurement.
const personPause = 1500 * time.Millisecond

// opening is the time from a click (or chrome.windows.create) until a
// window's page is ready, split at the start of that page's navigation.
type opening struct {
	total time.Duration
	hops  [2]time.Duration
}

// openedAt reads, in a window's page, when its navigation started (ms on
// the browser's clock).
const openedAt = `performance.timeOrigin`

func median[T cmp.Ordered](d []T) T {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// floorPopup opens a bare extension page in a popup window the way the
// service worker opens the consent window, and returns the time until it
// has loaded; the window is closed again.
func floorPopup(t *testing.T, r *rig, octx context.Context) opening {
	t.Helper()
	mark := fmt.Sprintf("install.html?floor=%d", time.Now().UnixNano())
	// The moment of the call, on the browser's clock.
	start, err := chromedp.Run(octx, chromedp.Evaluate[float64](`(() => { const t = performance.timeOrigin + performance.now(); chrome.windows.create({type: "popup", url: chrome.runtime.getURL("`+mark+`"), width: 480, height: 680, focused: true}); return t; })()`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := attachPage(t, r, func(url string) bool { return strings.HasSuffix(url, mark) })
	defer cancel()
	ready, err := waitJS[float64](ctx, readyAt, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nav, err := chromedp.Run(ctx, chromedp.Evaluate[float64](openedAt))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.close(), true)`))
	return opening{ms(ready - start), [2]time.Duration{ms(nav - start), ms(ready - nav)}}
}

// attachPage waits for a page target whose URL matches and attaches to it;
// the floor and the consent window are found and watched the same way.
func attachPage(t *testing.T, r *rig, match func(url string) bool) (context.Context, context.CancelFunc) {
	t.Helper()
	var id string
	chromerig.WaitFor(r.b.Ctx, 10*time.Second, 5*time.Millisecond, func() bool {
		ts, _ := chromedp.Targets(r.b.Ctx)
		for _, ti := range ts {
			if ti.Type == "page" && match(ti.URL) {
				id = string(ti.TargetID)
			}
		}
		return id != ""
	})
	if id == "" {
		t.Fatal("the window did not open")
	}
	return chromedp.NewContext(r.b.Ctx, chromedp.WithTargetID(target.ID(id)))
}

// readyAt is the wall-clock time (ms) of the page's "efirma:ready" mark.
const readyAt = `(() => { const m = performance.getEntriesByName("efirma:ready")[0]; return m ? performance.timeOrigin + m.startTime : null; })()`

// shownAt is the wall-clock time (ms) a navigation's document was parsed
// (DOMContentLoaded done): /inicio shows the RFC then.
const shownAt = `(() => { const n = performance.getEntriesByType("navigation")[0]; return n && n.domContentLoadedEventEnd > 0 ? performance.timeOrigin + n.domContentLoadedEventEnd : null; })()`

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// login is one browser login's times.
type login struct {
	open   opening
	accept time.Duration
	hops   [3]time.Duration // press → POST /api/login starts, the POST, its end → /inicio parsed
}

// watchLogin records, in the tab's sessionStorage (it survives the
// navigation to /inicio), when the portal page starts and ends its POST
// /api/login: the page's own fetch, wrapped in the main world.
const watchLogin = `(() => { const f = window.fetch; const now = () => String(performance.timeOrigin + performance.now()); window.fetch = async (...a) => { if (!String(a[0]).includes("/api/login")) return f(...a); sessionStorage.setItem("loginStart", now()); const r = await f(...a); sessionStorage.setItem("loginEnd", now()); return r; }; return true; })()`

// homeTab opens the portal's home page signed out in a new tab, the way
// both logins start (a fresh tab each, with the same history behind it),
// and waits until it has seen the extension, and then personPause: the
// person reads the page before clicking, and the new tab's window finishes
// loading Chromium's own UI for it.
func homeTab(t *testing.T, r *rig, base string) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, cancel := r.tab(base + "/salir")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	if _, err := waitJS[bool](ctx, `document.querySelector("#estado-extension")?.dataset.estado === "disponible"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(personPause)
	return ctx, cancel
}

// browserLogin logs in on the demo portal in the browser and returns
// click → consent ready and the press of «Acceder» → /inicio showing the
// RFC (both on the browser's clock).
func browserLogin(t *testing.T, r *rig, octx context.Context, base, fiel string) login {
	t.Helper()
	ctx, cancel := homeTab(t, r, base)
	defer cancel()
	var l login
	// The click's time on the browser's clock.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector("#acceder").addEventListener("click", (e) => { window.__clickAt = performance.timeOrigin + e.timeStamp; }, {capture: true}), true)`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](watchLogin)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#acceder"))); err != nil {
		t.Fatal(err)
	}
	// Attached the way floorPopup attaches to its window (the same polling,
	// nothing else asked while the page loads).
	cctx, ccancel := attachPage(t, r, func(url string) bool { return strings.HasPrefix(url, r.b.ExtensionURL("consent.html")) })
	defer ccancel()
	ready, err := waitJS[float64](cctx, readyAt, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	click, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.__clickAt`))
	if err != nil {
		t.Fatal(err)
	}
	nav, err := chromedp.Run(cctx, chromedp.Evaluate[float64](openedAt))
	if err != nil {
		t.Fatal(err)
	}
	l.open = opening{ms(ready - click), [2]time.Duration{ms(nav - click), ms(ready - nav)}}
	if err := chromerig.Pick(cctx, fiel, "12345678a"); err != nil {
		t.Fatal(err)
	}
	// The press's time on the browser's clock, kept in the extension's
	// localStorage (the consent window closes itself), read from octx. The
	// window reads localStorage once now: its first use in a page loads the
	// storage with a synchronous call to the browser (1–3 ms), which the
	// benchmark's own listener would otherwise add to the press's path.
	if _, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`(document.querySelector("#aceptar").addEventListener("click", (e) => localStorage.setItem("bench:press", String(performance.timeOrigin + e.timeStamp)), {capture: true}), localStorage.getItem("bench:press"), true)`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(personPause) // the person types the password
	if err := chromerig.Accept(cctx); err != nil {
		t.Fatal(err)
	}
	shown, err := waitJS[float64](ctx, `location.pathname === "/inicio" && document.querySelector("#rfc")?.textContent && `+shownAt, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	press, err := chromedp.Run(octx, chromedp.Evaluate[string](`localStorage.getItem("bench:press")`))
	if err != nil || press == "" {
		t.Fatalf("the press of «Acceder» was not recorded: %v", err)
	}
	pressAt, _ := strconv.ParseFloat(press, 64)
	l.accept = ms(shown - pressAt)
	post := loginTimes(t, ctx)
	l.hops = [3]time.Duration{ms(post[0] - pressAt), ms(post[1] - post[0]), ms(shown - post[1])}
	r.waitClosed()
	return l
}

// loginTimes reads what watchLogin recorded, and clears it.
func loginTimes(t *testing.T, ctx context.Context) [2]float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const v = [Number(sessionStorage.getItem("loginStart")), Number(sessionStorage.getItem("loginEnd"))]; sessionStorage.clear(); return v; })()`))
	if err != nil || len(v) != 2 || v[0] == 0 || v[1] == 0 {
		t.Fatalf("the page's POST /api/login was not recorded: %v %v", v, err)
	}
	return [2]float64{v[0], v[1]}
}

// floorLogin measures the unavoidable parts of a login the way the portal
// does them without the extension, in a tab of its own opened like
// browserLogin's (homeTab: the same cache and renderer history, so that
// /inicio's scripts and styles are as warm for both): the page asks for a
// challenge; the warm native port (floorPort, in the extension page octx)
// authenticates it; then the page itself POSTs /api/login with that token
// and navigates to the answer's redirect, timed on the browser's clock at
// the same points as browserLogin's.
func floorLogin(t *testing.T, r *rig, octx context.Context, base, fiel string) [3]time.Duration {
	t.Helper()
	ctx, cancel := homeTab(t, r, base)
	defer cancel()
	ch, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/api/challenge", {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"}, body: "{}"}).then((r) => r.json()).then((j) => j.challenge)`, chromedp.EvalAwaitPromise))
	if err != nil || ch == "" {
		t.Fatalf("challenge: %q %v", ch, err)
	}
	params, _ := json.Marshal(protocol.AuthenticateParams{Origin: base, Challenge: ch, CertificateID: fiel, Password: "12345678a"})
	type answer struct {
		MS    float64            `json:"ms"`
		Token protocol.AuthToken `json:"token"`
	}
	auth, err := chromedp.Run(octx, chromedp.Evaluate[answer](`(async () => { const t0 = performance.now(); const m = await window.__floor("`+protocol.CmdAuthenticate+`", `+string(params)+`); const ms = performance.now() - t0; if (m.error) throw new Error(JSON.stringify(m.error)); return {ms, token: m.result}; })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("authenticate on the floor's port: %v", err)
	}
	body, _ := json.Marshal(map[string]any{"challenge": ch, "token": auth.Token})
	// As portal.js does (POST, read the answer, location.assign), with the
	// POST timed by the same wrapper as in browserLogin.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](watchLogin)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(fetch("/api/login", {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"}, body: `+strconv.Quote(string(body))+`})
		.then((r) => r.json()).then((who) => { if (who.rfc === "EKU9003173C9") location.assign(who.redirect || "/inicio"); }), true)`)); err != nil {
		t.Fatal(err)
	}
	shown, err := waitJS[float64](ctx, `location.pathname === "/inicio" && document.querySelector("#rfc")?.textContent && `+shownAt, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	post := loginTimes(t, ctx)
	return [3]time.Duration{ms(auth.MS), ms(post[1] - post[0]), ms(shown - post[1])}
}

// floorPort opens, in the extension page octx, a native port to the host
// the way the service worker does (chrome.runtime.connectNative: the
// browser starts the host and relays framed JSON), and warms it with a
// hello. window.__floor(command, params) sends one request on it and
// resolves with the host's answer.
func floorPort(t *testing.T, octx context.Context) {
	t.Helper()
	const open = `(() => {
		const port = chrome.runtime.connectNative("` + protocol.HostName + `");
		const waiting = new Map();
		let seq = 0;
		port.onMessage.addListener((m) => { const w = waiting.get(m.id); if (w) { waiting.delete(m.id); w(m); } });
		port.onDisconnect.addListener(() => { for (const w of waiting.values()) w({error: {code: "ERR_HOST_GONE"}}); waiting.clear(); });
		window.__floor = (command, params) => new Promise((resolve) => { const id = "floor-" + ++seq; waiting.set(id, resolve); port.postMessage({id, command, params}); });
		return window.__floor("` + protocol.CmdHello + `", {}).then((m) => m.error ? JSON.stringify(m.error) : "");
	})()`
	failed, err := chromedp.Run(octx, chromedp.Evaluate[string](open, chromedp.EvalAwaitPromise))
	if err != nil || failed != "" {
		t.Fatalf("the floor's native port: %v %s", err, failed)
	}
}
