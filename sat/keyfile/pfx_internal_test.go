package keyfile

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"github.com/efirma/conector/sat"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPFXWithHugeMACIterationsIsRefused(t *testing.T) {
	inner, _ := asn1.Marshal([]byte{0x30, 0x00})
	var p pfxPDU
	p.Version = 3
	p.AuthSafe.ContentType, p.AuthSafe.Content = oidData, asn1.RawValue{FullBytes: inner}
	p.MacData.Mac.Algorithm.Algorithm, p.MacData.Mac.Digest = oidSHA1, make([]byte, 20)
	p.MacData.Salt, p.MacData.Iterations = []byte{1, 2, 3, 4, 5, 6, 7, 8}, 1<<31-1
	pfx, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := DecodePFX(pfx, []byte("x")); err == nil || !errors.Is(err, sat.ErrBadPFX) || !strings.Contains(err.Error(), "MAC iterations") {
		t.Fatalf("err = %v, want sat.ErrBadPFX for the MAC iterations", err)
	}
}

// TestPFXWorkBounds makes real .pfx files with openssl: one whose key bag
// asks for more iterations than the bound, one without a MAC; both are
// refused before any key derivation. The fixtures' modern and legacy files
// still pass the check.
func TestPFXWorkBounds(t *testing.T) {
	openssl := needOpenSSL(t)
	dir := t.TempDir()
	cred := filepath.Join("..", "..", "testdata", "creds", "fiel-fisica")
	keyPEM := filepath.Join(dir, "key.pem")
	certPEM := filepath.Join(dir, "cert.pem")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v %s", args, err, out)
		}
	}
	run("pkcs8", "-inform", "DER", "-in", filepath.Join(cred, "private_key.key"), "-passin", "pass:12345678a", "-out", keyPEM)
	run("x509", "-inform", "DER", "-in", filepath.Join(cred, "certificate.cer"), "-out", certPEM)
	cases := []struct {
		name, want string
		args       []string
	}{
		{"key bag iterations", "iterations", []string{"-iter", "1500000", "-maciter"}},
		{"no MAC", "no MAC", []string{"-nomac"}},
		{"SHA-512 MAC", "unsupported MAC algorithm", []string{"-macalg", "sha512"}},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c.name+".pfx")
		run(append([]string{"pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-passout", "pass:12345678a", "-out", out}, c.args...)...)
		data, _ := os.ReadFile(out)
		if err := checkPFXWork(data); !errors.Is(err, sat.ErrBadPFX) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	for _, f := range []string{"credential_protected.pfx", "credential_unprotected.pfx"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "sat", "aaa010101aaa-csd", f))
		if err != nil {
			continue // conformance tests own the fixtures' presence
		}
		if err := checkPFXWork(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestPFXChainWithTheCertificateLast: openssl writes the key's certificate
// first, so this test moves it behind the other certificates of a chain
// (in a file openssl wrote with unencrypted certificates, its MAC made
// again) and DecodePFX must still pick it, by its public key.
func TestPFXChainWithTheCertificateLast(t *testing.T) {
	openssl := needOpenSSL(t)
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v %s", args, err, out)
		}
	}
	creds := filepath.Join("..", "..", "testdata", "creds")
	keyPEM, certPEM, otherPEM := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "other.pem")
	run("pkcs8", "-inform", "DER", "-in", filepath.Join(creds, "fiel-fisica", "private_key.key"), "-passin", "pass:12345678a", "-out", keyPEM)
	run("x509", "-inform", "DER", "-in", filepath.Join(creds, "fiel-fisica", "certificate.cer"), "-out", certPEM)
	run("x509", "-inform", "DER", "-in", filepath.Join(creds, "fiel-moral", "certificate.cer"), "-out", otherPEM)
	out := filepath.Join(dir, "chain.pfx")
	run("pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-certfile", otherPEM, "-certpbe", "NONE", "-passout", "pass:12345678a", "-out", out)
	pfx, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := os.ReadFile(filepath.Join(creds, "fiel-fisica", "certificate.cer"))

	var p pfxPDU
	if _, err := asn1.Unmarshal(pfx, &p); err != nil {
		t.Fatal(err)
	}
	var authSafe []byte
	asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe)
	var safe []pfxContentInfo
	if _, err := asn1.Unmarshal(authSafe, &safe); err != nil {
		t.Fatal(err)
	}
	moved := false
	for i, ci := range safe {
		var contents []byte
		asn1.Unmarshal(ci.Content.Bytes, &contents)
		var bags []asn1.RawValue
		if _, err := asn1.Unmarshal(contents, &bags); err != nil || len(bags) != 2 {
			continue
		}
		if !bytes.Contains(bags[0].FullBytes, leaf) {
			t.Fatal("openssl did not write the key's certificate first; the test must be rewritten")
		}
		bags[0], bags[1] = bags[1], bags[0]
		contents, _ = asn1.Marshal(bags)
		octets, _ := asn1.Marshal(contents)
		safe[i].Content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}
		moved = true
	}
	if !moved {
		t.Fatal("no SafeContents with the two certificates")
	}
	authSafe, _ = asn1.Marshal(safe)
	octets, _ := asn1.Marshal(authSafe)
	p.AuthSafe.Content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}
	bmp := bmpPassword([]byte("12345678a"))
	p.MacData.Mac.Digest = pfxMAC(pfxMACHash(p.MacData.Mac.Algorithm.Algorithm), bmp, p.MacData.Salt, p.MacData.Iterations, authSafe)
	reordered, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	key, cert, err := DecodePFX(reordered, []byte("12345678a"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert.Raw, leaf) || sat.CheckPair(cert, key) != nil {
		t.Errorf("picked %s, not the key's certificate", cert.Subject)
	}
}

