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

	"github.com/efirma/conector/internal/filelock"
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

// cappedFile appends lines to path and rotates it to path.1 when a line
// would take it past MaxFileBytes. Several processes write the same file
// (the CLI and one host per browser connection), so every line is written
// under a cross-process lock (path.lock) and the size is the file's real
// size, read after taking the lock: a rotation happens once, by whichever
// process first finds the file full, and no process keeps writing to a file
// another has rotated away. The file is opened for each line and closed
// after it, so a rename never meets a file held open (Windows refuses
// those).
type cappedFile struct {
	mu     sync.Mutex
	path   string
	lock   *os.File // path.lock, opened on the first write
	failed bool     // the log folder cannot be used: lines go to stderr only
}

// openLock makes sure of the folder and opens the lock file; called with
// mu held. A log folder left 0777 is made 0700 first; one that is not ours
// (or not a folder) is refused and lines go to stderr only.
func (c *cappedFile) openLock() error {
	if _, err := privdir.Ensure(filepath.Dir(c.path)); err != nil {
		return err
	}
	f, err := os.OpenFile(c.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	c.lock = f
	return nil
}

func (c *cappedFile) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed {
		return len(p), nil // stderr still gets the line
	}
	if c.lock == nil {
		if err := c.openLock(); err != nil {
			c.failed = true
			return len(p), nil
		}
	}
	if err := filelock.Lock(c.lock); err != nil {
		return len(p), nil
	}
	defer func() { _ = filelock.Unlock(c.lock) }()
	if err := c.append(p); err != nil {
		// A full disk or a folder gone read-only: the line still reaches
		// stderr; never fail the caller over its log.
		return len(p), nil
	}
	return len(p), nil
}

// append writes p, rotating first when the file's real size would pass
// the cap; called under the cross-process lock.
func (c *cappedFile) append(p []byte) error {
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
	if st.Size() > 0 && st.Size()+int64(len(p)) > MaxFileBytes {
		f.Close()
		if err := os.Rename(c.path, c.path+".1"); err != nil {
			return err
		}
		if f, err = os.OpenFile(c.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
			return err
		}
	}
	_, err = f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *cappedFile) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lock == nil {
		return nil
	}
	err := c.lock.Close()
	c.lock = nil
	return err
}
