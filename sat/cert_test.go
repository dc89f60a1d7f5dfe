package sat_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"github.com/efirma/conector/internal/testenv"
	"math/big"
	"testing"
	"time"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// TestFactsOfGenerated checks every generated credential against facts
// written out by hand (not derived from the generator's catalogue).
func TestFactsOfGenerated(t *testing.T) {
	const ca, foreign = "AC UAT CONECTOR PRUEBAS", "AC AJENA DE PRUEBAS"
	tests := []struct {
		dir  string
		want sat.Facts
	}{
		{"fiel-fisica", sat.Facts{RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", Serial: "30001000000900000001", Issuer: ca, Type: "FIEL"}},
		{"fiel-moral", sat.Facts{RFC: "TCE010101AB2", RFCRepresentative: "GOAM800101AB1", CURPRepresentative: "GOAM800101MDFMRR09", Name: "TALLERES DEL CENTRO SA DE CV", Serial: "30001000000900000002", Issuer: ca, Type: "FIEL"}},
		{"csd-moral", sat.Facts{RFC: "TCE010101AB2", RFCRepresentative: "GOAM800101AB1", CURPRepresentative: "GOAM800101MDFMRR09", Name: "TALLERES DEL CENTRO SA DE CV", Serial: "30001000000900000003", Issuer: ca, Type: "CSD"}},
		{"fiel-expired", sat.Facts{RFC: "ROLJ750505CD3", CURP: "ROLJ750505HJCDPN02", Name: "JUAN RODRIGUEZ LOPEZ", Serial: "30001000000900000004", Issuer: ca, Type: "FIEL"}},
		{"fiel-not-yet-valid", sat.Facts{RFC: "SAHL900909EF4", CURP: "SAHL900909MNLNRR05", Name: "LAURA SANCHEZ HERRERA", Serial: "30001000000900000005", Issuer: ca, Type: "FIEL"}},
		{"fiel-enie", sat.Facts{RFC: "PEÑJ800101GH5", CURP: "PENJ800101HDFXXS01", Name: "JOSE PEÑA NUÑEZ", Serial: "30001000000900000006", Issuer: ca, Type: "FIEL"}},
		{"fiel-ampersand", sat.Facts{RFC: "M&A010101IJ6", RFCRepresentative: "GOAM800101AB1", CURPRepresentative: "GOAM800101MDFMRR09", Name: "MORALES & ASOCIADOS SC", Serial: "30001000000900000007", Issuer: ca, Type: "FIEL"}},
		{"mismatch", sat.Facts{RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", Serial: "30001000000900000008", Issuer: ca, Type: "FIEL"}},
		{"not-sat", sat.Facts{RFC: "GOAM800101AB1", CURP: "GOAM800101MDFMRR09", Name: "MARIA GOMEZ ARANDA", Serial: "30001000000900000009", Issuer: foreign, Type: "FIEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			c := testenv.GenCert(t, tt.dir)
			got := sat.FactsOf(c)
			if !got.NotBefore.Equal(c.NotBefore) || !got.NotAfter.Equal(c.NotAfter) {
				t.Errorf("validity %v..%v, want the certificate's %v..%v", got.NotBefore, got.NotAfter, c.NotBefore, c.NotAfter)
			}
			got.NotBefore, got.NotAfter = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("FactsOf\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCertificateForms(t *testing.T) {
	der := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	withText := append([]byte("Bag Attributes\n  friendlyName: x\n"), pemData...)
	for name, data := range map[string][]byte{"DER": der, "PEM": pemData, "PEM with leading text": withText} {
		c, err := sat.ParseCertificate(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(c.Raw) != string(der) {
			t.Errorf("%s: parsed a different certificate", name)
		}
	}
	bad := map[string][]byte{
		"empty":           nil,
		"garbage":         []byte("not a certificate"),
		"truncated DER":   der[:len(der)/2],
		"PEM key":         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"PEM bad body":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}}),
		"a SAT .key file": testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key")),
		"too large":       make([]byte, protocol.MaxCredentialFileBytes+1),
	}
	for name, data := range bad {
		if _, err := sat.ParseCertificate(data); !errors.Is(err, sat.ErrBadCertificate) {
			t.Errorf("%s: err = %v, want ErrBadCertificate", name, err)
		}
	}
}

// selfSigned makes a certificate with the given subject DER and extensions.
func selfSigned(t *testing.T, rawSubject []byte, tmpl x509.Certificate) *x509.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // test only
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(1)
	}
	tmpl.RawSubject = rawSubject
	tmpl.NotBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl.NotAfter = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// name builds a DER Name with one attribute per RDN, each with its own tag.
func name(t *testing.T, attrs ...any) []byte {
	t.Helper()
	var body []byte
	for i := 0; i < len(attrs); i += 3 {
		oid, tag, val := attrs[i].(asn1.ObjectIdentifier), attrs[i+1].(int), attrs[i+2].([]byte)
		v, _ := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: val})
		o, _ := asn1.Marshal(oid)
		seq, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(o, v...)})
		set, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: seq})
		body = append(body, set...)
	}
	out, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	oidCN   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO    = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU   = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidUID  = asn1.ObjectIdentifier{2, 5, 4, 45}
	oidSer  = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidName = asn1.ObjectIdentifier{2, 5, 4, 41}
)

