package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
)

// copyDir is `cp -a src dst` for a flat credential folder.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.Mkdir(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func listIDs(t *testing.T, st *store.Store) []string {
	t.Helper()
	creds, _, err := st.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range creds {
		ids = append(ids, c.ID())
	}
	return ids
}

// TestRemovedCredentialStaysRemoved (issue 13 §5): the exact steps of the
// report. A replace killed between "new folder in place" and "delete
// <id>.old" leaves both; the person then lists, removes the e.firma from a
// shared computer and lists again: it must not come back.
func TestRemovedCredentialStaysRemoved(t *testing.T) {
	dir := t.TempDir()
	st := store.New(dir)
	cer, key := cred(t, "fiel-fisica")
	c, err := st.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	copyDir(t, filepath.Join(dir, c.ID()), filepath.Join(dir, c.ID()+".old"))
	if ids := listIDs(t, st); len(ids) != 1 {
		t.Fatalf("before remove: %v", ids)
	}
	if err := st.Remove(c.ID()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if ids := listIDs(t, st); len(ids) != 0 {
			t.Fatalf("list %d after remove brings back %v", i+1, ids)
		}
	}
	if _, err := st.Get(c.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after remove: %v", err)
	}
	// Remove without a list first: the .old left by a crash goes too.
	c, err = st.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	copyDir(t, filepath.Join(dir, c.ID()), filepath.Join(dir, c.ID()+".old"))
	if err := st.Remove(c.ID()); err != nil {
		t.Fatal(err)
	}
	if ids := listIDs(t, st); len(ids) != 0 {
		t.Fatalf("a remove with a leftover .old brings back %v", ids)
	}
}

// TestKillAtEveryStep (issue 13 §5): a helper process replaces or removes
// an entry and is killed with SIGKILL at each step (it stops at a pause
// point, EFIRMA_TEST_STORE_PAUSE, and the test kills it there). Whatever
// the step, the store then lists the entry whole — the old version or the
// new one, opening with the password — or, after a removal, not at all;
// and a removal after the crash is final.
func TestKillAtEveryStep(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL of a helper process: Unix")
	}
	cer, key := cred(t, "fiel-fisica")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: key})
	for _, tc := range []struct {
		op, point string
		gone      bool // the entry must be gone after the crash
	}{
		{"replace", "write:staged", false},
		{"replace", "write:old-aside", false},
		{"replace", "write:new-in-place", false},
		{"remove", "remove:renamed", true},
	} {
		t.Run(tc.point, func(t *testing.T) {
			dir := t.TempDir()
			st := store.New(dir)
			c, err := st.ImportSAT(cer, key, []byte(password))
			if err != nil {
				t.Fatal(err)
			}
			killAt(t, dir, tc.op, tc.point)

			after := store.New(dir) // a new process's view
			ids := listIDs(t, after)
			switch {
			case tc.gone && len(ids) != 0:
				t.Fatalf("removal killed at %s: still listed %v", tc.point, ids)
			case !tc.gone && (len(ids) != 1 || ids[0] != c.ID()):
				t.Fatalf("replace killed at %s: listed %v", tc.point, ids)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if e.IsDir() && e.Name() != c.ID() {
					t.Errorf("left behind after recovery: %s", e.Name())
				}
			}
			if !tc.gone {
				data, err := os.ReadFile(filepath.Join(dir, c.ID(), "private_key.key"))
				if err != nil || (!bytes.Equal(data, key) && !bytes.Equal(data, keyPEM)) {
					t.Fatalf("the stored key is neither the old nor the new one: %v", err)
				}
				got, err := after.Get(c.ID())
				if err != nil {
					t.Fatal(err)
				}
				if _, release, err := got.Unlock(context.Background(), []byte(password), keys.UnlockOptions{}); err != nil {
					t.Fatalf("after the crash the entry does not open: %v", err)
				} else {
					release()
				}
				if err := after.Remove(c.ID()); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 2; i++ {
				if ids := listIDs(t, store.New(dir)); len(ids) != 0 {
					t.Fatalf("after the removal, list %d shows %v", i+1, ids)
				}
			}
		})
	}
	// A replace killed with <id> set aside, then a removal with no list in
	// between: the set-aside copy goes too.
	t.Run("remove right after a killed replace", func(t *testing.T) {
		dir := t.TempDir()
		st := store.New(dir)
		c, err := st.ImportSAT(cer, key, []byte(password))
		if err != nil {
			t.Fatal(err)
		}
		killAt(t, dir, "replace", "write:new-in-place")
		if err := store.New(dir).Remove(c.ID()); err != nil {
			t.Fatal(err)
		}
		if ids := listIDs(t, store.New(dir)); len(ids) != 0 {
			t.Fatalf("came back: %v", ids)
		}
	})
}

// killAt runs the helper (op "replace" or "remove" on dir), waits until it
// stops at point and kills it with SIGKILL.
func killAt(t *testing.T, dir, op, point string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStoreOp$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EFIRMA_TEST_STORE_OP="+op, "EFIRMA_TEST_STORE_DIR="+dir, "EFIRMA_TEST_STORE_PAUSE="+point)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == "paused at "+point {
				paused <- true
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("helper ended without pausing at %s", point)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("helper did not reach %s", point)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// TestHelperStoreOp is the helper process of TestKillAtEveryStep.
func TestHelperStoreOp(t *testing.T) {
	dir := os.Getenv("EFIRMA_TEST_STORE_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	st := store.New(dir)
	cer, key := cred(t, "fiel-fisica")
	switch os.Getenv("EFIRMA_TEST_STORE_OP") {
	case "replace":
		// The same credential with the key in PEM: other bytes, same key.
		_, err := st.ImportSAT(cer, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: key}), []byte(password))
		t.Fatalf("replace was not stopped: %v", err)
	case "remove":
		creds, _, err := st.List(context.Background())
		if err != nil || len(creds) != 1 {
			t.Fatalf("list: %v %d", err, len(creds))
		}
		t.Fatalf("remove was not stopped: %v", st.Remove(creds[0].ID()))
	}
}
