package psl

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The list as embedded: all of it (both sections), ASCII only, one rule
// per line.
func TestEmbeddedList(t *testing.T) {
	r := embedded().rules
	if len(r) < 9000 {
		t.Fatalf("%d rules, want the whole list (over 9000)", len(r))
	}
	for rule := range r {
		if !IsASCII(rule) || strings.ContainsAny(rule, " \t`") || strings.HasPrefix(rule, ".") || strings.HasSuffix(rule, ".") {
			t.Errorf("rule %q", rule)
		}
	}
	// One of each kind, and the private section.
	for _, want := range []string{"com.mx", "gob.mx", "*.ck", "!www.ck", "github.io", "xn--fiqs8s"} {
		if !r[want] {
			t.Errorf("rule %q missing", want)
		}
	}
}

// The same answers as the extension's isPublicSuffix and wildcardTooBroad
// (origins.test.js reads the same vectors).
func TestVectors(t *testing.T) {
	b, err := os.ReadFile("../../extension/test/psl-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Suffix, Registrable, WildcardTooBroad, WildcardAllowed []string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Suffix) == 0 || len(v.Registrable) == 0 || len(v.WildcardTooBroad) == 0 || len(v.WildcardAllowed) == 0 {
		t.Fatal("no vectors")
	}
	isPublicSuffix := embedded().isPublicSuffix
	for _, d := range v.Suffix {
		if !isPublicSuffix(d) || !WildcardTooBroad(d) {
			t.Errorf("%s: public suffix %v, wildcard too broad %v; want both", d, isPublicSuffix(d), WildcardTooBroad(d))
		}
	}
	for _, d := range v.Registrable {
		if isPublicSuffix(d) {
			t.Errorf("%s: a public suffix, want registrable", d)
		}
	}
	for _, d := range v.WildcardTooBroad {
		if isPublicSuffix(d) || !WildcardTooBroad(d) {
			t.Errorf("%s: public suffix %v, wildcard too broad %v; want a registrable name with a suffix below it", d, isPublicSuffix(d), WildcardTooBroad(d))
		}
	}
	for _, d := range v.WildcardAllowed {
		if WildcardTooBroad(d) {
			t.Errorf("*.%s: too broad, want allowed", d)
		}
	}
}

// RFC 3492 §7.1's sample strings, and the list's own comments on
// international top-level domains.
func TestPunycode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "egbpdaj6bu4bxfgehfvwxn"},
		{"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
		{"\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433\u043E\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438", "b1abfaaepdrnnbgefbadotcwatmq2g4l"},
		{"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b"},
		{"b\u00FCcher", "bcher-kva"},
		{"\u4E2D\u56FD", "fiqs8s"},
		{"\u516C\u53F8", "55qx5d"},
	} {
		if got := punycode(tt.in); got != tt.want {
			t.Errorf("punycode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := ToASCII("\u516C\u53F8.cn"); got != "xn--55qx5d.cn" {
		t.Errorf("ToASCII = %q", got)
	}
	if got := ToASCII("gob.mx"); got != "gob.mx" {
		t.Errorf("ToASCII(ascii) = %q", got)
	}
}
