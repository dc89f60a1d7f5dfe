package testenv

import (
	"crypto/x509"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efirma/conector/sat"
)

// ReadFile returns a file's contents or fails the test.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CredPath is the path of file in the generated credential testdata/creds/name
// (make testdata), from the test's working directory.
func CredPath(t testing.TB, name, file string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", "creds", name, file)
}

// GenCert parses the certificate of the generated credential name.
func GenCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	c, err := sat.ParseCertificate(ReadFile(t, CredPath(t, name, "certificate.cer")))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// SeedFiles returns the credential files whose base name is in names (or,
// for a name starting with ".", whose extension it is), from the generated
// testdata and, when present, the SAT fixtures. With none found it fails
// when required and returns nil otherwise (for files only the fixtures
// have).
func SeedFiles(t testing.TB, required bool, names ...string) [][]byte {
	t.Helper()
	root := RepoRoot(t)
	var out [][]byte
	for _, dir := range []string{filepath.Join(root, "testdata"), filepath.Join(root, "..", "shared", "fixtures", "sat")} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
	if required && len(out) == 0 {
		t.Fatalf("no seed files %v found", names)
	}
	return out
}
