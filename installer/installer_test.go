package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/efirma/conector/i18n"
)

// unixLayout skips, on Windows, a test of the Linux or macOS tables: their
// locations are Unix-absolute paths and a temporary folder there is C:\...,
// so those tables are tested on Linux. Windows runs the Windows-layout
// tests (sandboxed registry, temporary folders) and make windows-check.
func unixLayout(t *testing.T, goos string) {
	t.Helper()
	if runtime.GOOS == "windows" && goos != "windows" {
		t.Skipf("Unix-only: the %s layout uses Unix-absolute paths", goos)
	}
}

// fakeBinary writes an executable file standing in for efirma.
func fakeBinary(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func actions(rep Report) map[string]Action {
	m := map[string]Action{}
	for _, r := range rep.Results {
		m[r.Location] = r.Action
	}
	return m
}

func TestTemplateEqualsTopLevelManifest(t *testing.T) {
	top, err := os.ReadFile("../manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(top, manifestTemplate) {
		t.Fatal("manifest.json and installer/manifest.tmpl.json differ; keep them byte-for-byte equal")
	}
}

func TestRenderManifest(t *testing.T) {
	id1, id2 := strings.Repeat("a", 32), strings.Repeat("p", 32)
	out, err := RenderManifest(`C:\Program Files\efirma\efirma.exe`, []string{id1, id2, id1})
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	want := Manifest{HostName, "Conector e.firma", `C:\Program Files\efirma\efirma.exe`, "stdio",
		[]string{"chrome-extension://" + id1 + "/", "chrome-extension://" + id2 + "/"}}
	if m.Name != want.Name || m.Description != want.Description || m.Path != want.Path || m.Type != want.Type || !slices.Equal(m.AllowedOrigins, want.AllowedOrigins) {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	if _, probs := CheckManifest(out, "windows"); len(probs) != 0 {
		t.Fatalf("rendered manifest has problems %v", probs)
	}
	for _, bad := range [][]string{nil, {"abc"}, {strings.Repeat("z", 32)}, {strings.Repeat("A", 32)}} {
		if _, err := RenderManifest("/usr/bin/efirma", bad); err == nil {
			t.Errorf("RenderManifest(%q) succeeded", bad)
		}
	}
}

func TestCheckManifest(t *testing.T) {
	good := `{"name":"mx.efirma.conector","path":"/usr/bin/efirma","type":"stdio","allowed_origins":["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]}`
	tests := []struct {
		name, goos, data string
		want             []string
	}{
		{"valid", "linux", good, nil},
		{"not json", "linux", `{`, []string{ProblemInvalidJSON}},
		{"wrong name", "linux", strings.Replace(good, "mx.efirma.conector", "com.other", 1), []string{ProblemNameMismatch}},
		{"not stdio", "linux", strings.Replace(good, `"stdio"`, `"tcp"`, 1), []string{ProblemTypeNotStdio}},
		{"relative", "linux", strings.Replace(good, "/usr/bin/efirma", "efirma", 1), []string{ProblemPathNotAbsolute}},
		{"windows drive", "windows", strings.Replace(good, "/usr/bin/efirma", `C:\\efirma\\efirma.exe`, 1), nil},
		{"windows relative", "windows", strings.Replace(good, "/usr/bin/efirma", `efirma.exe`, 1), []string{ProblemPathNotAbsolute}},
		{"no origins", "linux", strings.Replace(good, `"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"`, ``, 1), []string{ProblemNoOrigins}},
		{"bad origin", "linux", strings.Replace(good, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", "aaaa/", 1), []string{ProblemBadOrigin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := CheckManifest([]byte(tt.data), tt.goos)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExtensionIDFromKey(t *testing.T) {
	// Vector made with openssl and sha256sum | head -c32 | tr 0-9a-f a-p.
	const key = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCcYsWpRrAih1PhwrJ2lqUD6EHVWeNKVFENmT/Chdjgcuhyh7hIoJqCyTehyy3q9uO3LfzSp+hPWyyE913qKUhZrKWEPVnNvEPZ9DW97mDTH3q6iQlB3udPC1OgK6FjznBiypk9RucQuHVgGqs7UYYkl6pG2Bw/VJj/YDdjw3oCAQIDAQAB"
	id, err := ExtensionIDFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if id != "okphnbkmkipnfdphfogjnghpegpjlgjf" {
		t.Fatalf("ID %s", id)
	}
	if _, err := ExtensionIDFromKey("not base64!"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("bad key: %v", err)
	}
}

// TestDevExtensionID keeps DevExtensionID equal to the ID derived from the
// "key" of extension/manifest.json.
func TestDevExtensionID(t *testing.T) {
	data, err := os.ReadFile("../extension/manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("extension/manifest.json not present yet")
	} else if err != nil {
		t.Fatal(err)
	}
	var m struct{ Key string }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Key == "" {
		t.Skip(`extension/manifest.json has no "key"; the development ID is not fixed`)
	}
	id, err := ExtensionIDFromKey(m.Key)
	if err != nil {
		t.Fatal(err)
	}
	if id != DevExtensionID {
		t.Fatalf("DevExtensionID = %s, but extension/manifest.json's key gives %s: update ids.go", DevExtensionID, id)
	}
}

func TestInstallLinuxUserTwice(t *testing.T) {
	unixLayout(t, "linux")
	tests := []struct {
		browsers []string
		dirs     []string
	}{
		{nil, []string{".config/google-chrome/NativeMessagingHosts", ".config/chromium/NativeMessagingHosts",
			".config/microsoft-edge/NativeMessagingHosts", ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
			".config/vivaldi/NativeMessagingHosts"}},
		{[]string{"chromium"}, []string{".config/chromium/NativeMessagingHosts"}},
		{[]string{"edge", "brave"}, []string{".config/microsoft-edge/NativeMessagingHosts", ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.browsers, ","), func(t *testing.T) {
			home := t.TempDir()
			bin := fakeBinary(t, t.TempDir(), "efirma")
			o := Options{Home: home, Browsers: tt.browsers, BinaryPath: bin, GOOS: "linux"}
			rep, err := Install(o)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != len(tt.dirs) {
				t.Fatalf("%d results, want %d: %+v", len(rep.Results), len(tt.dirs), rep.Results)
			}
			for _, d := range tt.dirs {
				p := filepath.Join(home, d, HostName+".json")
				if a := actions(rep)[p]; a != ActionInstalled {
					t.Errorf("%s: %q", p, a)
				}
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				m, probs := CheckManifest(data, "linux")
				if len(probs) != 0 || m.Path != bin || !slices.Equal(m.ExtensionIDs(), DefaultExtensionIDs()) {
					t.Errorf("%s: %+v %v", p, m, probs)
				}
			}
			rep, err = Install(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Results {
				if r.Action != ActionUpToDate {
					t.Errorf("second install: %s %s", r.Location, r.Action)
				}
			}
			// A new extension ID updates every manifest.
			o.ExtensionIDs = []string{strings.Repeat("k", 32)}
			rep, _ = Install(o)
			for _, r := range rep.Results {
				if r.Action != ActionUpdated {
					t.Errorf("changed install: %s %s", r.Location, r.Action)
				}
			}
			st, err := Status(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range st.Browsers {
				want := len(tt.browsers) == 0 || slices.Contains(tt.browsers, b.Browser)
				if b.Usable != want {
					t.Errorf("status %s usable=%v want %v: %+v", b.Browser, b.Usable, want, b)
				}
			}
		})
	}
}

func TestInstallSystemDestDir(t *testing.T) {
	unixLayout(t, "linux")
	dest := t.TempDir()
	o := Options{DestDir: dest, System: true, BinaryPath: "/usr/bin/efirma", GOOS: "linux"}
	rep, err := Install(o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"/etc/opt/chrome/native-messaging-hosts": {"chrome", "brave"},
		"/etc/chromium/native-messaging-hosts":   {"chromium"},
		"/etc/opt/edge/native-messaging-hosts":   {"edge"},
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("results %+v", rep.Results)
	}
	for _, r := range rep.Results {
		dir, _ := filepath.Rel(dest, filepath.Dir(r.Location))
		if b, ok := want["/"+dir]; !ok || !slices.Equal(b, r.Browsers) || r.Action != ActionInstalled {
			t.Errorf("unexpected %+v", r)
		}
		fi, err := os.Stat(r.Location)
		if err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", r.Location, fi, err)
		}
	}
	// The binary does not exist under DestDir: status says so.
	st, err := Status(Options{DestDir: dest, Browsers: []string{"edge"}, GOOS: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	ts := st.Browsers[0].Targets[0]
	if !ts.Installed || ts.Valid || !slices.Equal(ts.Problems, []string{ProblemBinaryMissing}) {
		t.Fatalf("status %+v", ts)
	}
	fakeBinary(t, filepath.Join(dest, "usr/bin"), "efirma")
	st, _ = Status(Options{DestDir: dest, Browsers: []string{"edge"}, GOOS: "linux"})
	if !st.Browsers[0].Usable {
		t.Fatalf("status %+v", st.Browsers[0])
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			unixLayout(t, goos)
			home, dest := t.TempDir(), t.TempDir()
			reg := newMemRegistry()
			for _, system := range []bool{false, true} {
				o := Options{Home: home, DestDir: dest, System: system, BinaryPath: filepath.Join(dest, "efirma.exe"), DryRun: true, GOOS: goos, Registry: reg}
				rep, err := Install(o)
				if err != nil {
					t.Fatal(err)
				}
				if !rep.DryRun || len(rep.Results) == 0 {
					t.Fatalf("report %+v", rep)
				}
				for _, r := range rep.Results {
					if r.Action != ActionInstalled {
						t.Errorf("dry run: %+v", r)
					}
				}
			}
			for _, d := range []string{home, dest} {
				entries, _ := os.ReadDir(d)
				if len(entries) != 0 {
					t.Errorf("dry run wrote in %s: %v", d, entries)
				}
			}
			if len(reg.keys) != 0 {
				t.Errorf("dry run wrote registry keys %v", reg.keys)
			}
		})
	}
}

func TestUninstallRemovesLegacy(t *testing.T) {
	unixLayout(t, "linux")
	home := t.TempDir()
	bin := fakeBinary(t, t.TempDir(), "efirma")
	o := Options{Home: home, BinaryPath: bin, GOOS: "linux"}
	if _, err := Install(o); err != nil {
		t.Fatal(err)
	}
	legacy := filepath.Join(home, ".config/google-chrome/NativeMessagingHosts/mx.gob.efirma.json")
	legacy2 := filepath.Join(home, ".config/chromium/NativeMessagingHosts/com.efirma.host.json")
	for _, p := range []string{legacy, legacy2} {
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := Status(Options{Home: home, GOOS: "linux", Browsers: []string{"chrome"}})
	if !slices.Equal(st.Browsers[0].Targets[0].Legacy, []string{"mx.gob.efirma"}) {
		t.Errorf("status legacy %+v", st.Browsers[0].Targets[0])
	}
	// Dry run first: nothing removed.
	o.DryRun = true
	if _, err := Uninstall(o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(legacy); err != nil {
		t.Fatal("dry run removed a file")
	}
	o.DryRun = false
	rep, err := Uninstall(o)
	if err != nil {
		t.Fatal(err)
	}
	a := actions(rep)
	if a[legacy] != ActionRemoved || a[legacy2] != ActionRemoved {
		t.Errorf("legacy not removed: %+v", rep.Results)
	}
	if a[filepath.Join(home, ".config/vivaldi/NativeMessagingHosts", HostName+".json")] != ActionRemoved {
		t.Errorf("manifest not removed: %+v", rep.Results)
	}
	if len(rep.Results) != 7 { // 5 manifests + 2 legacy files; absent legacy names are not reported
		t.Errorf("%d results: %+v", len(rep.Results), rep.Results)
	}
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
	rep, _ = Uninstall(o)
	for _, r := range rep.Results {
		if r.Action != ActionNotPresent {
			t.Errorf("second uninstall: %+v", r)
		}
	}
}

func TestDarwinLocations(t *testing.T) {
	unixLayout(t, "darwin")
	home, dest := t.TempDir(), t.TempDir()
	bin := fakeBinary(t, t.TempDir(), "efirma")
	rep, err := Install(Options{Home: home, BinaryPath: bin, GOOS: "darwin", Browsers: []string{"chrome", "edge"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"Library/Application Support/Google/Chrome/NativeMessagingHosts", "Library/Application Support/Microsoft Edge/NativeMessagingHosts"} {
		if a := actions(rep)[filepath.Join(home, d, HostName+".json")]; a != ActionInstalled {
			t.Errorf("%s: %q", d, a)
		}
	}
	rep, err = Install(Options{DestDir: dest, System: true, BinaryPath: "/Applications/efirma", GOOS: "darwin", Browsers: []string{"edge", "brave"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"Library/Microsoft/Edge/NativeMessagingHosts", "Library/Google/Chrome/NativeMessagingHosts"} {
		if a := actions(rep)[filepath.Join(dest, d, HostName+".json")]; a != ActionInstalled {
			t.Errorf("%s: %q (%+v)", d, a, rep.Results)
		}
	}
}

func TestWindowsRegistry(t *testing.T) {
	home := t.TempDir()
	bin := fakeBinary(t, t.TempDir(), "efirma.exe")
	reg := newMemRegistry()
	o := Options{Home: home, BinaryPath: bin, GOOS: "windows", Registry: reg}
	rep, err := Install(o)
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(home, "AppData", "Local", "efirma", HostName+".json")
	a := actions(rep)
	wantKeys := []string{`HKCU\Software\Google\Chrome\NativeMessagingHosts\` + HostName,
		`HKCU\Software\Chromium\NativeMessagingHosts\` + HostName,
		`HKCU\Software\Microsoft\Edge\NativeMessagingHosts\` + HostName}
	if len(rep.Results) != 1+len(wantKeys) || a[manifest] != ActionInstalled {
		t.Fatalf("results %+v", rep.Results)
	}
	for _, k := range wantKeys {
		if a[k] != ActionInstalled {
			t.Errorf("%s: %q", k, a[k])
		}
		v, err := reg.GetString(HKCU, strings.TrimPrefix(k, `HKCU\`), "")
		if err != nil || v != manifest {
			t.Errorf("%s = %q, %v", k, v, err)
		}
	}
	rep, _ = Install(o)
	for _, r := range rep.Results {
		if r.Action != ActionUpToDate {
			t.Errorf("second install %+v", r)
		}
	}
	st, err := Status(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range st.Browsers {
		if !b.Usable {
			t.Errorf("%s not usable: %+v", b.Browser, b)
		}
	}
	// A legacy key from an older version, and a relative binary path.
	reg.SetString(HKCU, `Software\Google\Chrome\NativeMessagingHosts\com.efirma.host`, "", `C:\old\host.json`)
	if _, err := Install(Options{Home: home, BinaryPath: `efirma.exe`, GOOS: "windows", Registry: reg}); !errors.Is(err, ErrRelativeBinary) {
		t.Errorf("relative binary: %v", err)
	}
	rep, err = Uninstall(o)
	if err != nil {
		t.Fatal(err)
	}
	a = actions(rep)
	if a[`HKCU\Software\Google\Chrome\NativeMessagingHosts\com.efirma.host`] != ActionRemoved || a[manifest] != ActionRemoved {
		t.Errorf("uninstall %+v", rep.Results)
	}
	if len(reg.strs) != 0 {
		t.Errorf("registry values left: %v", reg.strs)
	}
	if _, err := os.Stat(manifest); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manifest left: %v", err)
	}
	// Issue 15 item 4: the per-user folder %LOCALAPPDATA%\efirma goes too.
	if _, err := os.Stat(filepath.Dir(manifest)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty manifest folder left: %v", err)
	}
	// System scope writes HKLM and the manifest next to the binary.
	rep, err = Install(Options{System: true, BinaryPath: bin, GOOS: "windows", Registry: reg, Browsers: []string{"edge"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := reg.GetString(HKLM, `Software\Microsoft\Edge\NativeMessagingHosts\`+HostName, "")
	if err != nil || v != filepath.Join(filepath.Dir(bin), HostName+".json") {
		t.Fatalf("HKLM value %q %v (%+v)", v, err, rep)
	}
	// Without a registry (off Windows), the Windows logic says so. On
	// Windows the nil Registry is the live one: never touched by tests.
	if runtime.GOOS != "windows" {
		if _, err := Install(Options{Home: home, BinaryPath: bin, GOOS: "windows"}); !errors.Is(err, ErrNoRegistry) {
			t.Errorf("no registry: %v", err)
		}
	}
}

func TestWindowsPaths(t *testing.T) {
	o := Options{Home: `C:\Users\ana`, BinaryPath: `C:\Program Files\efirma\efirma.exe`}
	if got := windowsManifestPath(o, User, HostName); got != `C:\Users\ana\AppData\Local\efirma\mx.efirma.conector.json` {
		t.Errorf("user manifest %s", got)
	}
	if got := windowsManifestPath(o, System, HostName); got != `C:\Program Files\efirma\mx.efirma.conector.json` {
		t.Errorf("system manifest %s", got)
	}
}

func TestPolicyBlocks(t *testing.T) {
	unixLayout(t, "linux")
	tests := []struct {
		name   string
		policy string
		system bool
		usable bool
		notes  []string
	}{
		{"no policy", ``, false, true, nil},
		{"blocklist all", `{"NativeMessagingBlocklist": ["*"]}`, false, false, []string{NoteBlocked}},
		{"blocklist all, allowlisted", `{"NativeMessagingBlocklist": ["*"], "NativeMessagingAllowlist": ["mx.efirma.conector"]}`, false, true, nil},
		{"blocklist ours", `{"NativeMessagingBlocklist": ["mx.efirma.conector"]}`, true, false, []string{NoteBlocked}},
		{"blocklist other", `{"NativeMessagingBlocklist": ["com.other"]}`, false, true, nil},
		{"user level off, user install", `{"NativeMessagingUserLevelHosts": false}`, false, false, []string{NoteUserLevelBlocked}},
		{"user level off, system install", `{"NativeMessagingUserLevelHosts": false}`, true, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, dest := t.TempDir(), t.TempDir()
			bin := fakeBinary(t, filepath.Join(dest, "usr/bin"), "efirma")
			o := Options{Home: home, DestDir: dest, System: tt.system, BinaryPath: bin, GOOS: "linux", Browsers: []string{"chrome"}}
			if tt.system {
				o.BinaryPath = "/usr/bin/efirma"
			}
			if _, err := Install(o); err != nil {
				t.Fatal(err)
			}
			if tt.policy != "" {
				dir := filepath.Join(dest, "etc/opt/chrome/policies/managed")
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "it.json"), []byte(tt.policy), 0o644)
			}
			st, err := Status(Options{Home: home, DestDir: dest, GOOS: "linux", Browsers: []string{"chrome"}})
			if err != nil {
				t.Fatal(err)
			}
			b := st.Browsers[0]
			if b.Usable != tt.usable || !slices.Equal(b.Notes, tt.notes) {
				t.Fatalf("usable=%v notes=%v, want %v %v; %+v", b.Usable, b.Notes, tt.usable, tt.notes, b)
			}
		})
	}
}

func TestPolicyBadFile(t *testing.T) {
	unixLayout(t, "linux")
	dest := t.TempDir()
	dir := filepath.Join(dest, "etc/opt/edge/policies/managed")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"NativeMessagingBlocklist": [`), 0o644)
	st, err := Status(Options{DestDir: dest, GOOS: "linux", Browsers: []string{"edge"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Browsers[0].Policy; len(p.Errors) != 1 || !strings.Contains(p.Errors[0], "not valid JSON") {
		t.Fatalf("policy %+v", p)
	}
}

func TestWindowsPolicy(t *testing.T) {
	home := t.TempDir()
	bin := fakeBinary(t, t.TempDir(), "efirma.exe")
	reg := newMemRegistry()
	o := Options{Home: home, BinaryPath: bin, GOOS: "windows", Registry: reg, Browsers: []string{"edge", "chrome"}}
	if _, err := Install(o); err != nil {
		t.Fatal(err)
	}
	reg.SetString(HKLM, `Software\Policies\Microsoft\Edge\NativeMessagingBlocklist`, "1", "*")
	reg.setInt(HKLM, `Software\Policies\Google\Chrome`, "NativeMessagingUserLevelHosts", 0)
	st, err := Status(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range st.Browsers {
		want := map[string][]string{"chrome": {NoteUserLevelBlocked}, "edge": {NoteBlocked}}[b.Browser]
		if b.Usable || !slices.Equal(b.Notes, want) {
			t.Errorf("%s: %+v", b.Browser, b)
		}
	}
	reg.SetString(HKLM, `Software\Policies\Microsoft\Edge\NativeMessagingAllowlist`, "1", HostName)
	st, _ = Status(o)
	if !st.Browsers[1].Usable {
		t.Errorf("allowlisted edge: %+v", st.Browsers[1])
	}
}

func TestStatusProblems(t *testing.T) {
	unixLayout(t, "linux")
	home := t.TempDir()
	dir := filepath.Join(home, ".config/chromium/NativeMessagingHosts")
	os.MkdirAll(dir, 0o755)
	notExec := filepath.Join(home, "efirma")
	os.WriteFile(notExec, []byte("x"), 0o644)
	tests := []struct {
		name, manifest string
		want           []string
	}{
		{"not executable", `{"name":"mx.efirma.conector","path":"` + notExec + `","type":"stdio","allowed_origins":["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]}`, []string{ProblemBinaryNotExec}},
		{"missing", `{"name":"mx.efirma.conector","path":"/nonexistent/efirma","type":"stdio","allowed_origins":["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]}`, []string{ProblemBinaryMissing}},
		{"garbage", `not json`, []string{ProblemInvalidJSON}},
		{"too large", `{"x":"` + strings.Repeat("a", maxManifestBytes) + `"}`, []string{ProblemManifestTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(dir, HostName+".json"), []byte(tt.manifest), 0o644)
			st, err := Status(Options{Home: home, GOOS: "linux", Browsers: []string{"chromium"}, DestDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			ts := st.Browsers[0].Targets[0]
			if !ts.Installed || ts.Valid || !slices.Equal(ts.Problems, tt.want) || st.Browsers[0].Usable {
				t.Fatalf("%+v", ts)
			}
		})
	}
}

func TestSnapChromium(t *testing.T) {
	unixLayout(t, "linux")
	for _, where := range []string{"root", "home"} {
		t.Run(where, func(t *testing.T) {
			home, dest := t.TempDir(), t.TempDir()
			if where == "root" {
				fakeBinary(t, filepath.Join(dest, "snap/bin"), "chromium")
			} else {
				os.MkdirAll(filepath.Join(home, "snap/chromium/common"), 0o755)
			}
			st, err := Status(Options{Home: home, DestDir: dest, GOOS: "linux"})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range st.Browsers {
				has := slices.Contains(b.Notes, NoteSnapChromium)
				if has != (b.Browser == "chromium") {
					t.Errorf("%s notes %v", b.Browser, b.Notes)
				}
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	bin := "/usr/bin/efirma"
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{"unknown browser", Options{Home: "/home/x", BinaryPath: bin, Browsers: []string{"firefox"}, GOOS: "linux"}, ErrUnknownBrowser},
		{"relative binary", Options{Home: "/home/x", BinaryPath: "efirma", GOOS: "linux"}, ErrRelativeBinary},
		{"no home", Options{BinaryPath: bin, GOOS: "linux"}, ErrNoHome},
		{"bad OS", Options{Home: "/home/x", BinaryPath: bin, GOOS: "plan9"}, ErrUnsupportedOS},
		{"bad ID", Options{Home: "/home/x", BinaryPath: bin, GOOS: "linux", ExtensionIDs: []string{"x"}}, ErrBadExtensionID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Install(tt.o); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzCheckManifest(f *testing.F) {
	good, _ := RenderManifest("/usr/bin/efirma", DefaultExtensionIDs())
	f.Add(good, "linux")
	f.Add(manifestTemplate, "windows")
	f.Add([]byte(`{"allowed_origins":["chrome-extension://"]}`), "darwin")
	f.Fuzz(func(t *testing.T, data []byte, goos string) {
		m, probs := CheckManifest(data, goos)
		if len(probs) == 0 && (m.Name != HostName || m.Type != "stdio" || len(m.ExtensionIDs()) != len(m.AllowedOrigins)) {
			t.Fatalf("accepted %+v", m)
		}
	})
}

// TestDefaultInstallNeverAllowsDevID is issue 11 F-01: the development ID
// comes from the public "key" in extension/manifest.json, so any unpacked
// extension can take it. A manifest written without an explicit request
// (--dev or --extension-id) must not allow it, on any OS, and status and
// doctor must warn when one does.
func TestDefaultInstallNeverAllowsDevID(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			unixLayout(t, goos)
			home, dest := t.TempDir(), t.TempDir()
			bin := fakeBinary(t, t.TempDir(), "efirma.exe")
			for _, system := range []bool{false, true} {
				o := Options{Home: home, DestDir: dest, System: system, BinaryPath: bin, GOOS: goos, Registry: newMemRegistry()}
				rep, err := Install(o)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rep.Results {
					if r.Kind != "file" {
						continue
					}
					data, err := os.ReadFile(r.Location)
					if err != nil {
						t.Fatal(err)
					}
					m, _ := CheckManifest(data, goos)
					if slices.Contains(m.ExtensionIDs(), DevExtensionID) || bytes.Contains(data, []byte(DevExtensionID)) {
						t.Fatalf("%s allows the development extension:\n%s", r.Location, data)
					}
					if !slices.Equal(m.ExtensionIDs(), []string{ChromeWebStoreID, EdgeAddonsID}) {
						t.Fatalf("%s allows %v", r.Location, m.ExtensionIDs())
					}
				}
			}
		})
	}
	m, err := RenderManifest("/usr/bin/efirma", DefaultExtensionIDs())
	if err != nil || bytes.Contains(m, []byte(DevExtensionID)) {
		t.Fatalf("default manifest: %v\n%s", err, m)
	}
}

// TestStatusWarnsDevID: a manifest allowing the development ID (asked for
// with --dev) works, but status says so on every browser it serves.
func TestStatusWarnsDevID(t *testing.T) {
	unixLayout(t, "linux")
	home := t.TempDir()
	bin := fakeBinary(t, t.TempDir(), "efirma")
	o := Options{Home: home, BinaryPath: bin, GOOS: "linux", Browsers: []string{"chromium"}}
	if _, err := Install(o); err != nil {
		t.Fatal(err)
	}
	st, err := Status(o)
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Browsers[0]; !b.Usable || slices.Contains(b.Notes, NoteDevExtension) {
		t.Fatalf("production install: %+v", b)
	}
	o.ExtensionIDs = append(DefaultExtensionIDs(), DevExtensionID)
	if _, err := Install(o); err != nil {
		t.Fatal(err)
	}
	st, _ = Status(o)
	if b := st.Browsers[0]; !b.Usable || !slices.Equal(b.Notes, []string{NoteDevExtension}) {
		t.Fatalf("development install: %+v", b)
	}
}

// TestStatusForcedNotAllowed is issue 15 item 3: a policy force-installs an
// extension the manifest does not allow (an MSI run with
// CHROME_EXTENSION_ID but a manifest of the built-in IDs): status says so,
// from the registry on Windows and from the policy files on Linux.
func TestStatusForcedNotAllowed(t *testing.T) {
	const forced = "cccccccccccccccccccccccccccccccc"
	t.Run("windows", func(t *testing.T) {
		reg := newMemRegistry()
		bin := fakeBinary(t, t.TempDir(), "efirma.exe")
		o := Options{System: true, BinaryPath: bin, GOOS: "windows", Registry: reg, Browsers: []string{"chrome"}}
		if _, err := Install(o); err != nil {
			t.Fatal(err)
		}
		reg.SetString(HKLM, `Software\Policies\Google\Chrome\ExtensionInstallForcelist`, "1", forced+";"+ChromeUpdateURL)
		st, err := Status(o)
		if err != nil {
			t.Fatal(err)
		}
		b := st.Browsers[0]
		if !slices.Equal(b.Policy.ForceInstalled, []string{forced}) || !slices.Equal(b.ForcedNotAllowed, []string{forced}) || !slices.Contains(b.Notes, NoteForcedNotAllowed) {
			t.Fatalf("%+v", b)
		}
		o.ExtensionIDs = []string{forced}
		if _, err := Install(o); err != nil {
			t.Fatal(err)
		}
		if st, _ = Status(o); len(st.Browsers[0].Notes) != 0 || len(st.Browsers[0].ForcedNotAllowed) != 0 {
			t.Fatalf("allowed now: %+v", st.Browsers[0])
		}
	})
	t.Run("linux", func(t *testing.T) {
		unixLayout(t, "linux")
		home, dest := t.TempDir(), t.TempDir()
		bin := fakeBinary(t, t.TempDir(), "efirma")
		o := Options{Home: home, DestDir: dest, BinaryPath: bin, GOOS: "linux", Browsers: []string{"edge"}}
		if _, err := Install(o); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(dest, "etc/opt/edge/policies/managed")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "f.json"), []byte(`{"ExtensionInstallForcelist": ["`+forced+`;`+EdgeUpdateURL+`", "`+EdgeAddonsID+`", "garbage"]}`), 0o644)
		st, err := Status(o)
		if err != nil {
			t.Fatal(err)
		}
		if b := st.Browsers[0]; !slices.Equal(b.ForcedNotAllowed, []string{forced}) || !slices.Equal(b.Notes, []string{NoteForcedNotAllowed}) {
			t.Fatalf("%+v", b)
		}
	})
}

// TestBrowserInstalled: a browser is installed when its user data folder
// holds "Local State" or its program is at a well-known path (under
// DestDir); our own install (NativeMessagingHosts in that folder) does not
// make it look installed (issue 14 §4).
func TestBrowserInstalled(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, b := range Browsers {
			t.Run(goos+"/"+b.ID, func(t *testing.T) {
				if runtime.GOOS == "windows" && goos != "windows" {
					t.Skip("Unix-only: a Unix home cannot be simulated on Windows, where temp folders are C:\\ paths")
				}
				home, dest := t.TempDir(), t.TempDir()
				o := Options{Home: home, DestDir: dest, GOOS: goos, Browsers: []string{b.ID}, Registry: newMemRegistry()}
				data, programs := map[string]string{"linux": b.LinuxData, "darwin": b.DarwinData, "windows": filepath.Join(append([]string{"AppData", "Local"}, strings.Split(b.WindowsData, `\`)...)...)}[goos],
					map[string][]string{"linux": b.LinuxPrograms, "darwin": b.DarwinPrograms, "windows": b.WindowsPrograms}[goos]
				if data == "" || len(programs) == 0 {
					t.Fatalf("no detection facts for %s on %s", b.ID, goos)
				}
				installed := func() bool {
					t.Helper()
					st, err := Status(o)
					if err != nil || len(st.Browsers) != 1 {
						t.Fatalf("status: %v %+v", err, st)
					}
					return st.Browsers[0].BrowserInstalled
				}
				if installed() {
					t.Fatal("installed in an empty home and root")
				}
				// The user data folder alone (what efirma install creates) is no sign.
				if err := os.MkdirAll(filepath.Join(home, data, "NativeMessagingHosts"), 0o755); err != nil {
					t.Fatal(err)
				}
				if installed() {
					t.Fatal("installed with only the user data folder")
				}
				// A folder named "Local State" is not the file either.
				if err := os.Mkdir(filepath.Join(home, data, LocalState), 0o755); err != nil {
					t.Fatal(err)
				}
				if installed() {
					t.Fatal(`installed with a folder named "Local State"`)
				}
				// A fresh home rather than removing that folder: Wine 8 cannot
				// delete a folder through Go 1.26's os.Remove (issue 15).
				home = t.TempDir()
				o.Home = home
				if err := os.MkdirAll(filepath.Join(home, data), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(home, data, LocalState), []byte("{}"), 0o600); err != nil {
					t.Fatal(err)
				}
				if !installed() {
					t.Fatal(`not installed with "Local State"`)
				}
				// System-wide (no home): only the program paths tell.
				o.Home = ""
				if installed() {
					t.Fatal("installed system-wide without a program")
				}
				for _, p := range programs {
					q := o.systemPath(p)
					if err := os.MkdirAll(filepath.Dir(q), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(q, nil, 0o755); err != nil {
						t.Fatal(err)
					}
					if !installed() {
						t.Fatalf("not installed with %s", p)
					}
					os.Remove(q)
				}
			})
		}
	}
}

// TestStatusNotInstalledBrowser: a browser that is not installed says so in
// status and gets no problems or notes printed; the exit code still comes
// from the registrations.
func TestStatusNotInstalledBrowser(t *testing.T) {
	home, dest := t.TempDir(), t.TempDir()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Lang: i18n.ES, Home: home}
	if code := Command("status", []string{"--destdir", dest, "--browser", "vivaldi"}, env); code != ExitFailed {
		t.Fatalf("exit %d, want %d: %s", code, ExitFailed, errb.String())
	}
	if got := out.String(); got != "Vivaldi: no instalado en este equipo\n" {
		t.Fatalf("output %q", got)
	}
}
