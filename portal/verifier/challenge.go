package verifier

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/efirma/conector/protocol"
	"time"
)

// ChallengeBytes is the entropy of a challenge; encoded it is
// ChallengeLen base64url characters without padding.
const (
	ChallengeBytes = 32
	ChallengeLen   = 43
)

// DefaultChallengeTTL is how long an issued challenge may be used.
const DefaultChallengeTTL = 5 * time.Minute

// A stored challenge is SHA-256(session) || expiry (Unix nanoseconds, big
// endian): the session itself never reaches the store.
const recordLen = sha256.Size + 8

// Issue returns a new challenge bound to session (the portal's session
// identifier, for example the session cookie's value). It can be consumed
// once, by the same session, within the challenge TTL.
func (v *Verifier) Issue(ctx context.Context, session string) (string, error) {
	if session == "" {
		return "", ErrNoSession
	}
	var b [ChallengeBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("%w: %v", ErrStore, err)
	}
	ch := base64.RawURLEncoding.EncodeToString(b[:])
	sh := sha256.Sum256([]byte(session))
	rec := make([]byte, 0, recordLen)
	rec = append(rec, sh[:]...)
	rec = binary.BigEndian.AppendUint64(rec, uint64(v.now().Add(v.ttl).UnixNano()))
	// The store keeps the record past its expiry for one more TTL, so that
	// a late use is reported as expired rather than unknown.
	sctx, cancel := context.WithTimeout(ctx, v.storeTO)
	defer cancel()
	if err := v.store.Put(sctx, ch, rec, 2*v.ttl); err != nil {
		if errors.Is(err, ErrStoreFull) {
			return "", err
		}
		return "", fmt.Errorf("%w: %v", ErrStore, err)
	}
	return ch, nil
}

// Consume uses up challenge for session. It fails with ErrChallengeFormat,
// ErrChallengeUnknown, ErrChallengeReplayed, ErrChallengeForeign,
// ErrChallengeExpired or ErrStore. A challenge presented by another session
// is used up all the same.
func (v *Verifier) Consume(ctx context.Context, session, challenge string) error {
	if session == "" {
		return ErrNoSession
	}
	if !validChallenge(challenge) {
		return ErrChallengeFormat
	}
	sctx, cancel := context.WithTimeout(ctx, v.storeTO)
	defer cancel()
	rec, err := v.store.Take(sctx, challenge)
	switch {
	case errors.Is(err, ErrNonceUsed):
		return ErrChallengeReplayed
	case errors.Is(err, ErrNonceNotFound):
		return ErrChallengeUnknown
	case err != nil:
		return fmt.Errorf("%w: %v", ErrStore, err)
	case len(rec) != recordLen:
		return fmt.Errorf("%w: stored record has %d bytes", ErrStore, len(rec))
	}
	sh := sha256.Sum256([]byte(session))
	if subtle.ConstantTimeCompare(sh[:], rec[:sha256.Size]) != 1 {
		return ErrChallengeForeign
	}
	exp := time.Unix(0, int64(binary.BigEndian.Uint64(rec[sha256.Size:])))
	if v.now().After(exp) {
		return fmt.Errorf("%w at %s", ErrChallengeExpired, exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// validChallenge reports whether ch has the exact shape Issue produces:
// protocol v1's challenge alphabet at exactly ChallengeLen characters.
func validChallenge(ch string) bool {
	return len(ch) == ChallengeLen && protocol.ValidateChallenge(ch) == nil
}
