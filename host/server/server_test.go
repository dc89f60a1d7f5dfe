package server

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/rs/zerolog"
)

const password = "12345678a"

// testNow is inside the validity of the generated valid credentials.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func credPath(name, file string) string {
	return filepath.Join("..", "..", "testdata", "creds", name, file)
}

func readCred(t testing.TB, name string) (cer, key []byte) {
	t.Helper()
	cer, err := os.ReadFile(credPath(name, "certificate.cer"))
	if err != nil {
		t.Fatal(err)
	}
	key, err = os.ReadFile(credPath(name, "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	return cer, key
}

type fixture struct {
	srv  *Server
	st   *store.Store
	ids  map[string]string
	logs *testenv.SyncBuffer
}

func newFixture(t testing.TB, dev bool, creds ...string) *fixture {
	t.Helper()
	st := store.New(filepath.Join(t.TempDir(), "store"))
	f := &fixture{st: st, ids: map[string]string{}, logs: &testenv.SyncBuffer{}}
	for _, name := range creds {
		cer, key := readCred(t, name)
		c, err := st.ImportSAT(cer, key, []byte(password))
		if err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
		f.ids[name] = c.ID()
	}
	f.srv = New(Options{
		Store:      st,
		DevOrigins: dev,
		Log:        zerolog.New(f.logs).Level(zerolog.DebugLevel),
		Now:        func() time.Time { return testNow },
		Version:    "test",
	})
	return f
}

// call runs one request through Handle and decodes the result into out.
func (f *fixture) call(t testing.TB, command string, params any, out any) *protocol.Error {
	t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	resp := f.srv.Handle(context.Background(), protocol.Request{ID: "t1", Command: command, Params: raw})
	if resp.ID != "t1" {
		t.Fatalf("response id %q", resp.ID)
	}
	if resp.Error != nil {
		if resp.Result != nil {
			t.Fatal("response has both result and error")
		}
		// Round-trip through JSON, as the browser sees it.
		var e protocol.Error
		if err := json.Unmarshal(mustJSON(resp.Error), &e); err != nil {
			t.Fatal(err)
		}
		return &e
	}
	b, _ := json.Marshal(resp.Result)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return nil
}

const challenge = "dGhpcyBpcyBhIHRlc3QgY2hhbGxlbmdlIG9mIDMyIGJ5dGVz"

func verifyRS256(t testing.TB, certB64 string, msg []byte, sigB64 string) error {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(certB64)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(msg)
	return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], sig)
}

func TestHello(t *testing.T) {
	f := newFixture(t, false)
	var h protocol.HelloResult
	if e := f.call(t, protocol.CmdHello, nil, &h); e != nil {
		t.Fatal(e)
	}
	if h.Protocol != protocol.Version || h.Version != "test" || len(h.Sources) == 0 || h.Limits.MaxRequestBytes != protocol.MaxRequestBytes {
		t.Fatalf("hello = %+v", h)
	}
	if h.DevOrigins {
		t.Error("hello says development origins are accepted; they are off")
	}
	var dev protocol.HelloResult
	if e := newFixture(t, true).call(t, protocol.CmdHello, nil, &dev); e != nil || !dev.DevOrigins {
		t.Errorf("hello with development origins on = %+v (%v), want devOrigins true", dev, e)
	}
}

