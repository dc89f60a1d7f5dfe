package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SyncBuffer is a bytes.Buffer safe for concurrent writers: a service's
// output, or a logger's, read by a test.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a service, stops it at cleanup and waits until it is ready:
// until its output contains ready, or, when ready is empty, until addr
// accepts TCP connections. (`openssl ocsp` 3.0 stops answering after a
// connection that sends nothing, so it must not be probed that way.)
func start(t testing.TB, addr, ready string, name string, args ...string) {
	t.Helper()
	startKillable(t, addr, ready, name, args...)
}

// startKillable is start, returning a function that kills the service
// (SIGKILL) and waits for it to exit; calling it again does nothing.
func startKillable(t testing.TB, addr, ready string, name string, args ...string) (kill func()) {
	t.Helper()
	out := &SyncBuffer{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	kill = func() {
		_ = cmd.Process.Kill()
		<-done
	}
	t.Cleanup(kill)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ready != "" {
			if strings.Contains(out.String(), ready) {
				return kill
			}
		} else if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return kill
		}
		select {
		case <-done:
			t.Fatalf("%s exited before listening on %s:\n%s", name, addr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after 10 s:\n%s", name, addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// StartRedis runs a throwaway redis-server on a free loopback port with no
// persistence and returns its address.
func StartRedis(t testing.TB) string {
	t.Helper()
	bin := Tool(t, "redis-server")
	port := FreePort(t)
	dir := t.TempDir()
	start(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), "", bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// RedisServer is a throwaway redis-server that a test can kill and start
// again on the same address.
type RedisServer struct {
	Addr string
	t    testing.TB
	port int
	dir  string
	kill func()
}

// StartRedisServer runs a throwaway redis-server like StartRedis.
func StartRedisServer(t testing.TB) *RedisServer {
	t.Helper()
	r := &RedisServer{t: t, port: FreePort(t), dir: t.TempDir()}
	r.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
	r.Start()
	return r
}

// Start starts the server (again) on its address.
func (r *RedisServer) Start() {
	r.t.Helper()
	r.kill = startKillable(r.t, r.Addr, "", Tool(r.t, "redis-server"),
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.dir)
}

// Kill kills the server with SIGKILL and waits for it to exit.
func (r *RedisServer) Kill() { r.kill() }

// Redis returns a client for addr, closed at cleanup, after a PING.
func Redis(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis ping: %v", err)
	}
	return c
}

// IndexEntry is one line of an openssl CA index file.
type IndexEntry struct {
	Cred      *Credential
	RevokedAt time.Time // zero: valid
}

// StartOCSP runs `openssl ocsp` as a responder for ca on a free loopback
// port, answering from an index file built from entries (certificates not
// listed are "unknown"), signing with responder. It returns the URL.
func StartOCSP(t testing.TB, ca *CA, responder *Credential, entries []IndexEntry) string {
	t.Helper()
	bin := Tool(t, "openssl")
	dir := t.TempDir()
	var idx strings.Builder
	for _, e := range entries {
		c := e.Cred.Cert
		exp := c.NotAfter.UTC().Format("060102150405Z")
		status, rev := "V", ""
		if !e.RevokedAt.IsZero() {
			status, rev = "R", e.RevokedAt.UTC().Format("060102150405Z")+",keyCompromise"
		}
		fmt.Fprintf(&idx, "%s\t%s\t%s\t%X\tunknown\t/CN=%s\n", status, exp, rev, c.SerialNumber, c.Subject.CommonName)
	}
	index := filepath.Join(dir, "index.txt")
	if err := os.WriteFile(index, []byte(idx.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index+".attr", []byte("unique_subject = no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	caPath := filepath.Join(dir, "ca.pem")
	ca.WritePEM(t, caPath, "")
	rspCert, rspKey := filepath.Join(dir, "rsp.pem"), filepath.Join(dir, "rsp.key")
	responder.WritePEM(t, rspCert, rspKey)
	port := FreePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	start(t, addr, "waiting for OCSP client connections", bin, "ocsp", "-index", index, "-port", strconv.Itoa(port), "-rsigner", rspCert, "-rkey", rspKey, "-CA", caPath, "-ignore_err")
	return "http://" + addr + "/"
}
