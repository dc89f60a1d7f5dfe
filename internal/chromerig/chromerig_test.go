package chromerig

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/protocol"
)

func TestFindChromiumHonoursTheOverride(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EFIRMA_CHROMIUM", fake)
	if got, err := FindChromium(); err != nil || got != fake {
		t.Fatalf("FindChromium() = %q, %v; want %q", got, err, fake)
	}
	// Set but absent: no fallback to the system's Chromium.
	t.Setenv("EFIRMA_CHROMIUM", filepath.Join(dir, "none"))
	if got, err := FindChromium(); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("FindChromium() = %q, %v; want ErrNoChromium", got, err)
	}
	t.Setenv("EFIRMA_CHROMIUM", dir) // a folder is not a browser
	if _, err := FindChromium(); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("a folder was accepted: %v", err)
	}
}

func TestFindRoot(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "extension", "manifest.json")); err != nil {
		t.Fatalf("root %s has no extension/manifest.json: %v", root, err)
	}
	if _, err := FindRoot(t.TempDir()); err == nil {
		t.Fatal("a folder outside the repository gave a root")
	}
}

// TestRegisterHost checks the manifest Chromium reads and runs the wrapper
// (with a stand-in host, from folders whose names need quoting) to see that
// it records its PID and passes EFIRMA_HOME and the arguments on.
func TestRegisterHost(t *testing.T) {
	base := filepath.Join(t.TempDir(), "it's here")
	profile, dir, home := filepath.Join(base, "profile"), filepath.Join(base, "tmp $x"), filepath.Join(base, "home `y`")
	for _, d := range []string{dir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fakeHost := filepath.Join(dir, "efirma")
	out := filepath.Join(dir, "seen")
	script := "#!/bin/sh\nprintf '%s\\n' \"$EFIRMA_HOME\" \"$EFIRMA_DEV_ORIGINS\" \"$$\" \"$@\" > " + shellQuote(out) + "\n"
	if err := os.WriteFile(fakeHost, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	h, err := RegisterHost(profile, dir, fakeHost, home)
	if err != nil {
		t.Fatal(err)
	}
	if h.Manifest != filepath.Join(profile, "NativeMessagingHosts", "mx.efirma.conector.json") || ManifestPath(profile) != h.Manifest {
		t.Fatalf("manifest at %s", h.Manifest)
	}
	var m struct {
		Name           string   `json:"name"`
		Path           string   `json:"path"`
		Type           string   `json:"type"`
		AllowedOrigins []string `json:"allowed_origins"`
	}
	b, err := os.ReadFile(h.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != protocol.HostName || m.Path != h.Wrapper || m.Type != "stdio" || len(m.AllowedOrigins) != 1 || m.AllowedOrigins[0] != "chrome-extension://"+extension.DevID+"/" {
		t.Fatalf("manifest %+v", m)
	}

	origin := "chrome-extension://" + extension.DevID + "/"
	if b, err := exec.Command(h.Wrapper, origin).CombinedOutput(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, b)
	}
	seen, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(seen)), "\n")
	if len(lines) != 4 || lines[0] != home || lines[1] != "1" || lines[3] != origin {
		t.Fatalf("the host saw %q", lines)
	}
	pid, err := h.PID()
	if err != nil || lines[2] != strconv.Itoa(pid) {
		t.Fatalf("PID() = %d, %v; the host ran as %s (exec must keep the PID)", pid, err, lines[2])
	}
}

// TestRegisterHostWith: extra environment reaches the host (quoted), other
// allowed origins replace the development ID, and a malformed entry is a
// named error.
func TestRegisterHostWith(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	fakeHost := filepath.Join(dir, "efirma")
	out := filepath.Join(dir, "seen")
	script := "#!/bin/sh\nprintf '%s\\n' \"$SOFTHSM2_CONF\" \"$EFIRMA_PKCS11_MODULES\" > " + shellQuote(out) + "\n"
	if err := os.WriteFile(fakeHost, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	other := "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	h, err := RegisterHostWith(profile, dir, fakeHost, dir, HostOptions{
		Env:            []string{"SOFTHSM2_CONF=/tmp/a b/it's.conf", "EFIRMA_PKCS11_MODULES=/x.so:/y.so"},
		AllowedOrigins: []string{other},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(h.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		AllowedOrigins []string `json:"allowed_origins"`
	}
	if err := json.Unmarshal(b, &m); err != nil || len(m.AllowedOrigins) != 1 || m.AllowedOrigins[0] != other {
		t.Fatalf("allowed_origins %v (%v), want only %s", m.AllowedOrigins, err, other)
	}
	if b, err := exec.Command(h.Wrapper).CombinedOutput(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, b)
	}
	seen, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(seen)); got != "/tmp/a b/it's.conf\n/x.so:/y.so" {
		t.Fatalf("the host saw %q", got)
	}
	for _, bad := range []string{"NOVALUE", "=x", "A B=x", "A;rm=x"} {
		if _, err := RegisterHostWith(profile, dir, fakeHost, dir, HostOptions{Env: []string{bad}}); err == nil {
			t.Errorf("env entry %q accepted", bad)
		}
	}
}

func TestStartPortalReportsAPortalThatDies(t *testing.T) {
	addr, err := FreeAddr("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "portal")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'no CA folder' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := StartPortal(bin, t.TempDir(), addr)
	if err == nil {
		p.Stop()
		t.Fatal("a portal that exits at once was reported started")
	}
	if !strings.Contains(err.Error(), "no CA folder") {
		t.Fatalf("error %q lacks the portal's output", err)
	}
}

func TestStartNeedsFolders(t *testing.T) {
	if _, err := Start(Config{Chromium: "/bin/true"}); err == nil || !strings.Contains(err.Error(), "required") {
		t.Fatalf("Start without folders: %v", err)
	}
	if _, err := Start(Config{Chromium: "/bin/true", Extension: t.TempDir(), Profile: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "extension folder") {
		t.Fatalf("Start with a folder that is not the extension: %v", err)
	}
}
