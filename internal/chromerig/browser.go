package chromerig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/extension"
)

// Config says how to start Chromium.
type Config struct {
	// Chromium is the browser binary; empty means FindChromium.
	Chromium string
	// Extension is the unpacked extension folder (the repository's extension/).
	Extension string
	// Profile is the --user-data-dir (the host must be registered in its
	// NativeMessagingHosts/ folder, see RegisterHost).
	Profile string
	// Lang is the UI language (--lang); empty means "es-419". With "es…"
	// the environment also gets LANGUAGE=es_MX:es, with anything else
	// LANGUAGE=en_US:en.
	Lang string
	// Env is added to Chromium's environment, which the hosts it starts
	// inherit (for example HOME, EFIRMA_HOME).
	Env []string
	// ExtensionID is the loaded extension's ID; empty means extension.DevID.
	ExtensionID string
	// Visible shows the browser window (for a person at a display) instead
	// of running headless.
	Visible bool
	// HostRules is Chromium's --host-resolver-rules, for reaching a test
	// server under a real name (e.g. "MAP loginda.siat.sat.gob.mx
	// 127.0.0.1:8443"; satreplica.Replica.HostRules builds it).
	HostRules string
	// TrustSPKI are base64 SHA-256 hashes of SubjectPublicKeyInfos whose
	// certificates Chromium accepts without a trusted chain
	// (--ignore-certificate-errors-spki-list), for such a test server.
	TrustSPKI []string
	// Errorf receives chromedp's protocol-level complaints (for example
	// "received DOM.documentUpdated when there's no top-level frame", which
	// popup windows cause); nil drops them.
	Errorf func(format string, args ...any)
}

// Browser is one running headless Chromium with the extension loaded.
type Browser struct {
	// Ctx is the browser's first tab; new tabs derive from it.
	Ctx context.Context
	// ExtID is the extension's ID.
	ExtID string
	// UILang is chrome.i18n.getUILanguage(): the language the extension's
	// pages (consent window, popup, options) are shown in.
	UILang string

	cancelAlloc, cancelBrowser context.CancelFunc
}

// Start starts Chromium (headless=new) with cfg and waits for the
// extension's service worker. Close it when done.
func Start(cfg Config) (*Browser, error) {
	if cfg.Chromium == "" {
		p, err := FindChromium()
		if err != nil {
			return nil, err
		}
		cfg.Chromium = p
	}
	if cfg.Extension == "" || cfg.Profile == "" {
		return nil, errors.New("chromerig: Config.Extension and Config.Profile are required")
	}
	if _, err := os.Stat(cfg.Extension + "/manifest.json"); err != nil {
		return nil, fmt.Errorf("extension folder: %w", err)
	}
	if cfg.Lang == "" {
		cfg.Lang = "es-419"
	}
	if cfg.ExtensionID == "" {
		cfg.ExtensionID = extension.DevID
	}
	env := []string{"LANGUAGE=en_US:en", "LANG=en_US.UTF-8"}
	if strings.HasPrefix(cfg.Lang, "es") {
		env = []string{"LANGUAGE=es_MX:es", "LANG=es_MX.UTF-8"}
	}
	env = append(env, cfg.Env...)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(cfg.Chromium),
		chromedp.UserDataDir(cfg.Profile),
	}
	opts = append(opts, chromedp.DefaultExecAllocatorOptions[:]...)
	headless := any("new")
	if cfg.Visible {
		headless = false
	}
	opts = append(opts,
		chromedp.Flag("headless", headless),
		chromedp.Flag("disable-extensions", false),
		chromedp.Flag("load-extension", cfg.Extension),
		chromedp.Flag("disable-extensions-except", cfg.Extension),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", cfg.Lang),
		chromedp.WindowSize(1100, 900),
		chromedp.Env(env...),
	)
	if cfg.HostRules != "" {
		opts = append(opts, chromedp.Flag("host-resolver-rules", cfg.HostRules))
	}
	if len(cfg.TrustSPKI) > 0 {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(cfg.TrustSPKI, ",")))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	errorf := cfg.Errorf
	if errorf == nil {
		errorf = func(string, ...any) {}
	}
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(errorf))
	b := &Browser{Ctx: ctx, ExtID: cfg.ExtensionID, cancelAlloc: cancelAlloc, cancelBrowser: cancelBrowser}
	if err := chromedp.Do(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	if err := b.waitServiceWorker(15 * time.Second); err != nil {
		b.Close()
		return nil, err
	}
	lang, err := b.uiLanguage()
	if err != nil {
		b.Close()
		return nil, err
	}
	b.UILang = lang
	return b, nil
}

