package verifier

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Errors a NonceStore returns from Take. Any other error is a store failure.
var (
	// ErrNonceNotFound: the key was never stored, or it is gone for good.
	ErrNonceNotFound = errors.New("nonce not found")
	// ErrNonceUsed: the key was stored and already taken.
	ErrNonceUsed = errors.New("nonce already taken")
)

// NonceStore keeps outstanding challenges. Implementations must make Take
// atomic: of any number of concurrent Take calls for one key, across every
// process sharing the store, exactly one returns the value.
type NonceStore interface {
	// Put stores value under key for ttl. The key is new (it is 32 random
	// bytes); a store may refuse to grow without bound.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Take returns the value stored under key and removes it, leaving a
	// marker until the original ttl ends so that a second Take reports
	// ErrNonceUsed rather than ErrNonceNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
}

// DefaultMemoryLimit bounds the outstanding challenges a MemoryStore keeps.
const DefaultMemoryLimit = 1 << 20

// MemoryStore is the in-memory NonceStore for a single server. The zero
// value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[string]memEntry
	limit   int
	now     func() time.Time
	lastGC  time.Time
}

type memEntry struct {
	value    []byte // nil once taken
	deadline time.Time
}

// NewMemoryStore returns an empty store that holds at most limit entries
// (DefaultMemoryLimit when limit <= 0).
func NewMemoryStore(limit int) *MemoryStore {
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	return &MemoryStore{entries: map[string]memEntry{}, limit: limit, now: time.Now}
}

// Put implements NonceStore. It returns ErrStoreFull when the store holds
// limit live entries.
func (m *MemoryStore) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.entries) >= m.limit || now.Sub(m.lastGC) > time.Minute {
		m.gc(now)
	}
	if len(m.entries) >= m.limit {
		return ErrStoreFull
	}
	v := make([]byte, len(value))
	copy(v, value)
	m.entries[key] = memEntry{value: v, deadline: now.Add(ttl)}
	return nil
}

// Take implements NonceStore.
func (m *MemoryStore) Take(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || m.now().After(e.deadline) {
		return nil, ErrNonceNotFound
	}
	if e.value == nil {
		return nil, ErrNonceUsed
	}
	v := e.value
	e.value = nil
	m.entries[key] = e
	return v, nil
}

// Len returns the number of entries held, taken markers included.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *MemoryStore) gc(now time.Time) {
	for k, e := range m.entries {
		if now.After(e.deadline) {
			delete(m.entries, k)
		}
	}
	m.lastGC = now
}
