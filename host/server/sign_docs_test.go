package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

// TestSignIsNoRawOracle is F-02 of issue 11, the attack as it was made: a
// page on an allowed origin sends, as "data", the DER SignedAttributes of
// a CMS signature over a contract the person never sees ("…cede al
// Comprador todos sus derechos por $1"). The host used to return the
// RS256 signature over those bytes, which spliced into the CMS made
// `openssl cms -verify` succeed. Now anything that is not text is
// ERR_DATA_NOT_TEXT, before any key is unlocked.
func TestSignIsNoRawOracle(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	id := f.ids["fiel-fisica"]
	cer, _ := readCred(t, "fiel-fisica")
	cert, err := x509.ParseCertificate(cer)
	if err != nil {
		t.Fatal(err)
	}
	contract := []byte("CONTRATO DE CESION. El Vendedor cede al Comprador todos sus derechos por $1.")
	attrs := signing.SignedAttributes(cert, sha256.Sum256(contract), testNow)
	for name, data := range map[string][]byte{
		"CMS signed attributes": attrs,
		"NUL":                   []byte("Acuse\x00de recibo"),
		"escape sequence":       []byte("Acuse\x1b[2Kde recibo"),
		"C1 control":            []byte("Acuse\u0085de recibo"),
		"DEL":                   []byte("Acuse\x7f"),
		"not UTF-8":             {0xff, 0xfe, 'A', 0},
	} {
		t.Run(name, func(t *testing.T) {
			var r protocol.SignResult
			e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password, Data: base64.StdEncoding.EncodeToString(data)}, &r)
			if e == nil {
				t.Fatalf("the host signed %d bytes that are not text (signature %.20s…)", len(data), r.Signature)
			}
			if e.Code != protocol.ErrDataNotText || !strings.Contains(e.Message, "texto") {
				t.Fatalf("got %v (%q), want ERR_DATA_NOT_TEXT in Spanish", e.Code, e.Message)
			}
			batch := []protocol.Document{{Data: b64("Acuse 1")}, {Data: base64.StdEncoding.EncodeToString(data)}}
			if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password, Documents: batch}, nil); e == nil || e.Code != protocol.ErrDataNotText {
				t.Fatalf("batch: got %v, want ERR_DATA_NOT_TEXT", e)
			}
		})
	}
	// Text with tabs, CR, LF, accents and invisible characters is still text.
	var r protocol.SignResult
	text := "Acuse\tde recibo\r\nSeñor Núñez\u200b\u00a0€"
	if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password, Data: b64(text)}, &r); e != nil {
		t.Fatalf("text refused: %v", e)
	}
	if err := verifyRS256(t, r.Certificate, []byte(text), r.Signature); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(f.logs.String(), string(contract)) {
		t.Fatal("the contract reached the log")
	}
}

// TestSignDocumentAsCMS: a PDF is signed as a detached CMS the host builds;
// openssl verifies it with the document and refuses it after one changed
// byte; the certificate is the credential's.
func TestSignDocumentAsCMS(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	f := newFixture(t, false, "fiel-moral")
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"), 0, 1, 2, 0xff)
	var r protocol.SignResult
	p := protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: f.ids["fiel-moral"], Password: password, Format: protocol.FormatCMS,
		Document: &protocol.SignDocument{Name: "contrato.pdf", MediaType: "application/pdf", Data: base64.StdEncoding.EncodeToString(pdf)}}
	if e := f.call(t, protocol.CmdSign, p, &r); e != nil {
		t.Fatal(e)
	}
	if r.Signature != "" || len(r.Signatures) > 0 || r.Algorithm != protocol.AlgRS256 {
		t.Fatalf("result %+v", r)
	}
	der, err := base64.StdEncoding.DecodeString(r.CMS)
	if err != nil {
		t.Fatal(err)
	}
	c, err := signing.VerifyCMS(der, pdf)
	if err != nil {
		t.Fatal(err)
	}
	if base64.StdEncoding.EncodeToString(c.Certificate.Raw) != r.Certificate || !c.SigningTime.Equal(testNow) {
		t.Fatalf("CMS certificate or time differs: %v", c.SigningTime)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sig, doc := write("contrato.p7s", der), write("contrato.pdf", pdf)
	out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc, "-noverify", "-out", os.DevNull).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification successful") {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	pdf[10] ^= 1
	write("contrato.pdf", pdf)
	if out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc, "-noverify", "-out", os.DevNull).CombinedOutput(); err == nil {
		t.Fatalf("openssl accepted a changed document:\n%s", out)
	}
}

