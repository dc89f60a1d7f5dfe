//go:build cgo

package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/host/keys"
)

// benchCred loads key on a fresh token and returns its credential.
func benchCred(b *testing.B, key crypto.Signer) (*testToken, keys.Credential) {
	b.Helper()
	tk := newToken(b)
	tk.load(b, []byte{1}, "bench", key, selfSigned(b, key, "bench"), importOpts{publicKey: true})
	creds := credsOf(b, hsmSource(), tk)
	if len(creds) != 1 {
		b.Fatalf("listed %d", len(creds))
	}
	return tk, creds[0]
}

// benchSign measures one signature per op through the token signer (the
// path the host takes once unlocked).
func benchSign(b *testing.B, key crypto.Signer) {
	_, cred := benchCred(b, key)
	s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer release()
	d := hashOf(crypto.SHA256, []byte("bench"))
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Sign(nil, d, crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenSignRSA2048(b *testing.B) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	benchSign(b, k)
}

func BenchmarkTokenSignECP256(b *testing.B) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	benchSign(b, k)
}

// BenchmarkTokenUnlockSignRSA2048 is one whole request: find the token,
// take the lock, open a session, log in, find the key, sign, log out.
func BenchmarkTokenUnlockSignRSA2048(b *testing.B) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, cred := benchCred(b, k)
	d := hashOf(crypto.SHA256, []byte("bench"))
	b.ResetTimer()
	for b.Loop() {
		s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.Sign(nil, d, crypto.SHA256)
		release()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectSignRSA2048 drives SoftHSM2 directly (C_SignInit and
// C_Sign with CKM_SHA256_RSA_PKCS in a loop), the baseline for the token
// signer's overhead.
func BenchmarkDirectSignRSA2048(b *testing.B) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	tk, _ := benchCred(b, k)
	ctx := tk.m.ctx
	sh := tk.session(b)
	defer ctx.CloseSession(sh)
	if err := ctx.Login(sh, pkcs11.CKU_USER, testPIN); err != nil {
		b.Fatal(err)
	}
	defer ctx.Logout(sh)
	hs, err := tk.m.find(sh, 1, pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY), pkcs11.NewAttribute(pkcs11.CKA_ID, []byte{1}))
	if err != nil || len(hs) != 1 {
		b.Fatalf("key: %v", err)
	}
	msg := []byte("bench")
	b.ResetTimer()
	for b.Loop() {
		if err := ctx.SignInit(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_SHA256_RSA_PKCS, nil)}, hs[0]); err != nil {
			b.Fatal(err)
		}
		if _, err := ctx.Sign(sh, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModuleLoad is the cost of loading a module at host start: each
// op dlopens a fresh copy of libsofthsm2.so (a new file, so a new library
// instance) and runs C_Initialize, then finalizes and unloads it.
func BenchmarkModuleLoad(b *testing.B) {
	needHSM(b)
	src, err := os.Open(hsmModule)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dir := b.TempDir()
	copyPath := filepath.Join(dir, "libsofthsm2-copy.so")
	dst, err := os.Create(copyPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	dst.Close()
	b.ResetTimer()
	for b.Loop() {
		m, err := openModule(copyPath)
		if err != nil {
			b.Fatal(err)
		}
		_ = m.ctx.Finalize()
		m.ctx.Destroy()
	}
}
