package installer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/efirma/conector/i18n"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the txtar scripts in testdata/script run "efirma install|
// uninstall|status|policy" through Command, in-process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"efirma": func() {
			if len(os.Args) < 2 {
				os.Exit(ExitUsage)
			}
			env := Env{Stdout: os.Stdout, Stderr: os.Stderr, Lang: i18n.FromEnv(), Home: os.Getenv("HOME"), Executable: os.Getenv("EFIRMA_EXE")}
			os.Exit(Command(os.Args[1], os.Args[2:], env))
		},
	})
}

func TestScripts(t *testing.T) {
	// The scripts describe the Linux layout ($HOME/.config/..., /etc/...);
	// make windows-check runs the Windows CLI round under Wine.
	unixLayout(t, "linux")
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			exe := filepath.Join(e.WorkDir, "bin", "efirma")
			if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
				return err
			}
			e.Setenv("EFIRMA_EXE", exe)
			// testscript's default HOME is /no-home; keep every write in $WORK.
			home := filepath.Join(e.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			e.Setenv("HOME", home)
			e.Setenv("LANG", "es_MX.UTF-8")
			return os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
		},
	})
}
