//go:build cgo

package token

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"testing"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// TestSATLoginOnToken: a FIEL on a token signs SAT's e.firma login (SHA-1,
// asked for with signing.SATLoginSHA1), checked by Go and openssl; plain
// crypto.SHA1 stays refused, so nothing else gets SHA-1 from a token.
func TestSATLoginOnToken(t *testing.T) {
	tk := newToken(t)
	cert, key := satFixture(t)
	tk.load(t, []byte{0x5a}, "sat-fiel", key, cert, importOpts{publicKey: true})
	cred := credsOf(t, hsmSource(), tk)[0]
	s, release, err := cred.Unlock(context.Background(), []byte(testPIN), keys.UnlockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	const guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
	f := sat.FactsOf(cert)
	sc := signing.SATCertificate{Cert: cert, RFC: f.RFC, Numero: f.Serial}
	l, err := signing.SignSATLogin(s, sc, guid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.VerifySATLogin(l.Token, l.Fert, func(string) *signing.SATCertificate { return &sc }); err != nil {
		t.Fatal(err)
	}
	text, sig, err := signing.DecodeSATToken(l.Token)
	if err != nil {
		t.Fatal(err)
	}
	opensslVerify(t, cert.PublicKey, crypto.SHA1, []byte(text), sig)
	h := sha1.Sum([]byte(text))
	if _, err := s.Sign(rand.Reader, h[:], crypto.SHA1); !errors.Is(err, ErrUnsupportedHash) {
		t.Fatalf("plain SHA-1: %v, want ErrUnsupportedHash", err)
	}
}
