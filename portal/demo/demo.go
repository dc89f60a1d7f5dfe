// Package demo is the demo portal: a small government-style web site in
// Spanish that signs people in with their e.firma through the page library
// (/efirma.js) and accepts a signed "Solicitar cita" form, checking both
// with portal/verifier. `make demo` and the extension's end-to-end tests run
// it; the element IDs of its pages are part of what those tests rely on.
//
// Pages: / (button #acceder, #error, #estado-extension), /inicio (#nombre,
// #rfc, #curp, #representante, #certificado, #vigencia), /cita (#tramite,
// #fecha, #solicitar, #resultado, #error), /salir, /healthz.
// JSON: POST /api/challenge → {challenge}; POST /api/login {challenge,
// token} → 200 {rfc, name, curp, ...} or 401 {error, message, hint};
// POST /api/cita {data, signature, algorithm, certificate} → {folio};
// POST /api/sign/verify {data, signature, algorithm, certificate} → signer.
//
// Rules: the origin checked is the verifier's (the one the portal serves),
// never one from a request; bodies are capped at MaxBodyBytes; POSTs must be
// JSON and, when the browser says where they come from, from that origin;
// the session cookie is HttpOnly and SameSite=Strict and is replaced at
// sign-in; text comes from the i18n catalogue.
package demo

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// MaxBodyBytes caps every JSON request body.
const MaxBodyBytes = 64 << 10

// Config configures the demo portal.
type Config struct {
	// Verifier checks challenges, tokens and signatures; its origin is the
	// portal's. Required.
	Verifier *verifier.Verifier
	// Lang is the pages' language (Spanish by default).
	Lang i18n.Lang
	// Logger receives one line per refusal with its detail; nil discards.
	Logger *slog.Logger
	// PageLibrary is served at /efirma.js; nil means the extension's
	// (extension.PageLibrary). Tests replace it with a stand-in.
	PageLibrary []byte
}

//go:embed web
var web embed.FS

// Procedures offered in the appointment form: key → catalogue key.
var tramites = []string{"rfc", "efirma", "devolucion"}

type portal struct {
	v     *verifier.Verifier
	lang  i18n.Lang
	log   *slog.Logger
	s     *sessions
	pages map[string]*template.Template
	js    []byte
}

// New returns the demo portal's handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("demo portal needs a verifier")
	}
	p := &portal{
		v: cfg.Verifier, lang: cfg.Lang, log: cfg.Logger,
		s:     &sessions{m: map[string]*session{}, secure: strings.HasPrefix(cfg.Verifier.Origin(), "https:")},
		pages: map[string]*template.Template{},
	}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	funcs := template.FuncMap{"t": func(key string, args ...any) string { return i18n.T(p.lang, key, args...) }}
	for _, name := range []string{"home", "inicio", "cita"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(web, "web/layout.html", "web/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("internal error: template %s: %w", name, err)
		}
		p.pages[name] = t
	}
	js, err := web.ReadFile("web/portal.js")
	if err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	p.js = js

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /inicio", p.inicio)
	mux.HandleFunc("GET /cita", p.cita)
	mux.HandleFunc("GET /salir", p.salir)
	mux.HandleFunc("POST /salir", p.salir)
	mux.HandleFunc("GET /healthz", p.healthz)
	lib := cfg.PageLibrary
	if lib == nil {
		lib = extension.PageLibrary
	}
	mux.HandleFunc("GET /efirma.js", p.script(lib))
	mux.HandleFunc("GET /portal.js", p.script(p.js))
	mux.HandleFunc("POST /api/challenge", p.apiChallenge)
	mux.HandleFunc("GET /api/challenge", p.apiChallenge)
	mux.HandleFunc("POST /api/login", p.apiLogin)
	mux.HandleFunc("POST /api/cita", p.apiCita)
	mux.HandleFunc("POST /api/sign/verify", p.apiSignVerify)
	return securityHeaders(mux), nil
}

// healthz answers 200 "ok" when the portal can sign people in, and 503
// naming the nonce store when it cannot (Redis down): a load balancer then
// stops sending logins here.
func (p *portal) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := p.v.Healthy(r.Context()); err != nil {
		p.log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "nonce store unavailable")
		return
	}
	_, _ = io.WriteString(w, "ok")
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (p *portal) script(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(body)
	}
}

// pageData is what the templates see.
type pageData struct {
	Page     string
	LoggedIn bool
	User     *verifier.Result
	CURP     string
	Expiry   string
	Revoc    string
	Tramites []tramite
	JSText   map[string]string
}

type tramite struct{ Key, Label string }

