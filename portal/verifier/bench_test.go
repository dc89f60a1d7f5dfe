package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/portal/verifier/redisstore"
)

// FuzzToken feeds arbitrary bytes through ParseToken and VerifyToken: no
// panic, every refusal is one of the package's errors, and nothing but the
// genuine token verifies.
func FuzzToken(f *testing.F) {
	fiel := testenv.SAT(f, "eku9003173c9-fiel")
	v, _ := newSATVerifier(f, nil)
	ch := strings.Repeat("Q", 43)
	good, err := json.Marshal(mustToken(f, fiel, origin, ch))
	if err != nil {
		f.Fatal(err)
	}
	csd, _ := json.Marshal(mustToken(f, testenv.SAT(f, "eku9003173c9-csd"), origin, ch))
	f.Add(good)
	f.Add(csd)
	f.Add([]byte(`{"format":"efirma-auth:1","certificate":"","algorithm":"ES256","signature":"AAAA"}`))
	f.Add([]byte(`{"format":"efirma-auth:1","certificate":"MIIB","algorithm":"RS256","signature":"=="}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := verifier.ParseToken(data)
		if err != nil {
			if !errors.Is(err, verifier.ErrTokenFormat) {
				t.Fatalf("ParseToken error %v is not ErrTokenFormat", err)
			}
			return
		}
		res, err := v.VerifyToken(context.Background(), ch, tok)
		if err != nil {
			if verifier.CodeOf(err) == "internal" {
				t.Fatalf("refusal without a code: %v", err)
			}
			return
		}
		if res.RFC != "EKU9003173C9" || tok.Certificate != fiel.CertB64() {
			t.Fatalf("accepted a token that is not the genuine one: %+v", res)
		}
	})
}

// BenchmarkVerifyToken is the cost of checking one login token (RSA 2048,
// SAT test FIEL), without the challenge store or OCSP.
func BenchmarkVerifyToken(b *testing.B) {
	for _, kt := range []string{"sat-rsa2048", "p256", "p384"} {
		b.Run(kt, func(b *testing.B) {
			ctx := context.Background()
			ch := strings.Repeat("Z", 43)
			var v *verifier.Verifier
			var cred *testenv.Credential
			if kt == "sat-rsa2048" {
				v, _ = newSATVerifier(b, nil)
				cred = testenv.SAT(b, "eku9003173c9-fiel")
			} else {
				ca := testenv.NewCA(b, "AC")
				cred = ca.Issue(testenv.Leaf{KeyType: kt})
				var err error
				if v, err = verifier.New(verifier.Config{Origin: origin, Anchors: ca.Anchors()}); err != nil {
					b.Fatal(err)
				}
			}
			tok := mustToken(b, cred, origin, ch)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := v.VerifyToken(ctx, ch, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChallenge is the cost of Issue + Consume with each store.
func BenchmarkChallenge(b *testing.B) {
	stores := map[string]func(b *testing.B) verifier.NonceStore{
		"memory": func(*testing.B) verifier.NonceStore { return verifier.NewMemoryStore(0) },
		"redis": func(b *testing.B) verifier.NonceStore {
			return redisstore.New(testenv.Redis(b, testenv.StartRedis(b)), "")
		},
	}
	for _, name := range []string{"memory", "redis"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			v, _ := newSATVerifier(b, func(c *verifier.Config) { c.Store = stores[name](b) })
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ch, err := v.Issue(ctx, "s")
				if err != nil {
					b.Fatal(err)
				}
				if err := v.Consume(ctx, "s", ch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyTokenOCSP is a token check plus one OCSP round trip to a
// local openssl responder (no cache): the cost OCSP adds, minus network
// latency to SAT.
func BenchmarkVerifyTokenOCSP(b *testing.B) {
	e := newOCSPEnv(b)
	v := e.verifier(b, &verifier.OCSP{URL: e.url, Responder: e.responder.Cert}, nil)
	ctx := context.Background()
	ch := strings.Repeat("Z", 43)
	tok := mustToken(b, e.good, origin, ch)
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.VerifyToken(ctx, ch, tok); err != nil {
			b.Fatal(err)
		}
	}
}
