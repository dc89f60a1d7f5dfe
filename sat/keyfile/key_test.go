package keyfile_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
)

// keyErrors are the sentinels DecryptKey may return.
var keyErrors = []error{sat.ErrWrongPassword, sat.ErrNotAKey, sat.ErrEmptyPassword, sat.ErrPasswordTooLong, sat.ErrUnencryptedKey}

func isKeyError(err error) bool {
	for _, e := range keyErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func TestDecryptKeyGenerated(t *testing.T) {
	for _, dir := range []string{"fiel-fisica", "fiel-moral", "csd-moral", "fiel-enie", "fiel-ampersand", "fiel-expired", "fiel-not-yet-valid", "not-sat"} {
		key, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, dir, "private_key.key")), []byte(password))
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if err := sat.CheckPair(testenv.GenCert(t, dir), key); err != nil {
			t.Errorf("%s: CheckPair: %v", dir, err)
		}
		if got := signing.Algorithm(key.Public()); got != protocol.AlgRS256 {
			t.Errorf("%s: Algorithm = %q", dir, got)
		}
	}
}

func TestDecryptKeyErrors(t *testing.T) {
	satKey := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	cer := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	random := make([]byte, 1298)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	plainKey, err := keyfile.DecryptKey(satKey, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	plainPKCS8, _ := x509.MarshalPKCS8PrivateKey(plainKey)
	flipped := append([]byte(nil), satKey...)
	flipped[len(flipped)-3] ^= 0xff // corrupt the ciphertext's last block
	tests := []struct {
		name     string
		data     []byte
		password string
		want     error
	}{
		{"wrong password", satKey, "12345678b", sat.ErrWrongPassword},
		{"password with trailing newline", satKey, password + "\n", sat.ErrWrongPassword},
		{"password too long", satKey, strings.Repeat("x", protocol.MaxPasswordBytes+1), sat.ErrPasswordTooLong},
		{"empty password", satKey, "", sat.ErrEmptyPassword},
		{"a .cer file", cer, password, sat.ErrCertificateNotKey},
		{"random bytes", random, password, sat.ErrNotAKey},
		{"empty file", nil, password, sat.ErrNotAKey},
		{"empty file and empty password", nil, "", sat.ErrNotAKey},
		{"text file", []byte("hola, esto no es una llave\n"), password, sat.ErrNotAKey},
		{"truncated key", satKey[:len(satKey)/2], password, sat.ErrDamaged},
		{"too large", append(satKey, make([]byte, protocol.MaxCredentialFileBytes)...), password, sat.ErrNotAKey},
		{"unencrypted PKCS#8 DER", plainPKCS8, password, sat.ErrUnencryptedKey},
		{"PEM certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cer}), password, sat.ErrCertificateNotKey},
		{"unencrypted PEM key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: plainPKCS8}), password, sat.ErrUnencryptedKey},
		{"corrupted ciphertext", flipped, password, sat.ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := keyfile.DecryptKey(tt.data, []byte(tt.password))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if k != nil {
				t.Errorf("a key was returned with an error")
			}
		})
	}
}

func TestDecryptKeyPEMForms(t *testing.T) {
	satKey := testenv.ReadFile(t, testenv.CredPath(t, "fiel-moral", "private_key.key"))
	cert := testenv.GenCert(t, "fiel-moral")
	key, err := keyfile.DecryptKey(satKey, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	pkcs8PEM := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: satKey})
	//lint:ignore SA1019 legacy PEM encryption is exactly the format under test.
	blk, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey)), []byte(password), x509.PEMCipher3DES) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	pkcs1PEM := pem.EncodeToMemory(blk)
	for name, data := range map[string][]byte{"PEM PKCS#8": pkcs8PEM, "PKCS#1 PEM with DEK-Info": pkcs1PEM} {
		t.Run(name, func(t *testing.T) {
			k, err := keyfile.DecryptKey(data, []byte(password))
			if err != nil {
				t.Fatalf("right password: %v", err)
			}
			if err := sat.CheckPair(cert, k); err != nil {
				t.Errorf("CheckPair: %v", err)
			}
			if _, err := keyfile.DecryptKey(data, []byte("12345678b")); !errors.Is(err, sat.ErrWrongPassword) {
				t.Errorf("wrong password: %v, want ErrWrongPassword", err)
			}
			if _, err := keyfile.DecryptKey(data, nil); !errors.Is(err, sat.ErrEmptyPassword) {
				t.Errorf("empty password: %v, want ErrEmptyPassword", err)
			}
		})
	}
}

