//go:build !windows

package privdir

import (
	"fmt"
	"os"
	"syscall"
)

// tighten refuses a folder owned by someone else and removes group and
// other permissions from ours.
func tighten(dir string, st os.FileInfo) (bool, error) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		return false, fmt.Errorf("%w: %s belongs to user %d, not to %d", ErrNotPrivate, dir, sys.Uid, os.Geteuid())
	}
	if st.Mode().Perm() == Mode {
		return false, nil
	}
	if err := os.Chmod(dir, Mode); err != nil {
		return false, fmt.Errorf("%w: %s is %v and cannot be changed to %v: %v", ErrNotPrivate, dir, st.Mode().Perm(), Mode, err)
	}
	return true, nil
}
