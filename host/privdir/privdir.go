// Package privdir owns the host's owner-only folders (the credential store
// and the log folder under $EFIRMA_HOME): Ensure creates a folder 0700, and
// tightens one that already exists with looser permissions (a folder left
// 0777 by hand, by an old version or by a copy) instead of writing into it
// as it is.
//
// Rules: a path that is not a folder, or (on Unix) a folder owned by another
// user, is refused with ErrNotPrivate; the caller reports it and writes
// nothing there. On Windows the folders inherit the per-user ACL of
// %LOCALAPPDATA% and mode bits mean nothing, so Ensure only creates.
package privdir

import (
	"errors"
	"fmt"
	"os"
)

// ErrNotPrivate is returned for a path that cannot be made owner-only.
var ErrNotPrivate = errors.New("folder cannot be made private")

// Mode is the permission of every folder Ensure returns on Unix.
const Mode os.FileMode = 0o700

// Ensure creates dir (and its parents) owner-only, or makes an existing dir
// owner-only. It reports whether it had to tighten an existing folder.
func Ensure(dir string) (tightened bool, err error) {
	if st, err := os.Lstat(dir); err == nil && !st.IsDir() {
		return false, fmt.Errorf("%w: %s is not a folder", ErrNotPrivate, dir)
	}
	if err := os.MkdirAll(dir, Mode); err != nil {
		return false, fmt.Errorf("failed to create %s: %w", dir, err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return false, fmt.Errorf("failed to read %s: %w", dir, err)
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%w: %s is not a folder", ErrNotPrivate, dir)
	}
	return tighten(dir, st)
}
