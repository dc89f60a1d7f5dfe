package verifier_test

import (
	"github.com/efirma/conector/internal/testenv"
	"os/exec"
	"strings"
	"testing"
)

// TestLeanDependencies keeps what a portal links when it imports this
// package: no host code, no key decryption (youmark/pkcs8, scrypt,
// go-pkcs12, sat/keyfile), no Redis client (that is redisstore's) and no
// host message catalogue (i18n).
func TestLeanDependencies(t *testing.T) {
	gobin := testenv.Tool(t, "go") // skips, or fails under CI=true
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/efirma/conector/host/",
		"github.com/efirma/conector/i18n",
		"github.com/efirma/conector/sat/keyfile",
		"github.com/youmark/pkcs8",
		"golang.org/x/crypto/scrypt",
		"golang.org/x/crypto/pbkdf2",
		"software.sslmate.com/src/go-pkcs12",
		"github.com/redis/",
		"github.com/rs/zerolog",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed too little: %q", out)
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("portal/verifier depends on %s", d)
			}
		}
	}
}
