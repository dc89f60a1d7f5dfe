package signing_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/signing"
)

// document is binary on purpose (every byte value), like a PDF.
func document() []byte {
	d := []byte("%PDF-1.7\n% contrato de compraventa\n")
	for i := 0; i < 256; i++ {
		d = append(d, byte(i))
	}
	return d
}

// caFile writes every SAT test CA certificate as one PEM bundle.
func caFile(t *testing.T) string {
	t.Helper()
	dir := testenv.SATAnchorsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := pem.Decode(b); p != nil {
			b = p.Bytes
		}
		if _, err := x509.ParseCertificate(b); err != nil {
			continue
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: b})
	}
	out := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// opensslVerify runs `openssl cms -verify` on the signing.CMS and the content.
func opensslVerify(t *testing.T, cms, content []byte, verifyArgs ...string) (string, error) {
	t.Helper()
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	cmsPath, docPath := filepath.Join(dir, "doc.p7s"), filepath.Join(dir, "doc.bin")
	if err := os.WriteFile(cmsPath, cms, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docPath, content, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"cms", "-verify", "-binary", "-inform", "DER", "-in", cmsPath, "-content", docPath, "-out", os.DevNull}, verifyArgs...)
	out, err := exec.Command(openssl, args...).CombinedOutput()
	return string(out), err
}

func TestCMSVerifiesWithOpenSSLAndFailsOnAChangedByte(t *testing.T) {
	ca := caFile(t)
	for _, folder := range []string{"eku9003173c9-fiel", "eku9003173c9-csd"} {
		t.Run(folder, func(t *testing.T) {
			c := testenv.SAT(t, folder)
			doc := document()
			when := time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC)
			der, err := signing.SignCMS(c.Key, c.Cert, sha256.Sum256(doc), when)
			if err != nil {
				t.Fatal(err)
			}
			// The whole chain up to SAT's test root, with openssl's default
			// S/MIME signing purpose (a FIEL has emailProtection; a CSD has
			// no extended key usage, which S/MIME accepts).
			if out, err := opensslVerify(t, der, doc, "-CAfile", ca); err != nil || !strings.Contains(out, "Verification successful") {
				t.Fatalf("openssl refused the signing.CMS: %v\n%s", err, out)
			}
			changed := bytes.Clone(doc)
			changed[len(changed)/2] ^= 0x01
			if out, err := opensslVerify(t, der, changed, "-CAfile", ca); err == nil || strings.Contains(out, "Verification successful") {
				t.Fatalf("openssl accepted a changed document:\n%s", out)
			}
			got, err := signing.VerifyCMS(der, doc)
			if err != nil {
				t.Fatalf("VerifyCMS: %v", err)
			}
			if !got.SigningTime.Equal(when) || !got.Certificate.Equal(c.Cert) {
				t.Fatalf("VerifyCMS gave time %v, certificate %v", got.SigningTime, got.Certificate.Subject)
			}
			if _, err := signing.VerifyCMS(der, changed); !errors.Is(err, signing.ErrCMSDigest) {
				t.Fatalf("VerifyCMS on a changed document: %v, want signing.ErrCMSDigest", err)
			}
		})
	}
}

// TestCMSAttributesAsOpenSSLReadsThem checks, with openssl's own parser,
// that the signed attributes are the CAdES-BES set.
func TestCMSAttributesAsOpenSSLReadsThem(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	c := testenv.SAT(t, "eku9003173c9-fiel")
	doc := document()
	der, err := signing.SignCMS(c.Key, c.Cert, sha256.Sum256(doc), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "doc.p7s")
	os.WriteFile(p, der, 0o600)
	out, err := exec.Command(openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", p).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -print: %v\n%s", err, out)
	}
	for _, want := range []string{"contentType", "signingTime", "messageDigest", "id-smime-aa-signingCertificateV2", "eContent: <ABSENT>", "sha256"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl does not show %q in:\n%s", want, out)
		}
	}
}

func ecCredential(t testing.TB) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(7),
		Subject:        pkix.Name{CommonName: "token EC"},
		NotBefore:      time.Now().Add(-time.Hour),
		NotAfter:       time.Now().Add(time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		IsCA:           false,
		SubjectKeyId:   []byte{1, 2, 3},
		AuthorityKeyId: []byte{1, 2, 3},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func TestCMSWithAnECKey(t *testing.T) {
	key, cert := ecCredential(t)
	doc := document()
	der, err := signing.SignCMS(key, cert, sha256.Sum256(doc), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if out, err := opensslVerify(t, der, doc, "-noverify"); err != nil || !strings.Contains(out, "Verification successful") {
		t.Fatalf("openssl refused the EC signing.CMS: %v\n%s", err, out)
	}
	doc[0] ^= 1
	if out, err := opensslVerify(t, der, doc, "-noverify"); err == nil {
		t.Fatalf("openssl accepted a changed document:\n%s", out)
	}
	if _, err := signing.VerifyCMS(der, doc); !errors.Is(err, signing.ErrCMSDigest) {
		t.Fatalf("VerifyCMS: %v", err)
	}
}

// TestVerifyCMSRefusesTampering changes the structure the way an attacker
// would: another certificate, a forged attribute, a signature over
// something else.
func TestVerifyCMSRefusesTampering(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	doc := document()
	digest := sha256.Sum256(doc)
	now := time.Now()
	good, err := signing.SignCMS(fiel.Key, fiel.Cert, digest, now)
	if err != nil {
		t.Fatal(err)
	}
	sigAlg, _ := signing.SignatureAlgorithm(fiel.Cert.PublicKey)
	attrs := signing.SignedAttributes(fiel.Cert, digest, now)
	cases := map[string]struct {
		der  []byte
		want error
	}{
		// The signature of the FIEL's attributes, presented with the CSD's
		// certificate.
		"another certificate": {signing.Assemble(csd.Cert, attrs, sigAlg, mustSignature(t, good)), signing.ErrCMSCertHash},
		// Attributes naming the CSD, signed by the FIEL key.
		"signature by another key": {signing.Assemble(csd.Cert, signing.SignedAttributes(csd.Cert, digest, now), sigAlg, mustSignature(t, good)), signing.ErrCMSSignature},
		"trailing byte":            {append(bytes.Clone(good), 0), signing.ErrCMSMalformed},
		"truncated":                {good[:len(good)-1], signing.ErrCMSMalformed},
		"empty":                    {nil, signing.ErrCMSMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := signing.VerifyCMS(tc.der, doc); !errors.Is(err, tc.want) {
				t.Fatalf("VerifyCMS: %v, want %v", err, tc.want)
			}
		})
	}
}

// mustSignature takes the signature value out of a CMS.
func mustSignature(t *testing.T, der []byte) []byte {
	t.Helper()
	c, err := signing.ParseCMS(der)
	if err != nil {
		t.Fatal(err)
	}
	return signing.SignatureOf(c)
}

func FuzzParseCMS(f *testing.F) {
	key, cert := ecCredential(f)
	doc := document()
	der, err := signing.SignCMS(key, cert, sha256.Sum256(doc), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add(der[:40])
	f.Add([]byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := signing.ParseCMS(b)
		if err == nil && (c.Certificate == nil || len(c.Digest) != sha256.Size) {
			t.Fatal("ParseCMS accepted a signing.CMS without certificate or digest")
		}
		signing.VerifyCMS(b, doc)
	})
}
