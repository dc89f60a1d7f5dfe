package keyfile_test

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/efirma/conector/sat"
)

// Paths relative to this package.
const (
	testdata = "../../testdata"
	fixtures = "../../../shared/fixtures/sat" // real SAT test credentials, never copied
)

const password = "12345678a"

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func credPath(name, file string) string { return filepath.Join(testdata, "creds", name, file) }

func genCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	c, err := sat.ParseCertificate(read(t, credPath(name, "certificate.cer")))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// fixturesDir returns the SAT fixture folder, failing under CI=true when it
// is missing and skipping otherwise.
func fixturesDir(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(fixtures, "README.md")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("SAT fixtures missing at %s (required under CI=true): %v", fixtures, err)
		}
		t.Skipf("SAT fixtures not found at %s: %v", fixtures, err)
	}
	return fixtures
}

// needOpenSSL returns the openssl path, failing under CI=true when missing.
func needOpenSSL(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found (required under CI=true)")
		}
		t.Skip("openssl not found; install it to run this independent check")
	}
	return p
}
