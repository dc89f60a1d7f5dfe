// Package store owns the user's credential store under $EFIRMA_HOME/store:
// one folder per imported credential, holding the certificate and the
// private key exactly as issued (a SAT .key stays encrypted; a .pfx stays as
// given). The password is never stored.
//
// Rules: folders are 0700 and files 0600; an import is checked completely
// (certificate parses, password opens the key, key matches certificate)
// before anything is written, and is written to a temporary folder renamed
// into place so that a failure loses nothing. The store is a keys.Source.
package store

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/privdir"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
	"software.sslmate.com/src/go-pkcs12"
)

// File names inside a credential folder.
const (
	certFile = "certificate.cer"
	keyFile  = "private_key.key"
	pfxFile  = "credential.pfx"
)

// Errors of the store. ErrNotFound is keys.ErrNotFound and ErrBadPFX is
// sat.ErrBadPFX (the PKCS#12 parser lives in package sat with the other
// credential formats).
var (
	ErrNotFound = keys.ErrNotFound
	ErrBadPFX   = sat.ErrBadPFX
)

// Store is the user's credential store.
type Store struct {
	dir string
	// mu orders writes, removals and reads of one store in this process
	// (requests on one connection run concurrently); the .lock file does the
	// same between processes (the CLI and the browser's host) for writes,
	// removals and crash recovery.
	mu sync.RWMutex
}

// New returns the store rooted at dir (created on first import).
func New(dir string) *Store { return &Store{dir: dir} }

// Dir returns the store's folder.
func (s *Store) Dir() string { return s.dir }

// Name implements keys.Source.
func (s *Store) Name() string { return protocol.SourceFile }

// Serves implements keys.Source: the store holds .cer/.key pairs and .pfx
// files.
func (s *Store) Serves() []string { return []string{protocol.SourceFile, protocol.SourcePKCS12} }

// Owns implements keys.Source: ids "file-…" and "pkcs12-…".
func (s *Store) Owns(id string) bool {
	return strings.HasPrefix(id, protocol.SourceFile+"-") || strings.HasPrefix(id, protocol.SourcePKCS12+"-")
}

// IDFor returns the stable id of a certificate in a source.
func IDFor(source string, certDER []byte) string {
	h := sha256.Sum256(certDER)
	return source + "-" + hex.EncodeToString(h[:12])
}

// ImportSAT checks and stores a .cer/.key pair.
func (s *Store) ImportSAT(certData, keyData, password []byte) (keys.Credential, error) {
	cert, err := sat.ParseCertificate(certData)
	if err != nil {
		return nil, err
	}
	key, err := keyfile.DecryptKey(keyData, password)
	if err != nil {
		return nil, err
	}
	if err := sat.CheckPair(cert, key); err != nil {
		return nil, err
	}
	if signing.Algorithm(key.Public()) == "" {
		return nil, fmt.Errorf("%w: unsupported key type", sat.ErrNotAKey)
	}
	id := IDFor(protocol.SourceFile, cert.Raw)
	if err := s.write(id, map[string][]byte{certFile: cert.Raw, keyFile: keyData}); err != nil {
		return nil, err
	}
	return &credential{id: id, source: protocol.SourceFile, dir: filepath.Join(s.dir, id), cert: cert}, nil
}

// ImportPFX checks and stores a PKCS#12 file (modern PBES2/AES or legacy).
// An empty password is allowed: some .pfx files have none.
func (s *Store) ImportPFX(pfx, password []byte) (keys.Credential, error) {
	_, cert, err := keyfile.DecodePFX(pfx, password)
	if err != nil {
		return nil, err
	}
	id := IDFor(protocol.SourcePKCS12, cert.Raw)
	if err := s.write(id, map[string][]byte{certFile: cert.Raw, pfxFile: pfx}); err != nil {
		return nil, err
	}
	return &credential{id: id, source: protocol.SourcePKCS12, dir: filepath.Join(s.dir, id), cert: cert}, nil
}

// write stores files in a temporary folder and renames it into place.
func (s *Store) write(id string, files map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	tmp, err := os.MkdirTemp(s.dir, ".import-")
	if err != nil {
		return fmt.Errorf("failed to create store entry: %w", err)
	}
	defer removeEntry(tmp)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			return fmt.Errorf("failed to write %s: %w", name, err)
		}
	}
	final := filepath.Join(s.dir, id)
	old := final + ".old"
	_ = removeEntry(old)
	if _, err := os.Stat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return fmt.Errorf("failed to replace store entry: %w", err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Rename(old, final)
		return fmt.Errorf("failed to store credential: %w", err)
	}
	_ = removeEntry(old)
	return nil
}

// List implements keys.Source. Entries that cannot be read are warnings.
func (s *Store) List(ctx context.Context) ([]keys.Credential, []string, error) {
	s.recover()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.private(); err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read store: %w", err)
	}
	var out []keys.Credential
	var warnings []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".old") {
			continue
		}
		c, err := s.open(name)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("store entry %s: %v", name, err))
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out, warnings, nil
}

