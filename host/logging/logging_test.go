package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFileAndStderrAtLevel(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, closer := New(dir, "warn", &stderr)
	log.Info().Msg("not shown")
	log.Warn().Str("dataSHA256", DataHash([]byte("x"))).Msg("shown")
	closer.Close()
	file, err := os.ReadFile(filepath.Join(dir, "efirma.log"))
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"file": string(file), "stderr": stderr.String()} {
		if strings.Contains(out, "not shown") || !strings.Contains(out, "shown") || !strings.Contains(out, DataHash([]byte("x"))) {
			t.Errorf("%s: %q", name, out)
		}
	}
	// Unix file modes only: Windows protects the file with the folder's ACL.
	if st, _ := os.Stat(filepath.Join(dir, "efirma.log")); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v", st.Mode().Perm())
	}
}

func TestFileIsCapped(t *testing.T) {
	dir := t.TempDir()
	log, closer := New(dir, "info", nil)
	line := strings.Repeat("x", 1000)
	for i := 0; i < 3*MaxFileBytes/1000; i++ {
		log.Info().Msg(line)
	}
	closer.Close()
	for _, name := range []string{"efirma.log", "efirma.log.1"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > MaxFileBytes {
			t.Errorf("%s is %d bytes, over the cap", name, st.Size())
		}
	}
}

func TestUnwritableDirFallsBackToStderr(t *testing.T) {
	var stderr bytes.Buffer
	log, closer := New("/proc/efirma-cannot-write-here", "info", &stderr)
	log.Info().Msg("still logged")
	closer.Close()
	if !strings.Contains(stderr.String(), "still logged") {
		t.Fatal("no stderr output")
	}
}

// TestLooseLogFolderIsTightened is F-10 of issue 11: a log folder left
// 0777 and a log file left 0644 become 0700 and 0600 on the first line.
func TestLooseLogFolderIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows folders inherit the user's ACL; mode bits mean nothing")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	os.Mkdir(dir, 0o700)
	os.Chmod(dir, 0o777)
	os.WriteFile(filepath.Join(dir, "efirma.log"), []byte("old\n"), 0o600)
	os.Chmod(filepath.Join(dir, "efirma.log"), 0o644)
	log, closer := New(dir, "info", nil)
	log.Info().Msg("line")
	closer.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "efirma.log"): 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}
