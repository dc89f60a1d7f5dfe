package verifier_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

// cmsResult makes the "sign" result of format "cms" the host would return.
func cmsResult(t *testing.T, folder string, doc []byte) *protocol.SignResult {
	t.Helper()
	c := testenv.SAT(t, folder)
	der, err := signing.SignCMS(c.Key, c.Cert, sha256.Sum256(doc), satTime)
	if err != nil {
		t.Fatal(err)
	}
	return &protocol.SignResult{CMS: base64.StdEncoding.EncodeToString(der), Algorithm: protocol.AlgRS256, Certificate: c.CertB64()}
}

func TestVerifyCMS(t *testing.T) {
	ctx := context.Background()
	v, _ := newSATVerifier(t, nil)
	doc := append([]byte("%PDF-1.7\n"), 0, 1, 2, 0xff, 0xfe)
	res := cmsResult(t, "eku9003173c9-fiel", doc)
	got, err := v.VerifyCMS(ctx, doc, res)
	if err != nil {
		t.Fatal(err)
	}
	if got.RFC != "EKU9003173C9" || !got.SigningTime.Equal(satTime) {
		t.Errorf("result %+v", got)
	}
	changed := bytes.Clone(doc)
	changed[3] ^= 1
	if _, err := v.VerifyCMS(ctx, changed, res); !errors.Is(err, verifier.ErrBadSignature) {
		t.Errorf("changed document: %v", err)
	}
	if _, err := v.VerifyCMS(ctx, doc, cmsResult(t, "eku9003173c9-csd", doc)); !errors.Is(err, verifier.ErrNotFIEL) {
		t.Errorf("CSD: %v", err)
	}
	if _, err := v.VerifyCMS(ctx, doc, cmsResult(t, "eku9003173c9-fiel-expired-2023", doc)); !errors.Is(err, verifier.ErrCertExpired) {
		t.Errorf("expired: %v", err)
	}
	other := *res
	other.Certificate = testenv.SAT(t, "eku9003173c9-csd").CertB64()
	if _, err := v.VerifyCMS(ctx, doc, &other); !errors.Is(err, verifier.ErrSignatureFormat) {
		t.Errorf("certificate not the signer's: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(res.CMS)
	for name, r := range map[string]*protocol.SignResult{
		"nil":          nil,
		"no cms":       {Algorithm: protocol.AlgRS256},
		"not base64":   {CMS: "@@@"},
		"garbage":      {CMS: base64.StdEncoding.EncodeToString([]byte{0x30, 0x03, 1, 2, 3})},
		"truncated":    {CMS: base64.StdEncoding.EncodeToString(raw[:len(raw)-10])},
		"also a sig":   {CMS: res.CMS, Signature: "AAAA"},
		"also a batch": {CMS: res.CMS, Signatures: []string{"AAAA"}},
	} {
		if _, err := v.VerifyCMS(ctx, doc, r); !errors.Is(err, verifier.ErrSignatureFormat) {
			t.Errorf("%s: %v, want ErrSignatureFormat", name, err)
		}
	}
}
