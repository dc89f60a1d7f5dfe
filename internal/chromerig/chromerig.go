// Package chromerig runs the real Conector e.firma in a real Chromium: the
// unpacked extension loaded into a throwaway profile, the host (bin/efirma)
// registered in that profile's NativeMessagingHosts/ through a small wrapper,
// and the demo portal on loopback. The end-to-end tests (package e2e) and
// `make demo` (host/cmd/demo) both drive the browser through it, so there is
// one way of doing each step.
//
// Rules: everything it creates lives in folders the caller gives it (temporary
// ones in practice); it never touches the user's own browser profile or
// EFIRMA_HOME. Nothing here decides whether a missing Chromium is a skip or a
// failure: FindChromium returns ErrNoChromium and the caller decides (the
// tests fail under CI=true; the demo says how to install it). Functions return
// errors, never call log.Fatal or panic on outside input.
//
// Typical use:
//
//	cert, _ := chromerig.Import(efirma, home, cer, key, "12345678a")
//	host, _ := chromerig.RegisterHost(profile, tmp, efirma, home)
//	b, _ := chromerig.Start(chromerig.Config{Extension: root + "/extension", Profile: profile})
//	defer b.Close()
//	b.SetDeveloperMode(true)
//	portal, _ := chromerig.StartPortal(portalBin, caDir, addr)
//	defer portal.Stop()
//	ctx, cancel, _ := b.Tab(portal.URL + "/")
//	... chromedp.Click("#acceder") ...
//	consent, ccancel, _ := b.WaitConsent(10 * time.Second)
//	chromerig.Choose(consent, cert.ID, "12345678a")
package chromerig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/protocol"
)

// ErrNoChromium is returned by FindChromium (and Start without a path) when
// no Chromium binary is installed.
var ErrNoChromium = errors.New("chromium not found")

// AptInstall is the command that installs what this package needs on Debian:
// Chromium and its language packs (for the Spanish browser UI).
const AptInstall = "sudo apt-get install chromium chromium-l10n"

// FindChromium returns the Chromium binary: $EFIRMA_CHROMIUM when set (and
// then nothing else, so that EFIRMA_CHROMIUM=none simulates a machine
// without it), else /usr/bin/chromium, /usr/bin/chromium-browser, then
// "chromium" on PATH.
func FindChromium() (string, error) {
	candidates := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}
	if p := os.Getenv("EFIRMA_CHROMIUM"); p != "" {
		candidates = []string{p}
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if os.Getenv("EFIRMA_CHROMIUM") == "" {
		if p, err := exec.LookPath("chromium"); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// SpanishLocaleInstalled reports whether Chromium has its Latin American
// Spanish UI locale (Debian's chromium-l10n), without which the browser UI
// and chrome.i18n stay in English whatever LANGUAGE says.
func SpanishLocaleInstalled(chromium string) bool {
	dirs := []string{"/usr/lib/chromium/locales"}
	if chromium != "" {
		if real, err := filepath.EvalSymlinks(chromium); err == nil {
			dirs = append(dirs, filepath.Join(filepath.Dir(real), "locales"))
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "es-419.pak")); err == nil {
			return true
		}
	}
	return false
}

// FindRoot walks up from dir to the folder holding this module's go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/efirma/conector\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod of github.com/efirma/conector) not found")
		}
		dir = parent
	}
}

