// Package logging sets up the host's zerolog logger: a size-capped file under
// $EFIRMA_HOME/logs and stderr. Never stdout, which belongs to the protocol
// in host mode.
//
// Rules for callers: passwords, PINs, key bytes and data to sign are never
// logged; log the SHA-256 of data (DataHash) and the length of secrets at most.
package logging

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/efirma/conector/host/privdir"
	"github.com/rs/zerolog"
)

// MaxFileBytes caps the log file; when exceeded it is rotated to .1.
const MaxFileBytes = 1 << 20

// New returns a logger writing to dir/efirma.log (created owner-only) and to
// stderr. If the file cannot be opened the logger writes to stderr only.
func New(dir, level string, stderr io.Writer) (zerolog.Logger, io.Closer) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	var ws []io.Writer
	var closer io.Closer = nopCloser{}
	if dir != "" {
		// Opened on the first line written: a start that logs nothing
		// (hello, at the default level) touches no file.
		f := &cappedFile{path: filepath.Join(dir, "efirma.log")}
		ws = append(ws, f)
		closer = f
	}
	if stderr != nil {
		ws = append(ws, stderr)
	}
	w := io.Discard
	if len(ws) > 0 {
		w = zerolog.MultiLevelWriter(ws...)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Int("pid", os.Getpid()).Logger(), closer
}

// DataHash is what the logs carry instead of data to sign.
func DataHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// cappedFile rotates to path.1 when a write would pass MaxFileBytes.
type cappedFile struct {
	mu     sync.Mutex
	path   string
	f      *os.File // nil until the first write
	size   int64
	failed bool // the file could not be opened: lines go to stderr only
}

// open opens (creating it owner-only) the log file; called with mu held.
func (c *cappedFile) open() error {
	// A log folder left 0777 is made 0700 first; one that is not ours
	// (or not a folder) is refused and lines go to stderr only.
	if _, err := privdir.Ensure(filepath.Dir(c.path)); err != nil {
		return err
	}
	f, err := os.OpenFile(c.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		_ = f.Chmod(0o600) // an existing log file keeps its mode otherwise
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	c.f, c.size = f, st.Size()
	return nil
}

func (c *cappedFile) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed {
		return len(p), nil // stderr still gets the line
	}
	if c.f == nil {
		if err := c.open(); err != nil {
			c.failed = true
			return len(p), nil
		}
	}
	if c.size+int64(len(p)) > MaxFileBytes {
		c.f.Close()
		_ = os.Rename(c.path, c.path+".1")
		f, err := os.OpenFile(c.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			c.f, c.failed = nil, true
			return len(p), nil
		}
		c.f, c.size = f, 0
	}
	n, err := c.f.Write(p)
	c.size += int64(n)
	return n, err
}

func (c *cappedFile) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	return c.f.Close()
}
