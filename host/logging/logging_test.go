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
