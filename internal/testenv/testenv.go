// Package testenv is the portal tests' shared kit: the SAT test credentials
// in ../shared/fixtures/sat, generated SAT-shaped credentials, tokens and
// signatures made the way the host makes them, and real services
// (redis-server, openssl ocsp) started on loopback.
//
// Rules: a missing tool or fixture skips the test with a clear message,
// except under CI=true where it fails; services are stopped by t.Cleanup.
package testenv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

// Password opens every SAT test key.
const Password = "12345678a"

// Unavailable skips the test, or fails it under CI=true.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI: %s", msg)
	}
	t.Skipf("skipped: %s", msg)
}

// Tool returns the path of a program, or skips (fails under CI). pkg names
// the Debian package that has it, when that is not name itself.
func Tool(t testing.TB, name string, pkg ...string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		install := name
		if len(pkg) > 0 {
			install = pkg[0]
		}
		Unavailable(t, "%s not installed (apt-get install %s)", name, install)
	}
	return p
}

// SATDir returns /…/shared/fixtures/sat: ../shared/fixtures/sat relative to
// the repository root (the folder with go.mod).
func SATDir(t testing.TB) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "..", "shared", "fixtures", "sat")
	if _, err := os.Stat(filepath.Join(p, "README.md")); err != nil {
		Unavailable(t, "SAT test fixtures not found at %s", p)
	}
	return p
}

// SATAnchorsDir is the folder of SAT's test CAs.
func SATAnchorsDir(t testing.TB) string { return filepath.Join(SATDir(t), "ca", "test") }

// Credential is a certificate and its private key.
type Credential struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// CertB64 is the certificate as the host sends it: base64 DER.
func (c *Credential) CertB64() string { return base64.StdEncoding.EncodeToString(c.Cert.Raw) }

// SAT loads a SAT test credential by folder name (eku9003173c9-fiel, ...).
func SAT(t testing.TB, folder string) *Credential {
	t.Helper()
	dir := filepath.Join(SATDir(t), folder)
	cerData, err := os.ReadFile(filepath.Join(dir, "certificate.cer"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := sat.ParseCertificate(cerData)
	if err != nil {
		t.Fatal(err)
	}
	keyData, err := os.ReadFile(filepath.Join(dir, "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyfile.DecryptKey(keyData, []byte(Password))
	if err != nil {
		t.Fatalf("decrypt %s: %v", folder, err)
	}
	if err := sat.CheckPair(cert, key); err != nil {
		t.Fatal(err)
	}
	return &Credential{Cert: cert, Key: key}
}

// Sign signs data the way the host does: RSASSA-PKCS1-v1_5 SHA-256 for RSA,
// ECDSA r||s with SHA-256 (P-256) or SHA-384 (P-384).
func Sign(key crypto.Signer, data []byte) (sig []byte, alg string, err error) {
	// The algorithm is chosen here independently of package signing, so
	// that tests check the host and the verifier against a second opinion.
	switch k := key.(type) {
	case *rsa.PrivateKey:
		alg = protocol.AlgRS256
		h := sha256.Sum256(data)
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
		return sig, alg, err
	case *ecdsa.PrivateKey:
		var digest []byte
		switch k.Curve.Params().BitSize {
		case 256:
			alg = protocol.AlgES256
		case 384:
			alg = protocol.AlgES384
		default:
			return nil, "", errors.New("unsupported curve")
		}
		if alg == protocol.AlgES384 {
			h := sha512.Sum384(data)
			digest = h[:]
		} else {
			h := sha256.Sum256(data)
			digest = h[:]
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, "", err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, alg, nil
	}
	return nil, "", fmt.Errorf("unsupported key %T", key)
}

// Token makes the login token the host would return for origin and
// challenge.
func (c *Credential) Token(origin, challenge string) (*protocol.AuthToken, error) {
	sig, alg, err := Sign(c.Key, protocol.AuthMessage(origin, challenge))
	if err != nil {
		return nil, err
	}
	return &protocol.AuthToken{Format: protocol.AuthFormat, Certificate: c.CertB64(), Algorithm: alg, Signature: base64.StdEncoding.EncodeToString(sig)}, nil
}

// SignResult makes the "sign" result the host would return for data.
func (c *Credential) SignResult(data []byte) (*protocol.SignResult, error) {
	sig, alg, err := Sign(c.Key, data)
	if err != nil {
		return nil, err
	}
	return &protocol.SignResult{Signature: base64.StdEncoding.EncodeToString(sig), Algorithm: alg, Certificate: c.CertB64()}, nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
