package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/extension"
)

// testPage is a minimal portal page: it loads the page library and lets the
// test start calls and read their outcome from window.results.
const testPage = `<!doctype html><meta charset="utf-8"><title>prueba</title>
<script type="module">
import * as efirma from "/efirma.js";
window.results = {};
window.run = (key, fn, params) => {
  window.results[key] = null;
  window.started = performance.now();
  efirma[fn](params).then(
    (r) => { window.results[key] = { ok: true, r }; },
    (e) => { window.results[key] = { ok: false, code: e.code, message: e.message, hint: e.hint, isEfirmaError: e instanceof efirma.EfirmaError }; });
};
window.ready = true;
</script>`

// outcome is what window.results holds for one call.
type outcome struct {
	OK            bool           `json:"ok"`
	R             map[string]any `json:"r"`
	Code          string         `json:"code"`
	Message       string         `json:"message"`
	Hint          string         `json:"hint"`
	IsEfirmaError bool           `json:"isEfirmaError"`
}

// servePage serves testPage and efirma.js on host (an IP), returning the base URL.
func servePage(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/efirma.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(extension.PageLibrary)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, testPage)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// openTestPage opens the test page and waits for the library to load.
func (r *rig) openTestPage(url string) (context.Context, context.CancelFunc) {
	ctx, cancel := r.tab(url)
	if _, err := waitJS[bool](ctx, `window.ready === true`, 5*time.Second); err != nil {
		cancel()
		r.t.Fatalf("test page: %v", err)
	}
	return ctx, cancel
}

// startConsent opens the test page, starts fn there as key (start) and
// waits for its consent window; both are closed when t ends. It returns the
// page's and the window's contexts.
func (r *rig) startConsent(t *testing.T, page, key, fn, params string) (ctx, cctx context.Context) {
	t.Helper()
	ctx, cancel := r.openTestPage(page)
	t.Cleanup(cancel)
	start(t, ctx, key, fn, params)
	cctx, ccancel := r.waitConsent()
	t.Cleanup(ccancel)
	return ctx, cctx
}

// start begins a library call in the page without waiting for it.
func start(t *testing.T, ctx context.Context, key, fn, params string) {
	t.Helper()
	js := fmt.Sprintf(`window.run(%q, %q, %s), true`, key, fn, params)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatalf("start %s: %v", fn, err)
	}
}

// result waits for the outcome of the call started under key.
func result(t *testing.T, ctx context.Context, key string, within time.Duration) outcome {
	t.Helper()
	out, err := waitJS[outcome](ctx, fmt.Sprintf(`window.results[%q]`, key), within)
	if err != nil {
		t.Fatalf("waiting for %s: %v", key, err)
	}
	return out
}