func TestFactsOfEncodingsAndShapes(t *testing.T) {
	clientAuth := []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}
	bmp := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>8), byte(r))
		}
		return b
	}
	tests := []struct {
		name    string
		subject []byte
		tmpl    x509.Certificate
		want    sat.Facts // compared on RFC, reps, CURP, Name, Type
	}{
		{"T61String Latin-1 Ñ", name(t, oidName, asn1.TagT61String, []byte("JOS\xc9 PE\xd1A"), oidUID, asn1.TagT61String, []byte("PE\xd1J800101GH5")),
			x509.Certificate{ExtKeyUsage: clientAuth}, sat.Facts{RFC: "PEÑJ800101GH5", Name: "JOSÉ PEÑA", Type: "FIEL"}},
		{"T61String holding UTF-8 Ñ", name(t, oidName, asn1.TagT61String, []byte("LUIS IAN ÑUZCO"), oidUID, asn1.TagT61String, []byte("IAÑL750210963")),
			x509.Certificate{ExtKeyUsage: clientAuth}, sat.Facts{RFC: "IAÑL750210963", Name: "LUIS IAN ÑUZCO", Type: "FIEL"}},
		{"BMPString", name(t, oidName, 30, bmp("PEÑA"), oidUID, asn1.TagUTF8String, []byte("PEÑJ")),
			x509.Certificate{ExtKeyUsage: clientAuth}, sat.Facts{RFC: "PEÑJ", Name: "PEÑA", Type: "FIEL"}},
		{"pairs with spaces", name(t, oidUID, asn1.TagUTF8String, []byte("H&E951128469 / XOJI740919U48"), oidSer, asn1.TagPrintableString, []byte(" / XOJI740919MQTDMN02"), oidName, asn1.TagUTF8String, []byte("X")),
			x509.Certificate{ExtKeyUsage: clientAuth}, sat.Facts{RFC: "H&E951128469", RFCRepresentative: "XOJI740919U48", CURPRepresentative: "XOJI740919MQTDMN02", Name: "X", Type: "FIEL"}},
		{"name falls back to CN", name(t, oidCN, asn1.TagUTF8String, []byte("SOLO CN"), oidOU, asn1.TagUTF8String, []byte("Sucursal")),
			x509.Certificate{}, sat.Facts{Name: "SOLO CN", Type: "CSD"}},
		{"name falls back to O", name(t, oidO, asn1.TagUTF8String, []byte("SOLO O")),
			x509.Certificate{}, sat.Facts{Name: "SOLO O", Type: "OTHER"}},
		{"OU and clientAuth is OTHER", name(t, oidOU, asn1.TagUTF8String, []byte("Sucursal")),
			x509.Certificate{ExtKeyUsage: clientAuth}, sat.Facts{Type: "OTHER"}},
		{"no OU and no EKU is OTHER", name(t, oidName, asn1.TagUTF8String, []byte("N")),
			x509.Certificate{}, sat.Facts{Name: "N", Type: "OTHER"}},
		{"no OU, serverAuth only is OTHER", name(t, oidName, asn1.TagUTF8String, []byte("N")),
			x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, sat.Facts{Name: "N", Type: "OTHER"}},
		{"OU with unknown EKU is OTHER", name(t, oidOU, asn1.TagUTF8String, []byte("S")),
			x509.Certificate{UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 2, 3, 4}}}, sat.Facts{Type: "OTHER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sat.FactsOf(selfSigned(t, tt.subject, tt.tmpl))
			got.NotBefore, got.NotAfter, got.Serial, got.Issuer = time.Time{}, time.Time{}, "", ""
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSerialNumber(t *testing.T) {
	subj := name(t, oidCN, asn1.TagUTF8String, []byte("x"))
	tests := []struct {
		serial *big.Int
		want   string
	}{
		{new(big.Int).SetBytes([]byte("00001000000413053762")), "00001000000413053762"},
		{big.NewInt(255), "255"},                             // not printable: decimal
		{new(big.Int).SetBytes([]byte{0x41, 0x01}), "16641"}, // one byte not printable
	}
	for _, tt := range tests {
		c := selfSigned(t, subj, x509.Certificate{SerialNumber: tt.serial})
		if got := sat.FactsOf(c).Serial; got != tt.want {
			t.Errorf("serial %x: got %q, want %q", tt.serial.Bytes(), got, tt.want)
		}
	}
}

func TestStatus(t *testing.T) {
	c := testenv.GenCert(t, "fiel-fisica") // 2025-01-01 12:00 .. 2029-01-01 12:00 UTC
	tests := []struct {
		at     time.Time
		status string
		days   int
	}{
		{time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), protocol.StatusNotYetValid, 1461 + 1},
		{time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC), protocol.StatusValid, 1461},
		{time.Date(2028, 12, 2, 12, 0, 0, 0, time.UTC), protocol.StatusValid, 30},
		{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC), protocol.StatusValid, 0},
		{time.Date(2029, 1, 1, 13, 0, 0, 0, time.UTC), protocol.StatusExpired, -1},
		{time.Date(2029, 1, 11, 12, 0, 0, 0, time.UTC), protocol.StatusExpired, -10},
	}
	for _, tt := range tests {
		st, days := sat.Status(c, tt.at)
		if st != tt.status || days != tt.days {
			t.Errorf("Status at %s = %s, %d; want %s, %d", tt.at, st, days, tt.status, tt.days)
		}
	}
	if st, _ := sat.Status(testenv.GenCert(t, "fiel-expired"), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); st != protocol.StatusExpired {
		t.Errorf("fiel-expired in 2026: %s", st)
	}
	if st, _ := sat.Status(testenv.GenCert(t, "fiel-not-yet-valid"), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); st != protocol.StatusNotYetValid {
		t.Errorf("fiel-not-yet-valid in 2026: %s", st)
	}
}

func TestIsPEM(t *testing.T) {
	if !sat.IsPEM([]byte("x\n-----BEGIN CERTIFICATE-----\n")) || sat.IsPEM(testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))) {
		t.Error("IsPEM wrong")
	}
}
