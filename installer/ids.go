package installer

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Extension IDs. The store IDs are PLACEHOLDERS until the extension is
// published: replace them here (and nowhere else) with the IDs the Chrome Web
// Store and Microsoft Edge Add-ons assign. docs/DEPLOYMENT.md says the same.
const (
	// ChromeWebStoreID is the extension's ID in the Chrome Web Store (placeholder).
	ChromeWebStoreID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	// EdgeAddonsID is the extension's ID in Microsoft Edge Add-ons (placeholder).
	EdgeAddonsID = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// DevExtensionID is the ID of the unpacked development extension, fixed by
// the "key" of extension/manifest.json. A test recomputes it from that file
// with ExtensionIDFromKey so the two never drift.
//
// That key is public, so any unpacked extension that copies it runs under
// this ID: a manifest that allows it lets an unrelated extension drive the
// host. It is therefore never allowed by default (not by efirma install,
// the .deb or the MSI); only "efirma install --dev" or an explicit
// --extension-id adds it, and Status notes it (NoteDevExtension).
const DevExtensionID = "fclncbohcajgdancohmfmgoidklhkbce"

// DefaultExtensionIDs are the IDs a manifest allows when none are given:
// the Chrome Web Store and Edge Add-ons IDs. Never the development ID.
func DefaultExtensionIDs() []string {
	return []string{ChromeWebStoreID, EdgeAddonsID}
}

// IsDevExtensionID reports whether id is the development extension's.
func IsDevExtensionID(id string) bool { return id == DevExtensionID }

// ErrBadKey is returned by ExtensionIDFromKey for a key that is not base64.
var ErrBadKey = errors.New("extension key is not base64-encoded DER")

// ExtensionIDFromKey computes the ID Chromium gives an extension whose
// manifest "key" is the base64 DER SubjectPublicKeyInfo key: the first 16
// bytes of SHA-256(DER) in hex, each hex digit 0-f mapped to a letter a-p.
func ExtensionIDFromKey(key string) (string, error) {
	key = strings.Join(strings.Fields(key), "")
	der, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(der) == 0 {
		return "", fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	sum := sha256.Sum256(der)
	h := []byte(hex.EncodeToString(sum[:16]))
	for i, c := range h {
		if c >= 'a' {
			h[i] = c - 'a' + 10 + 'a'
		} else {
			h[i] = c - '0' + 'a'
		}
	}
	return string(h), nil
}
