//go:build cgo

package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// TestPINDecision is the decision on the flags read before a login, for
// every combination SoftHSM2 cannot produce by itself.
func TestPINDecision(t *testing.T) {
	const (
		low    = pkcs11.CKF_USER_PIN_COUNT_LOW
		final  = pkcs11.CKF_USER_PIN_FINAL_TRY
		locked = pkcs11.CKF_USER_PIN_LOCKED
	)
	cases := []struct {
		flags   uint
		confirm bool
		want    protocol.Code
	}{
		{0, false, ""},
		{low, false, ""},
		{final, false, protocol.ErrPINFinalTry},
		{final | low, false, protocol.ErrPINFinalTry},
		{final, true, ""},
		{locked, false, protocol.ErrPINLocked},
		{locked, true, protocol.ErrPINLocked},
		{locked | final, true, protocol.ErrPINLocked},
		{pkcs11.CKF_LOGIN_REQUIRED | pkcs11.CKF_TOKEN_INITIALIZED, false, ""},
	}
	for _, c := range cases {
		if got := errCode(pinDecision(c.flags, c.confirm)); got != c.want {
			t.Errorf("flags %#x confirm %v: %q, want %q", c.flags, c.confirm, got, c.want)
		}
	}
}

// TestLoginErrorMapping maps each C_Login failure and the flags after it.
func TestLoginErrorMapping(t *testing.T) {
	cases := []struct {
		rv      uint
		after   uint
		want    protocol.Code
		triesLo any
	}{
		{pkcs11.CKR_PIN_INCORRECT, 0, protocol.ErrPINIncorrect, false},
		{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKF_USER_PIN_COUNT_LOW, protocol.ErrPINIncorrect, true},
		{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKF_USER_PIN_FINAL_TRY, protocol.ErrPINIncorrect, true},
		{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKF_USER_PIN_LOCKED, protocol.ErrPINLocked, nil},
		{pkcs11.CKR_PIN_LEN_RANGE, 0, protocol.ErrPINIncorrect, false},
		{pkcs11.CKR_PIN_LOCKED, 0, protocol.ErrPINLocked, nil},
		{pkcs11.CKR_TOKEN_NOT_PRESENT, 0, protocol.ErrTokenNotPresent, nil},
		{pkcs11.CKR_DEVICE_REMOVED, 0, protocol.ErrTokenNotPresent, nil},
		{pkcs11.CKR_SESSION_HANDLE_INVALID, 0, protocol.ErrTokenNotPresent, nil},
		{pkcs11.CKR_SLOT_ID_INVALID, 0, protocol.ErrTokenNotPresent, nil},
		{pkcs11.CKR_GENERAL_ERROR, 0, "", nil},
	}
	for _, c := range cases {
		err := loginError(pkcs11.Error(c.rv), c.after)
		if got := errCode(err); got != c.want {
			t.Errorf("%v after %#x: %q, want %q", pkcs11.Error(c.rv), c.after, got, c.want)
			continue
		}
		var ce *keys.CodedError
		if errors.As(err, &ce) && ce.Details["triesLow"] != c.triesLo {
			t.Errorf("%v after %#x: triesLow %v, want %v", pkcs11.Error(c.rv), c.after, ce.Details["triesLow"], c.triesLo)
		}
		if !errors.Is(err, pkcs11.Error(c.rv)) {
			t.Errorf("%v: the PKCS#11 error is not wrapped", pkcs11.Error(c.rv))
		}
	}
}

func TestECDSADER(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		k, _ := ecdsa.GenerateKey(curve, rand.Reader)
		d := sha256.Sum256([]byte("m"))
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			t.Fatal(err)
		}
		n := (curve.Params().BitSize + 7) / 8
		raw := append(r.FillBytes(make([]byte, n)), s.FillBytes(make([]byte, n))...)
		der, err := ecdsaDER(raw, curve)
		if err != nil {
			t.Fatal(err)
		}
		if !ecdsa.VerifyASN1(&k.PublicKey, d[:], der) {
			t.Fatalf("%s: converted signature does not verify", curve.Params().Name)
		}
		var back struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &back); err != nil || back.R.Cmp(r) != 0 || back.S.Cmp(s) != 0 {
			t.Fatalf("round trip: %v", err)
		}
		// Wrong lengths, zero and out-of-range values are refused.
		order := curve.Params().N.FillBytes(make([]byte, n))
		for _, bad := range [][]byte{nil, raw[:len(raw)-1], append(raw, 0), make([]byte, 2*n), append(append([]byte{}, order...), raw[n:]...)} {
			if _, err := ecdsaDER(bad, curve); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: %d bytes accepted: %v", curve.Params().Name, len(bad), err)
			}
		}
	}
}

