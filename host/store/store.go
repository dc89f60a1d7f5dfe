// Package store owns the user's credential store under $EFIRMA_HOME/store:
// one folder per imported credential, holding the certificate and the
// private key as issued (a SAT .key stays encrypted; a .pfx stays as given)
// or, for a key given unencrypted, encrypted with the new password the
// person chose (sat.EncryptKey); never an unencrypted key. The password is
// never stored. A "checksums" file holds the SHA-256 of each file, so a
// stored file damaged later is named as such, not taken for a wrong
// password; an entry stored before checksums existed gets that file on its
// first unlock with the right password (recordSums).
//
// Rules: folders are 0700 and files 0600; an import is checked completely
// (certificate parses, password opens the key, key matches certificate)
// before anything is written, and is written to a temporary folder renamed
// into place so that a failure loses nothing. The store is a keys.Source.
//
// Crashes. Every change is a rename under the cross-process lock: a
// replace moves <id> to <id>.old, the new folder to <id>, then deletes
// <id>.old; a removal moves <id> to .remove-<id>, then deletes that. So
// whatever instant a process dies at, recovery (under the same lock, before
// every List and Remove) finds one of: <id>.old alone (the replace did not
// finish: put it back), <id> and <id>.old (it did: delete the .old), or a
// .remove-*/.import-* folder (delete it). A removed credential never comes
// back, and a replaced one is either the old or the new, whole. An older
// entry's checksums file (recordSums) is written as <id>/.checksums.tmp and
// renamed to <id>/checksums: a process that dies between the two leaves the
// .tmp file, which no reader looks at and the next recordSums or replace of
// that entry removes.
package store

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/efirma/conector/internal/filelock"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/privdir"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
)

// File names inside a credential folder.
const (
	certFile = "certificate.cer"
	keyFile  = "private_key.key"
	pfxFile  = "credential.pfx"
	sumsFile = "checksums"
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
	c, _, err := s.ImportKeyPair(certData, keyData, password, nil)
	return c, err
}

// ImportKeyPair checks and stores a .cer/.key pair. An encrypted key is
// opened with password and stored as given. An unencrypted key (PKCS#8 or
// PKCS#1, DER or PEM) needs newPassword: without it the answer is
// sat.ErrUnencryptedKey (ask the person for a new password, twice); with it
// the key is stored encrypted with newPassword (sat.EncryptKey) and
// reencrypted is true. An unencrypted key is never written.
func (s *Store) ImportKeyPair(certData, keyData, password, newPassword []byte) (c keys.Credential, reencrypted bool, err error) {
	cert, err := sat.ParseCertificate(certData)
	if err != nil {
		return nil, false, err
	}
	key, err := keyfile.DecryptKey(keyData, password)
	if errors.Is(err, sat.ErrUnencryptedKey) && len(newPassword) > 0 {
		if key, err = keyfile.ParseUnencryptedKey(keyData); err != nil {
			return nil, false, err
		}
		if err := sat.CheckPair(cert, key); err != nil {
			return nil, false, err
		}
		if keyData, err = keyfile.EncryptKey(key, newPassword); err != nil {
			return nil, false, err
		}
		reencrypted = true
	}
	if err != nil {
		return nil, false, err
	}
	c, err = s.storePair(cert, key, keyData)
	return c, reencrypted, err
}

func (s *Store) storePair(cert *x509.Certificate, key crypto.Signer, keyData []byte) (keys.Credential, error) {
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

// write stores files in a temporary folder and renames it into place (see
// the package doc for the crash rules). Failures of the disk are named
// (diskError): full, or read-only.
func (s *Store) write(id string, files map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock()
	if err != nil {
		return diskError(err)
	}
	defer unlock()
	s.recoverLocked()
	tmp, err := os.MkdirTemp(s.dir, ".import-")
	if err != nil {
		return diskError(fmt.Errorf("failed to create store entry: %w", err))
	}
	defer func() { _ = removeEntry(tmp) }()
	for name, data := range files {
		if err := writeFile(filepath.Join(tmp, name), data); err != nil {
			return diskError(fmt.Errorf("failed to write %s: %w", name, err))
		}
	}
	if err := writeFile(filepath.Join(tmp, sumsFile), sumsOf(files)); err != nil {
		return diskError(fmt.Errorf("failed to write %s: %w", sumsFile, err))
	}
	pausePoint("write:staged")
	final := filepath.Join(s.dir, id)
	old := final + ".old"
	_ = removeEntry(old)
	if _, err := os.Lstat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return diskError(fmt.Errorf("failed to replace store entry: %w", err))
		}
		pausePoint("write:old-aside")
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Rename(old, final)
		return diskError(fmt.Errorf("failed to store credential: %w", err))
	}
	pausePoint("write:new-in-place")
	_ = removeEntry(old)
	return nil
}

// writeFile writes data to a new owner-only file and flushes it to disk
// before the folder is renamed into place.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pause is the test hook of the crash tests: a process started with
// EFIRMA_TEST_STORE_PAUSE=<point> stops at that point (saying so on
// stderr) until it is killed.
var pause = os.Getenv("EFIRMA_TEST_STORE_PAUSE")