func (p *portal) render(w http.ResponseWriter, name string, d pageData) {
	d.Page = name
	d.JSText = map[string]string{}
	for _, k := range []string{"ext-available", "ext-no-host", "ext-missing", "working", "verifying", "cita-done", "network", "network-hint", "missing-fields"} {
		d.JSText[k] = i18n.T(p.lang, "portal.js."+k)
	}
	var buf bytes.Buffer
	if err := p.pages[name].Execute(&buf, d); err != nil {
		p.log.Error("template", "page", name, "err", err)
		msg, _, _ := verifier.MessageFor(p.tag(), "internal")
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func (p *portal) home(w http.ResponseWriter, r *http.Request) {
	_, st := p.s.get(r)
	p.render(w, "home", pageData{LoggedIn: st != nil && st.user != nil})
}

func (p *portal) user(r *http.Request) *verifier.Result {
	_, st := p.s.get(r)
	if st == nil {
		return nil
	}
	return st.user
}

func (p *portal) inicio(w http.ResponseWriter, r *http.Request) {
	u := p.user(r)
	if u == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := pageData{LoggedIn: true, User: u, CURP: u.CURP, Expiry: u.NotAfter.UTC().Format("02/01/2006"), Revoc: i18n.T(p.lang, "portal.revocation."+u.Revocation)}
	if d.CURP == "" {
		d.CURP = "—"
	}
	p.render(w, "inicio", d)
}

func (p *portal) cita(w http.ResponseWriter, r *http.Request) {
	u := p.user(r)
	if u == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := pageData{LoggedIn: true, User: u}
	for _, k := range tramites {
		d.Tramites = append(d.Tramites, tramite{Key: k, Label: i18n.T(p.lang, "portal.tramite."+k)})
	}
	p.render(w, "cita", d)
}

func (p *portal) salir(w http.ResponseWriter, r *http.Request) {
	p.s.logout(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// tag is the pages' language as a BCP 47 tag (for the verifier's texts).
func (p *portal) tag() string {
	if p.lang == i18n.EN {
		return "en"
	}
	return "es-MX"
}

// apiError is the JSON body of a refusal.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func (p *portal) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers with a Spanish refusal; code is a verifier code or one of
// the demo's own (bad-request, too-large, not-logged-in, wrong-signer,
// cita-data, forbidden-origin).
func (p *portal) fail(w http.ResponseWriter, r *http.Request, status int, code string, detail error) {
	p.log.Warn("refused", "path", r.URL.Path, "code", code, "detail", detail)
	msg, hint, ok := verifier.MessageFor(p.tag(), code)
	if !ok {
		msg, hint = i18n.T(p.lang, "portal.err."+code), i18n.T(p.lang, "portal.hint."+code)
	}
	p.writeJSON(w, status, apiError{Error: code, Message: msg, Hint: hint})
}

// failVerify maps a verifier refusal to its status and body.
func (p *portal) failVerify(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, verifier.ErrStore), errors.Is(err, verifier.ErrStoreFull):
		status = http.StatusServiceUnavailable
	case verifier.CodeOf(err) == "internal":
		status = http.StatusInternalServerError
	}
	p.fail(w, r, status, verifier.CodeOf(err), err)
}

// readJSON checks the request's origin and content type and decodes its
// capped body into v. It answers the refusal itself and returns false.
func (p *portal) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if o := r.Header.Get("Origin"); o != "" && o != p.v.Origin() {
		p.fail(w, r, http.StatusForbidden, "forbidden-origin", fmt.Errorf("origin %q", o))
		return false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		p.fail(w, r, http.StatusUnsupportedMediaType, "bad-request", fmt.Errorf("content type %q", ct))
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			p.fail(w, r, http.StatusRequestEntityTooLarge, "too-large", err)
		} else {
			p.fail(w, r, http.StatusBadRequest, "bad-request", err)
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		p.fail(w, r, http.StatusBadRequest, "bad-request", err)
		return false
	}
	return true
}

func (p *portal) apiChallenge(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && o != p.v.Origin() {
		p.fail(w, r, http.StatusForbidden, "forbidden-origin", fmt.Errorf("origin %q", o))
		return
	}
	id := p.s.ensure(w, r)
	ch, err := p.v.Issue(r.Context(), id)
	if err != nil {
		p.failVerify(w, r, err)
		return
	}
	p.writeJSON(w, http.StatusOK, map[string]string{"challenge": ch})
}

// userJSON is the signed-in person as the API returns it.
type userJSON struct {
	RFC                string `json:"rfc"`
	Name               string `json:"name"`
	CURP               string `json:"curp,omitempty"`
	RFCRepresentative  string `json:"rfcRepresentative,omitempty"`
	CURPRepresentative string `json:"curpRepresentative,omitempty"`
	Serial             string `json:"serial"`
	NotAfter           string `json:"notAfter"`
	Revocation         string `json:"revocation"`
	Redirect           string `json:"redirect,omitempty"`
}

func toJSON(u *verifier.Result) userJSON {
	return userJSON{RFC: u.RFC, Name: u.Name, CURP: u.CURP, RFCRepresentative: u.RFCRepresentative, CURPRepresentative: u.CURPRepresentative,
		Serial: u.Serial, NotAfter: u.NotAfter.UTC().Format(time.RFC3339), Revocation: u.Revocation}
}

func (p *portal) apiLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Challenge string          `json:"challenge"`
		Token     json.RawMessage `json:"token"`
	}
	if !p.readJSON(w, r, &req) {
		return
	}
	id, _ := p.s.get(r)
	if id == "" {
		p.failVerify(w, r, verifier.ErrNoSession)
		return
	}
	tok, err := verifier.ParseToken(req.Token)
	if err != nil {
		// The challenge is used up all the same: one try per challenge.
		_ = p.v.Consume(r.Context(), id, req.Challenge)
		p.failVerify(w, r, err)
		return
	}
	u, err := p.v.Authenticate(r.Context(), id, req.Challenge, tok)
	if err != nil {
		p.failVerify(w, r, err)
		return
	}
	p.s.login(w, id, u)
	p.log.Info("login", "rfc", u.RFC, "serial", u.Serial, "revocation", u.Revocation)
	out := toJSON(u)
	out.Redirect = "/inicio"
	p.writeJSON(w, http.StatusOK, out)
}