func TestListCertificates(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica", "csd-moral", "fiel-expired", "fiel-not-yet-valid", "fiel-enie")
	var l protocol.ListResult
	if e := f.call(t, protocol.CmdListCertificates, nil, &l); e != nil {
		t.Fatal(e)
	}
	if len(l.Certificates) != 5 {
		t.Fatalf("got %d certificates", len(l.Certificates))
	}
	byID := map[string]protocol.CertInfo{}
	for _, c := range l.Certificates {
		byID[c.ID] = c
	}
	want := map[string]struct{ typ, status, rfc, name string }{
		"fiel-fisica":        {"FIEL", "valid", "GOAM800101AB1", "MARIA GOMEZ ARANDA"},
		"csd-moral":          {"CSD", "valid", "TCE010101AB2", "TALLERES DEL CENTRO SA DE CV"},
		"fiel-expired":       {"FIEL", "expired", "ROLJ750505CD3", "JUAN RODRIGUEZ LOPEZ"},
		"fiel-not-yet-valid": {"FIEL", "not-yet-valid", "SAHL900909EF4", "LAURA SANCHEZ HERRERA"},
		"fiel-enie":          {"FIEL", "valid", "PEÑJ800101GH5", "JOSE PEÑA NUÑEZ"},
	}
	for name, w := range want {
		c, ok := byID[f.ids[name]]
		if !ok {
			t.Fatalf("%s missing from list", name)
		}
		if c.Type != w.typ || c.Status != w.status || c.RFC != w.rfc || c.Name != w.name || c.Source != "file" || !c.Usable {
			t.Errorf("%s: got %+v", name, c)
		}
	}
	if first := l.Certificates[0]; first.Type != "FIEL" || first.Status != "valid" {
		t.Errorf("usable FIELs must come first, got %s %s", first.Type, first.Status)
	}
	if c := byID[f.ids["csd-moral"]]; c.RFCRepresentative != "GOAM800101AB1" || c.CURPRepresentative != "GOAM800101MDFMRR09" || c.Serial != "30001000000900000003" {
		t.Errorf("csd facts: %+v", c)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	origin := "https://serviciosdigitales.imss.gob.mx"
	var tok protocol.AuthToken
	if e := f.call(t, protocol.CmdAuthenticate, protocol.AuthenticateParams{Origin: origin, Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: password}, &tok); e != nil {
		t.Fatal(e)
	}
	if tok.Format != protocol.AuthFormat || tok.Algorithm != protocol.AlgRS256 {
		t.Fatalf("token %+v", tok)
	}
	if err := verifyRS256(t, tok.Certificate, protocol.AuthMessage(origin, challenge), tok.Signature); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	// The signature is bound to the origin and the challenge.
	if err := verifyRS256(t, tok.Certificate, protocol.AuthMessage("https://evil.example", challenge), tok.Signature); err == nil {
		t.Fatal("signature verified for another origin")
	}
	if err := verifyRS256(t, tok.Certificate, protocol.AuthMessage(origin, challenge+"x"), tok.Signature); err == nil {
		t.Fatal("signature verified for another challenge")
	}
}

func TestAuthenticateErrors(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica", "csd-moral", "fiel-expired", "fiel-not-yet-valid")
	ok := protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: password}
	tests := []struct {
		name string
		mod  func(p *protocol.AuthenticateParams)
		code protocol.Code
	}{
		{"wrong password", func(p *protocol.AuthenticateParams) { p.Password = "nope" }, protocol.ErrWrongPassword},
		{"empty password", func(p *protocol.AuthenticateParams) { p.Password = "" }, protocol.ErrWrongPassword},
		{"csd", func(p *protocol.AuthenticateParams) { p.CertificateID = f.ids["csd-moral"] }, protocol.ErrNotFIEL},
		{"expired", func(p *protocol.AuthenticateParams) { p.CertificateID = f.ids["fiel-expired"] }, protocol.ErrCertExpired},
		{"not yet valid", func(p *protocol.AuthenticateParams) { p.CertificateID = f.ids["fiel-not-yet-valid"] }, protocol.ErrCertNotYetValid},
		{"unknown certificate", func(p *protocol.AuthenticateParams) { p.CertificateID = "file-000000000000000000000000" }, protocol.ErrCertNotFound},
		{"missing certificate", func(p *protocol.AuthenticateParams) { p.CertificateID = "" }, protocol.ErrBadRequest},
		{"http origin", func(p *protocol.AuthenticateParams) { p.Origin = "http://www.sat.gob.mx" }, protocol.ErrOriginInvalid},
		{"origin with path", func(p *protocol.AuthenticateParams) { p.Origin = "https://www.sat.gob.mx/login" }, protocol.ErrOriginInvalid},
		{"origin trailing slash", func(p *protocol.AuthenticateParams) { p.Origin = "https://www.sat.gob.mx/" }, protocol.ErrOriginInvalid},
		{"origin uppercase", func(p *protocol.AuthenticateParams) { p.Origin = "https://WWW.sat.gob.mx" }, protocol.ErrOriginInvalid},
		{"origin with user", func(p *protocol.AuthenticateParams) { p.Origin = "https://a@www.sat.gob.mx" }, protocol.ErrOriginInvalid},
		{"localhost without dev", func(p *protocol.AuthenticateParams) { p.Origin = "http://localhost:8080" }, protocol.ErrOriginInvalid},
		{"extension origin", func(p *protocol.AuthenticateParams) { p.Origin = "chrome-extension://abcdef" }, protocol.ErrOriginInvalid},
		{"empty origin", func(p *protocol.AuthenticateParams) { p.Origin = "" }, protocol.ErrOriginInvalid},
		{"short challenge", func(p *protocol.AuthenticateParams) { p.Challenge = "abc" }, protocol.ErrBadRequest},
		{"challenge not base64url", func(p *protocol.AuthenticateParams) { p.Challenge = strings.Repeat("+", 40) }, protocol.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.mod(&p)
			e := f.call(t, protocol.CmdAuthenticate, p, nil)
			if e == nil || e.Code != tt.code {
				t.Fatalf("got %v, want %s", e, tt.code)
			}
			if e.Message == "" || e.Hint == "" || strings.HasPrefix(e.Message, "code.") {
				t.Fatalf("error without Spanish message or hint: %+v", e)
			}
		})
	}
	// The password attempts are counted for this session.
	p := ok
	p.Password = "otra"
	e := f.call(t, protocol.CmdAuthenticate, p, nil)
	if e == nil || e.Details["attempts"] == nil {
		t.Fatalf("no attempt count: %+v", e)
	}
	first := e.Details["attempts"].(float64)
	e = f.call(t, protocol.CmdAuthenticate, p, nil)
	if e.Details["attempts"].(float64) != first+1 {
		t.Fatalf("attempts did not grow: %v then %v", first, e.Details["attempts"])
	}
	// And the right password still works afterwards.
	if e := f.call(t, protocol.CmdAuthenticate, ok, nil); e != nil {
		t.Fatal(e)
	}
}

