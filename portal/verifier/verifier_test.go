package verifier_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

const origin = "https://portal.example.gob.mx"

// satTime is inside the validity of the SAT test FIEL (2023-05-18 to
// 2027-05-17) and of its CA, so the tests do not age.
var satTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func satAnchors(t testing.TB) *sat.Anchors {
	t.Helper()
	a, err := sat.LoadAnchors(testenv.SATAnchorsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newSATVerifier(t testing.TB, mod func(*verifier.Config)) (*verifier.Verifier, *clock) {
	t.Helper()
	clk := &clock{t: satTime}
	cfg := verifier.Config{Origin: origin, Anchors: satAnchors(t), Now: clk.Now}
	if mod != nil {
		mod(&cfg)
	}
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v, clk
}

func mustToken(t testing.TB, c *testenv.Credential, org, ch string) *protocol.AuthToken {
	t.Helper()
	tok, err := c.Token(org, ch)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLoginWithSATTestFIEL(t *testing.T) {
	ctx := context.Background()
	v, _ := newSATVerifier(t, nil)
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	ch, err := v.Issue(ctx, "session-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 43 || strings.ContainsAny(ch, "+/=") {
		t.Fatalf("challenge %q is not 43 base64url characters", ch)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(ch); err != nil || len(raw) != 32 {
		t.Fatalf("challenge does not decode to 32 bytes: %v", err)
	}
	res, err := v.Authenticate(ctx, "session-1", ch, mustToken(t, fiel, origin, ch))
	if err != nil {
		t.Fatal(err)
	}
	want := verifier.Result{
		RFC: "EKU9003173C9", RFCRepresentative: "VADA800927DJ3", CURPRepresentative: "VADA800927HSRSRL05",
		Name: "ESCUELA KEMPER URGATE SA DE CV", Serial: "30001000000500003415", Issuer: "AC UAT",
		Revocation: verifier.RevocationNotChecked,
	}
	got := *res
	got.Certificate = nil
	want.NotAfter = time.Date(2027, 5, 17, 4, 37, 14, 0, time.UTC)
	if !got.NotAfter.Equal(want.NotAfter) {
		t.Errorf("NotAfter = %v, want %v", got.NotAfter, want.NotAfter)
	}
	got.NotAfter = want.NotAfter
	if got != want {
		t.Errorf("result:\n got %+v\nwant %+v", got, want)
	}
	if !res.PersonaMoral() || res.CURP != "" {
		t.Errorf("persona moral not recognized: %+v", res)
	}
}

func TestLoginGeneratedKeys(t *testing.T) {
	ctx := context.Background()
	ca := testenv.NewCA(t, "AC de pruebas generada")
	for _, kt := range []string{"rsa", "p256", "p384"} {
		t.Run(kt, func(t *testing.T) {
			cred := ca.Issue(testenv.Leaf{KeyType: kt, RFC: "GOMA800101AB1", CURP: "GOMA800101HDFMRR01", Name: "ANA GOMEZ MARTINEZ"})
			v, err := verifier.New(verifier.Config{Origin: "http://127.0.0.1:8080", Anchors: ca.Anchors()})
			if err != nil {
				t.Fatal(err)
			}
			ch, err := v.Issue(ctx, "s")
			if err != nil {
				t.Fatal(err)
			}
			tok := mustToken(t, cred, "http://127.0.0.1:8080", ch)
			wantAlg := map[string]string{"rsa": "RS256", "p256": "ES256", "p384": "ES384"}[kt]
			if tok.Algorithm != wantAlg {
				t.Fatalf("algorithm %s, want %s", tok.Algorithm, wantAlg)
			}
			res, err := v.Authenticate(ctx, "s", ch, tok)
			if err != nil {
				t.Fatal(err)
			}
			if res.RFC != "GOMA800101AB1" || res.CURP != "GOMA800101HDFMRR01" || res.Name != "ANA GOMEZ MARTINEZ" || res.PersonaMoral() {
				t.Errorf("result %+v", res)
			}
		})
	}
}

// TestRefusals covers every login refusal, each with its own error.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	expired := testenv.SAT(t, "eku9003173c9-fiel-expired-2023")
	foreignCA := testenv.NewCA(t, "AC ajena")
	outsider := foreignCA.Issue(testenv.Leaf{NotBefore: satTime.Add(-24 * time.Hour)})

	type env struct {
		v   *verifier.Verifier
		clk *clock
		ch  string
	}
	cases := []struct {
		name string
		mod  func(*verifier.Config)
		run  func(t *testing.T, e env) error
		want error
	}{
		{"replay", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			if _, err := e.v.Authenticate(ctx, "s1", e.ch, tok); err != nil {
				t.Fatalf("first use: %v", err)
			}
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrChallengeReplayed},
		{"expired challenge", nil, func(t *testing.T, e env) error {
			e.clk.Add(5*time.Minute + time.Second)
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, fiel, origin, e.ch))
			return err
		}, verifier.ErrChallengeExpired},
		{"challenge from another session", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s2", e.ch, mustToken(t, fiel, origin, e.ch))
			return err
		}, verifier.ErrChallengeForeign},
		{"challenge never issued", nil, func(t *testing.T, e env) error {
			ch := strings.Repeat("A", 43)
			_, err := e.v.Authenticate(ctx, "s1", ch, mustToken(t, fiel, origin, ch))
			return err
		}, verifier.ErrChallengeUnknown},
		{"challenge malformed", nil, func(t *testing.T, e env) error {
			return e.v.Consume(ctx, "s1", e.ch+"=")
		}, verifier.ErrChallengeFormat},
		{"no session", nil, func(t *testing.T, e env) error {
			return e.v.Consume(ctx, "", e.ch)
		}, verifier.ErrNoSession},
		{"wrong format", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			tok.Format = "efirma-auth:2"
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrTokenFormat},
		{"signature not base64", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			tok.Signature = "***"
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrTokenFormat},
		{"certificate garbage", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			tok.Certificate = base64.StdEncoding.EncodeToString([]byte("not a certificate"))
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrCertificate},
		{"expired certificate", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, expired, origin, e.ch))
			return err
		}, verifier.ErrCertExpired},
		{"certificate not yet valid", func(c *verifier.Config) {
			c.Now = func() time.Time { return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC) }
		}, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, fiel, origin, e.ch))
			return err
		}, verifier.ErrCertNotYetValid},
		{"not chained to the anchors (not-sat-issuer)", nil, func(t *testing.T, e env) error {
			cred := testenv.SAT(t, "not-sat-issuer")
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, cred, origin, e.ch))
			return err
		}, verifier.ErrNotTrusted},
		{"not chained to the anchors (generated CA)", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, outsider, origin, e.ch))
			return err
		}, verifier.ErrNotTrusted},
		{"CSD", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, csd, origin, e.ch))
			return err
		}, verifier.ErrNotFIEL},
		{"RFC not allowed", func(c *verifier.Config) { c.AllowedRFCs = []string{"AAA010101AAA"} }, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, fiel, origin, e.ch))
			return err
		}, verifier.ErrRFCNotAllowed},
		{"token made for another origin (phishing)", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, fiel, "https://portal-example.gob.mx.phish.example", e.ch))
			return err
		}, verifier.ErrBadSignature},
		{"token made for another challenge", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, mustToken(t, fiel, origin, strings.Repeat("B", 43)))
			return err
		}, verifier.ErrBadSignature},
		{"tampered signature", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			sig, _ := base64.StdEncoding.DecodeString(tok.Signature)
			sig[len(sig)/2] ^= 1
			tok.Signature = base64.StdEncoding.EncodeToString(sig)
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrBadSignature},
		{"algorithm does not match key", nil, func(t *testing.T, e env) error {
			tok := mustToken(t, fiel, origin, e.ch)
			tok.Algorithm = protocol.AlgES256
			_, err := e.v.Authenticate(ctx, "s1", e.ch, tok)
			return err
		}, verifier.ErrAlgorithm},
		{"nil token", nil, func(t *testing.T, e env) error {
			_, err := e.v.Authenticate(ctx, "s1", e.ch, nil)
			return err
		}, verifier.ErrTokenFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, clk := newSATVerifier(t, tc.mod)
			ch, err := v.Issue(ctx, "s1")
			if err != nil {
				t.Fatal(err)
			}
			err = tc.run(t, env{v: v, clk: clk, ch: ch})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			for _, other := range verifier.Codes {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
			if code := verifier.CodeOf(err); code != tc.want.(*verifier.Error).Code {
				t.Errorf("CodeOf = %q", code)
			}
		})
	}
}

