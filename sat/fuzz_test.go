package sat_test

import (
	"encoding/pem"
	"errors"
	"github.com/efirma/conector/internal/testenv"
	"testing"

	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

func FuzzParseCertificate(f *testing.F) {
	for _, b := range testenv.SeedFiles(f, true, ".cer") {
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
	for _, b := range testenv.SeedFiles(f, true, ".cer") {
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
