// Package satreplica is a stand-in for SAT's e.firma login, for the
// end-to-end tests and `make demo`: HTTPS on loopback under SAT's real host
// names (loginda.siat.sat.gob.mx, cfdiau.sat.gob.mx, www.sat.gob.mx), with a
// certificate issued by a throwaway CA made at start. Chromium reaches it
// with --host-resolver-rules mapping those names to the replica's address
// and --ignore-certificate-errors-spki-list=Replica.SPKI (chromerig.Config's
// HostRules and TrustSPKI).
//
// Its pages follow only what docs/SAT-LOGIN.md says SAT's real login has:
// www.sat.gob.mx links to the login; the login page without id=fiel is the
// contraseña (CIEC) page with a link to the e.firma one; the e.firma page
// (/nidp/app/login?id=fiel, and ?id=SATx509Custom&sid=0&option=credential&sid=0
// on cfdiau) holds form#certform (method POST) with a hidden guid random per
// visit, file inputs for the .cer and .key, a password field and page
// JavaScript that refuses to submit without them. Its Spanish texts are
// SAT's page, not the product's, so they are literals here.
//
// The POST verifies exactly the contract (signing.VerifySATLogin): decode,
// split on "#", SHA1withRSA with the certificate whose número matches (from
// the certificates it was given), RFC and número match, fert matches; then
// the guid must be one issued to this session and not used yet, and the
// certificate a FIEL valid now. It then shows "RFC autenticado: <RFC>" and
// refuses the same token (or guid) again.
//
// The replica calls signing.VerifySATLogin rather than keeping a second
// verifier of its own: it is the same contract, and the independent
// opinion on the token's format and signature is openssl, in
// signing.TestSignSATLoginVerifiesWithOpenSSL (the text and the layers of
// base64 taken apart by hand there, the SHA1withRSA signature checked by
// `openssl dgst`). Only its refusal reasons (ErrNoSession, ...) are its own.
package satreplica

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// The host names the replica answers for.
const (
	HostLogin  = "loginda.siat.sat.gob.mx"
	HostCFDIAU = "cfdiau.sat.gob.mx"
	HostWWW    = "www.sat.gob.mx"
)

// Paths of the e.firma login pages.
const (
	PathFIEL   = "/nidp/app/login?id=fiel"
	PathCFDIAU = "/nidp/app/login?id=SATx509Custom&sid=0&option=credential&sid=0"
)

// Config configures a replica.
type Config struct {
	// Certificates are the SAT certificates the login knows, looked up by
	// número de certificado.
	Certificates []*x509.Certificate
	// ExtraNames are more DNS names for the TLS certificate (a test maps a
	// look-alike host to the same replica).
	ExtraNames []string
	// Now is the clock for the certificates' validity; nil is time.Now.
	Now func() time.Time
}

// Attempt is one POST of the e.firma form, as the replica judged it.
type Attempt struct {
	Host   string
	GUID   string // the form's guid field
	Token  string
	Fert   string
	RFC    string // set when accepted
	Reason string // why it was refused; "" when accepted
	// Form is everything the form posted (a test checks that no password
	// or key reached the page's form).
	Form url.Values
}

// Replica is a running SAT login replica.
type Replica struct {
	// Addr is the loopback address (host:port) it listens on.
	Addr string
	// SPKI is base64(SHA-256(SubjectPublicKeyInfo)) of its TLS certificate,
	// for Chromium's --ignore-certificate-errors-spki-list.
	SPKI string
	// CA is the throwaway CA that issued the TLS certificate.
	CA *x509.Certificate

	cfg   Config
	byNum map[string]*signing.SATCertificate
	srv   *http.Server

	mu       sync.Mutex
	sessions map[string]*session
	attempts []Attempt
}

type session struct {
	issued map[string]bool // guid → used
}

// maxSessions bounds the replica's memory (it is a test server).
const maxSessions = 10_000

// Start listens on addr ("127.0.0.1:0" for any port) and serves until Close.
func Start(addr string, cfg Config) (*Replica, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Replica{cfg: cfg, byNum: map[string]*signing.SATCertificate{}, sessions: map[string]*session{}}
	for _, c := range cfg.Certificates {
		f := sat.FactsOf(c)
		r.byNum[f.Serial] = &signing.SATCertificate{Cert: c, RFC: f.RFC, Numero: f.Serial}
	}
	names := append([]string{HostLogin, HostCFDIAU, HostWWW}, cfg.ExtraNames...)
	tlsCert, ca, err := issueTLS(names)
	if err != nil {
		return nil, err
	}
	r.CA = ca
	sum := sha256.Sum256(tlsCert.Leaf.RawSubjectPublicKeyInfo)
	r.SPKI = base64.StdEncoding.EncodeToString(sum[:])
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r.Addr = l.Addr().String()
	r.srv = &http.Server{
		Handler:           r,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{tlsCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	go r.srv.ServeTLS(l, "", "") //nolint:errcheck // ends with ErrServerClosed at Close
	return r, nil
}

// Close stops the replica.
func (r *Replica) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.srv.Shutdown(ctx) //nolint:errcheck
}

// HostRules is the --host-resolver-rules value mapping the replica's names
// (and extra names) to its address.
func (r *Replica) HostRules(extra ...string) string {
	var rules []string
	for _, h := range append([]string{HostLogin, HostCFDIAU, HostWWW}, extra...) {
		rules = append(rules, "MAP "+h+" "+r.Addr)
	}
	return strings.Join(rules, ", ")
}

// Attempts returns every POST of the e.firma form so far.
func (r *Replica) Attempts() []Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Attempt(nil), r.attempts...)
}