// Close ends the browser and the hosts it started.
func (b *Browser) Close() {
	b.cancelBrowser()
	b.cancelAlloc()
}

// Spanish reports whether the extension's pages are in Spanish.
func (b *Browser) Spanish() bool { return strings.HasPrefix(b.UILang, "es") }

// ExtensionURL is chrome-extension://<id>/<page>.
func (b *Browser) ExtensionURL(page string) string {
	return "chrome-extension://" + b.ExtID + "/" + page
}

func (b *Browser) waitServiceWorker(within time.Duration) error {
	want := b.ExtensionURL("background.js")
	ok := WaitFor(b.Ctx, within, 100*time.Millisecond, func() bool {
		ts, err := chromedp.Targets(b.Ctx)
		if err != nil {
			return false
		}
		for _, ti := range ts {
			if ti.URL == want {
				return true
			}
		}
		return false
	})
	if !ok {
		return fmt.Errorf("the extension's service worker (%s) did not start: is the extension ID right?", want)
	}
	return nil
}

// uiLanguage reads chrome.i18n.getUILanguage() in an extension page that
// does not talk to the host.
func (b *Browser) uiLanguage() (string, error) {
	ctx, cancel, err := b.Tab(b.ExtensionURL("pages.css"))
	if err != nil {
		return "", err
	}
	defer cancel()
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`chrome.i18n.getUILanguage()`))
	if err != nil {
		return "", fmt.Errorf("UI language: %w", err)
	}
	return lang, nil
}

// Tab opens a new tab at url and waits for it to load.
func (b *Browser) Tab(url string) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(b.Ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("open %s: %w", url, err)
	}
	return ctx, cancel, nil
}

// ConsentTargets lists the consent windows open now.
func (b *Browser) ConsentTargets() ([]*target.Info, error) {
	ts, err := chromedp.Targets(b.Ctx)
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	var out []*target.Info
	for _, ti := range ts {
		if ti.Type == "page" && strings.HasPrefix(ti.URL, b.ExtensionURL("consent.html")) {
			out = append(out, ti)
		}
	}
	return out, nil
}

// WaitConsent waits for a consent window, attaches to it and waits until
// its accept button is there.
func (b *Browser) WaitConsent(within time.Duration) (context.Context, context.CancelFunc, error) {
	var found *target.Info
	var lastErr error
	WaitFor(b.Ctx, within, 25*time.Millisecond, func() bool {
		ts, err := b.ConsentTargets()
		lastErr = err
		if len(ts) > 0 {
			found = ts[0]
		}
		return found != nil
	})
	if found == nil {
		if lastErr != nil {
			return nil, nil, lastErr
		}
		return nil, nil, errors.New("the consent window did not open")
	}
	ctx, cancel := chromedp.NewContext(b.Ctx, chromedp.WithTargetID(found.TargetID))
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#aceptar"))); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("consent window: %w", err)
	}
	return ctx, cancel, nil
}

// NoConsentFor returns an error if a consent window appears within d.
func (b *Browser) NoConsentFor(d time.Duration) error {
	var opened string
	WaitFor(b.Ctx, d, 50*time.Millisecond, func() bool {
		if ts, _ := b.ConsentTargets(); len(ts) > 0 {
			opened = ts[0].URL
			return true
		}
		return false
	})
	if opened != "" {
		return fmt.Errorf("a consent window opened: %s", opened)
	}
	return nil
}

// WaitConsentClosed waits until no consent window is left.
func (b *Browser) WaitConsentClosed(within time.Duration) error {
	ok := WaitFor(b.Ctx, within, 25*time.Millisecond, func() bool {
		ts, err := b.ConsentTargets()
		return err == nil && len(ts) == 0
	})
	if !ok {
		return errors.New("the consent window stayed open")
	}
	return nil
}

// DevScriptID is extension/shared/devscript.js's DEV_SCRIPT_ID.
const DevScriptID = "efirma-dev-localhost"

