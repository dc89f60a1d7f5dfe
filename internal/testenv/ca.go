package testenv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/efirma/conector/sat"
)

// CA is a throwaway certification authority shaped like SAT's.
type CA struct {
	Credential
	t testing.TB
}

// NewCA makes a CA (RSA 2048) valid from a year ago for ten years.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"SERVICIO DE ADMINISTRACION TRIBUTARIA (PRUEBAS)"}, Country: []string{"MX"}},
		NotBefore:             time.Now().AddDate(-1, 0, 0),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Credential: Credential{Cert: cert, Key: key}, t: t}
}

// Anchors returns the CA as the only trust anchor.
func (ca *CA) Anchors() *sat.Anchors { return sat.NewAnchors(ca.Cert) }

// Leaf describes a certificate to issue.
type Leaf struct {
	Type      string // "FIEL" (default) or "CSD"
	RFC       string // default "XAXX010101AAA"... a persona física
	RFCRep    string // persona moral: the representative's RFC
	CURP      string
	Name      string
	KeyType   string // "rsa" (default), "p256", "p384"
	NotBefore time.Time
	NotAfter  time.Time
	// OCSPSigning issues a delegated OCSP responder certificate instead.
	OCSPSigning bool
}

var serialSeq atomic.Int64

// Issue makes a certificate and key from l, signed by the CA.
func (ca *CA) Issue(l Leaf) *Credential {
	t := ca.t
	t.Helper()
	var key crypto.Signer
	var err error
	switch l.KeyType {
	case "", "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "p256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("unknown key type %q", l.KeyType)
	}
	if err != nil {
		t.Fatal(err)
	}
	if l.RFC == "" {
		l.RFC = "PEPJ800101AB1"
	}
	if l.CURP == "" && l.RFCRep == "" {
		l.CURP = "PEPJ800101HDFRRN09"
	}
	if l.Name == "" {
		l.Name = "JUAN PEREZ PEREZ"
	}
	if l.NotBefore.IsZero() {
		l.NotBefore = time.Now().Add(-24 * time.Hour)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = time.Now().AddDate(4, 0, 0)
	}
	// SAT's número de certificado: 20 ASCII digits as the serial's bytes.
	serial := new(big.Int).SetBytes([]byte("300010000005" + pad8(1000+serialSeq.Add(1))))
	rfc, curp := l.RFC, l.CURP
	if l.RFCRep != "" {
		rfc = l.RFC + " / " + l.RFCRep
		curp = " / " + l.CURP
	}
	subject := pkix.Name{
		CommonName:   l.Name,
		Organization: []string{l.Name},
		Country:      []string{"MX"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 41}, Value: l.Name},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 45}, Value: rfc},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: curp},
		},
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    l.NotBefore,
		NotAfter:     l.NotAfter,
	}
	switch {
	case l.OCSPSigning:
		subject = pkix.Name{CommonName: "Servicio OCSP de pruebas", Country: []string{"MX"}}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	case l.Type == "CSD":
		subject.OrganizationalUnit = []string{"Sucursal 1"}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	default:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}
	}
	tmpl.Subject = subject
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Credential{Cert: cert, Key: key}
}

func pad8(n int64) string {
	s := big.NewInt(n).String()
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

// WritePEM writes the certificate (and key, when keyPath is not empty) as
// PEM files.
func (c *Credential) WritePEM(t testing.TB, certPath, keyPath string) {
	t.Helper()
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if keyPath == "" {
		return
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// PFX writes c as a .pfx with the real openssl pkcs12 -export, protected
// with password (openssl 3's default form: PBES2/AES-256, MAC SHA-256);
// args come last and add to or override that (-legacy, -certpbe NONE,
// -iter 2, another -passout, ...). It skips without openssl (fails under
// CI=true).
func (c *Credential) PFX(t testing.TB, password string, args ...string) []byte {
	t.Helper()
	openssl := Tool(t, "openssl")
	dir := t.TempDir()
	keyPath, certPath, out := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "out.pfx")
	c.WritePEM(t, certPath, keyPath)
	cmd := append([]string{"pkcs12", "-export", "-inkey", keyPath, "-in", certPath, "-out", out, "-passout", "pass:" + password}, args...)
	if b, err := exec.Command(openssl, cmd...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(cmd, " "), err, b)
	}
	return ReadFile(t, out)
}

// WriteDir writes the CA certificate into a new folder, for LoadAnchors.
func (ca *CA) WriteDir(t testing.TB) string {
	dir := t.TempDir()
	ca.WritePEM(t, filepath.Join(dir, "ca.pem"), "")
	return dir
}
