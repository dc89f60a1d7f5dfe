package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/portal/verifier/redisstore"
	"github.com/redis/go-redis/v9"
)

// storeContract checks what every NonceStore must do.
func storeContract(t *testing.T, s verifier.NonceStore) {
	ctx := context.Background()
	if err := s.Put(ctx, "k1", []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take(ctx, "nope"); !errors.Is(err, verifier.ErrNonceNotFound) {
		t.Errorf("Take(unknown) = %v, want ErrNonceNotFound", err)
	}
	v, err := s.Take(ctx, "k1")
	if err != nil || string(v) != "v1" {
		t.Fatalf("Take = %q, %v", v, err)
	}
	if _, err := s.Take(ctx, "k1"); !errors.Is(err, verifier.ErrNonceUsed) {
		t.Errorf("second Take = %v, want ErrNonceUsed", err)
	}
	// Exactly one of many concurrent takers wins.
	if err := s.Put(ctx, "k2", []byte("v2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	var wins, used atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Take(ctx, "k2")
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, verifier.ErrNonceUsed):
				used.Add(1)
			default:
				t.Errorf("concurrent Take: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || used.Load() != 31 {
		t.Errorf("concurrent Take: %d wins, %d used; want 1 and 31", wins.Load(), used.Load())
	}
	// After the TTL the key is gone.
	if err := s.Put(ctx, "k3", []byte("v3"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if _, err := s.Take(ctx, "k3"); !errors.Is(err, verifier.ErrNonceNotFound) {
		t.Errorf("Take after TTL = %v, want ErrNonceNotFound", err)
	}
}

func TestMemoryStore(t *testing.T) {
	storeContract(t, verifier.NewMemoryStore(0))
}

func TestMemoryStoreLimit(t *testing.T) {
	ctx := context.Background()
	s := verifier.NewMemoryStore(3)
	for i := range 3 {
		if err := s.Put(ctx, fmt.Sprint(i), []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "3", []byte("x"), time.Minute); !errors.Is(err, verifier.ErrStoreFull) {
		t.Fatalf("Put over the limit = %v, want ErrStoreFull", err)
	}
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: satAnchors(t), Store: s})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Issue(ctx, "s"); !errors.Is(err, verifier.ErrStoreFull) {
		t.Fatalf("Issue on a full store = %v", err)
	}
	// Expired entries are swept to make room.
	s2 := verifier.NewMemoryStore(1)
	if err := s2.Put(ctx, "a", []byte("x"), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := s2.Put(ctx, "b", []byte("x"), time.Minute); err != nil {
		t.Fatalf("Put after expiry: %v", err)
	}
	if s2.Len() != 1 {
		t.Errorf("Len = %d after sweep", s2.Len())
	}
}

func TestRedisStore(t *testing.T) {
	addr := testenv.StartRedis(t)
	storeContract(t, redisstore.New(testenv.Redis(t, addr), "test:"))
}

// TestRedisTwoInstances: two portal instances behind a load balancer share
// one Redis; a challenge issued by one is consumed by the other, once.
func TestRedisTwoInstances(t *testing.T) {
	ctx := context.Background()
	addr := testenv.StartRedis(t)
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	clk := &clock{t: satTime}
	newInstance := func() *verifier.Verifier {
		v, err := verifier.New(verifier.Config{
			Origin: origin, Anchors: satAnchors(t), Now: clk.Now,
			Store: redisstore.New(testenv.Redis(t, addr), ""),
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := newInstance(), newInstance()

	ch, err := a.Issue(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	tok := mustToken(t, fiel, origin, ch)
	res, err := b.Authenticate(ctx, "s1", ch, tok)
	if err != nil {
		t.Fatalf("login on the other instance: %v", err)
	}
	if res.RFC != "EKU9003173C9" {
		t.Errorf("RFC %q", res.RFC)
	}
	if _, err := a.Authenticate(ctx, "s1", ch, tok); !errors.Is(err, verifier.ErrChallengeReplayed) {
		t.Errorf("replay on the first instance: %v", err)
	}
	if _, err := b.Authenticate(ctx, "s1", ch, tok); !errors.Is(err, verifier.ErrChallengeReplayed) {
		t.Errorf("replay on the same instance: %v", err)
	}

	ch2, err := b.Issue(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Consume(ctx, "s2", ch2); !errors.Is(err, verifier.ErrChallengeForeign) {
		t.Errorf("foreign session across instances: %v", err)
	}

	ch3, err := a.Issue(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(6 * time.Minute)
	if err := b.Consume(ctx, "s1", ch3); !errors.Is(err, verifier.ErrChallengeExpired) {
		t.Errorf("expired across instances: %v", err)
	}

	// The challenge keys carry an expiry in Redis: nothing lives forever.
	keys, err := testenv.Redis(t, addr).Keys(ctx, "efirma:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	for _, k := range keys {
		ttl, err := testenv.Redis(t, addr).PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 10*time.Minute {
			t.Errorf("key %s has TTL %v (%v)", k, ttl, err)
		}
	}
}

func TestRedisDown(t *testing.T) {
	ctx := context.Background()
	port := testenv.FreePort(t)
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: satAnchors(t), Store: redisstore.New(c, "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Issue(ctx, "s"); !errors.Is(err, verifier.ErrStore) {
		t.Errorf("Issue with Redis down = %v, want ErrStore", err)
	}
	if err := v.Consume(ctx, "s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, verifier.ErrStore) {
		t.Errorf("Consume with Redis down = %v, want ErrStore", err)
	}
}
