package store_test

import (
	"context"
	"crypto/rsa"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
)

// TestLooseStoreFolderIsTightened is F-10 of issue 11: a store folder that
// already exists 0777 (made by hand, by a copy, by an old version) was used
// as it was. Importing into it, or only listing it, makes it 0700.
func TestLooseStoreFolderIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows folders inherit the user's ACL; mode bits mean nothing")
	}
	dir := filepath.Join(t.TempDir(), "store")
	mode := func() os.FileMode {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	s := store.New(dir)
	cer, key := cred(t, "fiel-fisica")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o700 {
		t.Fatalf("after import the store folder is %v, want 0700", m)
	}
	os.Chmod(dir, 0o777)
	if _, _, err := s.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o700 {
		t.Fatalf("after list the store folder is %v, want 0700", m)
	}
	os.Chmod(dir, 0o755)
	if _, err := s.Get(c.ID()); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o700 {
		t.Fatalf("after get the store folder is %v, want 0700", m)
	}
	// A store path that is a file is refused with a clear error.
	file := filepath.Join(t.TempDir(), "not-a-folder")
	os.WriteFile(file, nil, 0o600)
	if _, _, err := store.New(file).List(context.Background()); err == nil {
		t.Fatal("a file as store folder was accepted")
	}
}

// TestReleaseWipesTheKey: after release, the decrypted key's private
// numbers (RSA D and primes) are zero.
func TestReleaseWipesTheKey(t *testing.T) {
	s := store.New(filepath.Join(t.TempDir(), "store"))
	cer, key := cred(t, "fiel-fisica")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	signer, release, err := c.Unlock(context.Background(), []byte(password), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := signer.(*rsa.PrivateKey)
	if k.D.Sign() == 0 {
		t.Fatal("the key has no D before release")
	}
	release()
	for _, n := range []*big.Int{k.D, k.Primes[0], k.Primes[1]} {
		for _, w := range n.Bits() {
			if w != 0 {
				t.Fatal("D or a prime survived release")
			}
		}
	}
}
