package token

import (
	"context"
	"fmt"
	"strings"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// Serves implements keys.Source: token credentials are "pkcs11".
func (s *Source) Serves() []string { return []string{protocol.SourcePKCS11} }

// Owns implements keys.Source: token ids start with "pkcs11:".
func (s *Source) Owns(id string) bool { return strings.HasPrefix(id, protocol.SourcePKCS11+":") }

// Find implements keys.Source. A token can only be searched by listing it
// (the id hashes the token serial, CKA_ID and certificate). When the id is
// not found and a module or token could not be used (a listing warning: a
// driver that does not load, whose C_GetFunctionList or C_Initialize fails,
// or a build without cgo), the credential may be behind it: the answer is
// ERR_MODULE_UNAVAILABLE rather than ERR_CERT_NOT_FOUND (issue 15).
func (s *Source) Find(ctx context.Context, id string) (keys.Credential, error) {
	creds, warnings, err := s.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %s: %w", keys.ErrNotFound, keys.ErrSourceFailed, s.Name(), err)
	}
	for _, c := range creds {
		if c.ID() == id {
			return c, nil
		}
	}
	if len(warnings) > 0 {
		return nil, keys.Coded(protocol.ErrModuleUnavailable, nil, fmt.Errorf("no credential %q, and %d token module(s) or token(s) could not be used", id, len(warnings)))
	}
	return nil, fmt.Errorf("%w: %q", keys.ErrNotFound, id)
}