func TestDevOrigins(t *testing.T) {
	f := newFixture(t, true, "fiel-fisica")
	for _, o := range []string{"http://localhost:8080", "http://127.0.0.1:9999", "http://localhost"} {
		p := protocol.AuthenticateParams{Origin: o, Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: password}
		if e := f.call(t, protocol.CmdAuthenticate, p, nil); e != nil {
			t.Errorf("%s: %v", o, e)
		}
	}
	p := protocol.AuthenticateParams{Origin: "http://example.com", Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: password}
	if e := f.call(t, protocol.CmdAuthenticate, p, nil); e == nil || e.Code != protocol.ErrOriginInvalid {
		t.Errorf("http://example.com allowed in dev mode: %v", e)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSign(t *testing.T) {
	f := newFixture(t, false, "fiel-moral", "csd-moral")
	cadena := "||1.0|3|TCE010101AB2|Solicitud de cita|2026-06-01||"
	for _, name := range []string{"fiel-moral", "csd-moral"} {
		var r protocol.SignResult
		if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://www.imss.gob.mx", CertificateID: f.ids[name], Password: password, Data: b64(cadena)}, &r); e != nil {
			t.Fatalf("%s: %v", name, e)
		}
		if err := verifyRS256(t, r.Certificate, []byte(cadena), r.Signature); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Batch: one unlock, every signature verifies over its own document.
	var docs []protocol.Document
	for i := 0; i < 20; i++ {
		docs = append(docs, protocol.Document{Data: b64(fmt.Sprintf("||doc|%d||", i))})
	}
	var r protocol.SignResult
	if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://www.imss.gob.mx", CertificateID: f.ids["fiel-moral"], Password: password, Documents: docs}, &r); e != nil {
		t.Fatal(e)
	}
	if len(r.Signatures) != len(docs) || r.Signature != "" {
		t.Fatalf("got %d signatures", len(r.Signatures))
	}
	for i, s := range r.Signatures {
		if err := verifyRS256(t, r.Certificate, []byte(fmt.Sprintf("||doc|%d||", i)), s); err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
	}
}

func TestSignErrors(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica", "fiel-expired")
	id := f.ids["fiel-fisica"]
	tests := []struct {
		name string
		p    protocol.SignParams
		code protocol.Code
	}{
		{"nothing", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password}, protocol.ErrBadRequest},
		{"both", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password, Data: b64("x"), Documents: []protocol.Document{{Data: b64("y")}}}, protocol.ErrBadRequest},
		{"not base64", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password, Data: "%%%"}, protocol.ErrBadRequest},
		{"reserved", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password, Data: b64("efirma-auth:1 anything")}, protocol.ErrDataReserved},
		{"reserved in batch", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password, Documents: []protocol.Document{{Data: b64("ok")}, {Data: b64("efirma-auth:2")}}}, protocol.ErrDataReserved},
		{"too many", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: password, Documents: make([]protocol.Document, protocol.MaxBatchDocuments+1)}, protocol.ErrMessageTooLarge},
		{"expired", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: f.ids["fiel-expired"], Password: password, Data: b64("x")}, protocol.ErrCertExpired},
		{"bad origin", protocol.SignParams{Origin: "file://", CertificateID: id, Password: password, Data: b64("x")}, protocol.ErrOriginInvalid},
		{"wrong password", protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: id, Password: "x", Data: b64("x")}, protocol.ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := f.call(t, protocol.CmdSign, tt.p, nil)
			if e == nil || e.Code != tt.code {
				t.Fatalf("got %v, want %s", e, tt.code)
			}
		})
	}
}

