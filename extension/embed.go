// Package extension carries the browser extension's files that Go code serves
// or checks: the page library that portals include (page/efirma.js), the
// extension's copy of the protocol constants (shared/protocol.js, compared
// with package protocol by a test) and the development build's ID, which the
// native-messaging host manifest must allow.
package extension

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// PageLibrary is the page library ES module (page/efirma.js) that portals
// serve to their pages; the demo portal serves it at /efirma.js.
//
//go:embed page/efirma.js
var PageLibrary []byte

// Manifest is the development manifest (with its fixed "key").
//
//go:embed manifest.json
var Manifest []byte

// DevID is the ID of the development build (manifest.json's "key"); a test
// checks it against the key.
const DevID = "fclncbohcajgdancohmfmgoidklhkbce"

// AllowedOrigins returns the extension origins the host manifest must list
// ("allowed_origins"), the development build first, then extra IDs (for
// example the store IDs).
func AllowedOrigins(extraIDs ...string) []string {
	out := []string{"chrome-extension://" + DevID + "/"}
	for _, id := range extraIDs {
		out = append(out, "chrome-extension://"+id+"/")
	}
	return out
}

// ErrBadKey is returned by IDFromKey for a key that is not base64.
var ErrBadKey = errors.New("manifest key must be base64 of a DER public key")

// IDFromKey computes the extension ID Chrome derives from a manifest "key":
// the first 32 hex digits of SHA-256 of the DER public key, mapped 0-f to a-p.
func IDFromKey(key string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(der) == 0 {
		return "", ErrBadKey
	}
	sum := sha256.Sum256(der)
	h := hex.EncodeToString(sum[:16])
	id := make([]byte, len(h))
	for i := 0; i < len(h); i++ {
		v := h[i] - '0'
		if h[i] >= 'a' {
			v = h[i] - 'a' + 10
		}
		id[i] = 'a' + v
	}
	return string(id), nil
}
