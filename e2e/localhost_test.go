package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// probeAck posts a request as a page would and reports whether anything
// acknowledged it within d (the content script acknowledges at once).
func probeAck(t *testing.T, ctx context.Context, d time.Duration) bool {
	t.Helper()
	js := `window.acks = []; window.addEventListener("message", (e) => { if (e.source === window && e.data && e.data.type === "efirma:ack") window.acks.push(e.data); });
		window.postMessage({type: "efirma:request", id: "sonda-" + Math.random(), v: 1, action: "status", params: {}}, "*"); true`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.acks.length`))
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestLocalhostNeedsTheDeveloperSwitch is F-06 of issue 11, tried as a local
// page would: the content script ran on every http://localhost and
// http://127.0.0.1 page with the developer switch off, so any local page
// learned that the extension is installed (the acknowledgement) and the
// switch's state (ERR_ORIGIN_NOT_ALLOWED with reason "developer-off"). Now
// the script is registered only while the switch is on: with it off the
// page gets no acknowledgement at all, exactly like a browser without the
// extension.
func TestLocalhostNeedsTheDeveloperSwitch(t *testing.T) {
	r := newRig(t)
	page := servePage(t, "127.0.0.1")
	defer r.setDeveloperMode(true)
	for _, step := range []struct {
		on   bool
		name string
	}{{false, "off"}, {true, "on"}, {false, "off again"}} {
		t.Run(step.name, func(t *testing.T) {
			r.t = t
			r.setDeveloperMode(step.on)
			ctx, cancel := r.openTestPage(page)
			defer cancel()
			if got := probeAck(t, ctx, 1500*time.Millisecond); got != step.on {
				t.Fatalf("developer switch %v: the page got an acknowledgement: %v", step.on, got)
			}
			start(t, ctx, "s", "status", `{}`)
			out := result(t, ctx, "s", 10*time.Second)
			if step.on {
				if host, _ := out.R["host"].(map[string]any); !out.OK || host["available"] != true {
					t.Fatalf("status with the switch on = %+v", out)
				}
				return
			}
			// The same answer as a browser without the extension; no word
			// about the switch.
			if out.OK || out.Code != "ERR_EXTENSION_UNAVAILABLE" {
				t.Fatalf("status with the switch off = %+v, want ERR_EXTENSION_UNAVAILABLE", out)
			}
			r.noConsentFor(300 * time.Millisecond)
		})
	}
}
