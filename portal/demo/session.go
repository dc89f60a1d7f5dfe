package demo

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/efirma/conector/portal/verifier"
)

// CookieName is the session cookie.
const CookieName = "efirma_demo_sesion"

const (
	sessionTTL  = 8 * time.Hour
	maxSessions = 100_000
)

type session struct {
	user    *verifier.Result
	expires time.Time
}

// sessions is the demo's in-memory session table. Challenges go through the
// verifier's NonceStore (shared in Redis when configured); the signed-in
// state stays in this process, which is enough for a demo.
type sessions struct {
	mu     sync.Mutex
	m      map[string]*session
	secure bool
}

func newSessionID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("internal error: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// get returns the session id and its state from the request's cookie; the
// id is "" when there is no cookie (state is nil for an unknown or anonymous
// session, which is fine: challenges need only the id).
func (s *sessions) get(r *http.Request) (string, *session) {
	c, err := r.Cookie(CookieName)
	if err != nil || len(c.Value) != 43 {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.m[c.Value]
	if st != nil && time.Now().After(st.expires) {
		delete(s.m, c.Value)
		st = nil
	}
	return c.Value, st
}

// ensure returns the request's session id, making a new anonymous one (and
// setting its cookie) when there is none.
func (s *sessions) ensure(w http.ResponseWriter, r *http.Request) string {
	if id, _ := s.get(r); id != "" {
		return id
	}
	id := newSessionID()
	s.setCookie(w, id, 0)
	return id
}

// login replaces the session old with a new id that holds user (a new id
// at sign-in prevents session fixation).
func (s *sessions) login(w http.ResponseWriter, old string, user *verifier.Result) {
	id := newSessionID()
	s.mu.Lock()
	delete(s.m, old)
	if len(s.m) >= maxSessions {
		now := time.Now()
		for k, v := range s.m {
			if now.After(v.expires) {
				delete(s.m, k)
			}
		}
	}
	if len(s.m) >= maxSessions {
		for k := range s.m { // still full: drop an arbitrary one
			delete(s.m, k)
			break
		}
	}
	s.m[id] = &session{user: user, expires: time.Now().Add(sessionTTL)}
	s.mu.Unlock()
	s.setCookie(w, id, 0)
}

func (s *sessions) logout(w http.ResponseWriter, r *http.Request) {
	if id, _ := s.get(r); id != "" {
		s.mu.Lock()
		delete(s.m, id)
		s.mu.Unlock()
	}
	s.setCookie(w, "", -1)
}

func (s *sessions) setCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}
