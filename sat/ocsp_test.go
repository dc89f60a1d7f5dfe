package sat_test

import (
	"crypto"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/sat"
)

// TestOCSPCertIDIssuer (issue 11, F-04): an answer about the same serial
// number under another CA must not be taken for the certificate's. The
// responder is pinned (as with SAT's responder certificate, which answers for
// more than one CA), so the signature alone cannot tell the two apart: only
// the CertID's issuer name and key hashes can.
func TestOCSPCertIDIssuer(t *testing.T) {
	caA := testenv.NewCA(t, "AC A")
	caB := testenv.NewCA(t, "AC B")
	responder := caA.Issue(testenv.Leaf{OCSPSigning: true})
	leaf := caA.Issue(testenv.Leaf{})
	now := time.Now()

	respond := func(issuer *testenv.CA, serial *big.Int, status int, hash crypto.Hash) []byte {
		t.Helper()
		der, err := ocsp.CreateResponse(issuer.Cert, responder.Cert, ocsp.Response{
			Status: status, SerialNumber: serial, IssuerHash: hash,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
			RevokedAt: now.Add(-time.Hour),
		}, responder.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	check := func(der []byte) (sat.OCSPResult, error) {
		return sat.CheckOCSPResponse(der, leaf.Cert, caA.Cert, responder.Cert, now, time.Hour)
	}

	// The right CA, with SHA-1 and SHA-256 CertIDs: accepted.
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		r, err := check(respond(caA, leaf.Cert.SerialNumber, ocsp.Revoked, h))
		if err != nil || r.Status != sat.OCSPRevoked {
			t.Fatalf("answer for the right issuer (%v): %+v, %v", h, r, err)
		}
	}
	// Another CA, same serial, "good": it says nothing about our
	// certificate and must be refused, not read as good.
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		r, err := check(respond(caB, leaf.Cert.SerialNumber, ocsp.Good, h))
		if !errors.Is(err, sat.ErrOCSPResponse) {
			t.Fatalf("answer for the same serial under another CA (%v) accepted: %+v, %v", h, r, err)
		}
	}
	// An issuer with the same name but another key (a re-keyed or forged
	// CA): the key hash differs.
	twin := testenv.NewCA(t, "AC A")
	if _, err := check(respond(twin, leaf.Cert.SerialNumber, ocsp.Good, crypto.SHA1)); !errors.Is(err, sat.ErrOCSPResponse) {
		t.Fatalf("answer for a same-name CA with another key accepted: %v", err)
	}
}
