//go:build !windows

package filelock

import (
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes an exclusive lock on f, waiting for it.
func Lock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX) }

// Unlock releases it.
func Unlock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }
