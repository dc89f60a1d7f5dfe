//go:build cgo

package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
	"github.com/rs/zerolog"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
)

// satFixture returns the SAT test FIEL (certificate and decrypted key).
func satFixture(t testing.TB) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "sat", "eku9003173c9-fiel")
	cerData, err := os.ReadFile(filepath.Join(dir, "certificate.cer"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: SAT fixtures missing: %v", err)
		}
		t.Skipf("SAT fixtures missing: %v", err)
	}
	keyData, err := os.ReadFile(filepath.Join(dir, "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := sat.ParseCertificate(cerData)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyfile.DecryptKey(keyData, []byte("12345678a"))
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// credsOf lists the source and keeps the credentials of token tk.
func credsOf(t testing.TB, src *Source, tk *testToken) []keys.Credential {
	t.Helper()
	creds, warnings, err := src.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(warnings) > 0 {
		t.Fatalf("List warnings: %v", warnings)
	}
	var out []keys.Credential
	for _, c := range creds {
		if c.(*credential).serial == tk.serial {
			out = append(out, c)
		}
	}
	return out
}

func hsmSource() *Source {
	return NewSource(Config{Modules: []string{hsmModule}}, zerolog.Nop())
}

// opensslVerify checks sig over msg with openssl dgst, independently of Go.
func opensslVerify(t *testing.T, pub crypto.PublicKey, h crypto.Hash, msg, sig []byte) {
	t.Helper()
	openssl := needTool(t, "openssl")
	dir := t.TempDir()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pubPath, msgPath, sigPath := filepath.Join(dir, "pub.pem"), filepath.Join(dir, "msg"), filepath.Join(dir, "sig")
	for p, b := range map[string][]byte{
		pubPath: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		msgPath: msg, sigPath: sig,
	} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	alg := map[crypto.Hash]string{crypto.SHA1: "-sha1", crypto.SHA256: "-sha256", crypto.SHA384: "-sha384", crypto.SHA512: "-sha512"}[h]
	out, err := exec.Command(openssl, "dgst", alg, "-verify", pubPath, "-signature", sigPath, msgPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl dgst %s -verify: %v: %s", alg, err, out)
	}
}

// goVerify checks sig with the standard library.
func goVerify(pub crypto.PublicKey, h crypto.Hash, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h, digest, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("ecdsa verification failed")
		}
		return nil
	}
	return fmt.Errorf("key %T", pub)
}

func hashOf(h crypto.Hash, msg []byte) []byte {
	w := h.New()
	w.Write(msg)
	return w.Sum(nil)
}

// TestListAndSign loads the SAT FIEL and generated RSA and EC keys on one
// token, lists them, and signs with each; openssl and Go verify.
func TestListAndSign(t *testing.T) {
	tk := newToken(t)
	satCert, satKey := satFixture(t)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	cases := []struct {
		name   string
		id     []byte
		key    crypto.Signer
		cert   *x509.Certificate
		pubObj bool
		hashes []crypto.Hash
	}{
		{"sat-fiel", []byte{0x5a, 0x01}, satKey, satCert, true, []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}},
		{"rsa-2048", []byte{0x02}, rsaKey, selfSigned(t, rsaKey, "RSA 2048"), true, []crypto.Hash{crypto.SHA256}},
		{"ec-p256", []byte{0x03}, p256, selfSigned(t, p256, "EC P-256"), true, []crypto.Hash{crypto.SHA256}},
		{"ec-p384", []byte{0x04, 0xff}, p384, selfSigned(t, p384, "EC P-384"), true, []crypto.Hash{crypto.SHA384, crypto.SHA256}},
	}
	for _, c := range cases {
		tk.load(t, c.id, c.name, c.key, c.cert, importOpts{publicKey: c.pubObj})
	}
	creds := credsOf(t, hsmSource(), tk)
	if len(creds) != len(cases) {
		t.Fatalf("listed %d credentials, want %d", len(creds), len(cases))
	}
	byCert := map[string]keys.Credential{}
	for _, c := range creds {
		byCert[string(c.Certificate().Raw)] = c
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cred := byCert[string(c.cert.Raw)]
			if cred == nil {
				t.Fatal("certificate not listed")
			}
			if cred.Source() != protocol.SourcePKCS11 {
				t.Errorf("Source = %q", cred.Source())
			}
			if want := credentialID(tk.serial, c.id, c.cert); cred.ID() != want || !strings.HasPrefix(want, "pkcs11:") || len(want) != len("pkcs11:")+32 {
				t.Errorf("ID = %q, want %q", cred.ID(), want)
			}
			var info protocol.CertInfo
			cred.Decorate(&info)
			if !info.Usable || info.Reason != "" || info.TokenLabel != tk.label || info.Slot == nil || *info.Slot != tk.slot || info.Source != protocol.SourcePKCS11 {
				t.Errorf("Decorate: %+v", info)
			}
			wantURI := "pkcs11:token=" + tk.label + ";serial=" + tk.serial + ";id=" + pctAll(c.id) + ";type=cert"
			if info.URI != wantURI {
				t.Errorf("URI = %q, want %q", info.URI, wantURI)
			}
			s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
			if err != nil {
				t.Fatalf("Unlock: %v", err)
			}
			defer release()
			if err := sat.CheckPair(c.cert, s); err != nil {
				t.Errorf("signer public key: %v", err)
			}
			msg := []byte("cadena original ||" + c.name + "||")
			for _, h := range c.hashes {
				digest := hashOf(h, msg)
				sig, err := s.Sign(rand.Reader, digest, h)
				if err != nil {
					t.Fatalf("Sign %v: %v", h, err)
				}
				if err := goVerify(c.cert.PublicKey, h, digest, sig); err != nil {
					t.Fatalf("Go verify %v: %v", h, err)
				}
				opensslVerify(t, c.cert.PublicKey, h, msg, sig)
			}
		})
	}
}

func pctAll(b []byte) string {
	var s string
	for _, c := range b {
		s += fmt.Sprintf("%%%02X", c)
	}
	return s
}

// TestAuthenticateSignature signs protocol.AuthMessage with the SAT FIEL
// and an EC key on the token, as the authenticate command does.
func TestAuthenticateSignature(t *testing.T) {
	tk := newToken(t)
	satCert, satKey := satFixture(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecCert := selfSigned(t, ec, "auth ec")
	tk.load(t, []byte("sat"), "sat", satKey, satCert, importOpts{publicKey: true})
	tk.load(t, []byte("ec"), "ec", ec, ecCert, importOpts{publicKey: true})
	msg := protocol.AuthMessage("https://portal.example.mx", strings.Repeat("Q", 43))
	for _, cred := range credsOf(t, hsmSource(), tk) {
		s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
		if err != nil {
			t.Fatal(err)
		}
		digest := hashOf(crypto.SHA256, msg)
		sig, err := s.Sign(rand.Reader, digest, crypto.SHA256)
		release()
		if err != nil {
			t.Fatal(err)
		}
		if err := goVerify(cred.Certificate().PublicKey, crypto.SHA256, digest, sig); err != nil {
			t.Fatalf("%s: %v", signing.Algorithm(cred.Certificate().PublicKey), err)
		}
		opensslVerify(t, cred.Certificate().PublicKey, crypto.SHA256, msg, sig)
	}
}

// TestCertificateWithoutKey: no key is visible before login, so the
// certificate is listed as usable with the note that the key is checked
// with the PIN; Unlock logs in, finds none and answers ERR_KEY_UNUSABLE.
func TestCertificateWithoutKey(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{9}, "huérfano", k, selfSigned(t, k, "sin llave"), importOpts{noKey: true})
	creds := credsOf(t, hsmSource(), tk)
	if len(creds) != 1 {
		t.Fatalf("listed %d", len(creds))
	}
	var info protocol.CertInfo
	info.Usable = true
	creds[0].Decorate(&info)
	if !info.Usable || info.Reason != i18n.T(i18n.ES, "token.reason.key_after_pin") || !strings.Contains(info.Reason, "PIN") {
		t.Fatalf("Usable=%v Reason=%q", info.Usable, info.Reason)
	}
	_, _, err := creds[0].Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if errCode(err) != protocol.ErrKeyUnusable {
		t.Fatalf("Unlock: %v, want ERR_KEY_UNUSABLE", err)
	}
	// The failed Unlock released the token: a second attempt is not stuck.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := creds[0].Unlock(ctx, []byte(testPIN), keys.UnlockOptions{}); errCode(err) != protocol.ErrKeyUnusable {
		t.Fatalf("second Unlock: %v", err)
	}
}

