package keyfile_test

import (
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"software.sslmate.com/src/go-pkcs12"
)

// seedFiles returns the real credential files whose base name is in names
// (or, for a name starting with ".", whose extension it is), from the
// generated testdata and, when present, the SAT fixtures.
func seedFiles(f *testing.F, names ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, root := range []string{testdata, fixtures} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			for _, n := range names {
				if d.Name() == n || (strings.HasPrefix(n, ".") && filepath.Ext(p) == n) {
					if b, err := os.ReadFile(p); err == nil {
						out = append(out, b)
					}
					break
				}
			}
			return nil
		})
	}
	if len(out) == 0 {
		f.Fatal("no seed files found")
	}
	return out
}

func FuzzDecryptKey(f *testing.F) {
	for _, b := range seedFiles(f, "private_key.key", "private_key_protected.key.pem", "private_key_plain.key") {
		f.Add(b, []byte(password))
		f.Add(b, []byte("wrong"))
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: b}), []byte(password))
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, pw []byte) {
		k, err := keyfile.DecryptKey(data, pw)
		if err != nil {
			if !isKeyError(err) {
				t.Fatalf("error %v is not one of the sentinels", err)
			}
			if k != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if k == nil || k.Public() == nil {
			t.Fatal("nil key without an error")
		}
	})
}

// FuzzDecodePFX: PKCS#12 files from the test vectors (made here from the
// generated credentials in modern and legacy encryption, plus the SAT
// fixtures' .pfx when present) never panic the parser, and every failure is
// one of its sentinels.
func FuzzDecodePFX(f *testing.F) {
	for _, dir := range []string{"fiel-fisica", "fiel-moral", "csd-moral"} {
		cer, err := sat.ParseCertificate(readSeed(f, credPath(dir, "certificate.cer")))
		if err != nil {
			f.Fatal(err)
		}
		key, err := keyfile.DecryptKey(readSeed(f, credPath(dir, "private_key.key")), []byte(password))
		if err != nil {
			f.Fatal(err)
		}
		for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.LegacyRC2, pkcs12.Passwordless} {
			pw := password
			if enc == pkcs12.Passwordless {
				pw = ""
			}
			pfx, err := enc.Encode(key, cer, nil, pw)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(pfx, []byte(password))
			f.Add(pfx, []byte("wrong"))
		}
	}
	for _, b := range seedFilesOptional(".pfx") {
		f.Add(b, []byte(password))
		f.Add(b, []byte{})
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, pw []byte) {
		k, c, err := keyfile.DecodePFX(data, pw)
		if err != nil {
			if !errors.Is(err, sat.ErrBadPFX) && !isKeyError(err) && !errors.Is(err, sat.ErrKeyMismatch) {
				t.Fatalf("error %v is not one of the sentinels", err)
			}
			if k != nil || c != nil {
				t.Fatal("key or certificate returned with an error")
			}
			return
		}
		if k == nil || c == nil || sat.CheckPair(c, k) != nil {
			t.Fatal("a decoded .pfx must hold a matching key and certificate")
		}
	})
}

func readSeed(f *testing.F, path string) []byte {
	f.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// seedFilesOptional is seedFiles for files that only the SAT fixtures have.
func seedFilesOptional(ext string) [][]byte {
	var out [][]byte
	_ = filepath.WalkDir(fixtures, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ext {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		}
		return nil
	})
	return out
}
