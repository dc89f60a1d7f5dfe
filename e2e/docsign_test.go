package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/testenv"
)

// jsBytes writes b as a JavaScript Uint8Array literal.
func jsBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprint(c)
	}
	return "new Uint8Array([" + strings.Join(parts, ",") + "])"
}

// TestSignShowsWhatIsSigned performs the attacks of issue 11 F-02 and F-03
// in real Chromium with the real extension and host:
//   - F-02: a page asks to "sign" the DER of a CMS's signed attributes;
//     the consent window used to say "Datos binarios de 231 bytes" and the
//     signature, spliced into the CMS, verified. Now it is refused with
//     ERR_DATA_NOT_TEXT before any window opens; a file is signed with
//     signDocument as a CMS the host builds, which openssl verifies with
//     the file and refuses after one changed byte.
//   - F-03: a batch of three hid a "PODER NOTARIAL" as document 2 (only the
//     first was shown) and a long acuse hid "AUTORIZO EL CARGO DE 50,000
//     MXN" after 3990 spaces (only 4000 characters were shown). Now every
//     document is listed and shown whole, the spaces are a visible marker,
//     and the accept button waits until the end has been in view.
func TestSignShowsWhatIsSigned(t *testing.T) {
	r := newRig(t)
	r.setDeveloperMode(true)
	page := servePage(t, "127.0.0.1")
	fiel := r.certIDs["eku9003173c9-fiel"]

	t.Run("binary data is refused before any window", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		// The first bytes of a DER SET (signed attributes) and a NUL.
		start(t, ctx, "s", "sign", `{data: `+jsBytes([]byte{0x31, 0x81, 0xe4, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03, 0x31, 0x0b, 0x00})+`}`)
		out := result(t, ctx, "s", 10*time.Second)
		if out.OK || out.Code != "ERR_DATA_NOT_TEXT" || !strings.Contains(out.Message, "texto") {
			t.Fatalf("got %+v, want ERR_DATA_NOT_TEXT in Spanish", out)
		}
		r.noConsentFor(500 * time.Millisecond)
	})

	t.Run("a batch is read whole before the button turns on", func(t *testing.T) {
		r.t = t
		ctx, cancel := r.openTestPage(page)
		defer cancel()
		var long strings.Builder
		long.WriteString("ACUSE DE RECIBO de su solicitud.")
		long.WriteString(strings.Repeat(" ", 3990))
		long.WriteString("AUTORIZO EL CARGO DE 50,000 MXN")
		for i := 0; i < 120; i++ {
			fmt.Fprintf(&long, "\nrenglón %d del acuse", i)
		}
		docs := []string{"Acuse de recibo 1 de 3.", "PODER NOTARIAL que otorgo a favor de Juan Pérez para vender mi casa.", long.String()}
		js := make([]string, len(docs))
		for i, d := range docs {
			js[i] = fmt.Sprintf("%q", d)
		}
		start(t, ctx, "b", "sign", `{documents: [`+strings.Join(js, ",")+`]}`)
		cctx, ccancel := r.waitConsent()
		defer ccancel()
		type view struct {
			Items    int    `json:"items"`
			Index    int    `json:"index"`
			Text     string `json:"text"`
			Disabled bool   `json:"disabled"`
		}
		v, err := waitJS[view](cctx, `(() => { const items = document.querySelectorAll("#vista .docview-item"); if (items.length === 0) return null;
			return {items: items.length, index: document.querySelectorAll("#vista .docview-index li").length, text: document.querySelector("#vista").innerText, disabled: document.querySelector("#aceptar").disabled}; })()`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if v.Items != 3 || v.Index != 3 {
			t.Fatalf("the window shows %d documents and an index of %d, want 3 and 3", v.Items, v.Index)
		}
		for _, want := range []string{"PODER NOTARIAL que otorgo", "␣×3990AUTORIZO EL CARGO DE 50,000 MXN", "renglón 119 del acuse", "Acuse de recibo 1 de 3."} {
			if !strings.Contains(v.Text, want) {
				t.Errorf("the window does not show %q", want)
			}
		}
		if err := chromerigPick(cctx, fiel); err != nil {
			t.Fatal(err)
		}
		// Nothing read yet past the first screen: the button stays off.
		if disabled, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`document.querySelector("#aceptar").disabled`)); err != nil || !disabled {
			t.Fatalf("the accept button is on before the end was read (%v)", err)
		}
		if _, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`document.querySelector(".docview-end").scrollIntoView({block: "end"}), true`)); err != nil {
			t.Fatal(err)
		}
		if _, err := waitJS[bool](cctx, `!document.querySelector("#aceptar").disabled`, 5*time.Second); err != nil {
			t.Fatalf("the accept button did not turn on at the end: %v", err)
		}
		if err := chromedp.Do(cctx, chromedp.Click(chromedp.CSS("#aceptar"))); err != nil {
			t.Fatal(err)
		}
		out := result(t, ctx, "b", 20*time.Second)
		sigs, _ := out.R["signatures"].([]any)
		if !out.OK || len(sigs) != 3 {
			t.Fatalf("batch result %+v", out)
		}
		cert := parseCert(t, out.R["certificate"])
		for i, s := range sigs {
			sig, _ := base64.StdEncoding.DecodeString(s.(string))
			h := sha256.Sum256([]byte(docs[i]))
			if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], sig); err != nil {
				t.Errorf("signature %d: %v", i+1, err)
			}
		}
		r.waitClosed()
	})

	t.Run("a file is signed as a CMS that openssl verifies with the file", func(t *testing.T) {
		r.t = t
		openssl := testenv.Tool(t, "openssl")
		pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"), 0, 1, 2, 0xff, '\n')
		ctx, cctx := r.startConsent(t, page, "d", "signDocument", `{document: {name: "contrato-compraventa.pdf", mediaType: "application/pdf", data: `+jsBytes(pdf)+`}}`)
		text, err := waitJS[string](cctx, `document.querySelector("#vista .docview-item") && document.querySelector("#vista").innerText`, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		for _, want := range []string{"contrato-compraventa.pdf", "application/pdf", fmt.Sprint(len(pdf)), hex.EncodeToString(sum[:])} {
			if !strings.Contains(text, want) {
				t.Errorf("the window does not show %q:\n%s", want, text)
			}
		}
		r.choose(cctx, fiel, "12345678a")
		out := result(t, ctx, "d", 20*time.Second)
		cmsB64, _ := out.R["cms"].(string)
		if !out.OK || cmsB64 == "" {
			t.Fatalf("signDocument result %+v", out)
		}
		der, err := base64.StdEncoding.DecodeString(cmsB64)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var ca bytes.Buffer
		entries, _ := os.ReadDir(filepath.Join(r.fixtures, "ca", "test"))
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(r.fixtures, "ca", "test", e.Name()))
			if _, err := x509.ParseCertificate(b); err == nil {
				pem.Encode(&ca, &pem.Block{Type: "CERTIFICATE", Bytes: b})
			}
		}
		write := func(name string, b []byte) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		caFile, sig, doc := write("ca.pem", ca.Bytes()), write("contrato.p7s", der), write("contrato.pdf", pdf)
		verify := func() (string, error) {
			o, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc, "-CAfile", caFile, "-out", os.DevNull).CombinedOutput()
			return string(o), err
		}
		if o, err := verify(); err != nil || !strings.Contains(o, "Verification successful") {
			t.Fatalf("openssl refused the CMS: %v\n%s", err, o)
		}
		pdf[len(pdf)/2] ^= 1
		write("contrato.pdf", pdf)
		if o, err := verify(); err == nil {
			t.Fatalf("openssl accepted a changed file:\n%s", o)
		}
		r.waitClosed()
	})
}

// chromerigPick picks the certificate and types the password without
// accepting.
func chromerigPick(ctx context.Context, certID string) error {
	return chromerig.Pick(ctx, certID, "12345678a")
}

func parseCert(t *testing.T, v any) *x509.Certificate {
	t.Helper()
	s, _ := v.(string)
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