// TestHiddenKeyWithoutPublicObject (issue 13 §1): SoftHSM2 hides
// CKA_PRIVATE keys before login, so a certificate whose only key is private
// and which has no public key object shows no key before login. It is listed
// as usable, with the note that the key is checked with the PIN, and Unlock
// (after login) finds and uses the key.
func TestHiddenKeyWithoutPublicObject(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSigned(t, k, "oculta")
	tk.load(t, []byte{7}, "oculta", k, cert, importOpts{})
	creds := credsOf(t, hsmSource(), tk)
	var info protocol.CertInfo
	creds[0].Decorate(&info)
	if !info.Usable || info.Reason != i18n.T(i18n.ES, "token.reason.key_after_pin") {
		t.Fatalf("a key hidden until login: Usable=%v Reason=%q, want usable with the PIN note", info.Usable, info.Reason)
	}
	s, release, err := creds[0].Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	d := hashOf(crypto.SHA256, []byte("x"))
	sig, err := s.Sign(nil, d, crypto.SHA256)
	if err != nil || goVerify(cert.PublicKey, crypto.SHA256, d, sig) != nil {
		t.Fatalf("sign: %v", err)
	}
}

// TestWrongPIN: ERR_PIN_INCORRECT with triesLow from the flag SoftHSM2 sets
// after a failure (CKF_USER_PIN_COUNT_LOW); the right PIN clears it.
func TestWrongPIN(t *testing.T) {
	tk := newToken(t)
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	tk.load(t, []byte{1}, "rsa", k, selfSigned(t, k, "pin"), importOpts{publicKey: true})
	cred := credsOf(t, hsmSource(), tk)[0]

	if tk.flags(t)&0x10000 != 0 {
		t.Fatal("count low set before any failure")
	}
	_, _, err := cred.Unlock(context.Background(), []byte("000000"), keys.UnlockOptions{})
	var ce *keys.CodedError
	if !errors.As(err, &ce) || ce.Code != protocol.ErrPINIncorrect {
		t.Fatalf("wrong PIN: %v", err)
	}
	if low, ok := ce.Details["triesLow"].(bool); !ok || !low {
		t.Fatalf("triesLow = %v, want true (SoftHSM2 sets COUNT_LOW after a failure)", ce.Details)
	}
	// An empty PIN is refused without spending a try.
	_, _, err = cred.Unlock(context.Background(), nil, keys.UnlockOptions{})
	if errCode(err) != protocol.ErrPINIncorrect {
		t.Fatalf("empty PIN: %v", err)
	}
	_, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatalf("right PIN after a wrong one: %v", err)
	}
	release()
	if tk.flags(t)&0x10000 != 0 {
		t.Fatal("count low still set after a good login")
	}
	// A wrong PIN with the count not low... SoftHSM always sets it on
	// failure, so the false case is covered by TestLoginErrorMapping.
}

// TestPINLocked: a token that reports CKF_USER_PIN_LOCKED is refused with
// ERR_PIN_LOCKED before any login, even with the right PIN. SoftHSM2 never
// locks a PIN by itself (no retry counter), so the test sets the flag in
// the token's object file; the running module reports it.
func TestPINLocked(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "locked"), importOpts{publicKey: true})
	src := hsmSource()
	cred := credsOf(t, src, tk)[0]
	tk.setTokenFlags(t, 0x40000, 0) // CKF_USER_PIN_LOCKED
	if tk.flags(t)&0x40000 == 0 {
		t.Fatal("SoftHSM2 did not report the patched flag")
	}
	_, _, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{ConfirmFinalTry: true})
	if errCode(err) != protocol.ErrPINLocked {
		t.Fatalf("Unlock: %v, want ERR_PIN_LOCKED", err)
	}
	// Still listed, and doctor says locked.
	if len(credsOf(t, src, tk)) != 1 {
		t.Fatal("locked token's certificate not listed")
	}
	tr := findTokenReport(t, Doctor(context.Background(), []string{hsmModule}), tk)
	if !tr.Flags.PINLocked {
		t.Fatalf("doctor flags: %+v", tr.Flags)
	}
	if lines := strings.Join(Doctor(context.Background(), []string{hsmModule}).Lines(i18n.ES, false), "\n"); !strings.Contains(lines, "PIN bloqueado") {
		t.Fatalf("doctor lines lack the locked PIN:\n%s", lines)
	}
}

