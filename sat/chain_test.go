package sat_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"github.com/efirma/conector/internal/testenv"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/efirma/conector/sat"
)

func TestAnchorsGenerated(t *testing.T) {
	ca, err := sat.LoadAnchors(filepath.Join(testdata, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	if ca.Len() != 1 {
		t.Fatalf("loaded %d CAs from testdata/ca, want 1", ca.Len())
	}
	foreign, err := sat.LoadAnchors(filepath.Join(testdata, "foreign-ca"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, dir := range []string{"fiel-fisica", "fiel-moral", "csd-moral", "fiel-enie", "fiel-ampersand", "mismatch"} {
		c := testenv.GenCert(t, dir)
		if err := ca.Verify(c, at); err != nil {
			t.Errorf("%s: generated CA does not trust it: %v", dir, err)
		}
		if err := foreign.Verify(c, at); !errors.Is(err, sat.ErrNotTrusted) {
			t.Errorf("%s: foreign CA: %v, want ErrNotTrusted", dir, err)
		}
		issuer, err := ca.Issuer(c, at)
		if err != nil || issuer.Subject.CommonName != "AC UAT CONECTOR PRUEBAS" {
			t.Errorf("%s: Issuer = %v, %v", dir, issuer, err)
		}
	}
	notSAT := testenv.GenCert(t, "not-sat")
	if err := ca.Verify(notSAT, at); !errors.Is(err, sat.ErrNotTrusted) {
		t.Errorf("not-sat against the SAT-shaped CA: %v, want ErrNotTrusted", err)
	}
	if err := foreign.Verify(notSAT, at); err != nil {
		t.Errorf("not-sat against its own (foreign) CA: %v", err)
	}
	// Expired and not-yet-valid leaves still chain: the check asks "issued
	// by SAT?", and WithinValidity moves the time inside the leaf's period.
	for _, dir := range []string{"fiel-expired", "fiel-not-yet-valid"} {
		c := testenv.GenCert(t, dir)
		w := sat.WithinValidity(c, at)
		if w.Before(c.NotBefore) || w.After(c.NotAfter) {
			t.Errorf("%s: WithinValidity = %v, outside %v..%v", dir, w, c.NotBefore, c.NotAfter)
		}
		if err := ca.Verify(c, w); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
	// The CA itself is valid 2015..2040: outside that, nothing chains.
	for _, bad := range []time.Time{time.Date(2041, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if err := ca.Verify(testenv.GenCert(t, "fiel-fisica"), bad); !errors.Is(err, sat.ErrNotTrusted) {
			t.Errorf("at %v (CA not valid): %v, want ErrNotTrusted", bad, err)
		}
	}
	// Both folders' CAs together trust both.
	both := sat.NewAnchors(append(caCerts(t, "ca"), caCerts(t, "foreign-ca")...)...)
	if both.Verify(notSAT, at) != nil || both.Verify(testenv.GenCert(t, "fiel-fisica"), at) != nil {
		t.Error("combined anchors do not trust both")
	}
	var nilAnchors *sat.Anchors
	if err := nilAnchors.Verify(notSAT, at); !errors.Is(err, sat.ErrNotTrusted) {
		t.Errorf("nil anchors: %v", err)
	}
}

func caCerts(t *testing.T, dir string) []*x509.Certificate {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(testdata, dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for _, e := range entries {
		c, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(testdata, dir, e.Name())))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestWithinValidity(t *testing.T) {
	c := testenv.GenCert(t, "fiel-fisica")
	inside := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := sat.WithinValidity(c, inside); !got.Equal(inside) {
		t.Errorf("inside: %v moved to %v", inside, got)
	}
	if got := sat.WithinValidity(c, c.NotAfter.Add(24*time.Hour)); !got.After(c.NotBefore) || !got.Before(c.NotAfter) {
		t.Errorf("after: %v not inside", got)
	}
	if got := sat.WithinValidity(c, c.NotBefore.Add(-24*time.Hour)); !got.After(c.NotBefore) || !got.Before(c.NotAfter) {
		t.Errorf("before: %v not inside", got)
	}
}

func TestLoadAnchorsErrors(t *testing.T) {
	if _, err := sat.LoadAnchors(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing folder: no error")
	}
	empty := t.TempDir()
	if _, err := sat.LoadAnchors(empty); err == nil {
		t.Error("empty folder: no error")
	}
	// Junk and a CA under an extension that is not read: no CA.
	junk := t.TempDir()
	if err := os.WriteFile(filepath.Join(junk, "junk.pem"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(junk, "ca.txt"), testenv.ReadFile(t, filepath.Join(testdata, "ca", "ac-pruebas.cer")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sat.LoadAnchors(junk); err == nil {
		t.Error("folder with junk and a CA under an ignored extension: no error")
	}
}

// TestExpiredLeafOutlivingItsCA: SAT's test kit has leaves valid past their
// issuing CA (AC UAT 2018-2022, leaves 2019-2023). Checked "now" through
// WithinValidity, such a leaf is still recognised as issued by that CA.
func TestExpiredLeafOutlivingItsCA(t *testing.T) {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "AC UAT"},
		NotBefore: time.Date(2018, 2, 23, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2022, 2, 23, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "LEAF"},
		NotBefore: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	a := sat.NewAnchors(ca)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := a.Verify(leaf, sat.WithinValidity(leaf, now)); err != nil {
		t.Errorf("expired leaf of an expired CA, checked through WithinValidity: %v", err)
	}
	// Still: at a moment when the CA itself was expired, it is not trusted.
	if err := a.Verify(leaf, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, sat.ErrNotTrusted) {
		t.Errorf("at 2023-01-01 (CA expired): %v, want ErrNotTrusted", err)
	}
}
