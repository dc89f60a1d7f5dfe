// Command demo is `make demo`: the main job on embedded defaults, with no
// setup beyond the README. Three phases, each step printed in Spanish (English
// with LANG=en):
//
//  1. Protocol: imports the generated test e.firma into a throwaway
//     EFIRMA_HOME and drives the real bin/efirma over native-messaging framing
//     exactly as Chrome does — hello, list, authenticate, sign — verifying
//     both signatures in Go and with openssl.
//  2. Browser: the real flow in headless Chromium with the unpacked extension
//     and the host registered in a throwaway profile, against the demo portal
//     on loopback: "Acceder con firma digital", the consent window, /inicio,
//     then "Solicitar cita" signed and verified with a folio. It saves PNG
//     screenshots of each screen and prints the folder.
//  3. SAT login: a local replica of SAT's e.firma login (internal/satreplica)
//     under SAT's real host names; «Ingresar con el Conector e.firma», the
//     consent window, and the replica's "RFC autenticado"; then the same
//     token sent again is refused. It runs when the demo drives the browser
//     itself (not with --visible); -sat=false skips it.
//
// Without Chromium the browser phase says how to install it and the demo
// still ends well (exit 0), except under CI=true. Flags: -browser=false skips
// the browser phase; -keep leaves the portal running for a person to try.
// The browser rig is internal/chromerig, shared with the e2e tests.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/chromerig"
)

// options are the demo's flags, with paths made absolute from the
// repository root.
type options struct {
	bin, portalBin, creds, caDir, origin, out string
	browser, keep, visible, sat               bool
	root                                      string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/efirma", "host binary (built if missing)")
	flag.StringVar(&o.portalBin, "portal-bin", "bin/demo-portal", "demo portal binary (built if missing)")
	flag.StringVar(&o.creds, "creds", "testdata/creds/fiel-fisica", "folder with certificate.cer and private_key.key (password 12345678a)")
	flag.StringVar(&o.caDir, "ca-dir", "testdata/ca", "CA certificates the demo portal trusts")
	flag.StringVar(&o.origin, "origin", "https://serviciosdigitales.imss.gob.mx", "site the protocol phase's login is for")
	flag.StringVar(&o.out, "out", "", "folder for the screenshots (default: a new temporary folder)")
	flag.BoolVar(&o.browser, "browser", true, "run the browser phase (headless Chromium with the extension)")
	flag.BoolVar(&o.sat, "sat", true, "run the SAT login phase (the extension's button on a local replica of SAT's e.firma login)")
	flag.BoolVar(&o.keep, "keep", false, "leave the demo portal running for a person to try, until Ctrl+C")
	flag.BoolVar(&o.visible, "visible", hasDisplay(), "show Chromium so a person clicks through the flow (default when a display is present and CI is not set)")
	flag.Parse()
	d := &demo{lang: i18n.FromEnv(), interrupted: make(chan struct{})}
	d.onSignal()
	err := run(d, o)
	d.cleanup()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		var h hinted
		if errors.As(err, &h) {
			fmt.Fprintf(os.Stderr, "hint: %s\n", h.hint)
		}
		os.Exit(1)
	}
}

func run(d *demo, o options) error {
	root, err := chromerig.FindRoot(".")
	if err != nil {
		return err
	}
	o.root = root
	for _, p := range []*string{&o.bin, &o.portalBin, &o.creds, &o.caDir} {
		if !filepath.IsAbs(*p) {
			*p = filepath.Join(root, *p)
		}
	}
	if err := d.ensureBinary(root, o.bin, "./host/cmd/efirma"); err != nil {
		return err
	}
	if err := d.protocolPhase(o.bin, o.creds, o.origin); err != nil {
		return err
	}
	if !o.browser {
		d.heading("demo.phase.browser")
		d.detail("demo.browser.skipped")
		return nil
	}
	return d.browserPhase(o)
}

// demo prints numbered steps in the user's language and owns what must be
// undone at exit (servers, the browser, temporary folders), also on Ctrl+C.
type demo struct {
	lang  i18n.Lang
	steps int

	mu          sync.Mutex
	undo        []func()
	undoOnce    sync.Once
	keeping     atomic.Bool   // -keep is waiting for Ctrl+C
	interrupted chan struct{} // closed on Ctrl+C while keeping
}

// atExit registers f to run at exit, in reverse order of registration.
func (d *demo) atExit(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.undo = append(d.undo, f)
}

// cleanup runs what atExit registered, once; a second caller waits until
// the first is done.
func (d *demo) cleanup() {
	d.undoOnce.Do(func() {
		d.mu.Lock()
		undo := d.undo
		d.undo = nil
		d.mu.Unlock()
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	})
}

// onSignal makes Ctrl+C (or SIGTERM) end the demo cleanly: while -keep
// waits it just ends the wait, otherwise it undoes everything and exits 130.
func (d *demo) onSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		if d.keeping.Load() {
			close(d.interrupted)
			return
		}
		d.cleanup()
		fmt.Fprintln(os.Stderr, d.t("demo.interrupted"))
		os.Exit(130)
	}()
}

// removeAll removes a temporary folder, retrying briefly while processes
// that just ended (the browser, the host) finish writing into it.
func removeAll(dir string) {
	for i := 0; i < 20; i++ {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (d *demo) t(key string, args ...any) string { return i18n.T(d.lang, key, args...) }

// browserLang is Chromium's --lang for the demo's language.
func (d *demo) browserLang() string {
	if d.lang == i18n.EN {
		return "en-US"
	}
	return "es-419"
}

func (d *demo) heading(key string, args ...any) {
	fmt.Printf("\n== %s ==\n", d.t(key, args...))
}

func (d *demo) say(key string, args ...any) {
	d.steps++
	fmt.Printf("%d. %s\n", d.steps, d.t(key, args...))
}

func (d *demo) detail(key string, args ...any) {
	fmt.Printf("   %s\n", d.t(key, args...))
}

// hinted is an error with a hint for the person (printed as "hint: …").
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }

// ensureBinary builds pkg into path when path does not exist yet (make demo
// builds both binaries first; `go run ./host/cmd/demo` alone does not).
func (d *demo) ensureBinary(root, path, pkg string) error {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return nil
	}
	d.say("demo.build", pkg, path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return chromerig.Build(root, pkg, path, "")
}

// hasDisplay reports whether a person can see a browser window here.
func hasDisplay() bool {
	if os.Getenv("CI") == "true" {
		return false
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || runtime.GOOS == "windows" || runtime.GOOS == "darwin"
}