// TestDecryptKeyFixturePKCS1PEM opens SAT's older kit's PKCS#1 PEM key with
// DEK-Info (aaa010101aaa-fiel/private_key_protected.key.pem).
func TestDecryptKeyFixturePKCS1PEM(t *testing.T) {
	dir := filepath.Join(testenv.SATDir(t), "aaa010101aaa-fiel")
	data := testenv.ReadFile(t, filepath.Join(dir, "private_key_protected.key.pem"))
	if !strings.Contains(string(data), "DEK-Info: DES-EDE3-CBC") {
		t.Fatal("fixture is not the PKCS#1 PEM with DEK-Info this test expects")
	}
	c, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(dir, "certificate.cer")))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.DecryptKey(data, []byte(password))
	if err != nil {
		t.Fatalf("DecryptKey: %v", err)
	}
	if err := sat.CheckPair(c, k); err != nil {
		t.Errorf("CheckPair: %v", err)
	}
	if _, err := keyfile.DecryptKey(data, []byte("12345678A")); !errors.Is(err, sat.ErrWrongPassword) {
		t.Errorf("wrong password: %v, want ErrWrongPassword", err)
	}
}

// reencrypt writes the key with openssl using other PKCS#8 schemes.
func reencrypt(t *testing.T, openssl string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pem")
	if out, err := exec.Command(openssl, "pkcs8", "-inform", "DER", "-in", testenv.CredPath(t, "fiel-fisica", "private_key.key"), "-passin", "pass:"+password, "-out", plain).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	outPath := filepath.Join(dir, "out.key")
	cmd := append([]string{"pkcs8", "-topk8", "-in", plain, "-passout", "pass:" + password, "-outform", "DER", "-out", outPath}, args...)
	if out, err := exec.Command(openssl, cmd...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return testenv.ReadFile(t, outPath)
}

func TestDecryptKeyOtherPBES2(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	cert := testenv.GenCert(t, "fiel-fisica")
	for name, args := range map[string][]string{
		"AES-256-CBC HMAC-SHA256": {"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"},
		"3DES one iteration":      {"-v2", "des3", "-iter", "1"},
	} {
		data := reencrypt(t, openssl, args...)
		k, err := keyfile.DecryptKey(data, []byte(password))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sat.CheckPair(cert, k) != nil {
			t.Errorf("%s: key does not match", name)
		}
	}
}

// TestDecryptKeyUnsupportedSchemeIsNotWrongPassword: a key encrypted with a
// scheme the parser does not support (PBES1, as `openssl pkcs8 -v1` writes)
// must not be reported as a wrong password — the person would retype a
// correct password forever.
func TestDecryptKeyUnsupportedSchemeIsNotWrongPassword(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	data := reencrypt(t, openssl, "-v1", "PBE-SHA1-3DES")
	if _, err := keyfile.DecryptKey(data, []byte(password)); !errors.Is(err, sat.ErrNotAKey) {
		t.Errorf("PBES1 key with the right password: %v, want ErrNotAKey", err)
	}
}

// withIterations rewrites the PBKDF2 iteration count of a SAT key.
func withIterations(t *testing.T, der []byte, iter int) []byte {
	t.Helper()
	return rewriteKey(t, der, func(k *pbes2Key) { k.Algo.Params.KDF.Params.Iter = iter })
}

// TestDecryptKeyBoundsWork: a key file from a browser or a person claiming
// 2^31 PBKDF2 iterations must be refused quickly, not keep the host busy
// for many minutes.
func TestDecryptKeyBoundsWork(t *testing.T) {
	data := withIterations(t, testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key")), 1<<31-1)
	done := make(chan error, 1)
	go func() { _, err := keyfile.DecryptKey(data, []byte(password)); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, sat.ErrNotAKey) {
			t.Errorf("err = %v, want ErrNotAKey", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("DecryptKey still running after 2 s on a key claiming 2^31-1 iterations")
	}
}

func TestWithIterationsHelper(t *testing.T) {
	// The rewrite helper above keeps a valid key when the count is unchanged.
	orig := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	if _, err := keyfile.DecryptKey(withIterations(t, orig, 2048), []byte(password)); err != nil {
		t.Fatalf("re-encoded key with the same count: %v", err)
	}
	if _, err := keyfile.DecryptKey(withIterations(t, orig, 2047), []byte(password)); !errors.Is(err, sat.ErrWrongPassword) {
		t.Fatalf("key with another count derives another key: %v", err)
	}
}

func TestParseUnencryptedKey(t *testing.T) {
	key, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key")), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	rk := key.(*rsa.PrivateKey)
	p8, _ := x509.MarshalPKCS8PrivateKey(rk)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	for name, data := range map[string][]byte{
		"PKCS#8 DER": p8,
		"PKCS#8 PEM": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		"PKCS#1 DER": x509.MarshalPKCS1PrivateKey(rk),
		"PKCS#1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}),
		"SEC1 EC":    ecDER,
	} {
		k, err := keyfile.ParseUnencryptedKey(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name != "SEC1 EC" && !k.Public().(*rsa.PublicKey).Equal(rk.Public()) {
			t.Errorf("%s: another key", name)
		}
	}
	if _, err := keyfile.ParseUnencryptedKey([]byte("nope")); !errors.Is(err, sat.ErrNotAKey) {
		t.Errorf("garbage: %v, want ErrNotAKey", err)
	}
	if _, err := keyfile.ParseUnencryptedKey(testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))); !errors.Is(err, sat.ErrNotAKey) {
		t.Errorf("encrypted key: %v, want ErrNotAKey", err)
	}
}

func TestCheckPair(t *testing.T) {
	mismatchKey, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, "mismatch", "private_key.key")), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	if err := sat.CheckPair(testenv.GenCert(t, "mismatch"), mismatchKey); !errors.Is(err, sat.ErrKeyMismatch) {
		t.Errorf("testdata/creds/mismatch: %v, want ErrKeyMismatch", err)
	}
	// The mismatched key is fiel-moral's: it matches that certificate.
	if err := sat.CheckPair(testenv.GenCert(t, "fiel-moral"), mismatchKey); err != nil {
		t.Errorf("mismatch key against fiel-moral: %v", err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err := sat.CheckPair(testenv.GenCert(t, "fiel-fisica"), ec); !errors.Is(err, sat.ErrKeyMismatch) {
		t.Errorf("EC key against an RSA certificate: %v", err)
	}
}

func TestAlgorithm(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		pub  crypto.PublicKey
		want string
	}{
		{testenv.GenCert(t, "fiel-fisica").PublicKey, protocol.AlgRS256},
		{p256.Public(), protocol.AlgES256},
		{p384.Public(), protocol.AlgES384},
		{p521.Public(), ""},
		{edPub, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := signing.Algorithm(tt.pub); got != tt.want {
			t.Errorf("Algorithm(%T) = %q, want %q", tt.pub, got, tt.want)
		}
	}
}

// TestKeyFilesPeopleHave (issue 13 §2): the key and certificate files
// people end up with after following online guides. Each is either opened
// or refused with what is wrong with that file: an unencrypted key (any
// password, even none), a certificate where the key goes, a key where the
// certificate goes, a damaged file, and PEM files holding more than one
// block (a public key before the certificate; certificate and key in one).
func TestKeyFilesPeopleHave(t *testing.T) {
	satKey := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	cerDER := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	cert := testenv.GenCert(t, "fiel-fisica")
	key, err := keyfile.DecryptKey(satKey, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	pkcs8DER, _ := x509.MarshalPKCS8PrivateKey(key)
	pkcs1DER := x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Public())
	block := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	unencrypted := map[string][]byte{
		"PKCS#8 DER":                  pkcs8DER,
		"PKCS#8 PEM":                  block("PRIVATE KEY", pkcs8DER),
		"PKCS#1 PEM":                  block("RSA PRIVATE KEY", pkcs1DER),
		"certificate then PKCS#8 PEM": cat(block("CERTIFICATE", cerDER), block("PRIVATE KEY", pkcs8DER)),
	}
	for name, data := range unencrypted {
		for _, pw := range []string{"", password} {
			if _, err := keyfile.DecryptKey(data, []byte(pw)); !errors.Is(err, sat.ErrUnencryptedKey) {
				t.Errorf("%s with password %q: %v, want ErrUnencryptedKey", name, pw, err)
			}
		}
		k, err := keyfile.ParseUnencryptedKey(data)
		if err != nil || sat.CheckPair(cert, k) != nil {
			t.Errorf("%s: ParseUnencryptedKey: %v", name, err)
			continue
		}
		// Stored encrypted with a new password, it opens with that
		// password only.
		enc, err := keyfile.EncryptKey(k, []byte("NuevaClave#2026"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keyfile.ParseUnencryptedKey(enc); err == nil {
			t.Errorf("%s: the re-encrypted key reads as unencrypted", name)
		}
		back, err := keyfile.DecryptKey(enc, []byte("NuevaClave#2026"))
		if err != nil || sat.CheckPair(cert, back) != nil {
			t.Errorf("%s: re-encrypted key does not open: %v", name, err)
		}
		if _, err := keyfile.DecryptKey(enc, []byte(password)); !errors.Is(err, sat.ErrWrongPassword) {
			t.Errorf("%s: re-encrypted key with the old password: %v", name, err)
		}
		break // the encryption is the same for every form: once is enough
	}

	keyRefusals := []struct {
		name string
		data []byte
		want error
	}{
		{"certificate DER as the key", cerDER, sat.ErrCertificateNotKey},
		{"certificate PEM as the key", block("CERTIFICATE", cerDER), sat.ErrCertificateNotKey},
		{"key cut short", satKey[:len(satKey)-200], sat.ErrDamaged},
		{"PEM key with its end cut", block("ENCRYPTED PRIVATE KEY", satKey)[:300], sat.ErrDamaged},
		{"unreadable PRIVATE KEY block", block("PRIVATE KEY", []byte("not DER")), sat.ErrDamaged},
	}
	for _, c := range keyRefusals {
		if _, err := keyfile.DecryptKey(c.data, []byte(password)); !errors.Is(err, c.want) || !errors.Is(err, sat.ErrNotAKey) {
			t.Errorf("%s: %v, want %v (and ErrNotAKey)", c.name, err, c.want)
		}
	}
	// Distinct: a certificate is not reported as damaged and vice versa.
	if _, err := keyfile.DecryptKey(cerDER, []byte(password)); errors.Is(err, sat.ErrDamaged) {
		t.Errorf("a certificate reported as damaged: %v", err)
	}

	certForms := map[string][]byte{
		"public key before the certificate": cat(block("PUBLIC KEY", pubDER), block("CERTIFICATE", cerDER)),
		"certificate and key in one file":   cat(block("CERTIFICATE", cerDER), block("PRIVATE KEY", pkcs8DER)),
		"key and certificate in one file":   cat(block("PRIVATE KEY", pkcs8DER), block("CERTIFICATE", cerDER)),
	}
	for name, data := range certForms {
		c, err := sat.ParseCertificate(data)
		if err != nil || !c.Equal(cert) {
			t.Errorf("%s: %v", name, err)
		}
	}
	certRefusals := []struct {
		name string
		data []byte
		want error
	}{
		{"encrypted key as the certificate", satKey, sat.ErrKeyNotCertificate},
		{"PEM key as the certificate", block("PRIVATE KEY", pkcs8DER), sat.ErrKeyNotCertificate},
		{"unencrypted DER key as the certificate", pkcs8DER, sat.ErrKeyNotCertificate},
		{"certificate cut short", cerDER[:len(cerDER)/2], sat.ErrDamaged},
	}
	for _, c := range certRefusals {
		if _, err := sat.ParseCertificate(c.data); !errors.Is(err, c.want) || !errors.Is(err, sat.ErrBadCertificate) {
			t.Errorf("%s: %v, want %v (and ErrBadCertificate)", c.name, err, c.want)
		}
	}
}

// TestEncryptKeyOpensWithOpenSSL: EncryptKey is the host's own PBES2 (so
// the new password stays in bytes; issue 11, F-05). openssl, an outside
// reader, opens what it writes with that password (and only that one) and
// finds the same key, and reports the scheme the docs promise: PBKDF2 with
// hmacWithSHA256, 600 000 iterations, AES-256-CBC.
func TestEncryptKeyOpensWithOpenSSL(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	orig, err := os.ReadFile(testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.DecryptKey(orig, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	newPassword := "Nueva-Ñandú-2026"
	enc, err := keyfile.EncryptKey(k, []byte(newPassword))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "stored.key")
	if err := os.WriteFile(file, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "pkcs8", "-inform", "DER", "-in", file, "-passin", "pass:"+newPassword, "-outform", "DER").Output()
	if err != nil {
		t.Fatalf("openssl does not open the stored key: %v", err)
	}
	back, err := x509.ParsePKCS1PrivateKey(out) // what `openssl pkcs8` writes out
	if err != nil {
		t.Fatal(err)
	}
	if !back.PublicKey.Equal(k.Public()) {
		t.Fatal("openssl found another key")
	}
	if err := exec.Command(openssl, "pkcs8", "-inform", "DER", "-in", file, "-passin", "pass:"+password, "-outform", "DER").Run(); err == nil {
		t.Fatal("openssl opened the stored key with the old password")
	}
	asn, err := exec.Command(openssl, "asn1parse", "-inform", "DER", "-in", file).CombinedOutput()
	if err != nil {
		t.Fatalf("asn1parse: %v\n%s", err, asn)
	}
	for _, want := range []string{"PBES2", "PBKDF2", "hmacWithSHA256", ":0927C0", "aes-256-cbc"} {
		if !strings.Contains(string(asn), want) {
			t.Errorf("asn1parse lacks %q:\n%s", want, asn)
		}
	}
}