// TestOrderOfChecks: a token that fails several checks reports the first
// in the documented order.
func TestOrderOfChecks(t *testing.T) {
	ctx := context.Background()
	v, _ := newSATVerifier(t, func(c *verifier.Config) { c.AllowedRFCs = []string{"AAA010101AAA"} })
	expiredCSD := testenv.SAT(t, "eku9003173c9-csd-expired-2023")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	ch := strings.Repeat("C", 43)
	// Expired CSD for the wrong origin: expiry comes first.
	if _, err := v.VerifyToken(ctx, ch, mustToken(t, expiredCSD, "https://other.example", ch)); !errors.Is(err, verifier.ErrCertExpired) {
		t.Errorf("expired CSD: %v", err)
	}
	// Valid CSD, RFC not allowed, wrong origin: FIEL check comes first.
	if _, err := v.VerifyToken(ctx, ch, mustToken(t, csd, "https://other.example", ch)); !errors.Is(err, verifier.ErrNotFIEL) {
		t.Errorf("CSD: %v", err)
	}
}

func TestParseToken(t *testing.T) {
	good := `{"format":"efirma-auth:1","certificate":"AAAA","algorithm":"RS256","signature":"AAAA"}`
	if tok, err := verifier.ParseToken([]byte(good)); err != nil || tok.Format != protocol.AuthFormat || tok.Certificate != "AAAA" {
		t.Fatalf("ParseToken(good) = %+v, %v", tok, err)
	}
	for name, in := range map[string]string{
		"empty":         "",
		"not json":      "efirma",
		"array":         "[]",
		"unknown field": `{"format":"efirma-auth:1","origin":"https://x.example"}`,
		"trailing":      good + good,
		"wrong type":    `{"format":1}`,
		"oversized":     `{"format":"` + strings.Repeat("a", verifier.MaxTokenBytes) + `"}`,
		// F-09: encoding/json keeps the last of repeated keys and folds
		// case; the token must be as strict as the host's requests.
		"repeated certificate":  `{"format":"efirma-auth:1","certificate":"AAAA","certificate":"BBBB","algorithm":"RS256","signature":"AAAA"}`,
		"repeated signature":    `{"format":"efirma-auth:1","certificate":"AAAA","algorithm":"RS256","signature":"AAAA","signature":"BBBB"}`,
		"case-folded algorithm": `{"format":"efirma-auth:1","certificate":"AAAA","algorithm":"RS256","Algorithm":"ES256","signature":"AAAA"}`,
		"case-folded key alone": `{"FORMAT":"efirma-auth:1","certificate":"AAAA","algorithm":"RS256","signature":"AAAA"}`,
	} {
		if _, err := verifier.ParseToken([]byte(in)); !errors.Is(err, verifier.ErrTokenFormat) {
			t.Errorf("%s: got %v, want ErrTokenFormat", name, err)
		}
	}
}