// private makes an existing store folder owner-only (privdir.Ensure: a
// folder left 0777 becomes 0700; one that is not ours is refused); a
// missing one is left for the first import to create.
func (s *Store) private() error {
	if _, err := os.Lstat(s.dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := privdir.Ensure(s.dir); err != nil {
		return fmt.Errorf("store folder: %w", err)
	}
	return nil
}

// lock takes the store's cross-process lock (the .lock file in the store
// folder).
func (s *Store) lock() (func(), error) {
	if _, err := privdir.Ensure(s.dir); err != nil {
		return nil, fmt.Errorf("failed to create store: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("failed to open the store lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to lock the store: %w", err)
	}
	return func() { _ = unlockFile(f); f.Close() }, nil
}

// recover repairs what a crash in write leaves behind: an entry left only
// as id.old (between the two renames) is put back; stale .import-* folders
// are removed. It runs under the write lock, never during a write.
func (s *Store) recover() {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	unlock, err := s.lock()
	if err != nil {
		return
	}
	defer unlock()
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			continue
		}
		if strings.HasPrefix(name, ".import-") {
			_ = removeEntry(filepath.Join(s.dir, name))
			continue
		}
		if base, ok := strings.CutSuffix(name, ".old"); ok {
			if _, err := os.Stat(filepath.Join(s.dir, base)); errors.Is(err, os.ErrNotExist) {
				_ = os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, base))
			}
		}
	}
}

// Find implements keys.Source: it reads only that entry.
func (s *Store) Find(_ context.Context, id string) (keys.Credential, error) { return s.Get(id) }

// Get returns one stored credential.
func (s *Store) Get(id string) (keys.Credential, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.private(); err != nil {
		return nil, err
	}
	c, err := s.open(id)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return c, err
}

// Remove deletes a stored credential.
func (s *Store) Remove(id string) error {
	if !validID(id) {
		return ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	p := filepath.Join(s.dir, id)
	if _, err := os.Stat(p); err != nil {
		return ErrNotFound
	}
	return removeEntry(p)
}

func validID(id string) bool {
	src, h, ok := strings.Cut(id, "-")
	if !ok || (src != protocol.SourceFile && src != protocol.SourcePKCS12) || len(h) != 24 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

func (s *Store) open(id string) (*credential, error) {
	dir := filepath.Join(s.dir, id)
	data, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		return nil, err
	}
	cert, err := sat.ParseCertificate(data)
	if err != nil {
		return nil, err
	}
	src := protocol.SourceFile
	if _, err := os.Stat(filepath.Join(dir, pfxFile)); err == nil {
		src = protocol.SourcePKCS12
	}
	if IDFor(src, cert.Raw) != id {
		return nil, fmt.Errorf("store entry %s does not match its certificate", id)
	}
	return &credential{id: id, source: src, dir: dir, cert: cert}, nil
}

type credential struct {
	id, source, dir string
	cert            *x509.Certificate
}

func (c *credential) ID() string                       { return c.id }
func (c *credential) Source() string                   { return c.source }
func (c *credential) Certificate() *x509.Certificate   { return c.cert }
func (c *credential) Decorate(info *protocol.CertInfo) { info.Usable = true }

// Unlock reads the key file and opens it with the password.
func (c *credential) Unlock(ctx context.Context, secret []byte, _ keys.UnlockOptions) (crypto.Signer, func(), error) {
	if c.source == protocol.SourcePKCS12 {
		data, err := os.ReadFile(filepath.Join(c.dir, pfxFile))
		if err != nil {
			return nil, nil, fmt.Errorf("failed to read stored .pfx: %w", err)
		}
		key, _, err := keyfile.DecodePFX(data, secret)
		if err != nil {
			return nil, nil, err
		}
		return key, func() { wipeKey(key) }, nil
	}
	data, err := os.ReadFile(filepath.Join(c.dir, keyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read stored key: %w", err)
	}
	key, err := keyfile.DecryptKey(data, secret)
	if err != nil {
		return nil, nil, err
	}
	if err := sat.CheckPair(c.cert, key); err != nil {
		return nil, nil, err
	}
	return key, func() { wipeKey(key) }, nil
}

// wipeKey overwrites, on release, the private numbers of a decrypted key
// that Go lets us reach (RSA D and primes; an ECDSA key's D is deprecated
// for such use and is left to the standard library). Values the standard
// library precomputes inside the key are not reachable and are not wiped
// (docs/SECURITY.md, "Secrets in memory").
func wipeKey(k crypto.Signer) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		clear(k.D.Bits())
		for _, p := range k.Primes {
			clear(p.Bits())
		}
	}
}

// ExportPFX writes the stored credential as a PKCS#12 file protected with
// newPassword (modern encryption: PBES2, AES-256, PBKDF2-SHA256).
func (s *Store) ExportPFX(ctx context.Context, id string, password, newPassword []byte) ([]byte, error) {
	c, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	key, release, err := c.Unlock(ctx, password, keys.UnlockOptions{})
	if err != nil {
		return nil, err
	}
	defer release()
	return pkcs12.Modern.Encode(key, c.Certificate(), nil, string(newPassword))
}
