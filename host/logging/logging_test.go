package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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

// TestManyProcessesKeepEveryLine (issue 13 §5): 20 processes (each tab's
// connection is a host process) log 100 lines each into one log that is
// nearly full. Every line ends in efirma.log or efirma.log.1 exactly once,
// the lines that were there before survive in efirma.log.1 (one rotation,
// not one per process), and neither file passes MaxFileBytes.
func TestManyProcessesKeepEveryLine(t *testing.T) {
	const writers, lines = 20, 100
	dir := t.TempDir()
	old := strings.Repeat("o", 99) + "\n"
	prefill := strings.Repeat(old, (MaxFileBytes-64<<10)/len(old))
	if err := os.WriteFile(filepath.Join(dir, "efirma.log"), []byte(prefill), 0o600); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for w := 0; w < writers; w++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLogWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), "EFIRMA_TEST_LOG_WRITER="+dir, fmt.Sprintf("EFIRMA_TEST_LOG_ID=%d", w), fmt.Sprintf("EFIRMA_TEST_LOG_LINES=%d", lines))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	seen := map[string]int{}
	olds := 0
	for _, name := range []string{"efirma.log", "efirma.log.1"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > MaxFileBytes {
			t.Errorf("%s is %d bytes, over the %d cap", name, len(data), MaxFileBytes)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if l+"\n" == old {
				olds++
				continue
			}
			var e struct {
				Line string `json:"line"`
			}
			if err := json.Unmarshal([]byte(l), &e); err != nil || e.Line == "" {
				t.Fatalf("%s: a torn or foreign line %q", name, l)
			}
			seen[e.Line]++
		}
	}
	if olds != strings.Count(prefill, "\n") {
		t.Errorf("%d of the %d older lines kept", olds, strings.Count(prefill, "\n"))
	}
	missing := 0
	for w := 0; w < writers; w++ {
		for i := 0; i < lines; i++ {
			if n := seen[fmt.Sprintf("w%02d-%03d", w, i)]; n != 1 {
				missing++
			}
		}
	}
	if missing != 0 || len(seen) != writers*lines {
		t.Fatalf("%d of %d lines missing or repeated (%d distinct seen)", missing, writers*lines, len(seen))
	}
}

// TestHelperLogWriter is a writer process of TestManyProcessesKeepEveryLine.
func TestHelperLogWriter(t *testing.T) {
	dir := os.Getenv("EFIRMA_TEST_LOG_WRITER")
	if dir == "" {
		t.Skip("helper process only")
	}
	id, _ := strconv.Atoi(os.Getenv("EFIRMA_TEST_LOG_ID"))
	n, _ := strconv.Atoi(os.Getenv("EFIRMA_TEST_LOG_LINES"))
	log, closer := New(dir, "info", nil)
	defer closer.Close()
	pad := strings.Repeat("p", 200)
	for i := 0; i < n; i++ {
		log.Info().Str("line", fmt.Sprintf("w%02d-%03d", id, i)).Str("pad", pad).Msg("request")
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
