//go:build cgo

package token

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// module is one loaded and initialised PKCS#11 library. It lives for the
// rest of the process: it is never finalized nor unloaded, because other
// goroutines may hold sessions on it and because some modules crash when
// initialised twice.
type module struct {
	path string // resolved path (symlinks followed), the registry key
	ctx  *pkcs11.Ctx
	info pkcs11.Info

	mu    sync.Mutex
	slots map[uint]chan struct{} // one-slot semaphore per slot: the login lock
}

// loadEntry is the registry's record for one path: the result of the one
// load attempt for that file version, or a load still running.
type loadEntry struct {
	done  chan struct{} // closed when mod/err are set
	stamp fileStamp
	mod   *module
	err   error
}

// fileStamp identifies a version of a file, so that a broken module that
// is reinstalled gets a new attempt while a working one is never reloaded.
type fileStamp struct {
	size int64
	mod  time.Time
}

var registry = struct {
	mu   sync.Mutex
	byID map[string]*loadEntry
}{byID: map[string]*loadEntry{}}

// resolve returns the registry key for path: absolute, symlinks followed, so
// that two names of one library (Debian ships /usr/lib/softhsm/libsofthsm2.so
// as a link) load it once and its tokens are not listed twice.
func resolve(path string) (string, fileStamp, error) {
	if path == "" {
		return "", fileStamp{}, ErrModuleMissing
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fileStamp{}, fmt.Errorf("%w: %v", ErrModuleMissing, err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fileStamp{}, ErrModuleMissing
		}
		return "", fileStamp{}, fmt.Errorf("%w: %v", ErrNotPKCS11, err)
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fileStamp{}, ErrModuleMissing
		}
		return "", fileStamp{}, fmt.Errorf("%w: %v", ErrNotPKCS11, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fileStamp{}, fmt.Errorf("%w: not a regular file", ErrNotPKCS11)
	}
	return resolved, fileStamp{size: fi.Size(), mod: fi.ModTime()}, nil
}

// ModuleLoadTimeout bounds the wait for one module's dlopen and
// C_Initialize (a driver waiting for a smart-card service can hang).
var ModuleLoadTimeout = 10 * time.Second

// loadModule returns the process-wide module for path, loading and
// initialising it on first use. Concurrent callers for one path share one
// attempt. A load that outlives ctx or ModuleLoadTimeout keeps running in
// the background (a cgo call cannot be interrupted) and its result is kept
// for the next caller.
func loadModule(ctx context.Context, path string) (*module, error) {
	key, stamp, err := resolve(path)
	if err != nil {
		return nil, err
	}
	registry.mu.Lock()
	e := registry.byID[key]
	if e != nil {
		select {
		case <-e.done:
			// A failed attempt on an older version of the file is retried.
			if e.err != nil && e.stamp != stamp {
				e = nil
			}
		default:
		}
	}
	if e == nil {
		e = &loadEntry{done: make(chan struct{}), stamp: stamp}
		registry.byID[key] = e
		go func() {
			e.mod, e.err = openModule(key)
			close(e.done)
		}()
	}
	registry.mu.Unlock()

	timer := time.NewTimer(ModuleLoadTimeout)
	defer timer.Stop()
	select {
	case <-e.done:
		return e.mod, e.err
	case <-timer.C:
		return nil, fmt.Errorf("%w: still loading after %v", ErrModuleInit, ModuleLoadTimeout)
	case <-ctx.Done():
		return nil, fmt.Errorf("loading pkcs11 module %s: %w", path, ctx.Err())
	}
}

// openModule does the one dlopen and C_Initialize for a path.
func openModule(path string) (*module, error) {
	if err := probeModule(path); err != nil {
		return nil, err
	}
	c := pkcs11.New(path)
	if c == nil {
		return nil, ErrNotPKCS11
	}
	// CKF_OS_LOCKING_OK (miekg's default): the module may be called from
	// several goroutines (OS threads) at once.
	if err := c.Initialize(); err != nil && !hasCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		c.Destroy()
		return nil, fmt.Errorf("%w: %v", ErrModuleInit, err)
	}
	m := &module{path: path, ctx: c, slots: map[uint]chan struct{}{}}
	if info, err := c.GetInfo(); err == nil {
		m.info = info
	}
	return m, nil
}

// lockSlot takes the slot's login lock: PKCS#11 login state is shared by
// every session of the process on a token, so one Unlock..release holds the
// token at a time. It waits for ctx.
func (m *module) lockSlot(ctx context.Context, slot uint) (unlock func(), err error) {
	m.mu.Lock()
	sem := m.slots[slot]
	if sem == nil {
		sem = make(chan struct{}, 1)
		m.slots[slot] = sem
	}
	m.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the token: %w", ctx.Err())
	}
	var once sync.Once
	return func() { once.Do(func() { <-sem }) }, nil
}

// hasCode reports whether err is the PKCS#11 return value code.
func hasCode(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}

// gone reports whether err means the token is no longer there.
func gone(err error) bool {
	var e pkcs11.Error
	if !errors.As(err, &e) {
		return false
	}
	switch uint(e) {
	case pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_SLOT_ID_INVALID,
		pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED, pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		return true
	}
	return false
}
