package app_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/efirma/conector/host/app"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes the test binary double as the real efirma command for the
// scripts: `exec efirma ...` runs app.Main exactly as host/cmd/efirma does.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"efirma": func() { os.Exit(app.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script with a fake $HOME and
// $EFIRMA_HOME, and the generated credentials copied into $WORK/creds and
// the generated CA into $WORK/ca.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("EFIRMA_HOME", filepath.Join(env.WorkDir, "efirma-home"))
			if err := copyDir(filepath.Join("..", "..", "testdata", "creds"), filepath.Join(env.WorkDir, "creds")); err != nil {
				return err
			}
			if err := copyDir(filepath.Join("..", "..", "testdata", "ca"), filepath.Join(env.WorkDir, "ca")); err != nil {
				return err
			}
			return copyDir(filepath.Join("..", "..", "testdata", "foreign-ca"), filepath.Join(env.WorkDir, "foreign-ca"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
		},
	})
}

// cmdExitCode runs a command and checks its exact exit code:
//
//	exitcode 3 efirma doctor --offline
//
// Its stdout and stderr can be checked afterwards like exec's.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return fmt.Errorf("copy %s: %w", p, err)
		}
		return out.Close()
	})
}
