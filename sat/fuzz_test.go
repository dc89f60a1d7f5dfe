package sat_test

import (
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
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

func FuzzParseCertificate(f *testing.F) {
	for _, b := range seedFiles(f, ".cer") {
		f.Add(b)
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b}))
	}
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := sat.ParseCertificate(data)
		if err != nil {
			if !errors.Is(err, sat.ErrBadCertificate) {
				t.Fatalf("error %v is not ErrBadCertificate", err)
			}
			if c != nil {
				t.Fatal("certificate returned with an error")
			}
			return
		}
		if c == nil {
			t.Fatal("nil certificate without an error")
		}
	})
}

func FuzzFactsOf(f *testing.F) {
	for _, b := range seedFiles(f, ".cer") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := sat.ParseCertificate(data)
		if err != nil {
			return
		}
		facts := sat.FactsOf(c) // must not panic on any parsable certificate
		switch facts.Type {
		case "FIEL", "CSD", "OTHER":
		default:
			t.Fatalf("type %q", facts.Type)
		}
		if facts.Serial == "" {
			t.Fatal("empty serial")
		}
		_, _ = sat.Status(c, c.NotBefore)
		_ = signing.Algorithm(c.PublicKey)
		_ = sat.NewAnchors(c).Verify(c, c.NotBefore)
	})
}
