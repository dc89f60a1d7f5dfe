package server

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/internal/testcreds"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/rs/zerolog"
)

// TestOCSPThroughTheExtension runs the revocation check the way the
// extension does it: the host builds the request, a real `openssl ocsp`
// responder answers over HTTP (the extension's fetch), the host checks the
// answer.
func TestOCSPThroughTheExtension(t *testing.T) {
	ca := testenv.NewCA(t, "AC OCSP PRUEBAS")
	good := ca.Issue(testenv.Leaf{RFC: "GOOD800101AB1"})
	revoked := ca.Issue(testenv.Leaf{RFC: "REVO800101AB1"})
	unknown := ca.Issue(testenv.Leaf{RFC: "UNKN800101AB1"})
	responder := ca.Issue(testenv.Leaf{OCSPSigning: true})
	url := testenv.StartOCSP(t, ca, responder, []testenv.IndexEntry{{Cred: good}, {Cred: revoked, RevokedAt: time.Now().Add(-time.Hour)}})

	st := store.New(filepath.Join(t.TempDir(), "store"))
	ids := map[string]string{}
	for name, c := range map[string]*testenv.Credential{"good": good, "revoked": revoked, "unknown": unknown} {
		key, err := testcreds.EncryptSATKey(c.Key, "12345678a", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cred, err := st.ImportSAT(c.Cert.Raw, key, []byte("12345678a"))
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = cred.ID()
	}
	newServer := func(cfg OCSPConfig) *Server {
		return New(Options{Store: st, Log: zerolog.Nop(), OCSP: cfg})
	}
	anchors := func() (*sat.Anchors, error) { return ca.Anchors(), nil }
	srv := newServer(OCSPConfig{URL: url, Anchors: anchors})
	f := &fixture{srv: srv}

	ask := func(t *testing.T, f *fixture, id string) string {
		t.Helper()
		var req protocol.OCSPRequestResult
		if e := f.call(t, protocol.CmdOCSPRequest, protocol.OCSPParams{CertificateID: id}, &req); e != nil {
			t.Fatal(e)
		}
		if req.URL != url || req.ContentType != "application/ocsp-request" {
			t.Fatalf("request %+v", req)
		}
		der, _ := base64.StdEncoding.DecodeString(req.Request)
		resp, err := http.Post(req.URL, req.ContentType, bytes.NewReader(der))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out protocol.OCSPCheckResult
		if e := f.call(t, protocol.CmdOCSPCheck, protocol.OCSPParams{CertificateID: id, Response: base64.StdEncoding.EncodeToString(body)}, &out); e != nil {
			t.Fatal(e)
		}
		if out.Status == protocol.OCSPRevoked && out.RevokedAt == "" {
			t.Fatal("revoked without a date")
		}
		return out.Status
	}
	for name, want := range map[string]string{"good": protocol.OCSPGood, "revoked": protocol.OCSPRevoked, "unknown": protocol.OCSPUnknown} {
		if got := ask(t, f, ids[name]); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	// Pinned to another responder: the same answers are refused.
	other := ca.Issue(testenv.Leaf{OCSPSigning: true})
	pinned := &fixture{srv: newServer(OCSPConfig{URL: url, Anchors: anchors, Responder: func() (*x509.Certificate, error) { return other.Cert, nil }})}
	if got := ask(t, pinned, ids["good"]); got != protocol.OCSPInvalid {
		t.Errorf("wrong responder: %s, want invalid", got)
	}
	// A garbage answer is invalid, not an error that stops the host.
	var out protocol.OCSPCheckResult
	if e := f.call(t, protocol.CmdOCSPCheck, protocol.OCSPParams{CertificateID: ids["good"], Response: base64.StdEncoding.EncodeToString([]byte("<html>"))}, &out); e != nil || out.Status != protocol.OCSPInvalid {
		t.Errorf("garbage: %v %+v", e, out)
	}
	// Without a CA folder the issuer is unknown.
	none := &fixture{srv: newServer(OCSPConfig{URL: url})}
	if e := none.call(t, protocol.CmdOCSPRequest, protocol.OCSPParams{CertificateID: ids["good"]}, nil); e == nil || e.Code != protocol.ErrIssuerUnknown {
		t.Errorf("no CA folder: %v", e)
	}
}
