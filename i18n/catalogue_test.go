package i18n

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/efirma/conector/protocol"
)

// The one source of every user-facing error text is the extension's
// catalogue, extension/_locales/{es,en}/messages.json: "err_<CODE>" is the
// message and "hint_<CODE>" what to do ("hint_<CODE>__<variant>" a more
// precise hint the host picks by details.variant). The host's copy
// (codes.go, "code.<CODE>", "hint.<CODE>[.<variant>]") and the page
// library's table (extension/page/efirma.js MESSAGES) must say exactly the
// same; these tests fail on any difference, in either direction.

func loadLocales(t *testing.T) map[Lang]map[string]string {
	t.Helper()
	out := map[Lang]map[string]string{}
	for lang, dir := range map[Lang]string{ES: "es", EN: "en"} {
		b, err := os.ReadFile(filepath.Join("..", "extension", "_locales", dir, "messages.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		out[lang] = map[string]string{}
		for k, v := range m {
			out[lang][k] = v.Message
		}
	}
	return out
}

// localeKey maps a host key ("code.ERR_X", "hint.ERR_X.variant") to the
// extension's ("err_ERR_X", "hint_ERR_X__variant").
func localeKey(key string) (string, bool) {
	kind, rest, ok := strings.Cut(key, ".")
	if !ok || !strings.HasPrefix(rest, "ERR_") {
		return "", false
	}
	switch kind {
	case "code":
		return "err_" + rest, !strings.Contains(rest, ".")
	case "hint":
		return "hint_" + strings.Replace(rest, ".", "__", 1), true
	}
	return "", false
}

func TestErrorTextsAreTheExtensionCatalogues(t *testing.T) {
	loc := loadLocales(t)
	hostKeys := map[string]bool{}
	for _, key := range Keys() {
		lk, ok := localeKey(key)
		if !ok {
			continue
		}
		hostKeys[lk] = true
		m, _ := Entry(key)
		for lang, text := range map[Lang]string{ES: m.ES, EN: m.EN} {
			want, ok := loc[lang][lk]
			switch {
			case !ok:
				t.Errorf("%s (host) has no %s in extension/_locales", key, lk)
			case text != want:
				t.Errorf("%s differs between the host (i18n) and extension/_locales (%s), lang %d:\n host:    %q\n locales: %q", key, lk, lang, text, want)
			}
		}
	}
	// Every protocol code and every variant hint of the catalogue is in the
	// host's copy too.
	for _, c := range protocol.Codes {
		for _, k := range []string{"err_" + string(c), "hint_" + string(c)} {
			if !hostKeys[k] {
				t.Errorf("protocol code %s: %s is missing from the host's catalogue", c, k)
			}
		}
	}
	for k := range loc[ES] {
		if strings.HasPrefix(k, "hint_ERR_") && strings.Contains(k, "__") && !hostKeys[k] {
			t.Errorf("variant hint %s is in extension/_locales but not in the host's catalogue", k)
		}
	}
	if len(hostKeys) < 2*len(protocol.Codes) {
		t.Fatalf("only %d host error texts found: the scan is broken", len(hostKeys))
	}
}

// TestPageLibraryTableIsTheExtensionCatalogue: the page library cannot read
// _locales at run time (it runs in the portal's page), so it carries a
// table; every row must be the catalogue's text, and every code the
// catalogue explains must have a row.
func TestPageLibraryTableIsTheExtensionCatalogue(t *testing.T) {
	loc := loadLocales(t)
	src, err := os.ReadFile(filepath.Join("..", "extension", "page", "efirma.js"))
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(src), "const MESSAGES = {")
	end := strings.Index(string(src)[start:], "\n};")
	if start < 0 || end < 0 {
		t.Fatal("MESSAGES table not found in efirma.js")
	}
	row := regexp.MustCompile(`(?m)^  (ERR_[A-Z_]+): (\[.*\]),$`)
	rows := row.FindAllStringSubmatch(string(src)[start:start+end], -1)
	if len(rows) < len(protocol.Codes) {
		t.Fatalf("only %d rows parsed from efirma.js", len(rows))
	}
	seen := map[string]bool{}
	for _, r := range rows {
		code := r[1]
		seen[code] = true
		var texts [4]string
		if err := json.Unmarshal([]byte(r[2]), &texts); err != nil {
			t.Errorf("efirma.js %s: %v", code, err)
			continue
		}
		want := [4]string{loc[ES]["err_"+code], loc[ES]["hint_"+code], loc[EN]["err_"+code], loc[EN]["hint_"+code]}
		if texts != want {
			t.Errorf("efirma.js %s differs from extension/_locales:\n js:      %q\n locales: %q", code, texts, want)
		}
	}
	for k := range loc[ES] {
		if code, ok := strings.CutPrefix(k, "err_"); ok && !seen[code] {
			t.Errorf("%s has no row in efirma.js's MESSAGES", code)
		}
	}
}