// TestFinalTry: with CKF_USER_PIN_FINAL_TRY the attempt is refused unless
// confirmed; confirmed, the right PIN works. The flag is set in the token
// file as in TestPINLocked.
func TestFinalTry(t *testing.T) {
	tk := newToken(t)
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	tk.load(t, []byte{1}, "rsa", k, selfSigned(t, k, "final"), importOpts{publicKey: true})
	cred := credsOf(t, hsmSource(), tk)[0]
	tk.setTokenFlags(t, 0x20000, 0) // CKF_USER_PIN_FINAL_TRY
	_, _, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if errCode(err) != protocol.ErrPINFinalTry {
		t.Fatalf("unconfirmed: %v, want ERR_PIN_FINAL_TRY", err)
	}
	// Confirmed, a wrong PIN reports triesLow (final try implies low).
	tk.setTokenFlags(t, 0x20000, 0)
	_, _, err = cred.Unlock(context.Background(), []byte("999999"), keys.UnlockOptions{ConfirmFinalTry: true})
	var ce *keys.CodedError
	if !errors.As(err, &ce) || ce.Code != protocol.ErrPINIncorrect || ce.Details["triesLow"] != true {
		t.Fatalf("confirmed wrong PIN: %v", err)
	}
	tk.setTokenFlags(t, 0x20000, 0)
	_, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{ConfirmFinalTry: true})
	if err != nil {
		t.Fatalf("confirmed right PIN: %v", err)
	}
	release()
}

// TestAlwaysAuthenticate: a CKA_ALWAYS_AUTHENTICATE key signs several times
// under one Unlock (context-specific login before each signature), and
// SoftHSM2 refuses the signature without that login.
func TestAlwaysAuthenticate(t *testing.T) {
	tk := newToken(t)
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	cert := selfSigned(t, k, "always")
	tk.load(t, []byte{1}, "always", k, cert, importOpts{publicKey: true, alwaysAuth: true})
	cred := credsOf(t, hsmSource(), tk)[0]
	s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	sg := s.(*signer)
	if !sg.alwaysAuth || string(sg.pin) != testPIN {
		t.Fatalf("alwaysAuth=%v, PIN kept=%v", sg.alwaysAuth, sg.pin != nil)
	}
	for i := range 3 {
		d := hashOf(crypto.SHA256, []byte{byte(i)})
		sig, err := s.Sign(nil, d, crypto.SHA256)
		if err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
		if err := goVerify(cert.PublicKey, crypto.SHA256, d, sig); err != nil {
			t.Fatal(err)
		}
	}
	sg.alwaysAuth = false // what a library without the context login does
	if _, err := s.Sign(nil, hashOf(crypto.SHA256, nil), crypto.SHA256); err == nil {
		t.Fatal("SoftHSM2 signed an always-authenticate key without the context-specific login")
	}
	sg.alwaysAuth = true
	release()
	if sg.pin != nil {
		t.Fatal("PIN copy kept after release")
	}
	if _, err := s.Sign(nil, hashOf(crypto.SHA256, nil), crypto.SHA256); !errors.Is(err, ErrReleased) {
		t.Fatalf("Sign after release: %v", err)
	}
}

