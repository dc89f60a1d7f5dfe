package protocol

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestValidateOrigin(t *testing.T) {
	tests := []struct {
		origin    string
		prod, dev bool // accepted without / with development origins
	}{
		{"https://www.sat.gob.mx", true, true},
		{"https://serviciosdigitales.imss.gob.mx", true, true},
		{"https://portal.example.mx:8443", true, true},
		{"https://192.0.2.10", true, true},
		{"http://localhost", false, true},
		{"http://localhost:8080", false, true},
		{"http://127.0.0.1:9999", false, true},
		{"https://127.0.0.1:9999", true, true},
		{"http://www.sat.gob.mx", false, false},
		{"http://example.com:8080", false, false},
		{"https://www.sat.gob.mx/", false, false},
		{"https://www.sat.gob.mx/login", false, false},
		{"https://www.sat.gob.mx:", false, false},
		{"https://www.sat.gob.mx:443", false, false},
		{"http://localhost:80", false, false},
		{"https://www.sat.gob.mx:0", false, false},
		{"https://www.sat.gob.mx:65536", false, false},
		{"https://www.sat.gob.mx:08", false, false},
		{"HTTPS://www.sat.gob.mx", false, false},
		{"https://WWW.sat.gob.mx", false, false},
		{"https://user@www.sat.gob.mx", false, false},
		{"https://www.sat.gob.mx?x", false, false},
		{"https://www.sat.gob.mx#x", false, false},
		{"https://[::1]", false, false},
		{"https://0x7f.0.0.1", false, false},
		{"https://0177.0.0.1", false, false},
		{"https://4294967295", false, false},
		{"https://-bad.gob.mx", false, false},
		{"https://a..gob.mx", false, false},
		{"https://xn--sat-8ma.gob.mx", true, true}, // IDN arrives as punycode
		{"https://satañ.gob.mx", false, false},
		{"chrome-extension://abcdefghijklmnop", false, false},
		{"file://", false, false},
		{"null", false, false},
		{"", false, false},
		{"https://" + strings.Repeat("a.", 200) + "mx", false, false},
	}
	for _, tt := range tests {
		if got := ValidateOrigin(tt.origin, false) == nil; got != tt.prod {
			t.Errorf("ValidateOrigin(%q, false) accepted=%v, want %v", tt.origin, got, tt.prod)
		}
		if got := ValidateOrigin(tt.origin, true) == nil; got != tt.dev {
			t.Errorf("ValidateOrigin(%q, true) accepted=%v, want %v", tt.origin, got, tt.dev)
		}
	}
}

func TestValidateChallenge(t *testing.T) {
	ok := strings.Repeat("A", 43)
	for ch, want := range map[string]bool{ok: true, strings.Repeat("-_", 16): true, strings.Repeat("a", 31): false, strings.Repeat("a", 129): false, ok[:42] + "=": false, ok[:42] + "+": false, "": false} {
		if got := ValidateChallenge(ch) == nil; got != want {
			t.Errorf("ValidateChallenge(%q) = %v, want %v", ch, got, want)
		}
	}
}

func TestAuthMessage(t *testing.T) {
	m := AuthMessage("https://www.sat.gob.mx", "reto")
	o := sha256.Sum256([]byte("https://www.sat.gob.mx"))
	c := sha256.Sum256([]byte("reto"))
	want := append(append(append([]byte("efirma-auth:1"), 0), o[:]...), c[:]...)
	if !bytes.Equal(m, want) || len(m) != 78 || !bytes.HasPrefix(m, []byte(ReservedPrefix)) {
		t.Fatalf("AuthMessage = %x", m)
	}
}

func TestCodesAreUnique(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes {
		if seen[c] || !strings.HasPrefix(string(c), "ERR_") {
			t.Fatalf("bad or repeated code %s", c)
		}
		seen[c] = true
	}
}
