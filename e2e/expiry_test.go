package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/testenv"
)

// TestExpiryNotification (issue 7 §3) in a Chromium of its own, so that the
// extension is freshly installed: an e.firma generated to expire in 5 days
// is the only certificate; on install the service worker asks the host and
// the 7-day threshold fires — the badge shows the days left, a
// notification "efirma-expiry:<número>:7" exists (chrome.notifications works
// in headless Chromium), and chrome.storage.local's expiryNotified
// remembers 30 and 7 (not 1) for that certificate. Then an expired FIEL of
// another RFC is imported and the daily alarm fires (an unpacked extension
// may set it to now): the badge turns "!", with its own "expired"
// notification and memory, and the 5-day one is not notified again.
func TestExpiryNotification(t *testing.T) {
	r := newRig(t)
	ca := testenv.NewCA(t, "AC DE PRUEBAS VIGENCIA")
	home := t.TempDir()
	soon := r.importGenerated(t, home, "soon", ca.Issue(testenv.Leaf{
		RFC: "VEPJ800101AB3", Name: "VERONICA ESTRADA PEREZ", CURP: "VEPJ800101MDFRRN03",
		NotAfter: time.Now().Add(5*24*time.Hour + time.Hour),
	}))
	if soon.Type != "FIEL" || soon.Status != "valid" || soon.DaysLeft < 4 || soon.DaysLeft > 5 {
		t.Fatalf("generated FIEL %+v: want valid with 4–5 days left", soon)
	}

	tmp := t.TempDir()
	profile := filepath.Join(tmp, "profile")
	if _, err := chromerig.RegisterHost(profile, tmp, r.efirma, home); err != nil {
		t.Fatal(err)
	}
	b := r.startBrowser(t, r.chromium, profile, []string{"HOME=" + tmp, "EFIRMA_HOME=" + home})
	ctx, cancel, err := b.Tab(b.ExtensionURL("pages.css"))
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()

	type state struct {
		Badge         string         `json:"badge"`
		Title         string         `json:"title"`
		Notifications []string       `json:"notifications"`
		Notified      map[string]any `json:"notified"`
	}
	// read waits until the badge is want and returns what the extension shows and remembers.
	read := func(want string) state {
		t.Helper()
		st, err := waitJS[state](ctx, `(async () => {
			const badge = await chrome.action.getBadgeText({});
			if (badge !== `+jsString(want)+`) return null;
			return {
				badge,
				title: await chrome.action.getTitle({}),
				notifications: Object.keys(await chrome.notifications.getAll()).sort(),
				notified: (await chrome.storage.local.get("expiryNotified")).expiryNotified || {},
			};
		})()`, 20*time.Second)
		if err != nil {
			got, _ := waitJS[string](ctx, `chrome.action.getBadgeText({}).then((b) => "badge " + JSON.stringify(b))`, time.Second)
			t.Fatalf("the badge did not become %q (%s): %v", want, got, err)
		}
		return st
	}
	thresholds := func(v any) []string {
		var out []string
		list, _ := v.([]any)
		for _, x := range list {
			out = append(out, fmt.Sprint(x))
		}
		slices.Sort(out)
		return out
	}

	days := fmt.Sprintf("%dd", soon.DaysLeft)
	st := read(days)
	if !slices.Contains(st.Notifications, "efirma-expiry:"+soon.Serial+":7") {
		t.Errorf("notifications %v: want efirma-expiry:%s:7", st.Notifications, soon.Serial)
	}
	if got := thresholds(st.Notified[soon.Serial]); !slices.Equal(got, []string{"30", "7"}) {
		t.Errorf("expiryNotified[%s] = %v, want [30 7] (7 days crossed, 1 day not yet)", soon.Serial, st.Notified)
	}
	if want := r.msg("expiry_badge_soon", soon.RFC, fmt.Sprint(soon.DaysLeft)); st.Title != want {
		t.Errorf("badge title %q, want %q", st.Title, want)
	}

	expired := r.importGenerated(t, home, "expired", ca.Issue(testenv.Leaf{
		RFC: "EXPJ800101AB4", Name: "EXPEDITO PEREZ", CURP: "EXPJ800101HDFRRN04",
		NotBefore: time.Now().AddDate(-4, 0, 0), NotAfter: time.Now().Add(-2 * 24 * time.Hour),
	}))
	if expired.Status != "expired" {
		t.Fatalf("generated FIEL %+v: want expired", expired)
	}
	// The daily check, now (unpacked extensions are not held to the
	// 30-second minimum of chrome.alarms).
	if _, err := waitJS[bool](ctx, `chrome.alarms.create("efirma-expiry", {when: Date.now()}).then(() => true)`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	st = read("!")
	for _, id := range []string{"efirma-expiry:" + expired.Serial + ":expired", "efirma-expiry:" + soon.Serial + ":7"} {
		if !slices.Contains(st.Notifications, id) {
			t.Errorf("notifications %v: want %s", st.Notifications, id)
		}
	}
	if got := thresholds(st.Notified[expired.Serial]); !slices.Equal(got, []string{"1", "30", "7", "expired"}) {
		t.Errorf("expiryNotified[%s] = %v, want expired (and every threshold)", expired.Serial, st.Notified)
	}
	if got := thresholds(st.Notified[soon.Serial]); !slices.Equal(got, []string{"30", "7"}) {
		t.Errorf("expiryNotified[%s] = %v after the second check, want still [30 7]", soon.Serial, st.Notified)
	}
	if want := r.msg("expiry_badge_expired", expired.RFC); st.Title != want {
		t.Errorf("badge title %q, want %q", st.Title, want)
	}
}