// TestDocumentSignatureCannotAuthenticate shows the attack fails: a page
// that asks to "sign a document" whose bytes are exactly what a login
// signature covers gets ERR_DATA_RESERVED, and no signature the sign
// command produces verifies as a login token.
func TestDocumentSignatureCannotAuthenticate(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	id := f.ids["fiel-fisica"]
	victim := "https://www.sat.gob.mx"
	msg := protocol.AuthMessage(victim, challenge)
	e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://evil.example", CertificateID: id, Password: password, Data: base64.StdEncoding.EncodeToString(msg)}, nil)
	if e == nil || e.Code != protocol.ErrDataReserved {
		t.Fatalf("the attack was not refused: %v", e)
	}
	// Without the prefix the bytes (two SHA-256 values) are not text: refused
	// too (ERR_DATA_NOT_TEXT, issue 11 F-02).
	if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://evil.example", CertificateID: id, Password: password, Data: base64.StdEncoding.EncodeToString(msg[1:])}, nil); e == nil || e.Code != protocol.ErrDataNotText {
		t.Fatalf("binary login hashes: got %v, want ERR_DATA_NOT_TEXT", e)
	}
	// A text that spells the message out is signed, and fails as a token.
	var r protocol.SignResult
	text := fmt.Sprintf("efirma-auth 1 %x", msg[len(protocol.AuthFormat)+1:])
	if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://evil.example", CertificateID: id, Password: password, Data: b64(text)}, &r); e != nil {
		t.Fatal(e)
	}
	if err := verifyRS256(t, r.Certificate, msg, r.Signature); err == nil {
		t.Fatal("a document signature verified as a login token")
	}
}

func TestImportRemove(t *testing.T) {
	f := newFixture(t, false)
	cer, key := readCred(t, "fiel-enie")
	var info protocol.CertInfo
	if e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: base64.StdEncoding.EncodeToString(cer), PrivateKey: base64.StdEncoding.EncodeToString(key), Password: password}, &info); e != nil {
		t.Fatal(e)
	}
	if info.RFC != "PEÑJ800101GH5" || info.ID == "" {
		t.Fatalf("info %+v", info)
	}
	_, otherKey := readCred(t, "fiel-moral")
	pemCert := "-----BEGIN CERTIFICATE-----\n" + base64.StdEncoding.EncodeToString(cer) + "\n-----END CERTIFICATE-----\n"
	tests := []struct {
		name string
		p    protocol.ImportParams
		code protocol.Code
	}{
		{"wrong password", protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(key)), Password: "bad"}, protocol.ErrWrongPassword},
		{"empty password", protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(key)), Password: ""}, protocol.ErrWrongPassword},
		{"mismatch", protocol.ImportParams{Certificate: pemCert, PrivateKey: b64(string(otherKey)), Password: password}, protocol.ErrKeyMismatch},
		{"corrupt key", protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64("not a key at all"), Password: password}, protocol.ErrBadCredentialFile},
		{"key is a cert", protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(cer)), Password: password}, protocol.ErrBadCredentialFile},
		{"corrupt cert", protocol.ImportParams{Certificate: b64(string(cer[:100])), PrivateKey: b64(string(key)), Password: password}, protocol.ErrBadCredentialFile},
		{"truncated key", protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(key[:len(key)/2])), Password: password}, protocol.ErrBadCredentialFile},
		{"corrupt pfx", protocol.ImportParams{PFX: b64("garbage"), Password: password}, protocol.ErrBadCredentialFile},
		{"nothing", protocol.ImportParams{Password: password}, protocol.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := f.call(t, protocol.CmdImportCredential, tt.p, nil)
			if e == nil || e.Code != tt.code {
				t.Fatalf("got %v, want %s", e, tt.code)
			}
		})
	}
	var l protocol.ListResult
	f.call(t, protocol.CmdListCertificates, nil, &l)
	if len(l.Certificates) != 1 {
		t.Fatalf("failed imports changed the store: %d entries", len(l.Certificates))
	}
	if e := f.call(t, protocol.CmdRemoveCredential, protocol.RemoveParams{CertificateID: info.ID}, nil); e != nil {
		t.Fatal(e)
	}
	if e := f.call(t, protocol.CmdRemoveCredential, protocol.RemoveParams{CertificateID: info.ID}, nil); e == nil || e.Code != protocol.ErrCertNotFound {
		t.Fatalf("second remove: %v", e)
	}
}

func frame(body []byte) []byte {
	out := make([]byte, 4+len(body))
	binary.LittleEndian.PutUint32(out, uint32(len(body)))
	copy(out[4:], body)
	return out
}