func TestDocumentSignature(t *testing.T) {
	ctx := context.Background()
	v, _ := newSATVerifier(t, nil)
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	data := []byte("||CITA|EKU9003173C9|efirma|2025-06-10|abc||")
	res, err := fiel.SignResult(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.VerifySignature(ctx, data, res)
	if err != nil {
		t.Fatal(err)
	}
	if got.RFC != "EKU9003173C9" || got.Serial != "30001000000500003415" {
		t.Errorf("result %+v", got)
	}
	if _, err := v.VerifySignature(ctx, append([]byte(nil), "||CITA|EKU9003173C9|efirma|2025-06-11|abc||"...), res); !errors.Is(err, verifier.ErrBadSignature) {
		t.Errorf("other data: %v", err)
	}
	csdRes, err := testenv.SAT(t, "eku9003173c9-csd").SignResult(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifySignature(ctx, data, csdRes); !errors.Is(err, verifier.ErrNotFIEL) {
		t.Errorf("CSD: %v", err)
	}
	batch := *res
	batch.Signatures = []string{res.Signature}
	if _, err := v.VerifySignature(ctx, data, &batch); !errors.Is(err, verifier.ErrSignatureFormat) {
		t.Errorf("batch: %v", err)
	}
	if _, err := v.VerifySignature(ctx, data, nil); !errors.Is(err, verifier.ErrSignatureFormat) {
		t.Errorf("nil: %v", err)
	}
	// Validity is checked at the verifier's clock: the same signature made
	// with the expired FIEL is refused.
	expRes, err := testenv.SAT(t, "eku9003173c9-fiel-expired-2023").SignResult(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifySignature(ctx, data, expRes); !errors.Is(err, verifier.ErrCertExpired) {
		t.Errorf("expired: %v", err)
	}
}

// TestDocumentSignatureCannotLogIn is the attack: a malicious page gets a
// person to sign bytes of its choosing with "sign" (the host refuses only
// data that starts with the reserved prefix) and presents the signature to
// the real portal as a login token. It must never verify; and a login
// token's bytes are refused as a document.
func TestDocumentSignatureCannotLogIn(t *testing.T) {
	ctx := context.Background()
	v, _ := newSATVerifier(t, nil)
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	ch, err := v.Issue(ctx, "victim")
	if err != nil {
		t.Fatal(err)
	}
	auth := protocol.AuthMessage(origin, ch)
	hashes := auth[len(protocol.AuthFormat)+1:]
	candidates := map[string][]byte{
		"hashes only":               hashes,
		"prefix without separator":  append([]byte("efirma-auth1"), auth[len(protocol.AuthFormat):]...),
		"upper-case prefix":         append([]byte("EFIRMA-AUTH:1"), auth[len(protocol.AuthFormat):]...),
		"leading space":             append([]byte(" "), auth...),
		"origin and challenge text": []byte(origin + "\x00" + ch),
		"challenge only":            []byte(ch),
	}
	for name, data := range candidates {
		if strings.HasPrefix(string(data), protocol.ReservedPrefix) {
			t.Fatalf("%s: the host would refuse this data; the test is wrong", name)
		}
		res, err := fiel.SignResult(data)
		if err != nil {
			t.Fatal(err)
		}
		// The document signature itself is genuine...
		if _, err := v.VerifySignature(ctx, data, res); err != nil {
			t.Fatalf("%s: document signature does not verify: %v", name, err)
		}
		// ...and useless as a login token.
		tok := &protocol.AuthToken{Format: protocol.AuthFormat, Certificate: res.Certificate, Algorithm: res.Algorithm, Signature: res.Signature}
		if _, err := v.VerifyToken(ctx, ch, tok); !errors.Is(err, verifier.ErrBadSignature) {
			t.Errorf("%s: document signature accepted as a login token: %v", name, err)
		}
	}
	// A genuine token is refused as a document signature over its bytes.
	tok := mustToken(t, fiel, origin, ch)
	res := &protocol.SignResult{Signature: tok.Signature, Algorithm: tok.Algorithm, Certificate: tok.Certificate}
	if _, err := v.VerifySignature(ctx, auth, res); !errors.Is(err, verifier.ErrDataReserved) {
		t.Errorf("login token accepted as a document: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	a := satAnchors(t)
	for name, cfg := range map[string]verifier.Config{
		"no origin":      {Anchors: a},
		"origin path":    {Origin: "https://portal.example.gob.mx/login", Anchors: a},
		"http non-local": {Origin: "http://portal.example.gob.mx", Anchors: a},
		"no anchors":     {Origin: origin},
		"ocsp no url":    {Origin: origin, Anchors: a, OCSP: &verifier.OCSP{}},
	} {
		if _, err := verifier.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMessagesInCatalogue(t *testing.T) {
	for _, e := range verifier.Codes {
		msg, hint := verifier.Message("es-MX", e)
		en, enHint := verifier.Message("en-US", e)
		if msg == "" || hint == "" || en == "" || enHint == "" || en == msg {
			t.Errorf("no Spanish and English texts for %s: %q %q %q %q", e.Code, msg, hint, en, enHint)
		}
	}
	if msg, hint := verifier.Message("es-MX", errors.New("a bug")); msg == "" || hint == "" {
		t.Error("no text for internal")
	}
	msg, _ := verifier.Message("es-MX", verifier.ErrNotFIEL)
	if !strings.Contains(msg, "FIEL") {
		t.Errorf("Spanish message for not-fiel: %q", msg)
	}
}
