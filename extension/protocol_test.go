package extension_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/efirma/conector/extension"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/installer"
	"github.com/efirma/conector/protocol"
)

// jsBlock returns the body of `export const name = Object.freeze(...)` in src.
func jsBlock(t *testing.T, src, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)export const ` + name + ` = Object\.freeze\(([\[{].*?[\]}])\);`)
	m := re.FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("shared/protocol.js: no frozen %s", name)
	}
	return m[1]
}

func jsConst(t *testing.T, src, name string) string {
	t.Helper()
	m := regexp.MustCompile(`export const ` + name + ` = ("[^"]*"|\d+);`).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("shared/protocol.js: no const %s", name)
	}
	return strings.Trim(m[1], `"`)
}

func TestProtocolCopyMatchesGo(t *testing.T) {
	b, err := os.ReadFile("shared/protocol.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)

	if got := jsConst(t, src, "HOST_NAME"); got != protocol.HostName {
		t.Errorf("HOST_NAME = %q, want %q", got, protocol.HostName)
	}
	if got := jsConst(t, src, "PROTOCOL_VERSION"); got != strconv.Itoa(protocol.Version) {
		t.Errorf("PROTOCOL_VERSION = %s, want %d", got, protocol.Version)
	}
	if got := jsConst(t, src, "AUTH_FORMAT"); got != protocol.AuthFormat {
		t.Errorf("AUTH_FORMAT = %q, want %q", got, protocol.AuthFormat)
	}
	if got := jsConst(t, src, "RESERVED_PREFIX"); got != protocol.ReservedPrefix {
		t.Errorf("RESERVED_PREFIX = %q, want %q", got, protocol.ReservedPrefix)
	}

	limits := map[string]int{}
	for _, m := range regexp.MustCompile(`([A-Z_]+): (\d+),`).FindAllStringSubmatch(jsBlock(t, src, "LIMITS"), -1) {
		n, _ := strconv.Atoi(m[2])
		limits[m[1]] = n
	}
	want := map[string]int{
		"MAX_REQUEST_BYTES":         protocol.MaxRequestBytes,
		"MAX_RESPONSE_BYTES":        protocol.MaxResponseBytes,
		"MAX_BATCH_DOCUMENTS":       protocol.MaxBatchDocuments,
		"MAX_CREDENTIAL_FILE_BYTES": protocol.MaxCredentialFileBytes,
		"MAX_PASSWORD_BYTES":        protocol.MaxPasswordBytes,
		"MIN_CHALLENGE_LEN":         protocol.MinChallengeLen,
		"MAX_CHALLENGE_LEN":         protocol.MaxChallengeLen,
		"MAX_TEXT_BYTES":            protocol.MaxTextBytes,
		"MAX_BATCH_TEXT_BYTES":      protocol.MaxBatchTextBytes,
		"MAX_DOCUMENT_BYTES":        protocol.MaxDocumentBytes,
		"MAX_DOCUMENT_NAME_BYTES":   protocol.MaxDocumentNameBytes,
		"MAX_MEDIA_TYPE_BYTES":      protocol.MaxMediaTypeBytes,
		"MAX_SAT_GUID_LEN":          protocol.MaxSATGUIDLen,
	}
	if len(limits) != len(want) {
		t.Errorf("LIMITS has %d entries, want %d: %v", len(limits), len(want), limits)
	}
	for k, v := range want {
		if limits[k] != v {
			t.Errorf("LIMITS.%s = %d, want %d", k, limits[k], v)
		}
	}

	var commands []string
	for _, m := range regexp.MustCompile(`[A-Z_]+: "([a-z-]+)",`).FindAllStringSubmatch(jsBlock(t, src, "COMMANDS"), -1) {
		commands = append(commands, m[1])
	}
	if !slices.Equal(commands, protocol.Commands) {
		t.Errorf("COMMANDS = %v, want %v", commands, protocol.Commands)
	}

	var codes []string
	if err := json.Unmarshal([]byte(trailingComma.ReplaceAllString(jsBlock(t, src, "HOST_CODES"), "]")), &codes); err != nil {
		t.Fatalf("HOST_CODES: %v", err)
	}
	var goCodes []string
	for _, c := range protocol.Codes {
		goCodes = append(goCodes, string(c))
	}
	if !slices.Equal(codes, goCodes) {
		t.Errorf("HOST_CODES = %v, want %v", codes, goCodes)
	}

	var extCodes []string
	if err := json.Unmarshal([]byte(trailingComma.ReplaceAllString(jsBlock(t, src, "EXTENSION_CODES"), "]")), &extCodes); err != nil {
		t.Fatalf("EXTENSION_CODES: %v", err)
	}
	for _, c := range extCodes {
		if slices.Contains(goCodes, c) {
			t.Errorf("extension code %s collides with a host code", c)
		}
		if !strings.HasPrefix(c, "ERR_") {
			t.Errorf("extension code %s lacks ERR_", c)
		}
	}
	for _, c := range slices.Concat(goCodes, extCodes) {
		if !strings.Contains(string(extension.PageLibrary), "  "+c+": [") {
			t.Errorf("page/efirma.js has no message for %s", c)
		}
	}
}

var trailingComma = regexp.MustCompile(`,\s*\]$`)

func TestDevIDMatchesManifestKey(t *testing.T) {
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(extension.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	id, err := extension.IDFromKey(m.Key)
	if err != nil {
		t.Fatal(err)
	}
	if id != extension.DevID {
		t.Errorf("manifest key gives ID %s, DevID is %s", id, extension.DevID)
	}
	if got := extension.AllowedOrigins("abc"); !slices.Equal(got, []string{"chrome-extension://" + extension.DevID + "/", "chrome-extension://abc/"}) {
		t.Errorf("AllowedOrigins = %v", got)
	}
	if _, err := extension.IDFromKey("!!"); err != extension.ErrBadKey {
		t.Errorf("IDFromKey(bad) = %v, want ErrBadKey", err)
	}
}

// TestStoreIDsMatchInstaller keeps the page library's store links (the one
// place the extension and portals take them from) on the IDs the installer
// registers with the host.
func TestStoreIDsMatchInstaller(t *testing.T) {
	b, err := os.ReadFile("page/efirma.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	if got := jsConst(t, src, "CHROME_WEB_STORE_ID"); got != installer.ChromeWebStoreID {
		t.Errorf("CHROME_WEB_STORE_ID = %q, installer.ChromeWebStoreID = %q", got, installer.ChromeWebStoreID)
	}
	if got := jsConst(t, src, "EDGE_ADDONS_ID"); got != installer.EdgeAddonsID {
		t.Errorf("EDGE_ADDONS_ID = %q, installer.EdgeAddonsID = %q", got, installer.EdgeAddonsID)
	}
}

// TestVariantTextsMatchGo: the page library's VARIANTS (the texts of an
// error's details.variant) are the host catalogue's, word for word, so the
// consent window and «Mis certificados» say what the CLI says.
func TestVariantTextsMatchGo(t *testing.T) {
	lib := string(extension.PageLibrary)
	for code, variants := range map[string][]string{
		"ERR_BAD_CREDENTIAL_FILE": {"unencryptedKey", "certificateNotKey", "keyNotCertificate", "damaged", "unsupportedEncryption", "storedDamaged"},
		"ERR_BAD_REQUEST":         {"newPasswordShort"},
	} {
		for _, v := range variants {
			want, _ := json.Marshal([]string{
				i18n.T(i18n.ES, "code."+code+"."+v), i18n.T(i18n.ES, "hint."+code+"."+v),
				i18n.T(i18n.EN, "code."+code+"."+v), i18n.T(i18n.EN, "hint."+code+"."+v),
			})
			line := fmt.Sprintf("%q: %s,", v, strings.ReplaceAll(string(want), `","`, `", "`))
			if !i18n.Has("code."+code+"."+v) || !strings.Contains(lib, line) {
				t.Errorf("page/efirma.js VARIANTS.%s lacks, or differs from the host's, %s", code, line)
			}
		}
	}
}