func FuzzECDSADER(f *testing.F) {
	f.Add(make([]byte, 64))
	f.Add([]byte{1})
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	r, s, _ := ecdsa.Sign(rand.Reader, k, make([]byte, 32))
	f.Add(append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
			der, err := ecdsaDER(raw, c)
			if err != nil {
				continue
			}
			var v struct{ R, S *big.Int }
			rest, err := asn1.Unmarshal(der, &v)
			if err != nil || len(rest) != 0 || v.R.Sign() <= 0 || v.S.Sign() <= 0 {
				t.Fatalf("bad DER from %x: %v", raw, err)
			}
			n := len(raw) / 2
			if v.R.Cmp(new(big.Int).SetBytes(raw[:n])) != 0 || v.S.Cmp(new(big.Int).SetBytes(raw[n:])) != 0 {
				t.Fatalf("values changed for %x", raw)
			}
		}
	})
}

func TestURI(t *testing.T) {
	cases := []struct {
		label, serial string
		id            []byte
		want          string
	}{
		{"eToken", "0a1b", []byte{0x01, 0xab}, "pkcs11:token=eToken;serial=0a1b;id=%01%AB;type=cert"},
		{"Mi firma; SAT/2025", "", nil, "pkcs11:token=Mi%20firma%3B%20SAT%2F2025;type=cert"},
		{"Peña", "1", []byte("a"), "pkcs11:token=Pe%C3%B1a;serial=1;id=%61;type=cert"},
	}
	for _, c := range cases {
		if got := URI(c.label, c.serial, c.id); got != c.want {
			t.Errorf("URI(%q) = %q, want %q", c.label, got, c.want)
		}
	}
}

func TestCredentialIDStable(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := selfSigned(t, k, "id")
	a := credentialID("serial", []byte{1}, c)
	if a != credentialID("serial", []byte{1}, c) {
		t.Fatal("not deterministic")
	}
	for _, other := range []string{credentialID("serial2", []byte{1}, c), credentialID("serial", []byte{2}, c), credentialID("serial", []byte{1}, selfSigned(t, k, "id2"))} {
		if other == a {
			t.Fatal("different inputs give one id")
		}
	}
	// The separator keeps serial and CKA_ID apart.
	if credentialID("ab", []byte("c"), c) == credentialID("a", []byte("bc"), c) {
		t.Fatal("serial and CKA_ID run together")
	}
}

func TestModulesFromEnv(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.so"), filepath.Join(dir, "b.so"), filepath.Join(dir, "c.so")
	t.Setenv(EnvModules, b+string(os.PathListSeparator)+string(os.PathListSeparator)+a+string(os.PathListSeparator)+c+"/")
	got := ModulesFromEnv([]string{a, "", a})
	defaults := DefaultModules()
	want := append([]string{a, b, c}, defaults...)
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if len(defaults) == 0 {
		t.Fatal("no default modules for this OS")
	}
	for _, d := range defaults {
		if !filepath.IsAbs(d) {
			t.Errorf("default %q is not absolute", d)
		}
	}
	t.Setenv(EnvModules, "")
	if got := ModulesFromEnv(nil); !slices.Equal(got, defaults) {
		t.Fatalf("no config: %q", got)
	}
}

func TestBytesToUint(t *testing.T) {
	if got := bytesToUint(pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC).Value); got != pkcs11.CKK_EC {
		t.Fatalf("CKK_EC read as %#x", got)
	}
	if got := bytesToUint([]byte{1, 2, 3}); got != ^uint(0) {
		t.Fatalf("3 bytes read as %#x", got)
	}
}
