package keyfile

import (
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
	type alg struct {
		Algorithm asn1.ObjectIdentifier
		Params    asn1.RawValue `asn1:"optional"`
	}
	inner, _ := asn1.Marshal([]byte{0x30, 0x00})
	pfx, err := asn1.Marshal(struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"explicit,tag:0"`
		}
		MacData struct {
			Mac struct {
				Algorithm alg
				Digest    []byte
			}
			Salt       []byte
			Iterations int
		}
	}{Version: 3, AuthSafe: struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}{oidData, asn1.RawValue{FullBytes: inner}}, MacData: struct {
		Mac struct {
			Algorithm alg
			Digest    []byte
		}
		Salt       []byte
		Iterations int
	}{Mac: struct {
		Algorithm alg
		Digest    []byte
	}{alg{Algorithm: oidSHA1}, make([]byte, 20)}, Salt: []byte{1, 2, 3, 4, 5, 6, 7, 8}, Iterations: 1<<31 - 1}})
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
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl missing (CI=true)")
		}
		t.Skip("openssl missing")
	}
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