func pausePoint(name string) {
	if pause != name {
		return
	}
	fmt.Fprintf(os.Stderr, "paused at %s\n", name)
	select {}
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
	if err := filelock.Lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to lock the store: %w", err)
	}
	return func() { _ = filelock.Unlock(f); f.Close() }, nil
}

// recover repairs what a crash in write or Remove leaves behind (see the
// package doc). It takes the write lock, so it never runs during a write.
func (s *Store) recover() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Lstat(s.dir); err != nil {
		return
	}
	unlock, err := s.lock()
	if err != nil {
		return
	}
	defer unlock()
	s.recoverLocked()
}

// recoverLocked is recover with both locks held: <id>.old alone is put
// back, <id>.old beside <id> is deleted (the replace finished), and
// .import-* and .remove-* folders are deleted.
func (s *Store) recoverLocked() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			continue
		}
		if strings.HasPrefix(name, ".import-") || strings.HasPrefix(name, ".remove-") {
			_ = removeEntry(filepath.Join(s.dir, name))
			continue
		}
		if base, ok := strings.CutSuffix(name, ".old"); ok && validID(base) {
			if _, err := os.Lstat(filepath.Join(s.dir, base)); errors.Is(err, os.ErrNotExist) {
				_ = os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, base))
			} else {
				_ = removeEntry(filepath.Join(s.dir, name))
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
	if _, err := os.Lstat(s.dir); errors.Is(err, os.ErrNotExist) {
		return ErrNotFound
	}
	unlock, err := s.lock()
	if err != nil {
		return diskError(err)
	}
	defer unlock()
	// A replace cut short must not leave an <id>.old behind to be put back
	// after this removal.
	s.recoverLocked()
	p := filepath.Join(s.dir, id)
	if _, err := os.Lstat(p); err != nil {
		return ErrNotFound
	}
	gone := filepath.Join(s.dir, ".remove-"+id)
	_ = removeEntry(gone)
	if err := os.Rename(p, gone); err != nil {
		return diskError(fmt.Errorf("failed to remove store entry: %w", err))
	}
	pausePoint("remove:renamed")
	_ = removeEntry(gone) // what a crash leaves here, recovery deletes
	return nil
}

func validID(id string) bool {
	src, h, ok := strings.Cut(id, "-")
	if !ok || (src != protocol.SourceFile && src != protocol.SourcePKCS12) || len(h) != 24 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// ErrStoredDamaged: a stored file is missing, or not what was stored (its
// SHA-256 differs from the checksums file), or an entry is not a folder.
// The person must import the e.firma again; it is never a wrong password.
var ErrStoredDamaged = errors.New("the stored credential is damaged")

// damaged wraps err as ERR_BAD_CREDENTIAL_FILE "storedDamaged".
func damaged(err error) error {
	return keys.Coded(protocol.ErrBadCredentialFile, map[string]any{"variant": "storedDamaged"}, fmt.Errorf("%w: %v", ErrStoredDamaged, err))
}

func (s *Store) open(id string) (*credential, error) {
	dir := filepath.Join(s.dir, id)
	st, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, damaged(fmt.Errorf("store entry %s is not a folder", id))
	}
	data, err := os.ReadFile(filepath.Join(dir, certFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, damaged(fmt.Errorf("store entry %s has no certificate", id))
	}
	if err != nil {
		return nil, err
	}
	sums := readSums(dir)
	if !sums.match(certFile, data) {
		return nil, damaged(fmt.Errorf("store entry %s: certificate differs from its checksum", id))
	}
	cert, err := sat.ParseCertificate(data)
	if err != nil {
		return nil, damaged(fmt.Errorf("store entry %s: %w", id, err))
	}
	src := protocol.SourceFile
	if _, err := os.Stat(filepath.Join(dir, pfxFile)); err == nil {
		src = protocol.SourcePKCS12
	}
	if IDFor(src, cert.Raw) != id {
		return nil, damaged(fmt.Errorf("store entry %s does not match its certificate", id))
	}
	c := &credential{id: id, source: src, dir: dir, cert: cert, sums: sums, store: s}
	if sums == nil {
		c.certFile = data
	}
	// A key file deleted or changed since the import: listed, not usable.
	name := c.keyName()
	if kd, err := os.ReadFile(filepath.Join(dir, name)); err != nil {
		c.damage = fmt.Errorf("store entry %s: %s unreadable: %v", id, name, err)
	} else if !sums.match(name, kd) {
		c.damage = fmt.Errorf("store entry %s: %s differs from its checksum", id, name)
	}
	return c, nil
}

// sumsOf is the checksums file for files: a "<hex>  <name>" line for each,
// by name (readSums reads it back).
func sumsOf(files map[string][]byte) []byte {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(files[name]), name)
	}
	return []byte(b.String())
}

// sums are the SHA-256 checksums recorded at import ("<hex>  <name>" lines);
// nil for entries stored before checksums existed.
type sums map[string]string