// SetDeveloperMode flips the switch in the extension's options page ("Mis
// certificados"), like a person, and waits until the extension stored it.
// With it on, the extension serves http://localhost and http://127.0.0.1.
func (b *Browser) SetDeveloperMode(on bool) error {
	ctx, cancel, err := b.Tab(b.ExtensionURL("options.html"))
	if err != nil {
		return err
	}
	defer cancel()
	// Wait until the page shows the stored state, so that a click flips
	// what is stored and not a checkbox still loading.
	type state struct {
		On bool `json:"on"`
	}
	st, err := WaitJS[state](ctx, `(async () => {
		const stored = (await chrome.storage.local.get("developerMode")).developerMode === true;
		const box = document.querySelector("#modo-desarrollador");
		return box && box.checked === stored ? {on: stored} : null;
	})()`, 5*time.Second)
	if err != nil {
		return fmt.Errorf("developer switch: %w", err)
	}
	now := st.On
	if now != on {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#modo-desarrollador"))); err != nil {
			return fmt.Errorf("developer switch: %w", err)
		}
	}
	js := fmt.Sprintf(`(async () => ((await chrome.storage.local.get("developerMode")).developerMode === true) === %v)()`, on)
	if _, err := WaitJS[bool](ctx, js, 5*time.Second); err != nil {
		return fmt.Errorf("developer switch did not become %v: %w", on, err)
	}
	// The service worker registers the localhost content script while the
	// switch is on (extension/shared/devscript.js): wait for it to follow.
	js = fmt.Sprintf(`(async () => (await chrome.scripting.getRegisteredContentScripts({ids: [%q]})).length === 1 === %v)()`, DevScriptID, on)
	if _, err := WaitJS[bool](ctx, js, 5*time.Second); err != nil {
		return fmt.Errorf("the localhost content script did not follow the developer switch (%v): %w", on, err)
	}
	return nil
}

// Choose picks the certificate in the consent window, types the password and
// presses the accept button (Acceder or Firmar): Pick, then Accept.
func Choose(ctx context.Context, certID, password string) error {
	if err := Pick(ctx, certID, password); err != nil {
		return err
	}
	return Accept(ctx)
}

// Pick waits until the consent window lists the certificates, picks certID
// and types the password, without accepting yet.
func Pick(ctx context.Context, certID, password string) error {
	if _, err := WaitJS[bool](ctx, `!document.querySelector("#password").disabled`, 10*time.Second); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	radio := `#certificados input[value="` + certID + `"]`
	if err := chromedp.Do(ctx,
		chromedp.WaitReady(chromedp.CSS(radio)),
		chromedp.Click(chromedp.CSS(radio)),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	return nil
}

// Accept reads to the end of what will be signed, as a person does (the
// button waits for it: extension/shared/docview.js), then presses the
// consent window's accept button.
func Accept(ctx context.Context) error {
	if _, err := WaitJS[bool](ctx, `(() => { const e = document.querySelector(".docview-end"); if (e) e.scrollIntoView({block: "end"}); return !document.querySelector("#aceptar").disabled; })()`, 5*time.Second); err != nil {
		return fmt.Errorf("consent: the accept button stayed disabled: %w", err)
	}
	// The press can end the window before chromedp hears back from it: a
	// final error closes it at once (a locked PIN answers in milliseconds).
	// That is the press's own outcome, and the caller checks what the page
	// got; any other failure is the test's.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#aceptar"))); err != nil && !errors.Is(err, chromedp.ErrTargetDetached) {
		return fmt.Errorf("consent: %w", err)
	}
	return nil
}

// Screenshot saves the whole page of ctx's tab or window as a PNG file.
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return os.WriteFile(path, png, 0o644)
}

// WaitJS evaluates expr in the page's main world every 50 ms until it gives
// a value that is not null, undefined or false, and returns it. (chromedp.Poll
// may pick the content script's isolated world on pages where the extension
// runs, so this polls with plain evaluations.)
func WaitJS[T any](ctx context.Context, expr string, within time.Duration) (T, error) {
	deadline := time.Now().Add(within)
	var last error
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[*T](`(async () => { const v = await (`+expr+`); return v === false ? null : v; })()`, chromedp.EvalAwaitPromise))
		if err == nil && v != nil {
			return *v, nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			var zero T
			if last == nil {
				last = errors.New("still not true")
			}
			return zero, fmt.Errorf("waiting for %s: %w", expr, last)
		}
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