// TestPFXKeyMismatch: a .pfx whose key is not its certificate's is
// sat.ErrKeyMismatch (EncodePFX refuses to write one; encodePFX, without
// the check, makes it), and EncodePFX refuses the pair.
func TestPFXKeyMismatch(t *testing.T) {
	creds := filepath.Join("..", "..", "testdata", "creds")
	cer, err := os.ReadFile(filepath.Join(creds, "fiel-fisica", "certificate.cer"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(cer)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := os.ReadFile(filepath.Join(creds, "fiel-moral", "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := DecryptKey(keyDER, []byte("12345678a"))
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := encodePFX(other, cert, []byte("12345678a"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if k, c, err := DecodePFX(pfx, []byte("12345678a")); !errors.Is(err, sat.ErrKeyMismatch) || k != nil || c != nil {
		t.Errorf("DecodePFX: %v, want sat.ErrKeyMismatch", err)
	}
	if _, err := EncodePFX(other, cert, []byte("12345678a")); !errors.Is(err, sat.ErrKeyMismatch) {
		t.Errorf("EncodePFX: %v, want sat.ErrKeyMismatch", err)
	}
}

// TestPFXWithPBMAC1IsRefused: a MAC in the RFC 9579 form (PBMAC1, which
// openssl 3.4 writes with -pbmac1_pbkdf2) is not the classic PKCS#12 MAC
// we check: sat.ErrBadPFX by name, never a wrong password. Made by
// rewriting the MAC algorithm of a file our encoder wrote.
func TestPFXWithPBMAC1IsRefused(t *testing.T) {
	creds := filepath.Join("..", "..", "testdata", "creds", "fiel-fisica")
	cer, err := os.ReadFile(filepath.Join(creds, "certificate.cer"))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(cer)
	keyDER, _ := os.ReadFile(filepath.Join(creds, "private_key.key"))
	key, err := DecryptKey(keyDER, []byte("12345678a"))
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := encodePFX(key, cert, []byte("12345678a"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := DecodePFX(pfx, []byte("12345678a")); err != nil {
		t.Fatalf("the file before the change: %v", err)
	}
	var p pfxPDU
	if _, err := asn1.Unmarshal(pfx, &p); err != nil {
		t.Fatal(err)
	}
	p.MacData.Mac.Algorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	changed, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = DecodePFX(changed, []byte("12345678a"))
	if !errors.Is(err, sat.ErrBadPFX) || !strings.Contains(err.Error(), "unsupported MAC algorithm") {
		t.Errorf("PBMAC1: %v, want sat.ErrBadPFX for the MAC algorithm", err)
	}
}

// TestPFXEmptyPasswordWithoutBMPTerminator: some writers key the MAC of a
// password-less file with no bytes at all rather than the two zero bytes of
// an empty BMPString (openssl's PKCS12_parse tries both). An openssl file
// with unencrypted bags and an empty password, its MAC made again the
// other way, opens with the empty password and with no other.
func TestPFXEmptyPasswordWithoutBMPTerminator(t *testing.T) {
	openssl := needOpenSSL(t)
	dir := t.TempDir()
	creds := filepath.Join("..", "..", "testdata", "creds", "fiel-fisica")
	keyPEM, certPEM, out := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "empty.pfx")
	for _, args := range [][]string{
		{"pkcs8", "-inform", "DER", "-in", filepath.Join(creds, "private_key.key"), "-passin", "pass:12345678a", "-out", keyPEM},
		{"x509", "-inform", "DER", "-in", filepath.Join(creds, "certificate.cer"), "-out", certPEM},
		{"pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-keypbe", "NONE", "-certpbe", "NONE", "-passout", "pass:", "-out", out},
	} {
		if b, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v %s", args, err, b)
		}
	}
	pfx, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var p pfxPDU
	if _, err := asn1.Unmarshal(pfx, &p); err != nil {
		t.Fatal(err)
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &authSafe); err != nil {
		t.Fatal(err)
	}
	h := pfxMACHash(p.MacData.Mac.Algorithm.Algorithm)
	if !bytes.Equal(p.MacData.Mac.Digest, pfxMAC(h, []byte{0, 0}, p.MacData.Salt, p.MacData.Iterations, authSafe)) {
		t.Fatal("openssl's MAC is not keyed by the empty BMPString; the test must be rewritten")
	}
	p.MacData.Mac.Digest = pfxMAC(h, nil, p.MacData.Salt, p.MacData.Iterations, authSafe)
	p.AuthSafe.Content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: p.AuthSafe.Content.Bytes}
	changed, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := DecodePFX(changed, nil); err != nil {
		t.Errorf("empty password: %v", err)
	}
	if _, _, err := DecodePFX(changed, []byte("x")); !errors.Is(err, sat.ErrWrongPassword) {
		t.Errorf("password x: %v, want sat.ErrWrongPassword", err)
	}
}

// needOpenSSL returns openssl's path; without it the test skips, or fails
// under CI=true. (internal/testenv.Tool does the same, but testenv imports
// this package.)
func needOpenSSL(t *testing.T) string {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl missing (CI=true)")
		}
		t.Skip("openssl missing")
	}
	return openssl
}
