package installer

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/efirma/conector/protocol"
)

// HostName is the native-messaging host name (the manifest's "name" and the
// file or registry key name).
const HostName = protocol.HostName

// Placeholders of the manifest template.
const (
	pathPlaceholder    = "@EFIRMA_BINARY_PATH@"
	originsPlaceholder = "@EFIRMA_ALLOWED_ORIGINS@"
)

// maxManifestBytes bounds what Status reads from a manifest file.
const maxManifestBytes = 64 << 10

//go:embed manifest.tmpl.json
var manifestTemplate []byte

// Manifest is a native-messaging host manifest, in the field order Chrome's
// documentation uses.
type Manifest struct {
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Path           string   `json:"path"`
	Type           string   `json:"type"`
	AllowedOrigins []string `json:"allowed_origins"`
}

// Patterns are compiled on first use, not at start-up: the host binary
// starts for every browser message.
var extensionIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-p]{32}$`) })

// ErrBadExtensionID is returned for an ID that is not 32 letters a-p.
var ErrBadExtensionID = errors.New("extension ID must be 32 letters from a to p")

// ValidateExtensionID checks the shape of a Chromium extension ID.
func ValidateExtensionID(id string) error {
	if !extensionIDPattern().MatchString(id) {
		return fmt.Errorf("%q: %w", id, ErrBadExtensionID)
	}
	return nil
}

// Origin returns the allowed_origins entry for an extension ID.
func Origin(id string) string { return "chrome-extension://" + id + "/" }

// RenderManifest fills the template with the binary's absolute path and the
// origins of the given extension IDs (duplicates dropped, order kept).
func RenderManifest(binaryPath string, ids []string) ([]byte, error) {
	var m Manifest
	if err := json.Unmarshal(manifestTemplate, &m); err != nil {
		return nil, fmt.Errorf("internal error: manifest template: %w", err)
	}
	if m.Path != pathPlaceholder || len(m.AllowedOrigins) != 1 || m.AllowedOrigins[0] != originsPlaceholder {
		return nil, errors.New("internal error: manifest template placeholders changed")
	}
	if len(ids) == 0 {
		return nil, errors.New("no extension IDs to allow")
	}
	m.Path = binaryPath
	m.AllowedOrigins = nil
	seen := map[string]bool{}
	for _, id := range ids {
		if err := ValidateExtensionID(id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			m.AllowedOrigins = append(m.AllowedOrigins, Origin(id))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("internal error: encode manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// Problem codes found by CheckManifest and Status. They are stable strings
// (used in --json output); the CLI translates them with the catalogue key
// "installer.problem.<code>".
const (
	ProblemInvalidJSON      = "invalid_json"
	ProblemNameMismatch     = "name_mismatch"
	ProblemTypeNotStdio     = "type_not_stdio"
	ProblemPathNotAbsolute  = "path_not_absolute"
	ProblemNoOrigins        = "no_allowed_origins"
	ProblemBadOrigin        = "bad_origin"
	ProblemBinaryMissing    = "binary_missing"
	ProblemBinaryNotExec    = "binary_not_executable"
	ProblemManifestTooLarge = "manifest_too_large"
	ProblemUnreadable       = "manifest_unreadable"
)

// CheckManifest parses a host manifest and lists what is wrong with it for
// goos (which decides what an absolute path is). It returns the parsed
// manifest (zero on invalid JSON) and the problem codes, none when valid.
func CheckManifest(data []byte, goos string) (Manifest, []string) {
	var m Manifest
	if len(data) > maxManifestBytes {
		return m, []string{ProblemManifestTooLarge}
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, []string{ProblemInvalidJSON}
	}
	var probs []string
	if m.Name != HostName {
		probs = append(probs, ProblemNameMismatch)
	}
	if m.Type != "stdio" {
		probs = append(probs, ProblemTypeNotStdio)
	}
	if !isAbs(goos, m.Path) {
		probs = append(probs, ProblemPathNotAbsolute)
	}
	if len(m.AllowedOrigins) == 0 {
		probs = append(probs, ProblemNoOrigins)
	}
	for _, o := range m.AllowedOrigins {
		id, ok := strings.CutPrefix(o, "chrome-extension://")
		id, ok2 := strings.CutSuffix(id, "/")
		if !ok || !ok2 || ValidateExtensionID(id) != nil {
			probs = append(probs, ProblemBadOrigin)
			break
		}
	}
	return m, probs
}

// ExtensionIDs returns the IDs of a manifest's well-formed allowed origins.
func (m Manifest) ExtensionIDs() []string {
	var ids []string
	for _, o := range m.AllowedOrigins {
		id := strings.TrimSuffix(strings.TrimPrefix(o, "chrome-extension://"), "/")
		if ValidateExtensionID(id) == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

var windowsAbs = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z]:[\\/]|\\\\[^\\]+\\)`) })

// isAbs reports whether p is absolute on goos. For windows it accepts a
// drive-letter or UNC path and, so that the Windows logic can be tested on
// another system, a path absolute on the running system.
func isAbs(goos, p string) bool {
	if p == "" {
		return false
	}
	if goos == "windows" {
		return windowsAbs().MatchString(p) || filepath.IsAbs(p)
	}
	return strings.HasPrefix(p, "/")
}