// signedJSON is a signed document as the page posts it.
type signedJSON struct {
	Data        string `json:"data"`
	Signature   string `json:"signature"`
	Algorithm   string `json:"algorithm"`
	Certificate string `json:"certificate"`
}

func (s signedJSON) result() *protocol.SignResult {
	alg := s.Algorithm
	if alg == "" { // older pages post only signature and certificate
		if der, err := base64.StdEncoding.DecodeString(s.Certificate); err == nil {
			if c, err := sat.ParseCertificate(der); err == nil {
				alg = signing.Algorithm(c.PublicKey)
			}
		}
	}
	return &protocol.SignResult{Signature: s.Signature, Algorithm: alg, Certificate: s.Certificate}
}

func (p *portal) apiSignVerify(w http.ResponseWriter, r *http.Request) {
	var req signedJSON
	if !p.readJSON(w, r, &req) {
		return
	}
	u, err := p.v.VerifySignature(r.Context(), []byte(req.Data), req.result())
	if err != nil {
		p.failVerify(w, r, err)
		return
	}
	p.writeJSON(w, http.StatusOK, toJSON(u))
}

// parseCita reads "||CITA|<rfc>|<tramite>|<fecha>|<nonce>||".
func parseCita(data string) (rfc, tramiteKey, fecha, nonce string, err error) {
	inner, ok := strings.CutPrefix(data, "||CITA|")
	if ok {
		inner, ok = strings.CutSuffix(inner, "||")
	}
	parts := strings.Split(inner, "|")
	if !ok || len(parts) != 4 {
		return "", "", "", "", errors.New("not a ||CITA|rfc|tramite|fecha|nonce|| cadena")
	}
	rfc, tramiteKey, fecha, nonce = parts[0], parts[1], parts[2], parts[3]
	known := false
	for _, k := range tramites {
		known = known || k == tramiteKey
	}
	if !known {
		return "", "", "", "", fmt.Errorf("unknown tramite %.20q", tramiteKey)
	}
	if _, err := time.Parse("2006-01-02", fecha); err != nil {
		return "", "", "", "", fmt.Errorf("bad fecha %.20q", fecha)
	}
	return rfc, tramiteKey, fecha, nonce, nil
}

func (p *portal) apiCita(w http.ResponseWriter, r *http.Request) {
	id, st := p.s.get(r)
	if st == nil || st.user == nil {
		p.fail(w, r, http.StatusUnauthorized, "not-logged-in", nil)
		return
	}
	var req signedJSON
	if !p.readJSON(w, r, &req) {
		return
	}
	rfc, tr, fecha, nonce, err := parseCita(req.Data)
	if err != nil {
		p.fail(w, r, http.StatusBadRequest, "cita-data", err)
		return
	}
	signer, err := p.v.VerifySignature(r.Context(), []byte(req.Data), req.result())
	if err != nil {
		p.failVerify(w, r, err)
		return
	}
	if signer.Serial != st.user.Serial || rfc != st.user.RFC {
		p.fail(w, r, http.StatusForbidden, "wrong-signer", fmt.Errorf("signed by %s (%s), cadena says %s, session is %s (%s)", signer.RFC, signer.Serial, rfc, st.user.RFC, st.user.Serial))
		return
	}
	// The nonce makes each signed request single use.
	if err := p.v.Consume(r.Context(), id, nonce); err != nil {
		p.failVerify(w, r, err)
		return
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, "internal", err)
		return
	}
	folio := fmt.Sprintf("CITA-%s-%06d", strings.ReplaceAll(fecha, "-", ""), n.Int64())
	p.log.Info("cita", "rfc", rfc, "tramite", tr, "fecha", fecha, "folio", folio)
	p.writeJSON(w, http.StatusOK, map[string]string{"folio": folio, "tramite": tr, "fecha": fecha, "rfc": rfc})
}
