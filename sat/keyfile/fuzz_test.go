package keyfile_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os/exec"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

func FuzzDecryptKey(f *testing.F) {
	for _, b := range testenv.SeedFiles(f, true, "private_key.key", "private_key_protected.key.pem", "private_key_plain.key") {
		f.Add(b, []byte(password))
		f.Add(b, []byte("wrong"))
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: b}), []byte(password))
		// A password over the limit must be ErrPasswordTooLong, one of the
		// sentinels (the input that found it was a real key with such a
		// password; it is made here rather than kept as a corpus file, so no
		// SAT fixture is copied into the repository).
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: b}), bytes.Repeat([]byte{0xb5}, protocol.MaxPasswordBytes+1))
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, pw []byte) {
		k, err := keyfile.DecryptKey(data, pw)
		if err != nil {
			if !isKeyError(err) {
				t.Fatalf("error %v is not one of the sentinels", err)
			}
			if k != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if k == nil || k.Public() == nil {
			t.Fatal("nil key without an error")
		}
	})
}

// FuzzDecodePFX: PKCS#12 files from the test vectors (made here from the
// generated credentials by our encoder and, when openssl is here, in its
// legacy forms, plus the SAT fixtures' .pfx when present) never panic the parser, and every failure is
// one of its sentinels.
func FuzzDecodePFX(f *testing.F) {
	for _, dir := range []string{"fiel-fisica", "fiel-moral", "csd-moral"} {
		cer, err := sat.ParseCertificate(testenv.ReadFile(f, testenv.CredPath(f, dir, "certificate.cer")))
		if err != nil {
			f.Fatal(err)
		}
		key, err := keyfile.DecryptKey(testenv.ReadFile(f, testenv.CredPath(f, dir, "private_key.key")), []byte(password))
		if err != nil {
			f.Fatal(err)
		}
		pfx, err := keyfile.EncodePFXWithIterations(key, cer, []byte(password), 2)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pfx, []byte(password))
		f.Add(pfx, []byte("wrong"))
		// The legacy forms (RC2-40, 3DES, SHA-1 MAC) and an empty password,
		// written by openssl when it is here.
		// (2 iterations, so that the fuzzer stays fast).
		if _, err := exec.LookPath("openssl"); err == nil {
			cred := &testenv.Credential{Cert: cer, Key: key}
			for _, args := range [][]string{{"-legacy"}, {"-keypbe", "PBE-SHA1-3DES", "-certpbe", "NONE", "-macalg", "sha1"}, {"-passout", "pass:"}} {
				pfx := cred.PFX(f, password, append([]string{"-iter", "2"}, args...)...)
				f.Add(pfx, []byte(password))
				f.Add(pfx, []byte{})
			}
		}
	}
	for _, b := range testenv.SeedFiles(f, false, ".pfx") {
		f.Add(b, []byte(password))
		f.Add(b, []byte{})
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, data, pw []byte) {
		k, c, err := keyfile.DecodePFX(data, pw)
		if err != nil {
			if !errors.Is(err, sat.ErrBadPFX) && !isKeyError(err) && !errors.Is(err, sat.ErrKeyMismatch) {
				t.Fatalf("error %v is not one of the sentinels", err)
			}
			if k != nil || c != nil {
				t.Fatal("key or certificate returned with an error")
			}
			return
		}
		if k == nil || c == nil || sat.CheckPair(c, k) != nil {
			t.Fatal("a decoded .pfx must hold a matching key and certificate")
		}
	})
}
