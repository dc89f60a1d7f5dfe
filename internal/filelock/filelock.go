// Package filelock takes exclusive advisory locks on open files between
// processes: flock on Unix, LockFileEx on Windows. Both wait for the lock
// and both are released when the file is closed or the process dies, so a
// killed holder never leaves a stale lock.
package filelock
