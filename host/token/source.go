package token

import (
	"context"
	"strings"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// Serves implements keys.Source: token credentials are "pkcs11".
func (s *Source) Serves() []string { return []string{protocol.SourcePKCS11} }

// Owns implements keys.Source: token ids start with "pkcs11:".
func (s *Source) Owns(id string) bool { return strings.HasPrefix(id, protocol.SourcePKCS11+":") }

// Find implements keys.Source. A token can only be searched by listing it
// (the id hashes the token serial, CKA_ID and certificate).
func (s *Source) Find(ctx context.Context, id string) (keys.Credential, error) {
	return keys.FindByListing(ctx, s, id)
}
