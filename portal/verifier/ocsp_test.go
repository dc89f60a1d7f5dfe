package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/sat"
	"golang.org/x/crypto/ocsp"
)

// ocspEnv is a generated CA with a delegated responder, three FIELs (good,
// revoked, not in the index) and a real `openssl ocsp` on loopback.
type ocspEnv struct {
	ca                      *testenv.CA
	responder               *testenv.Credential
	good, revoked, unlisted *testenv.Credential
	url                     string
}

func newOCSPEnv(t testing.TB) *ocspEnv {
	t.Helper()
	e := &ocspEnv{ca: testenv.NewCA(t, "AC OCSP de pruebas")}
	e.responder = e.ca.Issue(testenv.Leaf{OCSPSigning: true})
	e.good = e.ca.Issue(testenv.Leaf{RFC: "GOOD800101AB1"})
	e.revoked = e.ca.Issue(testenv.Leaf{RFC: "REVO800101AB1"})
	e.unlisted = e.ca.Issue(testenv.Leaf{RFC: "UNKN800101AB1"})
	e.url = testenv.StartOCSP(t, e.ca, e.responder, []testenv.IndexEntry{
		{Cred: e.good},
		{Cred: e.revoked, RevokedAt: time.Now().Add(-time.Hour)},
	})
	return e
}

func (e *ocspEnv) verifier(t testing.TB, o *verifier.OCSP, now func() time.Time) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: e.ca.Anchors(), OCSP: o, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func login(t testing.TB, v *verifier.Verifier, cred *testenv.Credential) (*verifier.Result, error) {
	t.Helper()
	ctx := context.Background()
	ch, err := v.Issue(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	return v.Authenticate(ctx, "s", ch, mustToken(t, cred, origin, ch))
}

func TestOCSP(t *testing.T) {
	e := newOCSPEnv(t)
	otherCA := testenv.NewCA(t, "Otra AC")
	impostor := otherCA.Issue(testenv.Leaf{OCSPSigning: true})
	downURL := fmt.Sprintf("http://127.0.0.1:%d/", testenv.FreePort(t))
	later := func() time.Time { return time.Now().Add(3 * time.Hour) }
	serve := func(status int, body []byte) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	garbageURL := serve(http.StatusOK, []byte("<html>hola</html>"))
	tryLaterURL := serve(http.StatusOK, ocsp.TryLaterErrorResponse)
	http503URL := serve(http.StatusServiceUnavailable, nil)

	cases := []struct {
		name    string
		ocsp    verifier.OCSP
		now     func() time.Time
		cred    *testenv.Credential
		want    error
		wantRev string
	}{
		{"good, pinned responder", verifier.OCSP{URL: e.url, Responder: e.responder.Cert}, nil, e.good, nil, verifier.RevocationGood},
		{"good, delegated responder", verifier.OCSP{URL: e.url}, nil, e.good, nil, verifier.RevocationGood},
		{"revoked", verifier.OCSP{URL: e.url, Responder: e.responder.Cert}, nil, e.revoked, verifier.ErrRevoked, ""},
		{"unknown", verifier.OCSP{URL: e.url, Responder: e.responder.Cert}, nil, e.unlisted, verifier.ErrRevocationUnknown, ""},
		{"responder down, fail closed", verifier.OCSP{URL: downURL}, nil, e.good, verifier.ErrRevocationDown, ""},
		{"responder down, fail open", verifier.OCSP{URL: downURL, FailOpen: true}, nil, e.good, nil, verifier.RevocationUnavailable},
		{"signed by another responder than configured", verifier.OCSP{URL: e.url, Responder: impostor.Cert}, nil, e.good, verifier.ErrRevocationResponse, ""},
		{"stale response", verifier.OCSP{URL: e.url, Responder: e.responder.Cert}, later, e.good, verifier.ErrRevocationResponse, ""},
		{"stale response even when failing open", verifier.OCSP{URL: e.url, FailOpen: true}, later, e.good, verifier.ErrRevocationResponse, ""},
		{"not an OCSP answer", verifier.OCSP{URL: garbageURL, Responder: e.responder.Cert}, nil, e.good, verifier.ErrRevocationResponse, ""},
		{"not an OCSP answer, fail open", verifier.OCSP{URL: garbageURL, FailOpen: true}, nil, e.good, verifier.ErrRevocationResponse, ""},
		{"try later", verifier.OCSP{URL: tryLaterURL}, nil, e.good, verifier.ErrRevocationDown, ""},
		{"try later, fail open", verifier.OCSP{URL: tryLaterURL, FailOpen: true}, nil, e.good, nil, verifier.RevocationUnavailable},
		{"HTTP 503", verifier.OCSP{URL: http503URL}, nil, e.good, verifier.ErrRevocationDown, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.ocsp
			o.Timeout = 3 * time.Second
			res, err := login(t, e.verifier(t, &o, tc.now), tc.cred)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Revocation != tc.wantRev {
				t.Errorf("Revocation = %q, want %q", res.Revocation, tc.wantRev)
			}
		})
	}
}

