//go:build !windows

package app

import (
	"os"

	"golang.org/x/sys/unix"
)

// reserveStdout keeps fd 1 for protocol frames only: it moves the real
// stdout to a private descriptor for the frames and points fd 1 at stderr,
// so a PKCS#11 module (C code in this process) that prints cannot corrupt
// the stream Chrome reads.
func reserveStdout() (*os.File, error) {
	fd, err := unix.Dup(1)
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.Dup2(2, 1); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "protocol-stdout"), nil
}