// TestTooLargeToShowIsRefused is F-03 of issue 11 on the host's side: what
// the consent window could not show whole is refused, not signed unseen.
func TestTooLargeToShowIsRefused(t *testing.T) {
	f := newFixture(t, false, "fiel-fisica")
	id := f.ids["fiel-fisica"]
	base := protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password}
	long := strings.Repeat("a", protocol.MaxTextBytes+1)
	quarter := strings.Repeat("b", protocol.MaxBatchTextBytes/4)
	doc := func(name, typ string, data []byte) protocol.SignParams {
		p := base
		p.Format = protocol.FormatCMS
		p.Document = &protocol.SignDocument{Name: name, MediaType: typ, Data: base64.StdEncoding.EncodeToString(data)}
		return p
	}
	with := func(mod func(*protocol.SignParams)) protocol.SignParams {
		p := base
		mod(&p)
		return p
	}
	for name, tt := range map[string]struct {
		p    protocol.SignParams
		code protocol.Code
	}{
		"long text":          {with(func(p *protocol.SignParams) { p.Data = b64(long) }), protocol.ErrMessageTooLarge},
		"long text in batch": {with(func(p *protocol.SignParams) { p.Documents = []protocol.Document{{Data: b64("ok")}, {Data: b64(long)}} }), protocol.ErrMessageTooLarge},
		"batch over the total": {with(func(p *protocol.SignParams) {
			p.Documents = []protocol.Document{{Data: b64(quarter)}, {Data: b64(quarter)}, {Data: b64(quarter)}, {Data: b64(quarter)}, {Data: b64("x")}}
		}), protocol.ErrMessageTooLarge},
		"long XML document": {doc("a.xml", "application/xml", []byte("<a>"+long+"</a>")), protocol.ErrMessageTooLarge},
		"huge document":     {doc("a.bin", "application/octet-stream", make([]byte, protocol.MaxDocumentBytes+1)), protocol.ErrMessageTooLarge},
		"no name":           {doc("", "application/pdf", []byte{1}), protocol.ErrBadRequest},
		"name with newline": {doc("a\nb.pdf", "application/pdf", []byte{1}), protocol.ErrBadRequest},
		"bad media type":    {doc("a.pdf", "pdf", []byte{1}), protocol.ErrBadRequest},
		"empty document":    {doc("a.pdf", "application/pdf", nil), protocol.ErrBadRequest},
		"cms without doc":   {with(func(p *protocol.SignParams) { p.Format = protocol.FormatCMS; p.Data = b64("x") }), protocol.ErrBadRequest},
		"doc without format": {with(func(p *protocol.SignParams) {
			p.Document = &protocol.SignDocument{Name: "a", MediaType: "a/b", Data: b64("x")}
		}), protocol.ErrBadRequest},
		"unknown format": {with(func(p *protocol.SignParams) { p.Format = "raw"; p.Data = b64("x") }), protocol.ErrBadRequest},
	} {
		t.Run(name, func(t *testing.T) {
			if e := f.call(t, protocol.CmdSign, tt.p, nil); e == nil || e.Code != tt.code {
				t.Fatalf("got %v, want %s", e, tt.code)
			}
		})
	}
	// At the limits it signs: a text of MaxTextBytes, a large binary
	// document (shown by its facts).
	if e := f.call(t, protocol.CmdSign, with(func(p *protocol.SignParams) { p.Data = b64(long[1:]) }), nil); e != nil {
		t.Fatalf("text at the limit: %v", e)
	}
	if e := f.call(t, protocol.CmdSign, doc("a.bin", "application/octet-stream", bytes.Repeat([]byte{0xff}, protocol.MaxTextBytes*2)), nil); e != nil {
		t.Fatalf("binary document: %v", e)
	}
}