// TestOCSPResponderNotDelegated: without a pinned responder, a response
// signed by a certificate the CA did not issue for OCSP is refused.
func TestOCSPResponderNotDelegated(t *testing.T) {
	ca := testenv.NewCA(t, "AC")
	notResponder := ca.Issue(testenv.Leaf{}) // a FIEL, not an OCSP signer
	good := ca.Issue(testenv.Leaf{})
	url := testenv.StartOCSP(t, ca, notResponder, []testenv.IndexEntry{{Cred: good}})
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: ca.Anchors(), OCSP: &verifier.OCSP{URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := login(t, v, good); !errors.Is(err, verifier.ErrRevocationResponse) {
		t.Fatalf("got %v, want ErrRevocationResponse", err)
	}
}

// TestSATOCSPConfiguration: SAT's published responder certificate loads as
// the pinned responder (no network: it is only parsed).
func TestSATOCSPConfiguration(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.SATAnchorsDir(t), "ocsp.ac5_sat.cer"))
	if err != nil {
		t.Fatal(err)
	}
	rsp, err := sat.ParseCertificate(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.New(verifier.Config{Origin: origin, Anchors: satAnchors(t), OCSP: &verifier.OCSP{URL: verifier.SATTestOCSPURL, Responder: rsp}}); err != nil {
		t.Fatal(err)
	}
}

// TestOCSPKnownResponder (issue 13 §3): the responder certificates kept
// with the anchors (as SAT's are in ProductionAnchors) let the check accept
// answers that do not carry the responder's certificate, with no pinning;
// without them such an answer is refused.
func TestOCSPKnownResponder(t *testing.T) {
	ca := testenv.NewCA(t, "AC con respondedor publicado")
	responder := ca.Issue(testenv.Leaf{OCSPSigning: true})
	good := ca.Issue(testenv.Leaf{RFC: "GOOD800101AB1"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		der, err := ocsp.CreateResponse(ca.Cert, responder.Cert, ocsp.Response{
			Status: ocsp.Good, SerialNumber: good.Cert.SerialNumber,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		}, responder.Key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = w.Write(der)
	}))
	t.Cleanup(srv.Close)

	dir := ca.WriteDir(t)
	responder.WritePEM(t, filepath.Join(dir, "ocsp.pem"), "")
	withResponder, err := verifier.TestAnchors(dir)
	if err != nil || len(withResponder.Responders()) != 1 {
		t.Fatalf("anchors with the responder: %v", err)
	}
	for _, c := range []struct {
		name    string
		anchors *sat.Anchors
		want    error
	}{
		{"responder published with the CA", withResponder, nil},
		{"responder unknown", ca.Anchors(), verifier.ErrRevocationResponse},
	} {
		v, err := verifier.New(verifier.Config{Origin: origin, Anchors: c.anchors, OCSP: &verifier.OCSP{URL: srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := login(t, v, good)
		if c.want == nil && (err != nil || r.Revocation != verifier.RevocationGood) {
			t.Errorf("%s: %+v, %v", c.name, r, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The ready production value knows SAT's two responders.
	if p := verifier.ProductionAnchors(); p.Len() == 0 || len(p.Responders()) != 2 || verifier.ProductionOCSP().URL != verifier.SATOCSPURL {
		t.Fatalf("production anchors: %d CAs, %d responders", p.Len(), len(p.Responders()))
	}
}