// LoadCertificates reads every *.cer file under the given folders (the
// fixture and testdata layouts: <folder>/<credential>/certificate.cer).
// Files that are not certificates are skipped.
func LoadCertificates(dirs ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(strings.ToLower(p), ".cer") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if c, err := sat.ParseCertificate(b); err == nil {
				out = append(out, c)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

const cookieName = "JSESSIONID"

// ServeHTTP routes by host name and path.
func (r *Replica) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	host, _, err := net.SplitHostPort(req.Host)
	if err != nil {
		host = req.Host
	}
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case req.URL.Path == "/favicon.ico":
		http.NotFound(w, req)
	case req.URL.Path == "/nidp/app/login" && req.Method == http.MethodPost:
		r.login(w, req, host)
	case req.URL.Path == "/nidp/app/login" && req.Method == http.MethodGet:
		q := req.URL.Query()
		if q.Get("id") == "fiel" || (q.Get("id") == "SATx509Custom" && q.Get("option") == "credential") {
			r.fielPage(w, req, host)
			return
		}
		render(w, http.StatusOK, ciecPage, map[string]any{"Host": host})
	case req.URL.Path == "/" && req.Method == http.MethodGet:
		render(w, http.StatusOK, homePage, map[string]any{"Login": "https://" + HostLogin + PathFIEL, "CIEC": "https://" + HostLogin + "/nidp/app/login?id=contr"})
	default:
		http.NotFound(w, req)
	}
}

// sessionOf returns the caller's session, making one (and its cookie) when
// there is none.
func (r *Replica) sessionOf(w http.ResponseWriter, req *http.Request, create bool) *session {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, err := req.Cookie(cookieName); err == nil {
		if s := r.sessions[c.Value]; s != nil {
			return s
		}
	}
	if !create {
		return nil
	}
	if len(r.sessions) >= maxSessions {
		r.sessions = map[string]*session{}
	}
	id := randomString(24)
	s := &session{issued: map[string]bool{}}
	r.sessions[id] = s
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return s
}

func (r *Replica) fielPage(w http.ResponseWriter, req *http.Request, host string) {
	s := r.sessionOf(w, req, true)
	guid := newGUID()
	r.mu.Lock()
	s.issued[guid] = false
	r.mu.Unlock()
	render(w, http.StatusOK, fielPage, map[string]any{
		"GUID":   guid,
		"Action": req.URL.RequestURI(),
		// cfdiau's form lacks the token and fert inputs, so the extension's
		// "create them when missing" path runs too.
		"WithTokenInputs": host != HostCFDIAU,
	})
}

// login verifies a POST of form#certform.
func (r *Replica) login(w http.ResponseWriter, req *http.Request, host string) {
	req.Body = http.MaxBytesReader(w, req.Body, 1<<20)
	if err := req.ParseForm(); err != nil {
		http.Error(w, "formulario inválido", http.StatusBadRequest)
		return
	}
	a := Attempt{Host: host, GUID: req.PostForm.Get("guid"), Token: req.PostForm.Get("token"), Fert: req.PostForm.Get("fert"), Form: req.PostForm}
	rfc, err := r.check(w, req, a)
	if err != nil {
		a.Reason = err.Error()
	} else {
		a.RFC = rfc
	}
	r.mu.Lock()
	r.attempts = append(r.attempts, a)
	r.mu.Unlock()
	if err != nil {
		render(w, http.StatusForbidden, refusedPage, map[string]any{"Reason": err.Error(), "Login": "https://" + host + PathFIEL})
		return
	}
	render(w, http.StatusOK, welcomePage, map[string]any{"RFC": rfc})
}

// Reasons a POST is refused (shown on the page and kept in Attempts).
var (
	ErrNoSession  = errors.New("sesión desconocida")
	ErrNoToken    = errors.New("faltan token o fert")
	ErrGUIDUnseen = errors.New("guid no emitido para esta sesión")
	ErrGUIDUsed   = errors.New("guid ya usado (token repetido)")
	ErrNotFIEL    = errors.New("el certificado no es una e.firma")
	ErrNotValid   = errors.New("el certificado no está vigente")
)

func (r *Replica) check(w http.ResponseWriter, req *http.Request, a Attempt) (string, error) {
	s := r.sessionOf(w, req, false)
	if s == nil {
		return "", ErrNoSession
	}
	if a.Token == "" || a.Fert == "" {
		return "", ErrNoToken
	}
	claims, err := signing.VerifySATLogin(a.Token, a.Fert, func(n string) *signing.SATCertificate { return r.byNum[n] })
	if err != nil {
		return "", err
	}
	if f := sat.FactsOf(claims.Cert); f.Type != protocol.TypeFIEL {
		return "", ErrNotFIEL
	}
	if st, _ := sat.Status(claims.Cert, r.cfg.Now()); st != protocol.StatusValid {
		return "", ErrNotValid
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	used, issued := s.issued[claims.GUID]
	switch {
	case !issued:
		return "", ErrGUIDUnseen
	case used:
		return "", ErrGUIDUsed
	}
	s.issued[claims.GUID] = true
	return claims.RFC, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("internal error: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// newGUID returns a random UUID-shaped guid.
func newGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("internal error: no randomness: " + err.Error())
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// issueTLS makes a throwaway CA and a TLS certificate for names.
func issueTLS(names []string) (tls.Certificate, *x509.Certificate, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Réplica SAT CA de pruebas"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key, Leaf: leaf}, ca, nil
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	t.Execute(w, data) //nolint:errcheck // the client went away
}
