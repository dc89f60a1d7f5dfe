package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Stand-in PKCS#11 modules (host/token/testdata/standin/pkcs11standin.c).
const (
	// StandInFailing's C_GetFunctionList returns CKR_GENERAL_ERROR.
	StandInFailing = "failing"
	// StandInNoisy works, has no slots, and prints to stdout.
	StandInNoisy = "noisy"
)

// StandInModule returns the path of a stand-in PKCS#11 module. Under
// $EFIRMA_STANDIN_DIR it takes the prebuilt <variant>.dll (make
// windows-check builds them with mingw, as no compiler runs under Wine);
// otherwise it builds <variant>.so with the C compiler (cc), or skips
// (fails under CI) without one.
func StandInModule(t testing.TB, variant string) string {
	t.Helper()
	ext := ".so"
	if runtime.GOOS == "windows" {
		ext = ".dll"
	}
	if dir := os.Getenv("EFIRMA_STANDIN_DIR"); dir != "" {
		p := filepath.Join(dir, variant+ext)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("EFIRMA_STANDIN_DIR: %v", err)
		}
		return p
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		Unavailable(t, "no C compiler (%s) to build the stand-in PKCS#11 module", cc)
	}
	src := filepath.Join(RepoRoot(t), "host", "token", "testdata", "standin", "pkcs11standin.c")
	out := filepath.Join(t.TempDir(), variant+ext)
	macro := map[string]string{StandInFailing: "-DSTANDIN_FAILING", StandInNoisy: "-DSTANDIN_NOISY"}[variant]
	if b, err := exec.Command(cc, "-shared", "-fPIC", macro, "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in module: %v\n%s", err, b)
	}
	return out
}

// RepoRoot returns the folder holding go.mod, walking up from the test's
// working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}