// TestConcurrentSignatures: many goroutines unlock, sign and release on two
// tokens at once, and share one signer; every signature verifies.
func TestConcurrentSignatures(t *testing.T) {
	src := hsmSource()
	var creds []keys.Credential
	for range 2 {
		tk := newToken(t)
		rk, _ := rsa.GenerateKey(rand.Reader, 2048)
		ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tk.load(t, []byte{1}, "rsa", rk, selfSigned(t, rk, "c-rsa"), importOpts{publicKey: true})
		tk.load(t, []byte{2}, "ec", ek, selfSigned(t, ek, "c-ec"), importOpts{publicKey: true})
		creds = append(creds, credsOf(t, src, tk)...)
	}
	if len(creds) != 4 {
		t.Fatalf("listed %d", len(creds))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			cred := creds[g%len(creds)]
			for i := range 4 {
				s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
				if err != nil {
					errs <- err
					return
				}
				d := hashOf(crypto.SHA256, fmt.Appendf(nil, "%d-%d", g, i))
				sig, err := s.Sign(nil, d, crypto.SHA256)
				release()
				if err == nil {
					err = goVerify(cred.Certificate().PublicKey, crypto.SHA256, d, sig)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// One signer shared by goroutines.
	s, release, err := creds[1].Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg2 sync.WaitGroup
	for g := range 8 {
		wg2.Go(func() {
			d := hashOf(crypto.SHA256, []byte{byte(g)})
			sig, err := s.Sign(nil, d, crypto.SHA256)
			if err == nil {
				err = goVerify(creds[1].Certificate().PublicKey, crypto.SHA256, d, sig)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg2.Wait()
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestUnlockWaitsForContext: while one request holds a token, another
// request for it waits and gives up with its context.
func TestUnlockWaitsForContext(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "wait"), importOpts{publicKey: true})
	cred := credsOf(t, hsmSource(), tk)[0]
	_, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := cred.Unlock(ctx, []byte(testPIN), keys.UnlockOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Unlock while held: %v", err)
	}
	release()
	release() // twice is harmless
	_, release2, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatalf("Unlock after release: %v", err)
	}
	release2()
}

// TestTokenRemoved: the token disappears (its SoftHSM2 directory is
// deleted) while one request holds a signer and before another unlocks:
// both get ERR_TOKEN_NOT_PRESENT, and the next List no longer shows it.
func TestTokenRemoved(t *testing.T) {
	tk := newToken(t)
	other := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "gone"), importOpts{publicKey: true})
	other.load(t, []byte{1}, "ec", k, selfSigned(t, k, "stays"), importOpts{publicKey: true})
	src := hsmSource()
	creds := credsOf(t, src, tk)
	if len(creds) != 1 {
		t.Fatalf("listed %d", len(creds))
	}
	s, release, err := creds[0].Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(tk.dir(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(nil, hashOf(crypto.SHA256, nil), crypto.SHA256); errCode(err) != protocol.ErrTokenNotPresent {
		t.Fatalf("Sign after removal: %v, want ERR_TOKEN_NOT_PRESENT", err)
	}
	release()
	_, _, err = creds[0].Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if errCode(err) != protocol.ErrTokenNotPresent {
		t.Fatalf("Unlock after removal: %v, want ERR_TOKEN_NOT_PRESENT", err)
	}
	if n := len(credsOf(t, src, tk)); n != 0 {
		t.Fatalf("removed token still listed (%d)", n)
	}
	if n := len(credsOf(t, src, other)); n != 1 {
		t.Fatalf("other token lost (%d)", n)
	}
}

// TestModuleProblems: a missing path is skipped silently, a file that is
// not a PKCS#11 library becomes a warning, and the good module next to
// them still lists its tokens.
func TestModuleProblems(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "ok"), importOpts{publicKey: true})

	dir := t.TempDir()
	garbage := filepath.Join(dir, "libgarbage.so")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not an ELF "), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "libnothere.so")
	modules := []string{missing, garbage, "/bin/true", hsmModule}
	src := NewSource(Config{Modules: modules}, zerolog.Nop())
	creds, warnings, err := src.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "libgarbage.so") || !strings.Contains(warnings[1], "true") {
		t.Fatalf("warnings = %q", warnings)
	}
	found := false
	for _, c := range creds {
		found = found || c.(*credential).serial == tk.serial
	}
	if !found {
		t.Fatal("good module's token not listed next to broken modules")
	}
	if _, err := loadModule(context.Background(), garbage); !errors.Is(err, ErrNotPKCS11) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := loadModule(context.Background(), missing); !errors.Is(err, ErrModuleMissing) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := loadModule(context.Background(), dir); !errors.Is(err, ErrNotPKCS11) {
		t.Fatalf("directory: %v", err)
	}

	rep := Doctor(context.Background(), modules)
	states := []string{}
	for _, m := range rep.Modules {
		states = append(states, m.State)
	}
	if strings.Join(states, ",") != "missing,broken,broken,loaded" {
		t.Fatalf("doctor states = %v", states)
	}
	if rep.Modules[1].Error == "" || !strings.Contains(rep.Modules[1].Error, "not a PKCS#11 library") {
		t.Fatalf("doctor error = %q", rep.Modules[1].Error)
	}
	lines := strings.Join(rep.Lines(i18n.ES, true), "\n")
	for _, want := range []string{"libnothere.so: no instalado", "libgarbage.so: no se pudo cargar", "cargado (", tk.label} {
		if !strings.Contains(lines, want) {
			t.Errorf("doctor lines lack %q:\n%s", want, lines)
		}
	}
	if strings.Contains(strings.Join(rep.Lines(i18n.ES, false), "\n"), "libnothere.so") {
		t.Error("missing module shown without verbose")
	}
}

// TestModuleLoadedOnce: two names of one library (a symlink) are one
// module, whose tokens are listed once.
func TestModuleLoadedOnce(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "once"), importOpts{publicKey: true})
	link := filepath.Join(t.TempDir(), "softhsm-link.so")
	if err := os.Symlink(hsmModule, link); err != nil {
		t.Fatal(err)
	}
	a, err := loadModule(context.Background(), hsmModule)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadModule(context.Background(), link)
	if err != nil || a != b {
		t.Fatalf("symlink loaded as another module: %v", err)
	}
	src := NewSource(Config{Modules: []string{hsmModule, link}}, zerolog.Nop())
	if n := len(credsOf(t, src, tk)); n != 1 {
		t.Fatalf("listed %d times", n)
	}
}

