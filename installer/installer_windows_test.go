package installer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/windows/registry"
)

// sandboxRegistry is the live Windows registry (winRegistry) with both
// hives moved under HKCU\Software\efirma-test\<name>: the test exercises the
// real registry code without writing a key a browser reads (issue 15: the
// tests used to overwrite a developer's working registration).
type sandboxRegistry struct{ root string }

func (s sandboxRegistry) key(h Hive, path string) string {
	return s.root + `\` + h.String() + `\` + path
}

func (s sandboxRegistry) GetString(h Hive, path, name string) (string, error) {
	return winRegistry{}.GetString(HKCU, s.key(h, path), name)
}
func (s sandboxRegistry) GetInteger(h Hive, path, name string) (uint64, error) {
	return winRegistry{}.GetInteger(HKCU, s.key(h, path), name)
}
func (s sandboxRegistry) ValueNames(h Hive, path string) ([]string, error) {
	return winRegistry{}.ValueNames(HKCU, s.key(h, path))
}
func (s sandboxRegistry) SetString(h Hive, path, name, value string) error {
	return winRegistry{}.SetString(HKCU, s.key(h, path), name, value)
}
func (s sandboxRegistry) DeleteKey(h Hive, path string) error {
	return winRegistry{}.DeleteKey(HKCU, s.key(h, path))
}

// newSandboxRegistry makes the sandbox and removes it, whole, when the test ends.
func newSandboxRegistry(t *testing.T) sandboxRegistry {
	root := fmt.Sprintf(`Software\efirma-test\%d-%d`, os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		if err := deleteTree(registry.CURRENT_USER, root); err != nil {
			t.Errorf("sandbox registry %s left: %v", root, err)
		}
	})
	return sandboxRegistry{root}
}

func deleteTree(k registry.Key, path string) error {
	sub, err := registry.OpenKey(k, path, registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	names, err := sub.ReadSubKeyNames(-1)
	sub.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := deleteTree(k, path+`\`+n); err != nil {
			return err
		}
	}
	return registry.DeleteKey(k, path)
}

// TestNativeRegistrySandbox runs install, status (with a force-install
// policy) and uninstall against the real registry code, in the sandbox.
func TestNativeRegistrySandbox(t *testing.T) {
	reg := newSandboxRegistry(t)
	home, progs := t.TempDir(), t.TempDir()
	bin := fakeBinary(t, filepath.Join(progs, "efirma"), "efirma.exe")
	for _, system := range []bool{false, true} {
		o := Options{Home: home, System: system, BinaryPath: bin, Registry: reg}
		rep, err := Install(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 4 { // the manifest and three keys (Chrome's serves Brave and Vivaldi)
			t.Fatalf("install %+v", rep.Results)
		}
	}
	v, err := reg.GetString(HKLM, `Software\Microsoft\Edge\NativeMessagingHosts\`+HostName, "")
	if err != nil || v != filepath.Join(filepath.Dir(bin), HostName+".json") {
		t.Fatalf("HKLM Edge value %q %v", v, err)
	}
	reg.SetString(HKLM, `Software\Policies\Google\Chrome\ExtensionInstallForcelist`, "1", "cccccccccccccccccccccccccccccccc;"+ChromeUpdateURL)
	st, err := Status(Options{Home: home, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range st.Browsers {
		if !b.Usable {
			t.Errorf("%s not usable: %+v", b.Browser, b)
		}
		if forced := b.Browser == "chrome"; forced != (len(b.ForcedNotAllowed) == 1) {
			t.Errorf("%s forced not allowed: %v", b.Browser, b.ForcedNotAllowed)
		}
	}
	for _, system := range []bool{false, true} {
		if _, err := Uninstall(Options{Home: home, System: system, BinaryPath: bin, Registry: reg}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.GetString(HKCU, `Software\Google\Chrome\NativeMessagingHosts\`+HostName, ""); !errors.Is(err, ErrNotExist) {
		t.Fatalf("HKCU key left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, "AppData", "Local", "efirma")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("per-user folder left: %v", err)
	}
}
