package server

import (
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

const satOrigin = "https://loginda.siat.sat.gob.mx"
const satGUID = "0f8fad5b-d9cb-469f-a165-70867728950e"

func TestSATLogin(t *testing.T) {
	f := newFixture(t, false, "fiel-moral", "fiel-fisica")
	var list protocol.ListResult
	if e := f.call(t, protocol.CmdListCertificates, map[string]any{}, &list); e != nil {
		t.Fatal(e)
	}
	// The verifier's view: the certificates by número, with the RFC and
	// número the host reports for them (read by package sat).
	certOf := map[string]*signing.SATCertificate{}
	for _, c := range list.Certificates {
		der, _ := base64.StdEncoding.DecodeString(c.Certificate)
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		certOf[c.Serial] = &signing.SATCertificate{Cert: cert, RFC: c.RFC, Numero: c.Serial}
	}
	for name, rfc := range map[string]string{"fiel-moral": "TCE010101AB2", "fiel-fisica": "GOAM800101AB1"} {
		var res protocol.SATLoginResult
		// A caller cannot supply the text, RFC or número: unknown keys are
		// ignored and the host builds the text from the certificate.
		params := map[string]any{"origin": satOrigin, "certificateId": f.ids[name], "password": password, "guid": satGUID, "text": "x|y|z", "rfc": "XAXX010101000"}
		if e := f.call(t, protocol.CmdSATLogin, params, &res); e != nil {
			t.Fatalf("%s: %v", name, e)
		}
		c, err := signing.VerifySATLogin(res.Token, res.Fert, func(n string) *signing.SATCertificate { return certOf[n] })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.GUID != satGUID || c.RFC != rfc || res.Fert != "290101120000Z" {
			t.Fatalf("%s: claims %+v, fert %s", name, c, res.Fert)
		}
	}
	if !strings.Contains(f.logs.String(), "signed in to SAT") || strings.Contains(f.logs.String(), password) {
		t.Fatal("the log lacks the sign-in or holds the password")
	}
}

func TestSATLoginErrors(t *testing.T) {
	f := newFixture(t, true, "fiel-moral", "csd-moral", "fiel-expired", "fiel-not-yet-valid")
	p := func(mod func(*protocol.SATLoginParams)) protocol.SATLoginParams {
		q := protocol.SATLoginParams{Origin: satOrigin, CertificateID: f.ids["fiel-moral"], Password: password, GUID: satGUID}
		mod(&q)
		return q
	}
	for _, tc := range []struct {
		name   string
		params protocol.SATLoginParams
		want   protocol.Code
	}{
		{"look-alike origin", p(func(q *protocol.SATLoginParams) { q.Origin = "https://loginda.siat.sat.gob.mx.evil.example" }), protocol.ErrOriginInvalid},
		{"another portal", p(func(q *protocol.SATLoginParams) { q.Origin = "https://serviciosdigitales.imss.gob.mx" }), protocol.ErrOriginInvalid},
		// Development origins are on in this fixture: still no SAT login.
		{"localhost", p(func(q *protocol.SATLoginParams) { q.Origin = "http://localhost:8080" }), protocol.ErrOriginInvalid},
		{"http", p(func(q *protocol.SATLoginParams) { q.Origin = "http://loginda.siat.sat.gob.mx" }), protocol.ErrOriginInvalid},
		{"port", p(func(q *protocol.SATLoginParams) { q.Origin = satOrigin + ":8443" }), protocol.ErrOriginInvalid},
		{"guid with |", p(func(q *protocol.SATLoginParams) { q.GUID = "a|EKU9003173C9|1" }), protocol.ErrBadRequest},
		{"guid with newline", p(func(q *protocol.SATLoginParams) { q.GUID = "a\nb" }), protocol.ErrBadRequest},
		{"empty guid", p(func(q *protocol.SATLoginParams) { q.GUID = "" }), protocol.ErrBadRequest},
		{"long guid", p(func(q *protocol.SATLoginParams) { q.GUID = strings.Repeat("a", protocol.MaxSATGUIDLen+1) }), protocol.ErrBadRequest},
		{"CSD", p(func(q *protocol.SATLoginParams) { q.CertificateID = f.ids["csd-moral"] }), protocol.ErrNotFIEL},
		{"expired FIEL", p(func(q *protocol.SATLoginParams) { q.CertificateID = f.ids["fiel-expired"] }), protocol.ErrCertExpired},
		{"not yet valid", p(func(q *protocol.SATLoginParams) { q.CertificateID = f.ids["fiel-not-yet-valid"] }), protocol.ErrCertNotYetValid},
		{"unknown certificate", p(func(q *protocol.SATLoginParams) { q.CertificateID = "file-0000" }), protocol.ErrCertNotFound},
		{"wrong password", p(func(q *protocol.SATLoginParams) { q.Password = "otra" }), protocol.ErrWrongPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := f.call(t, protocol.CmdSATLogin, tc.params, nil)
			if e == nil || e.Code != tc.want {
				t.Fatalf("got %v, want %s", e, tc.want)
			}
			if e.Message == "" {
				t.Fatal("no Spanish message")
			}
		})
	}
}

// TestSATLoginIsNoOtherSignature: the same FIEL's SAT login signature over
// a guid is neither an authentication signature nor a document signature
// (RS256) over the same text, and a document shaped like the SAT text is
// signed with SHA-256, which the SAT login does not accept.
func TestSATLoginIsNoOtherSignature(t *testing.T) {
	f := newFixture(t, false, "fiel-moral")
	var res protocol.SATLoginResult
	if e := f.call(t, protocol.CmdSATLogin, protocol.SATLoginParams{Origin: satOrigin, CertificateID: f.ids["fiel-moral"], Password: password, GUID: satGUID}, &res); e != nil {
		t.Fatal(e)
	}
	text, sig, err := signing.DecodeSATToken(res.Token)
	if err != nil {
		t.Fatal(err)
	}
	var doc protocol.SignResult
	if e := f.call(t, protocol.CmdSign, protocol.SignParams{Origin: satOrigin, CertificateID: f.ids["fiel-moral"], Password: password, Data: b64(text)}, &doc); e != nil {
		t.Fatal(e)
	}
	if doc.Signature == base64.StdEncoding.EncodeToString(sig) {
		t.Fatal("the document signature equals the SAT login signature")
	}
	if err := verifyRS256(t, doc.Certificate, []byte(text), base64.StdEncoding.EncodeToString(sig)); err == nil {
		t.Fatal("the SAT login signature verifies as a document signature")
	}
	der, _ := base64.StdEncoding.DecodeString(doc.Certificate)
	cert, _ := x509.ParseCertificate(der)
	parts := strings.Split(text, "|")
	sc := &signing.SATCertificate{Cert: cert, RFC: parts[1], Numero: parts[2]}
	if _, err := signing.VerifySATLogin(res.Token, res.Fert, func(string) *signing.SATCertificate { return sc }); err != nil {
		t.Fatalf("the SAT login itself does not verify: %v", err)
	}
	docSig, _ := base64.StdEncoding.DecodeString(doc.Signature)
	if _, err := signing.VerifySATLogin(signing.EncodeSATToken(text, docSig), res.Fert, func(string) *signing.SATCertificate { return sc }); err == nil {
		t.Fatal("a document signature over the SAT text passes as a SAT login")
	}
}
