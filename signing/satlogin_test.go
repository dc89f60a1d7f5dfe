package signing_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

const guid = "0f8fad5b-d9cb-469f-a165-70867728950e"

// satCert names a certificate's RFC and número as package sat reads them.
func satCert(c *x509.Certificate) signing.SATCertificate {
	f := sat.FactsOf(c)
	return signing.SATCertificate{Cert: c, RFC: f.RFC, Numero: f.Serial}
}

// byNumero is a lookup over the given certificates, like the replica's.
func byNumero(certs ...*x509.Certificate) func(string) *signing.SATCertificate {
	return func(n string) *signing.SATCertificate {
		for _, c := range certs {
			if sc := satCert(c); sc.Numero == n {
				return &sc
			}
		}
		return nil
	}
}

func TestSATLoginTextAndFertOfTheRealTestFIEL(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	text, err := signing.SATLoginText(satCert(fiel.Cert), guid)
	if err != nil {
		t.Fatal(err)
	}
	// A persona moral: the company's RFC (not the representative's after
	// " / "), and the número read from the serial's bytes.
	if want := guid + "|EKU9003173C9|30001000000500003415"; text != want {
		t.Fatalf("text = %q, want %q", text, want)
	}
	if got := signing.SATFert(fiel.Cert); got != "270517043714Z" {
		t.Fatalf("fert = %q, want 270517043714Z (notAfter 2027-05-17 04:37:14 UTC)", got)
	}
}

func TestSignSATLoginVerifiesWithOpenSSL(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	l, err := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), guid)
	if err != nil {
		t.Fatal(err)
	}
	// Take the token apart by hand, as SAT's server would, not with
	// DecodeSATToken.
	outer, err := base64.StdEncoding.DecodeString(l.Token)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(outer), "#")
	if len(parts) != 2 {
		t.Fatalf("token holds %d parts, want 2", len(parts))
	}
	text, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != guid+"|EKU9003173C9|30001000000500003415" {
		t.Fatalf("text = %q", text)
	}
	inner, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(string(inner))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert := write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fiel.Cert.Raw}))
	pub, err := exec.Command(openssl, "x509", "-in", cert, "-pubkey", "-noout").Output()
	if err != nil {
		t.Fatal(err)
	}
	pubPath, textPath, sigPath := write("pub.pem", pub), write("text", text), write("sig", sig)
	out, err := exec.Command(openssl, "dgst", "-sha1", "-verify", pubPath, "-signature", sigPath, textPath).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("Verified OK")) {
		t.Fatalf("openssl dgst -sha1 -verify: %v\n%s", err, out)
	}
	// The same signature is not a SHA-256 one: openssl must refuse it.
	out, err = exec.Command(openssl, "dgst", "-sha256", "-verify", pubPath, "-signature", sigPath, textPath).CombinedOutput()
	if err == nil || bytes.Contains(out, []byte("Verified OK")) {
		t.Fatalf("openssl accepted the SAT login signature as SHA-256:\n%s", out)
	}
	// And the verify side (the replica's) accepts it.
	c, err := signing.VerifySATLogin(l.Token, l.Fert, byNumero(fiel.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if c.GUID != guid || c.RFC != "EKU9003173C9" || c.Serial != "30001000000500003415" || c.Cert != fiel.Cert {
		t.Fatalf("claims = %+v", c)
	}
}

func TestValidateSATOrigin(t *testing.T) {
	for _, o := range []string{
		"https://loginda.siat.sat.gob.mx",
		"https://cfdiau.sat.gob.mx",
		"https://www.sat.gob.mx",
		"https://sat.gob.mx",
		"https://portal-1.sat.gob.mx",
	} {
		if err := signing.ValidateSATOrigin(o); err != nil {
			t.Errorf("%q refused: %v", o, err)
		}
	}
	for _, o := range []string{
		"",
		"https://",
		"http://loginda.siat.sat.gob.mx",
		"https://loginda.siat.sat.gob.mx.evil.example",
		"https://loginda.siat.sat.gob.mx.",
		"https://evilsat.gob.mx",
		"https://sat.gob.mx.mx",
		"https://gob.mx",
		"https://.sat.gob.mx",
		"https://a..sat.gob.mx",
		"https://-a.sat.gob.mx",
		"https://LOGINDA.SIAT.SAT.GOB.MX",
		"https://loginda.siat.sat.gob.mx:443",
		"https://loginda.siat.sat.gob.mx:8443",
		"https://loginda.siat.sat.gob.mx/",
		"https://loginda.siat.sat.gob.mx/nidp",
		"https://user@loginda.siat.sat.gob.mx",
		"https://evil.example/.sat.gob.mx",
		"https://evil.example?.sat.gob.mx",
		"https://evil.example#.sat.gob.mx",
		"https://xn--st-kia.gob.mx",
		"wss://loginda.siat.sat.gob.mx",
		" https://loginda.siat.sat.gob.mx",
		"https://loginda.siat.sat.gob.mx\n",
		"https://" + strings.Repeat("a.", 150) + "sat.gob.mx",
	} {
		if err := signing.ValidateSATOrigin(o); !errors.Is(err, signing.ErrSATOrigin) {
			t.Errorf("%q: err = %v, want ErrSATOrigin", o, err)
		}
	}
}

func TestValidateSATGUID(t *testing.T) {
	for _, g := range []string{guid, "A", "{0F8FAD5B-D9CB-469F-A165-70867728950E}", "abc+/=", "a.b:c_d", strings.Repeat("x", signing.SATMaxGUIDLen)} {
		if err := signing.ValidateSATGUID(g); err != nil {
			t.Errorf("%q refused: %v", g, err)
		}
	}
	for _, g := range []string{"", "a|b", "|", "a#b", "a b", "a\nb", "a\x00b", "a\tb", "a\x7fb", "ñ", "a<b", "a\"b", "a%7Cb", strings.Repeat("x", signing.SATMaxGUIDLen+1)} {
		if err := signing.ValidateSATGUID(g); !errors.Is(err, signing.ErrSATGUID) {
			t.Errorf("%q: err = %v, want ErrSATGUID", g, err)
		}
		fiel := testenv.SAT(t, "eku9003173c9-fiel")
		if _, err := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), g); !errors.Is(err, signing.ErrSATGUID) {
			t.Errorf("SignSATLogin(%q): err = %v, want ErrSATGUID", g, err)
		}
	}
}

