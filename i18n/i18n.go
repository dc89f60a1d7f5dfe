// Package i18n is the Go side's one message catalogue: every text a person
// reads (CLI output, protocol error messages and hints, demo portal pages,
// diagnostics) is looked up here by key, in Spanish (es-MX) first and English
// second. Areas keep their entries in their own file of this package
// (codes.go, cli.go, ...) and register them with add. Registration only
// appends a map (no copying, so start-up stays cheap); a test checks that no
// key is defined twice.
package i18n

import (
	"fmt"
	"os"
	"strings"
	"sync"
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

var (
	lazy     []func() map[string]Msg
	parts    []map[string]Msg
	loadOnce sync.Once
)

// add registers a table already built.
func add(m map[string]Msg) { parts = append(parts, m) }

// addLazy registers a table built on the first lookup, so that start-up
// (which happens for every browser message) builds no maps.
func addLazy(f func() map[string]Msg) { lazy = append(lazy, f) }

func load() {
	loadOnce.Do(func() {
		for _, f := range lazy {
			parts = append(parts, f())
		}
	})
}

func lookup(key string) (Msg, bool) {
	load()
	for _, p := range parts {
		if m, ok := p[key]; ok {
			return m, true
		}
	}
	return Msg{}, false
}

// Duplicates returns keys defined in more than one area file.
func Duplicates() []string {
	load()
	seen := map[string]bool{}
	var dups []string
	for _, p := range parts {
		for k := range p {
			if seen[k] {
				dups = append(dups, k)
			}
			seen[k] = true
		}
	}
	return dups
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
	_, ok := lookup(key)
	return ok
}

// T returns the text for key in lang, formatted with args. A missing key
// returns the key itself so that the gap is visible and tests catch it.
func T(lang Lang, key string, args ...any) string {
	m, ok := lookup(key)
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
	load()
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		for k := range p {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// Entry returns the raw entry for key.
func Entry(key string) (Msg, bool) {
	return lookup(key)
}
