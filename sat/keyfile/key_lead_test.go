package keyfile_test

import (
	"encoding/asn1"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

// rewrite re-encodes a SAT key after changing its IV or its ciphertext.
func rewrite(t *testing.T, der []byte, mod func(iv *[]byte, data *[]byte)) []byte {
	t.Helper()
	var epki struct {
		Algo struct {
			Algorithm asn1.ObjectIdentifier
			Params    struct {
				KDF asn1.RawValue
				Enc struct {
					Algorithm asn1.ObjectIdentifier
					IV        []byte
				}
			}
		}
		Data []byte
	}
	if _, err := asn1.Unmarshal(der, &epki); err != nil {
		t.Fatal(err)
	}
	mod(&epki.Algo.Params.Enc.IV, &epki.Data)
	out, err := asn1.Marshal(epki)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMalformedCiphertextIsNotAKey: inputs that make the CBC decryptor
// panic (partial blocks, a wrong IV length) are refused from the structure.
func TestMalformedCiphertextIsNotAKey(t *testing.T) {
	orig, err := os.ReadFile(credPath("fiel-fisica", "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(iv, data *[]byte){
		"partial block": func(iv, data *[]byte) { *data = (*data)[:len(*data)-3] },
		"short IV":      func(iv, data *[]byte) { *iv = (*iv)[:4] },
		"long IV":       func(iv, data *[]byte) { *iv = append(*iv, 1, 2, 3) },
		"no data":       func(iv, data *[]byte) { *data = nil },
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := keyfile.DecryptKey(rewrite(t, orig, mod), []byte("12345678a")); !errors.Is(err, sat.ErrNotAKey) {
				t.Fatalf("err = %v, want ErrNotAKey", err)
			}
		})
	}
	if _, err := keyfile.DecryptKey(orig, []byte(strings.Repeat("x", 300))); !errors.Is(err, sat.ErrPasswordTooLong) {
		t.Fatalf("overlong password: %v", err)
	}
}
