package store

import (
	"errors"
	"os"
	"path/filepath"
)

// removeEntry deletes a store entry folder (files only, no subfolders).
// It tries os.RemoveAll, then removes the files one by one: Go 1.26's
// RemoveAll asks Windows for a POSIX-semantics delete that Wine 8 does not
// implement ("Invalid function", issue 15), while plain file deletes work
// there; on Linux, macOS and Windows 10+ the first call does it all.
func removeEntry(dir string) error {
	err := os.RemoveAll(dir)
	if err == nil {
		return nil
	}
	entries, rerr := os.ReadDir(dir)
	if errors.Is(rerr, os.ErrNotExist) {
		return nil
	} else if rerr != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			return err
		}
		if ferr := os.Remove(filepath.Join(dir, e.Name())); ferr != nil && !errors.Is(ferr, os.ErrNotExist) {
			return ferr
		}
	}
	return os.Remove(dir)
}
