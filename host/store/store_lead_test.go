package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListRecoversInterruptedReplace(t *testing.T) {
	dir := t.TempDir()
	st := New(dir)
	cer, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "creds", "fiel-fisica", "certificate.cer"))
	key, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "creds", "fiel-fisica", "private_key.key"))
	c, err := st.ImportSAT(cer, key, []byte("12345678a"))
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

func TestPFXWithHugeMACIterationsIsRefused(t *testing.T) {
	// PFX { version 3, authSafe (empty data), macData { mac, salt, iterations 2^31-1 } }
	pfx := []byte{0x30, 0x2a,
		0x02, 0x01, 0x03,
		0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
		0x30, 0x18,
		0x30, 0x09, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x0e, 0x1a, 0x04, 0x00,
		0x04, 0x05, 1, 2, 3, 4, 5,
		0x02, 0x04, 0x7f, 0xff, 0xff, 0xff,
	}
	if _, _, err := decodePFX(pfx, []byte("x")); err == nil || !errors.Is(err, ErrBadPFX) || !strings.Contains(err.Error(), "MAC iterations") {
		t.Fatalf("err = %v, want ErrBadPFX", err)
	}
}
