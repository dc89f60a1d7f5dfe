package e2e

import (
	"crypto/rand"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/testcreds"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
)

// ocspFront sits in front of `openssl ocsp` on 127.0.0.2 (an origin the
// extension has no host permission for) and records what the browser sent.
// With cors on it answers the preflight and adds
// Access-Control-Allow-Origin, as a responder meant for browsers does;
// with it off it is as bare as openssl itself (it never forwards the
// preflight: openssl ocsp cannot parse an OPTIONS request).
type ocspFront struct {
	cors    atomic.Bool
	mu      sync.Mutex
	methods []string
}

func (f *ocspFront) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.methods...)
}

func startOCSPFront(t *testing.T, responder string) (*ocspFront, string) {
	t.Helper()
	u, err := url.Parse(responder)
	if err != nil {
		t.Fatal(err)
	}
	f := &ocspFront{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.2: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		f.mu.Lock()
		f.methods = append(f.methods, req.Method)
		f.mu.Unlock()
		if f.cors.Load() {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		if req.Method == http.MethodOptions {
			if f.cors.Load() {
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Accept")
				w.Header().Set("Access-Control-Allow-Private-Network", "true")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		proxy.ServeHTTP(w, req)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return f, srv.URL + "/"
}

// writeSATPair writes cred as a SAT .cer (DER) and .key (PKCS#8 encrypted
// the way SAT does) into dir and imports them into home.
func (r *rig) importGenerated(t *testing.T, home, name string, cred *testenv.Credential) protocol.CertInfo {
	t.Helper()
	dir := t.TempDir()
	cer, key := filepath.Join(dir, name+".cer"), filepath.Join(dir, name+".key")
	enc, err := testcreds.EncryptSATKey(cred.Key, testenv.Password, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cer, cred.Cert.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := chromerig.Import(r.efirma, home, cer, key, testenv.Password)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestRevocation (cause 11): a test CA, a good and a revoked FIEL issued by
// it, and a real `openssl ocsp` responder for that CA. The host is
// configured with caDir (the test CA) and ocspUrl (a loopback front of the
// responder); the Diagnóstico page asks the host for each OCSP request,
// POSTs it from the extension page and has the host check the answer.
//
// What happens for real: an extension page's fetch skips CORS for the
// extension's host_permissions: SAT's responders (https://cfdi.sat.gob.mx/*,
// https://cfdit.sat.gob.mx/*) and the development hosts http://localhost/*
// and http://127.0.0.1/* (any port).
// Any other responder gets a CORS request whose Content-Type
// (application/ocsp-request) needs a preflight, which `openssl ocsp` does
// not answer. So:
//   - a bare responder on 127.0.0.2: the page sends no POST and says
//     not-checked (could not reach the status service) — never ok;
//   - the same front answering CORS, as a responder meant for browsers
//     does: the revoked FIEL is an error with its revocation date, the good
//     one is ok;
//   - `openssl ocsp` itself on 127.0.0.1: reached without CORS, same result.
func TestRevocation(t *testing.T) {
	r := newRig(t)
	testenv.Tool(t, "openssl")
	ca := testenv.NewCA(t, "AC DE PRUEBAS OCSP")
	good := ca.Issue(testenv.Leaf{RFC: "GOPJ800101AB1", Name: "JUANA GOMEZ PEREZ", CURP: "GOPJ800101MDFRRN01"})
	revoked := ca.Issue(testenv.Leaf{RFC: "REPJ800101AB2", Name: "JOSE RUIZ PEREZ", CURP: "REPJ800101HDFRRN02"})
	revokedAt := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	responder := ca.Issue(testenv.Leaf{OCSPSigning: true})
	openssl := testenv.StartOCSP(t, ca, responder, []testenv.IndexEntry{
		{Cred: good}, {Cred: revoked, RevokedAt: revokedAt},
	})
	front, frontURL := startOCSPFront(t, openssl)

	home, caDir := t.TempDir(), ca.WriteDir(t)
	configure := func(ocspURL string) {
		cfg, err := json.Marshal(map[string]any{"caDir": caDir, "ocspUrl": ocspURL})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "config.json"), cfg, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	configure(frontURL)
	goodInfo := r.importGenerated(t, home, "good", good)
	revInfo := r.importGenerated(t, home, "revoked", revoked)
	for _, c := range []protocol.CertInfo{goodInfo, revInfo} {
		if c.Type != "FIEL" || c.Status != "valid" {
			t.Fatalf("imported %+v: want a valid FIEL", c)
		}
	}
	r.useHost(t, r.efirma, home, chromerig.HostOptions{})
	label := func(c protocol.CertInfo) string { return c.RFC + " (" + c.Serial + ")" }

	t.Run("responder without CORS: not checked, never ok", func(t *testing.T) {
		r.t = t
		d := diagnose(t, r.b)
		for _, c := range []protocol.CertInfo{goodInfo, revInfo} {
			got := d.one(t, "revocation", label(c))
			if got.Status != "not-checked" || got.Reason != r.msg("diag_revocation_offline") || got.Fix != r.msg("diag_revocation_offline_fix") {
				t.Errorf("revocation of %s = %+v, want not-checked: %q", c.RFC, got, r.msg("diag_revocation_offline"))
			}
		}
		if seen := front.seen(); strings.Contains(strings.Join(seen, " "), "POST") {
			t.Errorf("the browser POSTed to a responder that does not allow CORS: %v", seen)
		} else {
			t.Logf("requests that reached the bare responder: %v", seen)
		}
	})

	// check runs the page and expects the revoked FIEL as an error with its
	// date and the good one ok.
	check := func(t *testing.T) {
		t.Helper()
		d := diagnose(t, r.b)
		if got := d.one(t, "revocation", label(goodInfo)); got.Status != "ok" || got.Reason != r.msg("diag_revocation_good") {
			t.Errorf("revocation of the good FIEL = %+v, want ok", got)
		}
		got := d.one(t, "revocation", label(revInfo))
		want := r.msg("diag_revocation_revoked", revokedAt.Format("2006-01-02"))
		if got.Status != "error" || got.Reason != want || got.Fix != r.msg("diag_revocation_revoked_fix") {
			t.Errorf("revocation of the revoked FIEL = %+v\nwant error %q, fix %q", got, want, r.msg("diag_revocation_revoked_fix"))
		}
		if d.Summary != "error" {
			t.Errorf("#resumen data-status = %q, want error", d.Summary)
		}
	}

	t.Run("responder with CORS: revoked is an error with its date, good is ok", func(t *testing.T) {
		r.t = t
		front.cors.Store(true)
		check(t)
		if n := strings.Count(strings.Join(front.seen(), " "), "POST"); n != 2 {
			t.Errorf("%d OCSP POSTs reached the responder, want 2 (one per FIEL): %v", n, front.seen())
		}
	})

	t.Run("openssl ocsp on 127.0.0.1: inside the extension's host permissions", func(t *testing.T) {
		r.t = t
		configure(openssl)
		r.killHosts() // the host reads config.json when it starts
		before := len(front.seen())
		check(t)
		if n := len(front.seen()) - before; n != 0 {
			t.Errorf("%d requests went to the front, want all to %s", n, openssl)
		}
	})
}