// Build runs `go build -o out pkg` in root with extra ldflags (may be
// empty). CGO_ENABLED is taken from the environment, 1 when unset (the host
// needs cgo for PKCS#11 tokens).
func Build(root, pkg, out, ldflags string) error {
	args := []string{"build", "-o", out}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = root
	cgo := os.Getenv("CGO_ENABLED")
	if cgo == "" {
		cgo = "1"
	}
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// FreeAddr returns a loopback address (host:port) that was free a moment ago.
func FreeAddr(host string) (string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// Import imports a SAT .cer/.key pair into efirmaHome with `efirma import
// --json --password-stdin` and returns what the CLI reports about it.
func Import(efirma, efirmaHome, cer, key, password string) (protocol.CertInfo, error) {
	cmd := exec.Command(efirma, "import", "--json", "--password-stdin", "--cer", cer, "--key", key)
	cmd.Env = append(os.Environ(), "EFIRMA_HOME="+efirmaHome)
	cmd.Stdin = strings.NewReader(password + "\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return protocol.CertInfo{}, fmt.Errorf("efirma import %s: %w\n%s%s", cer, err, out, stderr.String())
	}
	var info protocol.CertInfo
	if err := json.Unmarshal(out, &info); err == nil && info.ID != "" {
		return info, nil
	}
	var wrap struct {
		Certificate protocol.CertInfo `json:"certificate"`
	}
	if err := json.Unmarshal(out, &wrap); err != nil || wrap.Certificate.ID == "" {
		return protocol.CertInfo{}, fmt.Errorf("efirma import %s: no certificate id in %q", cer, out)
	}
	return wrap.Certificate, nil
}

// Host is the connector registered in a browser profile.
type Host struct {
	// Manifest is <profile>/NativeMessagingHosts/mx.efirma.conector.json.
	Manifest string
	// Wrapper is the script the manifest points at: it records its PID in
	// PIDFile, sets EFIRMA_HOME and EFIRMA_DEV_ORIGINS=1 and execs efirma
	// (so the PID is the host's).
	Wrapper string
	PIDFile string
}

// ManifestPath is where Chromium on Linux looks for the per-profile host
// manifest: <user-data-dir>/NativeMessagingHosts/mx.efirma.conector.json.
// (`efirma install --dev --browser chromium` writes the same file when the profile
// is $HOME/.config/chromium.)
func ManifestPath(profile string) string {
	return filepath.Join(profile, "NativeMessagingHosts", protocol.HostName+".json")
}

// RegisterHost writes the host manifest into profile, pointing at a wrapper
// script (written into dir) that runs efirma with EFIRMA_HOME=efirmaHome and
// development origins allowed. The development extension ID is allowed.
func RegisterHost(profile, dir, efirma, efirmaHome string) (*Host, error) {
	return RegisterHostWith(profile, dir, efirma, efirmaHome, HostOptions{})
}

// HostOptions are the variations of a host registration that tests need.
type HostOptions struct {
	// Env is added to the host's environment by the wrapper (KEY=VALUE
	// each; for example SOFTHSM2_CONF and EFIRMA_PKCS11_MODULES).
	Env []string
	// AllowedOrigins replaces the manifest's allowed_origins (default: the
	// development extension, extension.AllowedOrigins()).
	AllowedOrigins []string
}

// RegisterHostWith is RegisterHost with options. Registering again in the
// same profile replaces the manifest; use another dir to keep the wrapper
// of an earlier registration.
func RegisterHostWith(profile, dir, efirma, efirmaHome string, o HostOptions) (*Host, error) {
	h := &Host{
		Manifest: ManifestPath(profile),
		Wrapper:  filepath.Join(dir, "efirma-host.sh"),
		PIDFile:  filepath.Join(dir, "host.pid"),
	}
	var env strings.Builder
	for _, kv := range o.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsFunc(k, func(r rune) bool {
			return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			return nil, fmt.Errorf("chromerig: host environment entry %q is not NAME=value", kv)
		}
		env.WriteString(k + "=" + shellQuote(v) + " ")
	}
	script := fmt.Sprintf("#!/bin/sh\necho $$ > %s\n%sEFIRMA_HOME=%s EFIRMA_DEV_ORIGINS=1 exec %s \"$@\"\n",
		shellQuote(h.PIDFile), env.String(), shellQuote(efirmaHome), shellQuote(efirma))
	if err := os.WriteFile(h.Wrapper, []byte(script), 0o755); err != nil {
		return nil, err
	}
	origins := o.AllowedOrigins
	if origins == nil {
		origins = extension.AllowedOrigins()
	}
	m := map[string]any{
		"name":            protocol.HostName,
		"description":     "Conector e.firma (prueba)",
		"path":            h.Wrapper,
		"type":            "stdio",
		"allowed_origins": origins,
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(h.Manifest), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(h.Manifest, b, 0o644); err != nil {
		return nil, err
	}
	return h, nil
}

// PID is the process ID of the host the browser started last.
func (h *Host) PID() (int, error) {
	b, err := os.ReadFile(h.PIDFile)
	if err != nil {
		return 0, fmt.Errorf("host pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("host pid %q: %w", b, err)
	}
	return pid, nil
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WaitFor calls ok every interval until it returns true or within passes.
func WaitFor(ctx context.Context, within, interval time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(interval):
		}
	}
}