// TestEmptyToken: an initialised token without objects lists nothing and
// the doctor says it is empty.
func TestEmptyToken(t *testing.T) {
	tk := newToken(t)
	if n := len(credsOf(t, hsmSource(), tk)); n != 0 {
		t.Fatalf("empty token listed %d", n)
	}
	rep := Doctor(context.Background(), []string{hsmModule})
	tr := findTokenReport(t, rep, tk)
	if len(tr.Certificates) != 0 || !tr.Flags.Initialized || tr.Flags.PINLocked || !tr.Flags.LoginRequired {
		t.Fatalf("doctor token: %+v", tr)
	}
	lines := strings.Join(rep.Lines(i18n.ES, false), "\n")
	want := i18n.T(i18n.ES, "token.doctor.token", tk.label, tk.serial, tk.slot, "PIN sin problemas") + "\n" + i18n.T(i18n.ES, "token.doctor.empty")
	if !strings.Contains(lines, want) {
		t.Fatalf("doctor lines lack\n%s\nin\n%s", want, lines)
	}
}

// TestDoctorCertificates: the doctor shows each certificate with its SAT
// facts and whether its key is there, and its credential id matches List.
func TestDoctorCertificates(t *testing.T) {
	tk := newToken(t)
	satCert, satKey := satFixture(t)
	tk.load(t, []byte{1}, "FIEL", satKey, satCert, importOpts{publicKey: true})
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{2}, "sola", k, selfSigned(t, k, "Solo certificado"), importOpts{noKey: true})
	tr := findTokenReport(t, Doctor(context.Background(), []string{hsmModule}), tk)
	if len(tr.Certificates) != 2 {
		t.Fatalf("certificates: %+v", tr.Certificates)
	}
	ids := map[string]bool{}
	for _, c := range credsOf(t, hsmSource(), tk) {
		ids[c.ID()] = true
	}
	for _, c := range tr.Certificates {
		if !ids[c.CredentialID] {
			t.Errorf("doctor id %s not listed", c.CredentialID)
		}
		switch c.Label {
		case "FIEL":
			if !c.HasKey || c.RFC != sat.FactsOf(satCert).RFC || c.RFC == "" || c.ID != "01" {
				t.Errorf("FIEL: %+v", c)
			}
		case "sola":
			if c.HasKey || c.Subject != "Solo certificado" {
				t.Errorf("sola: %+v", c)
			}
		default:
			t.Errorf("label %q", c.Label)
		}
	}
	lines := strings.Join(Doctor(context.Background(), []string{hsmModule}).Lines(i18n.EN, false), "\n")
	// No key visible before login: "not checked until the PIN is entered",
	// never "without private key" (doctor does not log in).
	if !strings.Contains(lines, "Certificate “sola” (Solo certificado)") || !strings.Contains(lines, "private key not checked until the PIN is entered") || strings.Contains(lines, "without private key") {
		t.Fatalf("English lines:\n%s", lines)
	}
}

