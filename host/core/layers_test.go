package core_test

import (
	"github.com/efirma/conector/internal/testenv"
	"os/exec"
	"strings"
	"testing"
)

// TestAdaptersDoNotCallEachOther keeps the shape: the core imports neither
// adapter, and the browser adapter (host/server) and the terminal adapter
// (host/cli) do not import each other.
func TestAdaptersDoNotCallEachOther(t *testing.T) {
	gobin := testenv.Tool(t, "go") // skips, or fails under CI=true
	const mod = "github.com/efirma/conector/"
	for pkg, forbidden := range map[string][]string{
		"host/core":   {"host/server", "host/cli", "host/app"},
		"host/server": {"host/cli", "host/app"},
		"host/cli":    {"host/server", "host/app"},
	} {
		out, err := exec.Command(gobin, "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s printed too little", pkg)
		}
		for _, d := range deps {
			for _, f := range forbidden {
				if d == mod+f {
					t.Errorf("%s imports %s", pkg, f)
				}
			}
		}
	}
}
