//go:build !cgo

package token

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
)

func TestNoCgo(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "opensc-pkcs11.so")
	if err := os.WriteFile(present, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nothere.so")
	creds, warnings, err := NewSource(Config{Modules: []string{missing, present}}, zerolog.Nop()).List(context.Background())
	if err != nil || len(creds) != 0 || len(warnings) != 1 {
		t.Fatalf("List: %v %v %v", creds, warnings, err)
	}
	r := Doctor(context.Background(), []string{missing, present})
	if r.Modules[0].State != ModuleMissing || r.Modules[1].State != ModuleBroken || r.Modules[1].Error != ErrNoCgo.Error() {
		t.Fatalf("Doctor: %+v", r)
	}
}
