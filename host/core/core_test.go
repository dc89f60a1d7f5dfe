package core_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/protocol"
)

// countingSource owns ids with its prefix and counts how often it is asked.
type countingSource struct {
	prefix       string
	lists, finds atomic.Int32
	listErr      error
}

func (s *countingSource) Name() string        { return "pkcs11" }
func (s *countingSource) Serves() []string    { return []string{protocol.SourcePKCS11} }
func (s *countingSource) Owns(id string) bool { return strings.HasPrefix(id, s.prefix) }
func (s *countingSource) Find(ctx context.Context, id string) (keys.Credential, error) {
	s.finds.Add(1)
	return keys.FindByListing(ctx, s, id)
}
func (s *countingSource) List(context.Context) ([]keys.Credential, []string, error) {
	s.lists.Add(1)
	return nil, nil, s.listErr
}

// TestFindAsksOnlyTheOwner: a stored id never reaches the token source; a
// token id is looked up once, in the token source only; an id nobody owns
// is ERR_CERT_NOT_FOUND without asking anyone; a token that fails to list
// is "not found" too.
func TestFindAsksOnlyTheOwner(t *testing.T) {
	tok := &countingSource{prefix: "pkcs11:"}
	c := core.New(core.Options{Store: store.New(filepath.Join(t.TempDir(), "store")), Sources: []keys.Source{tok}})
	if got := c.SourceNames(); !slices.Equal(got, []string{"file", "pkcs12", "pkcs11"}) {
		t.Fatalf("SourceNames = %v", got)
	}
	for _, id := range []string{"file-" + strings.Repeat("a", 24), "pkcs12-" + strings.Repeat("b", 24), "otro", "pkcs11:00", ""} {
		_, err := c.Find(context.Background(), id)
		code, _ := keys.CodeOf(err)
		want := protocol.ErrCertNotFound
		if id == "" {
			want = protocol.ErrBadRequest
		}
		if code != want {
			t.Errorf("Find(%q) = %v (%s), want %s", id, err, code, want)
		}
	}
	if tok.finds.Load() != 1 || tok.lists.Load() != 1 {
		t.Fatalf("token asked %d times, listed %d times; want once for its own id", tok.finds.Load(), tok.lists.Load())
	}
	tok.listErr = errors.New("module crashed")
	_, err := c.Find(context.Background(), "pkcs11:00")
	if code, _ := keys.CodeOf(err); code != protocol.ErrCertNotFound || !errors.Is(err, keys.ErrSourceFailed) {
		t.Fatalf("failing token: %v", err)
	}
}
