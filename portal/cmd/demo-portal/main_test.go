package main

import (
	"testing"

	"github.com/efirma/conector/protocol"
)

func TestOriginFor(t *testing.T) {
	for _, tc := range []struct{ scheme, addr, want string }{
		{"http", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http", ":8080", "http://127.0.0.1:8080"},
		{"http", "0.0.0.0:9000", "http://127.0.0.1:9000"},
		{"http", "localhost:8080", "http://localhost:8080"},
		{"https", "127.0.0.1:8443", "https://127.0.0.1:8443"},
		{"https", "portal.example.gob.mx:443", "https://portal.example.gob.mx"},
	} {
		got := originFor(tc.scheme, tc.addr)
		if got != tc.want {
			t.Errorf("originFor(%s, %s) = %s, want %s", tc.scheme, tc.addr, got, tc.want)
		}
		if err := protocol.ValidateOrigin(got, true); err != nil {
			t.Errorf("%s is not a valid origin: %v", got, err)
		}
	}
}
