package sat_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/sat"
)

// TestProductionStoreIsSATs (issue 13 §3): the embedded trust store is
// exactly SAT's published production bundle — the same files as the shared
// fixture, byte for byte, each with the SHA-256 its README lists — and
// nothing else.
func TestProductionStoreIsSATs(t *testing.T) {
	embedded := sat.ProductionFiles()
	readme := string(testenv.ReadFile(t, filepath.Join("ca", "prod", "README.md")))
	listed := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| (\\S+\\.cer) \\|.*\\| `([0-9a-f]{64})` \\|$").FindAllStringSubmatch(readme, -1) {
		listed[m[1]] = m[2]
	}
	if len(embedded) != 12 || len(listed) != len(embedded) {
		t.Fatalf("embedded %d files, README lists %d, want 12 each", len(embedded), len(listed))
	}
	for name, data := range embedded {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != listed[name] {
			t.Errorf("%s: SHA-256 %x, README says %s", name, sum, listed[name])
		}
	}
	dir := filepath.Join(testenv.SATDir(t), "ca", "prod")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".cer" {
			continue
		}
		names = append(names, e.Name())
		if !bytes.Equal(testenv.ReadFile(t, filepath.Join(dir, e.Name())), embedded[e.Name()]) {
			t.Errorf("%s differs from SAT's file in the fixtures", e.Name())
		}
	}
	sort.Strings(names)
	if len(names) != len(embedded) {
		t.Errorf("fixtures have %v, embedded %d files", names, len(embedded))
	}
	a := sat.ProductionAnchors()
	if a.Len() != 10 || len(a.Responders()) != 2 || !a.SAT() {
		t.Fatalf("production anchors: %d CAs, %d responders, SAT=%v; want 10, 2, true", a.Len(), len(a.Responders()), a.SAT())
	}
}

// TestProductionCSDChainsToAC4: a real production CSD certificate (no key)
// is recognised as issued by SAT's AC4 with no configuration, though AC4
// expired in 2023 (it was valid when the CSD was issued); a SAT test
// certificate and a certificate from another CA are not.
func TestProductionCSDChainsToAC4(t *testing.T) {
	dir := testenv.SATDir(t)
	c, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(dir, "production-csd-cert-only", "certificate.cer")))
	if err != nil {
		t.Fatal(err)
	}
	a := sat.ProductionAnchors()
	ca, err := a.Issuer(c, sat.WithinValidity(c, time.Now()))
	if err != nil {
		t.Fatalf("production CSD does not chain to the embedded store: %v", err)
	}
	if a.Name(ca) != "AC4" {
		t.Fatalf("issued by %q, want AC4", a.Name(ca))
	}
	for _, other := range []string{"eku9003173c9-fiel", "not-sat-issuer"} {
		oc, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(dir, other, "certificate.cer")))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Verify(oc, sat.WithinValidity(oc, time.Now())); !errors.Is(err, sat.ErrNotTrusted) {
			t.Errorf("%s accepted by SAT's production store: %v", other, err)
		}
	}
	// Each embedded responder was issued by its CA.
	for _, r := range a.Responders() {
		ca, err := a.Issuer(r, sat.WithinValidity(r, time.Now()))
		if err != nil || (a.Name(ca) != "AC4" && a.Name(ca) != "AC5") {
			t.Errorf("responder %q: issuer %q, %v", r.Subject.CommonName, a.Name(ca), err)
		}
	}
}

// TestOCSPKnownResponder: an answer signed by the issuer's published
// responder certificate, which the answer does not carry, is accepted when
// that certificate is known (as the embedded store knows SAT's); a known
// responder of another CA does not count.
func TestOCSPKnownResponder(t *testing.T) {
	ca := testenv.NewCA(t, "AC A")
	other := testenv.NewCA(t, "AC B")
	responder := ca.Issue(testenv.Leaf{OCSPSigning: true})
	foreign := other.Issue(testenv.Leaf{OCSPSigning: true})
	leaf := ca.Issue(testenv.Leaf{})
	now := time.Now()
	sign := func(r *testenv.Credential) []byte {
		der, err := ocsp.CreateResponse(ca.Cert, r.Cert, ocsp.Response{
			Status: ocsp.Good, SerialNumber: leaf.Cert.SerialNumber,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		}, r.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	der := sign(responder)
	if _, err := sat.CheckOCSPResponse(der, leaf.Cert, ca.Cert, nil, now, time.Hour); !errors.Is(err, sat.ErrOCSPResponse) {
		t.Fatalf("an answer by an unknown responder, certificate not included: %v", err)
	}
	if r, err := sat.CheckOCSPResponse(der, leaf.Cert, ca.Cert, nil, now, time.Hour, foreign.Cert, responder.Cert); err != nil || r.Status != sat.OCSPGood {
		t.Fatalf("an answer by the issuer's known responder: %+v, %v", r, err)
	}
	if _, err := sat.CheckOCSPResponse(sign(foreign), leaf.Cert, ca.Cert, nil, now, time.Hour, foreign.Cert); !errors.Is(err, sat.ErrOCSPResponse) {
		t.Fatalf("an answer by another CA's known responder accepted: %v", err)
	}
}
