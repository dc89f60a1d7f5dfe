// Package i18n is the Go side's one message catalogue: every text a person
// reads (CLI output, protocol error messages and hints, demo portal pages,
// diagnostics) is looked up here by key, in Spanish (es-MX) first and English
// second. Areas keep their entries in their own file of this package
// (codes.go, cli.go, ...) and register them with add; a key defined twice
// panics at start-up with "internal error" because it is a programming bug.
package i18n

import (
	"fmt"
	"os"
	"strings"
)

// Lang is a language of the catalogue.
type Lang int

// The languages, Spanish first.
const (
	ES Lang = iota
	EN
)

// Msg is one entry: the Spanish and English text (fmt verbs allowed).
type Msg struct {
	ES, EN string
}

var catalogue = map[string]Msg{}

func add(m map[string]Msg) {
	for k, v := range m {
		if _, dup := catalogue[k]; dup {
			panic("internal error: i18n key defined twice: " + k)
		}
		catalogue[k] = v
	}
}

// FromEnv picks the language from LC_ALL, LC_MESSAGES or LANG: English when
// the first set one starts with "en", Spanish otherwise.
func FromEnv() Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return Parse(s)
		}
	}
	return ES
}

// Parse maps a language tag ("es-MX", "en_US.UTF-8", "en") to a Lang.
func Parse(tag string) Lang {
	if strings.HasPrefix(strings.ToLower(tag), "en") {
		return EN
	}
	return ES
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalogue[key]
	return ok
}

// T returns the text for key in lang, formatted with args. A missing key
// returns the key itself so that the gap is visible and tests catch it.
func T(lang Lang, key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m.ES
	if lang == EN && m.EN != "" {
		s = m.EN
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns every key (for tests that check completeness).
func Keys() []string {
	out := make([]string, 0, len(catalogue))
	for k := range catalogue {
		out = append(out, k)
	}
	return out
}

// Entry returns the raw entry for key.
func Entry(key string) (Msg, bool) {
	m, ok := catalogue[key]
	return m, ok
}
