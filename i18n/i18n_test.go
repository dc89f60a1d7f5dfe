package i18n

import (
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/protocol"
)

func TestNoDuplicateKeys(t *testing.T) {
	if d := Duplicates(); len(d) > 0 {
		t.Fatalf("keys defined twice: %v", d)
	}
}

func TestEveryEntryHasBothLanguages(t *testing.T) {
	for _, k := range Keys() {
		m, _ := Entry(k)
		if strings.TrimSpace(m.ES) == "" || strings.TrimSpace(m.EN) == "" {
			t.Errorf("%s lacks Spanish or English text", k)
		}
		if strings.Count(m.ES, "%") != strings.Count(m.EN, "%") {
			t.Errorf("%s: Spanish and English take different arguments", k)
		}
	}
}

func TestEveryProtocolCodeHasMessageAndHint(t *testing.T) {
	for _, c := range protocol.Codes {
		for _, p := range []string{"code.", "hint."} {
			if !Has(p + string(c)) {
				t.Errorf("missing %s%s", p, c)
			}
		}
	}
}

func TestLanguageSelection(t *testing.T) {
	tests := map[string]Lang{"en_US.UTF-8": EN, "en": EN, "es_MX.UTF-8": ES, "C": ES, "": ES, "fr_FR": ES}
	for tag, want := range tests {
		if got := Parse(tag); got != want {
			t.Errorf("Parse(%q) = %v", tag, got)
		}
	}
	if T(EN, "code.ERR_CERT_EXPIRED") == T(ES, "code.ERR_CERT_EXPIRED") {
		t.Fatal("English and Spanish are the same")
	}
	if T(ES, "no.such.key") != "no.such.key" {
		t.Fatal("missing key must show itself")
	}
}

func TestLongDate(t *testing.T) {
	d := time.Date(2027, time.May, 17, 9, 5, 0, 0, time.UTC)
	if got := LongDate(ES, d); got != "17 de mayo de 2027" {
		t.Errorf("LongDate(ES) = %q", got)
	}
	if got := LongDate(EN, d); got != "May 17, 2027" {
		t.Errorf("LongDate(EN) = %q", got)
	}
	if got := LongDateTime(ES, time.Date(2031, time.January, 1, 6, 0, 0, 0, time.UTC)); got != "1 de enero de 2031, 06:00" {
		t.Errorf("LongDateTime(ES) = %q", got)
	}
}
