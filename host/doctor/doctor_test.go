package doctor

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/testcreds"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/sat"
)

func read(t *testing.T, name, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "creds", name, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func storeWith(t *testing.T, names ...string) *store.Store {
	t.Helper()
	st := store.New(t.TempDir())
	for _, n := range names {
		if _, err := st.ImportSAT(read(t, n, "certificate.cer"), read(t, n, "private_key.key"), []byte("12345678a")); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func find(r Report, id, cert string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id && (cert == "" || strings.Contains(r.Checks[i].Certificate, cert)) {
			return &r.Checks[i]
		}
	}
	return nil
}

func anchors(t *testing.T) *sat.Anchors {
	a, err := sat.LoadAnchors(filepath.Join("..", "..", "testdata", "ca"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStoredCredentials(t *testing.T) {
	st := storeWith(t, "fiel-fisica", "fiel-expired", "fiel-not-yet-valid", "csd-moral", "not-sat")
	now := time.Date(2028, 12, 20, 0, 0, 0, 0, time.UTC) // 12 days before fiel-fisica expires
	r := Run(context.Background(), Env{Lang: i18n.ES, Sources: []keys.Source{st}, Anchors: anchors(t), Now: func() time.Time { return now }})
	tests := []struct {
		id, cert string
		status   Status
	}{
		{"expiring", "GOAM800101AB1 (FIEL, 30001000000900000001", Warning},
		{"expired", "ROLJ750505CD3", Error},
		{"not-yet-valid", "SAHL900909EF4", Error},
		{"csd", "TCE010101AB2", Warning},
		{"issuer", "30001000000900000009", Error}, // not-sat
		{"issuer", "30001000000900000001", OK},
		{"clock", "", NotChecked},
	}
	for _, tt := range tests {
		c := find(r, tt.id, tt.cert)
		if c == nil {
			t.Errorf("no %s check for %s in %+v", tt.id, tt.cert, r.Checks)
			continue
		}
		if c.Status != tt.status || c.Reason == "" || (c.Status != OK && c.Status != NotChecked && c.Fix == "") {
			t.Errorf("%s %s: %+v", tt.id, tt.cert, c)
		}
	}
	if c := find(r, "expiring", "30001000000900000001"); c != nil && !strings.Contains(c.Reason, "12 días") {
		t.Errorf("expiring reason lacks the days: %q", c.Reason)
	}
	if r.Worst != Error || ExitCode(r.Worst) != 4 {
		t.Errorf("worst %s", r.Worst)
	}
}

func TestNoCertificatesAfterChangingComputers(t *testing.T) {
	r := Run(context.Background(), Env{Lang: i18n.ES, Sources: []keys.Source{store.New(t.TempDir())}})
	c := find(r, "no-certificates", "")
	if c == nil || c.Status != Error || !strings.Contains(c.Fix, ".pfx") {
		t.Fatalf("%+v", r.Checks)
	}
	if find(r, "issuer", "") != nil {
		t.Fatal("no certificate, yet an issuer check")
	}
}

func TestNoAnchorsIsNotChecked(t *testing.T) {
	r := Run(context.Background(), Env{Lang: i18n.EN, Sources: []keys.Source{storeWith(t, "fiel-fisica")}, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if c := find(r, "issuer", ""); c == nil || c.Status != NotChecked {
		t.Fatalf("%+v", r.Checks)
	}
	if r.Worst != NotChecked || ExitCode(r.Worst) != 0 {
		t.Fatalf("worst %s", r.Worst)
	}
}

func TestFileChecks(t *testing.T) {
	env := Env{Lang: i18n.ES, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	tests := []struct {
		name     string
		files    Files
		id       string
		status   Status
		wantCode string
	}{
		{"good pair", Files{read(t, "fiel-fisica", "certificate.cer"), read(t, "fiel-fisica", "private_key.key"), []byte("12345678a")}, "key-file", OK, ""},
		{"mismatch", Files{read(t, "mismatch", "certificate.cer"), read(t, "mismatch", "private_key.key"), []byte("12345678a")}, "key-mismatch", Error, "no corresponde"},
		{"wrong password", Files{read(t, "fiel-fisica", "certificate.cer"), read(t, "fiel-fisica", "private_key.key"), []byte("otra")}, "key-password", Error, "contraseña"},
		{"no password", Files{read(t, "fiel-fisica", "certificate.cer"), read(t, "fiel-fisica", "private_key.key"), nil}, "key-file", NotChecked, ""},
		{"key is a cert", Files{read(t, "fiel-fisica", "certificate.cer"), read(t, "fiel-fisica", "certificate.cer"), []byte("12345678a")}, "key-file", Error, ""},
		{"cer is a key", Files{read(t, "fiel-fisica", "private_key.key"), nil, nil}, "cer-file", Error, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := FileChecks(tt.files, env)
			var got *Check
			for i := range cs {
				if cs[i].ID == tt.id {
					got = &cs[i]
				}
			}
			if got == nil || got.Status != tt.status || !strings.Contains(got.Reason, tt.wantCode) {
				t.Fatalf("%+v", cs)
			}
		})
	}
}

// fakeNTP answers one SNTP request with the given time.
func fakeNTP(t *testing.T, now time.Time) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 48)
		for {
			_, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			resp := make([]byte, 48)
			resp[0] = 0x24 // version 4, mode 4 (server)
			resp[1] = 1    // stratum
			binary.BigEndian.PutUint32(resp[40:], uint32(now.Unix()+ntpEpochOffset))
			pc.WriteTo(resp, addr)
		}
	}()
	return pc.LocalAddr().String()
}

func TestClockCheck(t *testing.T) {
	if testenv.UnderWine() {
		t.Skip("Wine 8 cannot listen on UDP (WSAIoctl SIO_UDP_CONNRESET, winapi error 10045); checked on Linux")
	}
	real := time.Now()
	tests := []struct {
		name   string
		server string
		status Status
	}{
		{"right", fakeNTP(t, real), OK},
		{"off by an hour", fakeNTP(t, real.Add(-time.Hour)), Error},
		{"unreachable", "127.0.0.1:1", NotChecked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clockCheck(context.Background(), Env{Lang: i18n.ES, Now: time.Now, TimeServer: tt.server})
			if c.Status != tt.status {
				t.Fatalf("%+v", c)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := map[string]string{"GOAM800101AB1": "GOAM*******B1", "GOAM800101MDFMRR09": "GOAM************09", "ABC": "***", "": ""}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpiredBesideItsRenewalIsAWarning(t *testing.T) {
	ca := testenv.NewCA(t, "AC RENOVACION")
	now := time.Now()
	old := ca.Issue(testenv.Leaf{RFC: "RENO800101AB1", NotBefore: now.AddDate(-4, 0, 0), NotAfter: now.AddDate(0, 0, -3)})
	renewed := ca.Issue(testenv.Leaf{RFC: "RENO800101AB1", NotBefore: now.AddDate(0, 0, -2), NotAfter: now.AddDate(4, 0, 0)})
	other := ca.Issue(testenv.Leaf{RFC: "OTRO800101AB1", NotBefore: now.AddDate(-4, 0, 0), NotAfter: now.AddDate(0, 0, -3)})
	st := store.New(t.TempDir())
	for _, c := range []*testenv.Credential{old, renewed, other} {
		key, err := testcreds.EncryptSATKey(c.Key, "12345678a", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportSAT(c.Cert.Raw, key, []byte("12345678a")); err != nil {
			t.Fatal(err)
		}
	}
	r := Run(context.Background(), Env{Lang: i18n.ES, Sources: []keys.Source{st}})
	if c := find(r, "expired", "RENO800101AB1"); c == nil || c.Status != Warning || !strings.Contains(c.Fix, "efirma remove --id file-") {
		t.Fatalf("expired beside its renewal: %+v", c)
	}
	if c := find(r, "expired", "OTRO800101AB1"); c == nil || c.Status != Error {
		t.Fatalf("expired without a renewal: %+v", c)
	}
}