func findTokenReport(t *testing.T, r Report, tk *testToken) TokenReport {
	t.Helper()
	for _, m := range r.Modules {
		for _, tr := range m.Tokens {
			if tr.Serial == tk.serial {
				return tr
			}
		}
	}
	t.Fatalf("token %s not in doctor report %+v", tk.serial, r)
	return TokenReport{}
}

// TestSignerRefusals: hashes and options the token signer does not do.
func TestSignerRefusals(t *testing.T) {
	tk := newToken(t)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "rsa", rk, selfSigned(t, rk, "r"), importOpts{publicKey: true})
	tk.load(t, []byte{2}, "ec", ek, selfSigned(t, ek, "e"), importOpts{publicKey: true})
	for _, cred := range credsOf(t, hsmSource(), tk) {
		s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d := hashOf(crypto.SHA256, nil)
		bad := []struct {
			digest []byte
			opts   crypto.SignerOpts
		}{
			{d, crypto.Hash(0)},
			{d[:20], crypto.SHA256},
			{d, crypto.SHA384},
		}
		if _, ok := s.Public().(*rsa.PublicKey); ok {
			bad = append(bad, struct {
				digest []byte
				opts   crypto.SignerOpts
			}{d, &rsa.PSSOptions{Hash: crypto.SHA256}}, struct {
				digest []byte
				opts   crypto.SignerOpts
			}{hashOf(crypto.SHA1, nil), crypto.SHA1})
		}
		for _, b := range bad {
			if _, err := s.Sign(nil, b.digest, b.opts); !errors.Is(err, ErrUnsupportedHash) {
				t.Errorf("%T %v: %v", s.Public(), b.opts, err)
			}
		}
		// The session is still good after the refusals.
		if _, err := s.Sign(nil, d, crypto.SHA256); err != nil {
			t.Errorf("sign after refusals: %v", err)
		}
		release()
	}
}

// TestProtectedAuthenticationPath: for a PIN-pad token the login carries no
// PIN (NULL). SoftHSM2 has no PIN pad, so the test sets the flag in the
// token file and checks that the empty PIN is not refused by the host but
// reaches C_Login as NULL, which SoftHSM2 answers with CKR_ARGUMENTS_BAD.
func TestProtectedAuthenticationPath(t *testing.T) {
	tk := newToken(t)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tk.load(t, []byte{1}, "ec", k, selfSigned(t, k, "pinpad"), importOpts{publicKey: true})
	cred := credsOf(t, hsmSource(), tk)[0]
	tk.setTokenFlags(t, 0x100, 0) // CKF_PROTECTED_AUTHENTICATION_PATH
	_, _, err := cred.Unlock(context.Background(), nil, keys.UnlockOptions{})
	if !errors.Is(err, pkcs11.Error(pkcs11.CKR_ARGUMENTS_BAD)) {
		t.Fatalf("PIN-pad login: %v, want C_Login called with a NULL PIN", err)
	}
	tk.setTokenFlags(t, 0, 0x100)
	if _, _, err := cred.Unlock(context.Background(), nil, keys.UnlockOptions{}); errCode(err) != protocol.ErrPINIncorrect {
		t.Fatalf("empty PIN without a PIN pad: %v", err)
	}
	tr := findTokenReport(t, Doctor(context.Background(), []string{hsmModule}), tk)
	if tr.Flags.ProtectedPath {
		t.Fatal("flag still reported after clearing")
	}
}
