// Package redisstore is the verifier's NonceStore in Redis, for several
// portal instances behind a load balancer. It is its own package so that a
// portal using the in-memory store does not link a Redis client.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/efirma/conector/portal/verifier"
	"github.com/redis/go-redis/v9"
)

// Store is a verifier.NonceStore shared by every portal instance behind a load
// balancer. Each challenge is two keys in one hash slot (so it works on a
// Redis Cluster too): the value and an "issued" marker, both with the same
// expiry. Take runs GETDEL on the value and EXISTS on the marker in one
// MULTI/EXEC transaction: the first Take gets the value, every later one
// finds only the marker (verifier.ErrNonceUsed), and after the expiry both are gone
// (verifier.ErrNonceNotFound). Requires Redis 6.2 or later (GETDEL).
type Store struct {
	client redis.UniversalClient
	prefix string
}

// Options returns client options for addr that fail fast when Redis is
// down: short dial, read, write and pool timeouts and one quick retry, so a
// login gets verifier.ErrStore in well under a second instead of stalling
// for the client's default retries. The Verifier also bounds each call
// (Config.StoreTimeout).
func Options(addr string) *redis.Options {
	return &redis.Options{
		Addr:            addr,
		DialTimeout:     300 * time.Millisecond,
		ReadTimeout:     500 * time.Millisecond,
		WriteTimeout:    500 * time.Millisecond,
		PoolTimeout:     500 * time.Millisecond,
		MaxRetries:      1,
		MinRetryBackoff: 10 * time.Millisecond,
		MaxRetryBackoff: 50 * time.Millisecond,
	}
}

// New uses client with keys under prefix ("efirma:" when empty). The
// caller owns client and closes it. Build the client from Options to fail
// fast when Redis is down.
func New(client redis.UniversalClient, prefix string) *Store {
	if prefix == "" {
		prefix = "efirma:"
	}
	return &Store{client: client, prefix: prefix}
}

func (r *Store) keys(key string) (value, marker string) {
	base := r.prefix + "{" + key + "}"
	return base + ":v", base + ":u"
}

// Put implements verifier.NonceStore.
func (r *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	vk, mk := r.keys(key)
	cmds, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SetArgs(ctx, vk, value, redis.SetArgs{Mode: "NX", TTL: ttl})
		p.Set(ctx, mk, "1", ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis put: %w", err)
	}
	if s, _ := cmds[0].(*redis.StatusCmd).Result(); s != "OK" {
		return errors.New("redis put: key already exists")
	}
	return nil
}

// Take implements verifier.NonceStore.
func (r *Store) Take(ctx context.Context, key string) ([]byte, error) {
	vk, mk := r.keys(key)
	var get *redis.StringCmd
	var exists *redis.IntCmd
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get = p.GetDel(ctx, vk)
		exists = p.Exists(ctx, mk)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redis take: %w", err)
	}
	v, err := get.Bytes()
	switch {
	case err == nil:
		return v, nil
	case !errors.Is(err, redis.Nil):
		return nil, fmt.Errorf("redis take: %w", err)
	}
	if n, _ := exists.Result(); n == 1 {
		return nil, verifier.ErrNonceUsed
	}
	return nil, verifier.ErrNonceNotFound
}

// Healthy implements verifier.HealthChecker: a PING.
func (r *Store) Healthy(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

var (
	_ verifier.NonceStore    = (*Store)(nil)
	_ verifier.HealthChecker = (*Store)(nil)
)
