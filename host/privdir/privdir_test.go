//go:build !windows

package privdir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEnsure(t *testing.T) {
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "store")
	if tightened, err := Ensure(fresh); err != nil || tightened {
		t.Fatalf("Ensure(new) = %v, %v", tightened, err)
	}
	loose := filepath.Join(base, "loose")
	if err := os.Mkdir(loose, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o777); err != nil { // the umask does not apply to chmod
		t.Fatal(err)
	}
	if tightened, err := Ensure(loose); err != nil || !tightened {
		t.Fatalf("Ensure(0777) = %v, %v", tightened, err)
	}
	for _, d := range []string{fresh, loose} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s is %v, want 0700", d, st.Mode().Perm())
		}
	}
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Ensure(file); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("Ensure(file) = %v, want ErrNotPrivate", err)
	}
	link := filepath.Join(base, "link")
	os.Symlink(loose, link)
	if _, err := Ensure(link); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("Ensure(symlink) = %v, want ErrNotPrivate", err)
	}
}
