package demo_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/demo"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/portal/verifier/redisstore"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// The portal's configured origin. httptest listens elsewhere: what matters
// is that the verifier checks this origin, never the request's.
const origin = "http://127.0.0.1:8080"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t   *testing.T
	srv *httptest.Server
	clk *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvStore(t, nil)
}

// newEnvStore is newEnv with the verifier's challenges kept in store (nil:
// in memory).
func newEnvStore(t *testing.T, store verifier.NonceStore) *env {
	t.Helper()
	anchors, err := sat.LoadAnchors(testenv.SATAnchorsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	// Inside the SAT test FIEL's validity (2023-05-18 to 2027-05-17).
	clk := &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: anchors, Now: clk.Now, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	h, err := demo.New(demo.Config{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, clk: clk}
}

// browser is one visitor with its own cookies; redirects are not followed.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, body any, hdr ...string) (*http.Response, map[string]any) {
	b.e.t.Helper()
	var raw []byte
	switch v := body.(type) {
	case []byte:
		raw = v
	default:
		raw, _ = json.Marshal(v)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		b.e.t.Fatalf("%s: answer is not JSON: %q", path, data)
	}
	return resp, out
}

func (b *browser) challenge() string {
	b.e.t.Helper()
	resp, out := b.post("/api/challenge", map[string]any{})
	ch, _ := out["challenge"].(string)
	if resp.StatusCode != 200 || len(ch) != 43 {
		b.e.t.Fatalf("challenge: %d %v", resp.StatusCode, out)
	}
	return ch
}

func (b *browser) login(cred *testenv.Credential, tokenOrigin string) (int, map[string]any, string, *protocol.AuthToken) {
	b.e.t.Helper()
	ch := b.challenge()
	tok, err := cred.Token(tokenOrigin, ch)
	if err != nil {
		b.e.t.Fatal(err)
	}
	resp, out := b.post("/api/login", map[string]any{"challenge": ch, "token": tok})
	return resp.StatusCode, out, ch, tok
}

func wantRefusal(t *testing.T, status int, out map[string]any, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus || out["error"] != wantCode {
		t.Fatalf("got %d %v, want %d %s", status, out, wantStatus, wantCode)
	}
	if msg, _ := out["message"].(string); msg == "" || strings.HasPrefix(msg, "portal.") {
		t.Errorf("no Spanish message: %v", out)
	}
}

func TestPagesHaveTheIDs(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	resp, home := b.get("/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("home: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<button id="acceder" type="button">Acceder con firma digital</button>`,
		`id="error"`, `id="estado-extension"`, `<script type="module" src="/portal.js">`, `lang="es-MX"`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %s", want)
		}
	}
	if regexp.MustCompile(`(src|href)="https?://`).MatchString(home) {
		t.Error("home loads an external asset")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	resp, js := b.get("/efirma.js")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || js != string(extension.PageLibrary) {
		t.Errorf("/efirma.js is not the page library (%s)", resp.Header.Get("Content-Type"))
	}
	resp, js = b.get("/portal.js")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(js, `from "/efirma.js"`) {
		t.Errorf("/portal.js does not import the page library")
	}
	resp, body := b.get("/healthz")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	for _, p := range []string{"/inicio", "/cita"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("%s without login: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestLoginAndCita is the whole flow with the SAT test FIEL: challenge,
// login, the signed-in page, the signed appointment, a replay of each.
func TestLoginAndCita(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	fiel := testenv.SAT(t, "eku9003173c9-fiel")

	resp, _ := b.post("/api/challenge", map[string]any{})
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{demo.CookieName + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	before := sc[:strings.Index(sc, ";")]

	status, out, ch, tok := b.login(fiel, origin)
	if status != 200 {
		t.Fatalf("login: %d %v", status, out)
	}
	if out["rfc"] != "EKU9003173C9" || out["name"] != "ESCUELA KEMPER URGATE SA DE CV" || out["curpRepresentative"] != "VADA800927HSRSRL05" ||
		out["serial"] != "30001000000500003415" || out["redirect"] != "/inicio" {
		t.Errorf("login answer %v", out)
	}

	// The replayed login is refused.
	resp, out = b.post("/api/login", map[string]any{"challenge": ch, "token": tok})
	wantRefusal(t, resp.StatusCode, out, 401, "challenge-replayed")

	_, inicio := b.get("/inicio")
	for _, want := range []string{
		`id="nombre">ESCUELA KEMPER URGATE SA DE CV<`, `id="rfc">EKU9003173C9<`,
		`id="curp">`, `id="rfc-representante">VADA800927DJ3<`, `id="curp-representante">VADA800927HSRSRL05<`,
		`id="certificado">30001000000500003415<`, `id="vigencia">17/05/2027<`,
	} {
		if !strings.Contains(inicio, want) {
			t.Errorf("/inicio lacks %s", want)
		}
	}
	// The session id changed at sign-in.
	u, _ := http.NewRequest("GET", e.srv.URL, nil)
	for _, c := range b.c.Jar.Cookies(u.URL) {
		if c.Name == demo.CookieName && demo.CookieName+"="+c.Value == before {
			t.Error("session id not replaced at sign-in")
		}
	}

	_, cita := b.get("/cita")
	for _, want := range []string{`id="tramite"`, `id="fecha"`, `id="solicitar"`, `id="resultado"`, `data-rfc="EKU9003173C9"`} {
		if !strings.Contains(cita, want) {
			t.Errorf("/cita lacks %s", want)
		}
	}
	nonce := b.challenge()
	cadena := "||CITA|EKU9003173C9|efirma|2025-06-10|" + nonce + "||"
	signed, err := fiel.SignResult([]byte(cadena))
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"data": cadena, "signature": signed.Signature, "algorithm": signed.Algorithm, "certificate": signed.Certificate}
	resp, out = b.post("/api/cita", body)
	if resp.StatusCode != 200 || !regexp.MustCompile(`^CITA-20250610-\d{6}$`).MatchString(out["folio"].(string)) {
		t.Fatalf("cita: %d %v", resp.StatusCode, out)
	}
	resp, out = b.post("/api/cita", body)
	wantRefusal(t, resp.StatusCode, out, 401, "challenge-replayed")

	// Without algorithm (the page may post only data, signature, certificate).
	nonce = b.challenge()
	cadena = "||CITA|EKU9003173C9|rfc|2025-06-11|" + nonce + "||"
	signed, _ = fiel.SignResult([]byte(cadena))
	resp, out = b.post("/api/cita", map[string]any{"data": cadena, "signature": signed.Signature, "certificate": signed.Certificate})
	if resp.StatusCode != 200 {
		t.Fatalf("cita without algorithm: %d %v", resp.StatusCode, out)
	}

	// Sign out: the signed-in pages are gone.
	if resp, _ := b.get("/salir"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("salir: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/inicio"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("/inicio after salir: %d", resp.StatusCode)
	}
}

func TestLoginRefusals(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	expired := testenv.SAT(t, "eku9003173c9-fiel-expired-2023")
	cases := []struct {
		name   string
		run    func(e *env, b *browser) (*http.Response, map[string]any)
		status int
		code   string
	}{
		{"CSD", func(e *env, b *browser) (*http.Response, map[string]any) {
			s, out, _, _ := b.login(csd, origin)
			return &http.Response{StatusCode: s}, out
		}, 401, "not-fiel"},
		{"expired FIEL", func(e *env, b *browser) (*http.Response, map[string]any) {
			s, out, _, _ := b.login(expired, origin)
			return &http.Response{StatusCode: s}, out
		}, 401, "cert-expired"},
		{"token for another origin", func(e *env, b *browser) (*http.Response, map[string]any) {
			s, out, _, _ := b.login(fiel, "https://portal-falso.example")
			return &http.Response{StatusCode: s}, out
		}, 401, "bad-signature"},
		{"token for the server's own address, not its configured origin", func(e *env, b *browser) (*http.Response, map[string]any) {
			s, out, _, _ := b.login(fiel, e.srv.URL)
			return &http.Response{StatusCode: s}, out
		}, 401, "bad-signature"},
		{"challenge from another session", func(e *env, b *browser) (*http.Response, map[string]any) {
			ch := e.browser().challenge()
			tok, _ := fiel.Token(origin, ch)
			b.challenge() // b has a session of its own
			return b.post("/api/login", map[string]any{"challenge": ch, "token": tok})
		}, 401, "challenge-foreign"},
		{"expired challenge", func(e *env, b *browser) (*http.Response, map[string]any) {
			ch := b.challenge()
			tok, _ := fiel.Token(origin, ch)
			e.clk.Add(6 * time.Minute)
			return b.post("/api/login", map[string]any{"challenge": ch, "token": tok})
		}, 401, "challenge-expired"},
		{"no session cookie", func(e *env, b *browser) (*http.Response, map[string]any) {
			ch := e.browser().challenge()
			tok, _ := fiel.Token(origin, ch)
			return b.post("/api/login", map[string]any{"challenge": ch, "token": tok})
		}, 401, "no-session"},
		{"malformed token", func(e *env, b *browser) (*http.Response, map[string]any) {
			ch := b.challenge()
			return b.post("/api/login", map[string]any{"challenge": ch, "token": map[string]any{"format": "efirma-auth:1", "extra": 1}})
		}, 401, "token-format"},
		{"malformed JSON", func(e *env, b *browser) (*http.Response, map[string]any) {
			b.challenge()
			return b.post("/api/login", []byte(`{"challenge":`))
		}, 400, "bad-request"},
		{"oversized body", func(e *env, b *browser) (*http.Response, map[string]any) {
			b.challenge()
			return b.post("/api/login", []byte(`{"challenge":"`+strings.Repeat("A", demo.MaxBodyBytes)+`"}`))
		}, 413, "too-large"},
		{"not JSON", func(e *env, b *browser) (*http.Response, map[string]any) {
			return b.post("/api/login", []byte(`challenge=x`), "Content-Type", "application/x-www-form-urlencoded")
		}, 415, "bad-request"},
		{"cross-origin POST", func(e *env, b *browser) (*http.Response, map[string]any) {
			return b.post("/api/challenge", map[string]any{}, "Origin", "https://otro-sitio.example")
		}, 403, "forbidden-origin"},
		{"cita without login", func(e *env, b *browser) (*http.Response, map[string]any) {
			return b.post("/api/cita", map[string]any{"data": "x"})
		}, 401, "not-logged-in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			resp, out := tc.run(e, e.browser())
			wantRefusal(t, resp.StatusCode, out, tc.status, tc.code)
		})
	}
}

func TestCitaRefusals(t *testing.T) {
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")
	cases := []struct {
		name   string
		signer *testenv.Credential
		cadena func(nonce string) string
		tamper func(body map[string]any)
		status int
		code   string
	}{
		{"signed with the CSD", csd, func(n string) string { return "||CITA|EKU9003173C9|rfc|2025-06-10|" + n + "||" }, nil, 401, "not-fiel"},
		{"another RFC in the cadena", fiel, func(n string) string { return "||CITA|AAA010101AAA|rfc|2025-06-10|" + n + "||" }, nil, 403, "wrong-signer"},
		{"unknown procedure", fiel, func(n string) string { return "||CITA|EKU9003173C9|nada|2025-06-10|" + n + "||" }, nil, 400, "cita-data"},
		{"bad date", fiel, func(n string) string { return "||CITA|EKU9003173C9|rfc|10/06/2025|" + n + "||" }, nil, 400, "cita-data"},
		{"not a cadena", fiel, func(n string) string { return "hola" }, nil, 400, "cita-data"},
		{"data changed after signing", fiel, func(n string) string { return "||CITA|EKU9003173C9|rfc|2025-06-10|" + n + "||" },
			func(body map[string]any) {
				body["data"] = strings.Replace(body["data"].(string), "2025-06-10", "2025-06-11", 1)
			}, 401, "bad-signature"},
		{"nonce never issued", fiel, func(string) string { return "||CITA|EKU9003173C9|rfc|2025-06-10|" + strings.Repeat("N", 43) + "||" }, nil, 401, "challenge-unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			if s, out, _, _ := b.login(fiel, origin); s != 200 {
				t.Fatalf("login: %d %v", s, out)
			}
			cadena := tc.cadena(b.challenge())
			signed, err := tc.signer.SignResult([]byte(cadena))
			if err != nil {
				t.Fatal(err)
			}
			body := map[string]any{"data": cadena, "signature": signed.Signature, "algorithm": signed.Algorithm, "certificate": signed.Certificate}
			if tc.tamper != nil {
				tc.tamper(body)
			}
			resp, out := b.post("/api/cita", body)
			wantRefusal(t, resp.StatusCode, out, tc.status, tc.code)
		})
	}
}

func TestSignVerifyEndpoint(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	data := "||1.1|Documento de prueba||"
	signed, _ := fiel.SignResult([]byte(data))
	resp, out := b.post("/api/sign/verify", map[string]any{"data": data, "signature": signed.Signature, "algorithm": signed.Algorithm, "certificate": signed.Certificate})
	if resp.StatusCode != 200 || out["rfc"] != "EKU9003173C9" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	// A login token is not a signed document.
	ch := strings.Repeat("A", 43)
	tok, _ := fiel.Token(origin, ch)
	resp, out = b.post("/api/sign/verify", map[string]any{"data": string(protocol.AuthMessage(origin, ch)), "signature": tok.Signature, "algorithm": tok.Algorithm, "certificate": tok.Certificate})
	wantRefusal(t, resp.StatusCode, out, 401, "data-reserved")
}

// TestRedisDown (issue 13 §5): with the challenges in a real redis-server
// that is killed mid-test, /healthz answers 503 naming the nonce store, and
// a challenge or a login fails at once with 503 "store" (no multi-second
// stall); once Redis is back, both work again.
func TestRedisDown(t *testing.T) {
	rs := testenv.StartRedisServer(t)
	client := redis.NewClient(redisstore.Options(rs.Addr))
	t.Cleanup(func() { client.Close() })
	e := newEnvStore(t, redisstore.New(client, ""))
	b := e.browser()
	fiel := testenv.SAT(t, "eku9003173c9-fiel")

	if resp, body := b.get("/healthz"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("healthz with Redis up: %d %q", resp.StatusCode, body)
	}
	pending := b.challenge()

	rs.Kill()
	timed := func(what string, f func()) {
		t.Helper()
		start := time.Now()
		f()
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("%s took %s with Redis down, want a fast failure", what, d)
		}
	}
	timed("healthz", func() {
		if resp, body := b.get("/healthz"); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "nonce store") {
			t.Errorf("healthz with Redis down: %d %q", resp.StatusCode, body)
		}
	})
	timed("challenge", func() {
		resp, out := b.post("/api/challenge", map[string]any{})
		wantRefusal(t, resp.StatusCode, out, http.StatusServiceUnavailable, "store")
	})
	timed("login", func() {
		tok, err := fiel.Token(origin, pending)
		if err != nil {
			t.Fatal(err)
		}
		resp, out := b.post("/api/login", map[string]any{"challenge": pending, "token": tok})
		wantRefusal(t, resp.StatusCode, out, http.StatusServiceUnavailable, "store")
	})

	rs.Start()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := b.get("/healthz")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz still %d after Redis came back", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status, out, _, _ := b.login(fiel, origin); status != 200 || out["rfc"] != "EKU9003173C9" {
		t.Fatalf("login after Redis came back: %d %v", status, out)
	}
}