func readSums(dir string) sums {
	data, err := os.ReadFile(filepath.Join(dir, sumsFile))
	if err != nil {
		return nil
	}
	out := sums{}
	for _, l := range strings.Split(string(data), "\n") {
		if h, name, ok := strings.Cut(l, "  "); ok {
			out[name] = h
		}
	}
	return out
}

// match reports whether data is what was stored as name (true when no
// checksum was recorded).
func (s sums) match(name string, data []byte) bool {
	want, ok := s[name]
	if !ok {
		return true
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]) == want
}

type credential struct {
	id, source, dir string
	cert            *x509.Certificate
	sums            sums
	damage          error // the key file is missing or changed
	store           *Store
	// certFile is the certificate file as read, kept only for an entry
	// stored before checksums existed (recordSums).
	certFile []byte
}

func (c *credential) ID() string                     { return c.id }
func (c *credential) Source() string                 { return c.source }
func (c *credential) Certificate() *x509.Certificate { return c.cert }

// Decorate marks a credential whose stored key file is missing or damaged
// as not usable, saying so.
func (c *credential) Decorate(info *protocol.CertInfo) {
	info.Usable = c.damage == nil
	if c.damage != nil {
		info.Reason = i18n.T(i18n.ES, "code.ERR_BAD_CREDENTIAL_FILE.storedDamaged") + " " + i18n.T(i18n.ES, "hint.ERR_BAD_CREDENTIAL_FILE.storedDamaged")
	}
}

// UnusableError implements keys.UnusableError.
func (c *credential) UnusableError() error {
	if c.damage != nil {
		return damaged(c.damage)
	}
	return nil
}

func (c *credential) keyName() string {
	if c.source == protocol.SourcePKCS12 {
		return pfxFile
	}
	return keyFile
}

// Unlock reads the key file and opens it with the password. A key file
// that is missing, changed since the import or no longer a key is
// ERR_BAD_CREDENTIAL_FILE "storedDamaged", never a wrong password.
func (c *credential) Unlock(ctx context.Context, secret []byte, _ keys.UnlockOptions) (crypto.Signer, func(), error) {
	if c.damage != nil {
		return nil, nil, damaged(c.damage)
	}
	data, err := os.ReadFile(filepath.Join(c.dir, c.keyName()))
	if err != nil {
		return nil, nil, damaged(fmt.Errorf("failed to read stored %s: %w", c.keyName(), err))
	}
	if !c.sums.match(c.keyName(), data) {
		return nil, nil, damaged(fmt.Errorf("stored %s differs from its checksum", c.keyName()))
	}
	if c.source == protocol.SourcePKCS12 {
		key, cert, err := keyfile.DecodePFX(data, secret)
		if errors.Is(err, sat.ErrBadPFX) {
			return nil, nil, damaged(err)
		}
		if err != nil {
			return nil, nil, err
		}
		if bytes.Equal(cert.Raw, c.cert.Raw) {
			c.recordSums(data)
		}
		return key, func() { wipeKey(key) }, nil
	}
	key, err := keyfile.DecryptKey(data, secret)
	if sat.Problem(err) != "" && !errors.Is(err, sat.ErrUnencryptedKey) {
		return nil, nil, damaged(err)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := sat.CheckPair(c.cert, key); err != nil {
		return nil, nil, err
	}
	c.recordSums(data)
	return key, func() { wipeKey(key) }, nil
}

// recordSums gives an entry stored before checksums existed its checksums
// file, once its key has just opened with the person's password and matched
// its certificate: both files are known good at that moment, so from then
// on a later change to either is named as damage, not taken for a wrong
// password. keyData is the key file as read for that unlock. Nothing is
// written when the entry has checksums, changed since it was read, or is
// being replaced or removed (the same locks as a write); a failure to write
// costs nothing but the upgrade, which the next unlock tries again.
func (c *credential) recordSums(keyData []byte) {
	if c.sums != nil || c.certFile == nil || c.store == nil {
		return
	}
	s := c.store
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock()
	if err != nil {
		return
	}
	defer unlock()
	tmp := filepath.Join(c.dir, ".checksums.tmp")
	_ = os.Remove(tmp) // left by a process that died between write and rename
	if _, err := os.Lstat(filepath.Join(c.dir, sumsFile)); !errors.Is(err, os.ErrNotExist) {
		return
	}
	files := map[string][]byte{certFile: c.certFile, c.keyName(): keyData}
	for name, data := range files {
		if now, err := os.ReadFile(filepath.Join(c.dir, name)); err != nil || !bytes.Equal(now, data) {
			return
		}
	}
	if err := writeFile(tmp, sumsOf(files)); err != nil {
		_ = os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, sumsFile)); err != nil {
		_ = os.Remove(tmp)
		return
	}
	c.sums = readSums(c.dir)
	c.certFile = nil
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
// newPassword (keyfile.EncodePFX: PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256
// and an HMAC-SHA256 MAC, keyfile.PFXIterations each). newPassword stays
// in the caller's bytes, which the caller zeroes.
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
	return keyfile.EncodePFX(key, c.Certificate(), newPassword)
}