func TestVerifySATLoginRefuses(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	good, err := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), guid)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(text string) []byte {
		h := sha1.Sum([]byte(text))
		sig, err := fiel.Key.Sign(rand.Reader, h[:], crypto.SHA1)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	_, goodSig, err := signing.DecodeSATToken(good.Token)
	if err != nil {
		t.Fatal(err)
	}
	numero := "30001000000500003415"
	// A certificate that claims the FIEL's número but has another key.
	impostor := *csd.Cert
	impostor.SerialNumber = fiel.Cert.SerialNumber
	for _, tc := range []struct {
		name   string
		token  string
		fert   string
		lookup func(string) *signing.SATCertificate
		want   error
	}{
		{"empty", "", good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"not base64", "@@@", good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"no #", b64(b64("x")), good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"two #", b64(b64("a") + "#" + b64("b") + "#" + b64("c")), good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"text with one |", signing.EncodeSATToken(guid+"|EKU9003173C9", sign(guid+"|EKU9003173C9")), good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"text with four |", signing.EncodeSATToken(guid+"|x|EKU9003173C9|"+numero, sign(guid+"|x|EKU9003173C9|"+numero)), good.Fert, byNumero(fiel.Cert), signing.ErrSATToken},
		{"unknown número", good.Token, good.Fert, byNumero(csd.Cert), signing.ErrSATUnknown},
		{"other key under the same número", good.Token, good.Fert, byNumero(&impostor), signing.ErrSATSignature},
		{"guid changed after signing", signing.EncodeSATToken("other|EKU9003173C9|"+numero, goodSig), good.Fert, byNumero(fiel.Cert), signing.ErrSATSignature},
		{"representative's RFC", signing.EncodeSATToken(guid+"|VADA800927DJ3|"+numero, sign(guid+"|VADA800927DJ3|"+numero)), good.Fert, byNumero(fiel.Cert), signing.ErrSATFacts},
		{"wrong fert", good.Token, "270517043715Z", byNumero(fiel.Cert), signing.ErrSATFert},
		{"empty fert", good.Token, "", byNumero(fiel.Cert), signing.ErrSATFert},
		{"SHA-256 signature", signing.EncodeSATToken(good.Text, rs256(t, fiel.Key, good.Text)), good.Fert, byNumero(fiel.Cert), signing.ErrSATSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := signing.VerifySATLogin(tc.token, tc.fert, tc.lookup)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func rs256(t *testing.T, key crypto.Signer, text string) []byte {
	h := sha256.Sum256([]byte(text))
	sig, err := key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestSATLoginCanNeverBeALoginOrDocumentSignature: the SAT text has a fixed
// shape (safe guid, two "|", RFC, 20 digits) that no authentication message
// has (it starts "efirma-auth:1" and a NUL byte), and the hash differs from
// every other signature the host makes (SHA-1 against SHA-256/384), so the
// same key's signatures never coincide: a SAT login signature does not
// verify as an RS256 signature over the same text, nor over an
// authentication message, and the other way round.
func TestSATLoginCanNeverBeALoginOrDocumentSignature(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	pub := fiel.Cert.PublicKey.(*rsa.PublicKey)
	l, err := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), guid)
	if err != nil {
		t.Fatal(err)
	}
	_, sig, err := signing.DecodeSATToken(l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(l.Text, protocol.ReservedPrefix) || strings.ContainsRune(l.Text, 0) {
		t.Fatalf("text %q has the authentication prefix or a NUL", l.Text)
	}
	// The guid alphabet cannot hold the authentication message's NUL, so no
	// SAT text is an authentication message, whatever the guid.
	auth := protocol.AuthMessage("https://loginda.siat.sat.gob.mx", strings.Repeat("A", 43))
	if g := string(auth[:len(auth)-len("|EKU9003173C9|30001000000500003415")]); signing.ValidateSATGUID(g) == nil {
		t.Fatal("an authentication message prefix is a valid guid")
	}
	h256 := sha256.Sum256([]byte(l.Text))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h256[:], sig) == nil {
		t.Fatal("the SAT login signature verifies as RS256 over the same text (a document signature)")
	}
	ha := sha256.Sum256(auth)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, ha[:], sig) == nil {
		t.Fatal("the SAT login signature verifies as an authentication signature")
	}
	// A document signature over the same text is no SAT login.
	doc := signing.EncodeSATToken(l.Text, rs256(t, fiel.Key, l.Text))
	if _, err := signing.VerifySATLogin(doc, l.Fert, byNumero(fiel.Cert)); !errors.Is(err, signing.ErrSATSignature) {
		t.Fatalf("a document signature over the text passed as a SAT login: %v", err)
	}
}

func TestSignSATLoginRefusesWrongKeysAndShapes(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	// The key of another certificate: the check before returning catches it.
	if _, err := signing.SignSATLogin(csd.Key, satCert(fiel.Cert), guid); !errors.Is(err, signing.ErrSATSignature) {
		t.Fatalf("another key: err = %v, want ErrSATSignature", err)
	}
	ca := testenv.NewCA(t, "AC de pruebas")
	ec := ca.Issue(testenv.Leaf{KeyType: "p256", RFC: "XAXX010101AAA"})
	if _, err := signing.SignSATLogin(ec.Key, satCert(ec.Cert), guid); !errors.Is(err, signing.ErrSATKey) {
		t.Fatalf("ECDSA key: err = %v, want ErrSATKey", err)
	}
	// A certificate with no SAT RFC cannot make a text.
	plain := ca.Issue(testenv.Leaf{RFC: "not an rfc"})
	if _, err := signing.SignSATLogin(plain.Key, satCert(plain.Cert), guid); !errors.Is(err, signing.ErrSATCert) {
		t.Fatalf("no RFC: err = %v, want ErrSATCert", err)
	}
}

func FuzzVerifySATLogin(f *testing.F) {
	f.Add("", "")
	f.Add("YQ==", "270517043714Z")
	f.Add(signing.EncodeSATToken(guid+"|EKU9003173C9|30001000000500003415", []byte("sig")), "270517043714Z")
	f.Add(signing.EncodeSATToken("a|b|c|d", []byte{0}), "")
	f.Fuzz(func(t *testing.T, token, fert string) {
		// Nothing verifies without a certificate, and nothing panics.
		_, err := signing.VerifySATLogin(token, fert, func(string) *signing.SATCertificate { return nil })
		if err == nil {
			t.Fatal("verified without a certificate")
		}
	})
}

func FuzzValidateSATGUID(f *testing.F) {
	for _, s := range []string{guid, "a|b", "a\x00", "{x}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, g string) {
		if signing.ValidateSATGUID(g) != nil {
			return
		}
		if strings.ContainsAny(g, "|# \x00\r\n") || len(g) > signing.SATMaxGUIDLen || strings.HasPrefix(g+"|", protocol.ReservedPrefix) {
			t.Fatalf("unsafe guid %q accepted", g)
		}
	})
}
