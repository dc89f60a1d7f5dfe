//go:build !windows

package main

import (
	"os"
	"syscall"
)

// peakRSS is the child's peak resident set in KiB (Linux reports KiB).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
