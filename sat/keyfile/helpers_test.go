package keyfile_test

import (
	"encoding/asn1"
	"testing"

	"github.com/efirma/conector/internal/testenv"
)

// The shared file helpers (ReadFile, CredPath, GenCert, SATDir, SeedFiles)
// live in internal/testenv, used by package sat's tests too.

const password = testenv.Password

// pbes2Key is a SAT .key (EncryptedPrivateKeyInfo, PBES2 with PBKDF2 and a
// CBC cipher) laid out to its fields, for tests that edit one of them.
type pbes2Key struct {
	Algo struct {
		Algorithm asn1.ObjectIdentifier
		Params    struct {
			KDF struct {
				Algorithm asn1.ObjectIdentifier
				Params    struct {
					Salt []byte
					Iter int
				}
			}
			Enc struct {
				Algorithm asn1.ObjectIdentifier
				IV        []byte
			}
		}
	}
	Data []byte
}

// rewriteKey re-encodes a SAT key after mod changed its fields.
func rewriteKey(t *testing.T, der []byte, mod func(*pbes2Key)) []byte {
	t.Helper()
	var k pbes2Key
	if _, err := asn1.Unmarshal(der, &k); err != nil {
		t.Fatal(err)
	}
	mod(&k)
	out, err := asn1.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
