package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/efirma/conector/internal/testenv"
)

func TestListRecoversInterruptedReplace(t *testing.T) {
	dir := t.TempDir()
	st := New(dir)
	cer := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	key := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	c, err := st.ImportSAT(cer, key, []byte(testenv.Password))
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a crash after "final → final.old" and before "tmp → final".
	if err := os.Rename(filepath.Join(dir, c.ID()), filepath.Join(dir, c.ID()+".old")); err != nil {
		t.Fatal(err)
	}
	creds, warns, err := st.List(t.Context())
	if err != nil || len(warns) != 0 || len(creds) != 1 || creds[0].ID() != c.ID() {
		t.Fatalf("after an interrupted replace: %v %v %d", err, warns, len(creds))
	}
}