// serve runs Serve over input and returns the responses in order of id.
func serve(t testing.TB, srv *Server, input []byte) ([]protocol.Response, error) {
	t.Helper()
	var out bytes.Buffer
	err := srv.Serve(context.Background(), bytes.NewReader(input), &out)
	var resps []protocol.Response
	for {
		b, rerr := nativemsg.ReadFrame(&out, protocol.MaxResponseBytes)
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			t.Fatalf("host wrote something that is not a frame: %v", rerr)
		}
		var r protocol.Response
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("bad response JSON %q: %v", b, err)
		}
		resps = append(resps, r)
	}
	return resps, err
}

func TestBadInputKeepsServing(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	hello := frame([]byte(`{"id":"next","command":"hello"}`))
	tests := []struct {
		name   string
		input  []byte
		code   protocol.Code
		id     string
		closes bool
	}{
		{"zero length", frame(nil), protocol.ErrBadRequest, "", false},
		{"not json", frame([]byte("hola")), protocol.ErrBadRequest, "", false},
		{"json array", frame([]byte(`[1,2]`)), protocol.ErrBadRequest, "", false},
		{"invalid utf-8", frame([]byte("{\"id\":\"a\xff\",\"command\":\"hello\"}")), protocol.ErrBadRequest, "", false},
		{"command not string", frame([]byte(`{"id":"w1","command":5}`)), protocol.ErrBadRequest, "w1", false},
		{"params not object", frame([]byte(`{"id":"w2","command":"sign","params":"x"}`)), protocol.ErrBadRequest, "w2", false},
		{"params wrong field type", frame([]byte(`{"id":"w3","command":"sign","params":{"data":7}}`)), protocol.ErrBadRequest, "w3", false},
		{"missing id", frame([]byte(`{"command":"hello"}`)), protocol.ErrBadRequest, "", false},
		{"id not string", frame([]byte(`{"id":5,"command":"hello"}`)), protocol.ErrBadRequest, "", false},
		{"unknown command", frame([]byte(`{"id":"u1","command":"format-disk"}`)), protocol.ErrUnknownCommand, "u1", false},
		{"corrupt key", frame([]byte(`{"id":"k1","command":"import-credential","params":{"certificate":"AAAA","privateKey":"AAAA","password":"x"}}`)), protocol.ErrBadCredentialFile, "k1", false},
		{"empty password", frame([]byte(`{"id":"p1","command":"authenticate","params":{"origin":"https://sat.gob.mx","challenge":"` + challenge + `","certificateId":"` + f.ids["fiel-fisica"] + `","password":""}}`)), protocol.ErrWrongPassword, "p1", false},
		{"newPassword not a string", frame([]byte(`{"id":"n1","command":"import-credential","params":{"certificate":"AAAA","privateKey":"AAAA","newPassword":12345678}}`)), protocol.ErrBadRequest, "n1", false},
		{"newPassword twice", frame([]byte(`{"id":"n2","command":"import-credential","params":{"certificate":"AAAA","privateKey":"AAAA","newPassword":"Nueva-Clave-1","newPassword":"Nueva-Clave-2"}}`)), protocol.ErrBadRequest, "n2", false},
		{"newPassword where none is taken", frame([]byte(`{"id":"n3","command":"remove-credential","params":{"certificateId":"nope","newPassword":"Nueva-Clave-1"}}`)), protocol.ErrCertNotFound, "n3", false},
		{"huge claimed length", []byte{0xff, 0xff, 0xff, 0x7f, '{'}, protocol.ErrMessageTooLarge, "", true},
		{"just over the cap", binary.LittleEndian.AppendUint32(nil, protocol.MaxRequestBytes+1), protocol.ErrMessageTooLarge, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resps, err := serve(t, f.srv, append(append([]byte{}, tt.input...), hello...))
			if err != nil {
				t.Fatalf("Serve returned %v", err)
			}
			// Requests run concurrently: find each answer by id.
			var bad, next *protocol.Response
			for i := range resps {
				if resps[i].ID == "next" {
					next = &resps[i]
				} else if bad == nil {
					bad = &resps[i]
				}
			}
			if bad == nil || bad.Error == nil || bad.Error.Code != tt.code || bad.ID != tt.id {
				t.Fatalf("responses %+v, want %s id %q", resps, tt.code, tt.id)
			}
			if tt.closes {
				if next != nil || len(resps) != 1 {
					t.Fatalf("host kept reading after an oversized frame: %d responses", len(resps))
				}
				return
			}
			if len(resps) != 2 || next == nil || next.Error != nil {
				t.Fatalf("host did not answer the next request: %+v", resps)
			}
		})
	}
	// A truncated frame ends the stream with an error but no garbage output.
	for _, in := range [][]byte{{1, 0}, append(binary.LittleEndian.AppendUint32(nil, 50), '{')} {
		resps, err := serve(t, f.srv, in)
		if err == nil || len(resps) != 0 {
			t.Fatalf("truncated frame: err %v, %d responses", err, len(resps))
		}
	}
}

