package signing_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

func keys(t *testing.T) map[string]crypto.Signer {
	t.Helper()
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	return map[string]crypto.Signer{protocol.AlgRS256: r, protocol.AlgES256: p256, protocol.AlgES384: p384}
}

// TestSignVerify signs with every supported key and verifies with the
// same package, then with the standard library directly for ECDSA r||s.
func TestSignVerify(t *testing.T) {
	msg := []byte("documento")
	for alg, k := range keys(t) {
		if got := signing.Algorithm(k.Public()); got != alg {
			t.Fatalf("Algorithm = %q, want %q", got, alg)
		}
		sig, err := signing.Sign(k, alg, msg)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if err := signing.Verify(k.Public(), alg, msg, sig); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if err := signing.Verify(k.Public(), alg, []byte("otro"), sig); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%s: other message: %v", alg, err)
		}
		bad := bytes.Clone(sig)
		bad[len(bad)-1] ^= 1
		if err := signing.Verify(k.Public(), alg, msg, bad); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%s: flipped bit: %v", alg, err)
		}
		if err := signing.Verify(k.Public(), alg, msg, sig[:len(sig)-1]); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%s: short signature: %v", alg, err)
		}
		if k, ok := k.(*ecdsa.PrivateKey); ok {
			size := (k.Curve.Params().BitSize + 7) / 8
			if len(sig) != 2*size {
				t.Fatalf("%s: r||s is %d bytes", alg, len(sig))
			}
		}
	}
}

func TestAlgorithmMustMatchKey(t *testing.T) {
	ks := keys(t)
	sig, _ := signing.Sign(ks[protocol.AlgES256], protocol.AlgES256, []byte("x"))
	for _, alg := range []string{protocol.AlgRS256, protocol.AlgES384, "none", ""} {
		if err := signing.Verify(ks[protocol.AlgES256].Public(), alg, []byte("x"), sig); !errors.Is(err, signing.ErrAlgorithm) {
			t.Errorf("%q over a P-256 key: %v", alg, err)
		}
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	if signing.Algorithm(ed.Public()) != "" {
		t.Fatal("ed25519 is not a protocol algorithm")
	}
	if _, err := signing.Sign(ed, "", []byte("x")); !errors.Is(err, signing.ErrUnsupportedKey) {
		t.Fatalf("Sign with ed25519: %v", err)
	}
	if err := signing.Verify(ed.Public(), protocol.AlgRS256, []byte("x"), []byte("y")); !errors.Is(err, signing.ErrAlgorithm) {
		t.Fatalf("Verify with ed25519: %v", err)
	}
}

// TestAuthMessageIsTheProtocols: the login message is byte for byte the
// one docs/PROTOCOL.md describes.
func TestAuthMessageIsTheProtocols(t *testing.T) {
	origin, challenge := "https://www.sat.gob.mx", "dGhpcyBpcyBhIHRlc3QgY2hhbGxlbmdlIG9mIDMyIGJ5dGVz"
	o, c := sha256.Sum256([]byte(origin)), sha256.Sum256([]byte(challenge))
	want := append(append(append([]byte("efirma-auth:1"), 0), o[:]...), c[:]...)
	if got := signing.AuthMessage(origin, challenge); !bytes.Equal(got, want) {
		t.Fatalf("AuthMessage = %s", hex.EncodeToString(got))
	}
	k := keys(t)[protocol.AlgES384]
	alg, sig, err := signing.SignAuth(k, origin, challenge)
	if err != nil || alg != protocol.AlgES384 {
		t.Fatal(alg, err)
	}
	if err := signing.Verify(k.Public(), alg, want, sig); err != nil {
		t.Fatal(err)
	}
}

func TestECDSAToRaw(t *testing.T) {
	// SEQUENCE { INTEGER 1, INTEGER 2 } → 32-byte r, 32-byte s.
	raw, err := signing.ECDSAToRaw([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 32)
	if err != nil || len(raw) != 64 || raw[31] != 1 || raw[63] != 2 {
		t.Fatalf("%x %v", raw, err)
	}
	if _, err := signing.ECDSAToRaw([]byte{0x30, 0x00}, 32); err == nil {
		t.Fatal("empty sequence accepted")
	}
	big := append([]byte{0x30, 0x26, 0x02, 0x21, 0x01}, make([]byte, 32)...)
	big = append(big, 0x02, 0x01, 0x01)
	if _, err := signing.ECDSAToRaw(big, 32); err == nil {
		t.Fatal("r larger than the curve accepted")
	}
}
