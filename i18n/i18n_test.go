package i18n

import (
	"strings"
	"testing"

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