func TestManyRequestsOneConnection(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	var in []byte
	for i := 0; i < 30; i++ {
		cmd := protocol.CmdHello
		if i%3 == 0 {
			cmd = protocol.CmdListCertificates
		}
		in = append(in, frame([]byte(fmt.Sprintf(`{"id":"r%d","command":%q}`, i, cmd)))...)
	}
	resps, err := serve(t, f.srv, in)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range resps {
		if r.Error != nil {
			t.Fatalf("%s: %v", r.ID, r.Error)
		}
		seen[r.ID] = true
	}
	if len(seen) != 30 {
		t.Fatalf("got %d distinct answers", len(seen))
	}
}

func TestBatchResponsesStayUnderLimit(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	docs := make([]protocol.Document, protocol.MaxBatchDocuments)
	for i := range docs {
		docs[i] = protocol.Document{Data: b64(fmt.Sprintf("||cadena original %d||", i))}
	}
	p, _ := json.Marshal(protocol.SignParams{Origin: "https://a.gob.mx", CertificateID: f.ids["fiel-fisica"], Password: password, Documents: docs})
	req, _ := json.Marshal(protocol.Request{ID: "batch", Command: protocol.CmdSign, Params: p})
	var out bytes.Buffer
	if err := f.srv.Serve(context.Background(), bytes.NewReader(frame(req)), &out); err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint32(out.Bytes()[:4])
	if n > protocol.MaxResponseBytes || int(n) != out.Len()-4 {
		t.Fatalf("response frame %d bytes", n)
	}
	var resp struct {
		Result protocol.SignResult `json:"result"`
		Error  *protocol.Error     `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes()[4:], &resp); err != nil || resp.Error != nil || len(resp.Result.Signatures) != len(docs) {
		t.Fatalf("batch: %v %+v", err, resp.Error)
	}
}

// TestSecretsNeverLogged runs a whole session at debug level and scans the
// log for the password, the key bytes and the data signed.
func TestSecretsNeverLogged(t *testing.T) {
	f := newFixture(t, false)
	cer, key := readCred(t, "fiel-fisica")
	secretPw := "Contraseña-Secreta-9"
	// Re-encrypt is not needed: use a wrong-but-distinctive password too.
	data := "||dato-secreto-del-tramite-7781||"
	reqs := []protocol.Request{
		{ID: "1", Command: protocol.CmdHello},
		{ID: "2", Command: protocol.CmdImportCredential, Params: mustJSON(protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(key)), Password: secretPw})},
		{ID: "3", Command: protocol.CmdImportCredential, Params: mustJSON(protocol.ImportParams{Certificate: b64(string(cer)), PrivateKey: b64(string(key)), Password: password})},
		{ID: "4", Command: protocol.CmdListCertificates},
	}
	var in []byte
	for _, r := range reqs {
		in = append(in, frame(mustJSON(r))...)
	}
	if _, err := serve(t, f.srv, in); err != nil {
		t.Fatal(err)
	}
	var l protocol.ListResult
	f.call(t, protocol.CmdListCertificates, nil, &l)
	if len(l.Certificates) != 1 {
		t.Fatal("import failed")
	}
	id := l.Certificates[0].ID
	more := []protocol.Request{
		{ID: "5", Command: protocol.CmdAuthenticate, Params: mustJSON(protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: id, Password: secretPw})},
		{ID: "6", Command: protocol.CmdAuthenticate, Params: mustJSON(protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: id, Password: password})},
		{ID: "7", Command: protocol.CmdSign, Params: mustJSON(protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password, Data: b64(data)})},
		{ID: "8", Command: protocol.CmdSign, Params: mustJSON(protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: secretPw, Data: b64(data)})},
	}
	in = nil
	for _, r := range more {
		in = append(in, frame(mustJSON(r))...)
	}
	resps, err := serve(t, f.srv, in)
	if err != nil || len(resps) != 4 {
		t.Fatalf("%v %d", err, len(resps))
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "dataSHA256") {
		t.Fatal("debug log did not record the data hash; the scan would prove nothing")
	}
	h := sha256.Sum256([]byte(data))
	if !strings.Contains(logs, fmt.Sprintf("%x", h)) {
		t.Fatal("data hash missing from log")
	}
	for _, secret := range []string{secretPw, password, data, b64(data), b64(string(key)), string(key[20:60]), base64.StdEncoding.EncodeToString(key[100:160])} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains a secret %q", secret[:min(len(secret), 12)])
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("internal error: " + err.Error())
	}
	return b
}

func FuzzServe(f *testing.F) {
	f.Add(frame([]byte(`{"id":"1","command":"hello"}`)))
	f.Add(frame([]byte(`{"id":"1","command":"sign","params":{"data":"eA=="}}`)))
	f.Add(frame([]byte(`{"id":"1","command":"authenticate","params":{"origin":"https://a.gob.mx","challenge":"x"}}`)))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add(frame(nil))
	srv := New(Options{Log: zerolog.Nop(), Now: func() time.Time { return testNow }, Store: store.New(f.TempDir())})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		_ = srv.Serve(context.Background(), bytes.NewReader(in), &out)
		for out.Len() > 0 {
			b, err := nativemsg.ReadFrame(&out, protocol.MaxResponseBytes)
			if err != nil {
				t.Fatalf("output is not frames: %v", err)
			}
			var r protocol.Response
			if err := json.Unmarshal(b, &r); err != nil || (r.Error == nil) == (r.Result == nil) {
				t.Fatalf("bad response %q", b)
			}
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"id":"1","command":"hello","params":{}}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeRequest(b)
		if err == nil && (req.ID == "" || req.Command == "") {
			t.Fatalf("accepted request without id or command: %q", b)
		}
	})
}

func TestDiagnoseCountsWrongPasswords(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	f.srv = New(Options{Store: f.st, Log: zerolog.Nop(), Now: func() time.Time { return testNow },
		Diagnose: func(ctx context.Context) doctor.Report { return doctor.Report{Worst: doctor.OK} }})
	var r doctor.Report
	if e := f.call(t, protocol.CmdDiagnose, nil, &r); e != nil {
		t.Fatal(e)
	}
	if r.Worst != doctor.OK || len(r.Checks) != 1 || r.Checks[0].ID != "password" {
		t.Fatalf("clean session: %+v", r)
	}
	p := protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: "mal"}
	f.call(t, protocol.CmdAuthenticate, p, nil)
	f.call(t, protocol.CmdAuthenticate, p, nil)
	if e := f.call(t, protocol.CmdDiagnose, nil, &r); e != nil {
		t.Fatal(e)
	}
	if r.Worst != doctor.Warning || !strings.Contains(r.Checks[len(r.Checks)-1].Reason, "2") || strings.Contains(mustJSONString(r), `"mal"`) {
		t.Fatalf("after two wrong passwords: %+v", r)
	}
}

func mustJSONString(v any) string { return string(mustJSON(v)) }

// panicSource stands for a library that panics on input we did not foresee.
type panicSource struct{}

func (panicSource) Name() string        { return "panic" }
func (panicSource) Serves() []string    { return []string{"panic"} }
func (panicSource) Owns(id string) bool { return false }
func (panicSource) Find(context.Context, string) (keys.Credential, error) {
	panic("boom")
}
func (panicSource) List(context.Context) ([]keys.Credential, []string, error) {
	panic("boom")
}

func TestPanicInAHandlerIsAnInternalErrorAndTheHostGoesOn(t *testing.T) {
	srv := New(Options{Sources: []keys.Source{panicSource{}}, Log: zerolog.Nop()})
	in := append(frame([]byte(`{"id":"a","command":"list-certificates"}`)), frame([]byte(`{"id":"b","command":"hello"}`))...)
	resps, err := serve(t, srv, in)
	if err != nil || len(resps) != 2 {
		t.Fatalf("%v %+v", err, resps)
	}
	for _, r := range resps {
		switch r.ID {
		case "a":
			if r.Error == nil || r.Error.Code != protocol.ErrInternal || strings.Contains(r.Error.Message, "boom") {
				t.Fatalf("panic answer %+v", r.Error)
			}
		case "b":
			if r.Error != nil {
				t.Fatal(r.Error)
			}
		}
	}
}

// hungSource is a token module that never answers.
type hungSource struct{}

func (hungSource) Name() string        { return "pkcs11" }
func (hungSource) Serves() []string    { return []string{"pkcs11"} }
func (hungSource) Owns(id string) bool { return strings.HasPrefix(id, "pkcs11:") }
func (s hungSource) Find(ctx context.Context, id string) (keys.Credential, error) {
	return keys.FindByListing(ctx, s, id)
}
func (hungSource) List(ctx context.Context) ([]keys.Credential, []string, error) {
	<-ctx.Done()
	return nil, nil, ctx.Err()
}

func TestStoredCredentialsDoNotWaitForTokens(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	f.srv = New(Options{Store: f.st, Sources: []keys.Source{hungSource{}}, Log: zerolog.Nop(), Now: func() time.Time { return testNow }})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, _ := json.Marshal(protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: f.ids["fiel-fisica"], Password: password})
	start := time.Now()
	resp := f.srv.Handle(ctx, protocol.Request{ID: "x", Command: protocol.CmdAuthenticate, Params: p})
	if resp.Error != nil || time.Since(start) > 3*time.Second {
		t.Fatalf("authenticate with a stored key waited for the token source: %v after %s", resp.Error, time.Since(start))
	}
}

func TestConcurrentImportAndList(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	cer, key := readCred(t, "fiel-fisica")
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for i := 0; i < 100; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := f.st.ImportSAT(cer, key, []byte(password)); err != nil {
				errs <- "import: " + err.Error()
			}
		}()
		go func() {
			defer wg.Done()
			creds, _, err := f.st.List(context.Background())
			if err != nil || len(creds) != 1 {
				errs <- fmt.Sprintf("list: %v, %d credentials", err, len(creds))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestBatchAnswerSizeIsCheckedBeforeSigning(t *testing.T) {
	cert, _ := readCred(t, "fiel-fisica")
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	// RSA-2048: 1000 signatures fit; an imaginary 4096-bit key's would not.
	if est := core.EstimateSignResult(c, protocol.MaxBatchDocuments); est > protocol.MaxResponseBytes || est < 344*protocol.MaxBatchDocuments {
		t.Fatalf("estimate %d for 1000 RSA-2048 signatures", est)
	}
	large := *c
	large.PublicKey = &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 8191), E: 65537}
	if est := core.EstimateSignResult(&large, protocol.MaxBatchDocuments); est <= protocol.MaxResponseBytes {
		t.Fatalf("8192-bit estimate %d fits", est)
	}
}

func TestParamsKeysMustBeExact(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	id := f.ids["fiel-fisica"]
	for name, params := range map[string]string{
		"case-folded origin": `{"origin":"https://www.sat.gob.mx","ORIGIN":"https://evil.example","challenge":"` + challenge + `","certificateId":"` + id + `","password":"12345678a"}`,
		"repeated origin":    `{"origin":"https://www.sat.gob.mx","origin":"https://evil.example","challenge":"` + challenge + `","certificateId":"` + id + `","password":"12345678a"}`,
	} {
		resp := f.srv.Handle(context.Background(), protocol.Request{ID: "k", Command: protocol.CmdAuthenticate, Params: json.RawMessage(params)})
		if resp.Error == nil || resp.Error.Code != protocol.ErrBadRequest {
			t.Errorf("%s: %+v", name, resp)
		}
	}
	// Unknown keys (a newer extension) are tolerated.
	ok := `{"origin":"https://www.sat.gob.mx","challenge":"` + challenge + `","certificateId":"` + id + `","password":"12345678a","futureField":1}`
	if resp := f.srv.Handle(context.Background(), protocol.Request{ID: "k", Command: protocol.CmdAuthenticate, Params: json.RawMessage(ok)}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
}

// TestRequestKeysMustBeExact: a request's own keys, like its params', must
// each appear once and be spelled exactly (encoding/json would keep the last
// duplicate and fold case), so a page cannot smuggle a second command or id
// past what the extension checked. A repeated id leaves no id to answer.
func TestRequestKeysMustBeExact(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	for _, c := range []struct {
		name, body, wantID string
	}{
		{"repeated command", `{"id":"r1","command":"hello","command":"remove-credential","params":{"certificateId":"` + f.ids["fiel-fisica"] + `"}}`, "r1"},
		{"repeated id", `{"id":"r2","id":"r3","command":"hello"}`, ""},
		{"case-folded command", `{"id":"r4","command":"hello","Command":"list-certificates"}`, "r4"},
		{"case-folded id", `{"id":"r5","ID":"r6","command":"hello"}`, ""},
		{"repeated params", `{"id":"r7","command":"hello","params":{},"params":{}}`, "r7"},
	} {
		resps, err := serve(t, f.srv, frame([]byte(c.body)))
		if err != nil || len(resps) != 1 {
			t.Fatalf("%s: %v %+v", c.name, err, resps)
		}
		if r := resps[0]; r.Error == nil || r.Error.Code != protocol.ErrBadRequest || r.ID != c.wantID {
			t.Errorf("%s: answered %+v, want ERR_BAD_REQUEST with id %q", c.name, r, c.wantID)
		}
	}
	// The credential is still there: the smuggled remove never ran.
	if creds, _, err := f.st.List(context.Background()); err != nil || len(creds) != 1 {
		t.Fatalf("after the refused requests: %v, %d credentials", err, len(creds))
	}
	// A well-formed request with an unknown top-level key still works.
	resps, err := serve(t, f.srv, frame([]byte(`{"id":"ok","command":"hello","future":1}`)))
	if err != nil || len(resps) != 1 || resps[0].Error != nil {
		t.Fatalf("%v %+v", err, resps)
	}
}
