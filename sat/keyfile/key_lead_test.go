package keyfile_test

import (
	"errors"
	"github.com/efirma/conector/internal/testenv"
	"os"
	"strings"
	"testing"

	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

// rewrite re-encodes a SAT key after changing its IV or its ciphertext.
func rewrite(t *testing.T, der []byte, mod func(iv *[]byte, data *[]byte)) []byte {
	t.Helper()
	return rewriteKey(t, der, func(k *pbes2Key) { mod(&k.Algo.Params.Enc.IV, &k.Data) })
}

// TestMalformedCiphertextIsNotAKey: inputs that make the CBC decryptor
// panic (partial blocks, a wrong IV length) are refused from the structure.
func TestMalformedCiphertextIsNotAKey(t *testing.T) {
	orig, err := os.ReadFile(testenv.CredPath(t, "fiel-fisica", "private_key.key"))
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
