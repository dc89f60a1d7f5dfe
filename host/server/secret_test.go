package server

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestTakeSecret(t *testing.T) {
	for name, tt := range map[string]struct {
		raw  string
		want string
	}{
		"plain":          {`{"origin":"https://a.gob.mx","password":"12345678a","data":"QQ=="}`, "12345678a"},
		"escapes":        {`{"password":"a\"b\\c\/d\n\u00f1\ud83d\ude00e"}`, "a\"b\\c/d\nñ😀e"},
		"lone surrogate": {`{"password":"x\ud83dy"}`, "x\uFFFDy"},
		"spaces":         {" {\n \"password\" :\t\"p w\" , \"x\":[1,{\"password\":\"inner\"}]}", "p w"},
		"last of two":    {`{"password":"one","password":"two"}`, "two"},
		"nested only":    {`{"document":{"password":"not this"},"data":"x"}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(tt.raw)
			secret, found, err := takeSecret(raw)
			if err != nil || found != (tt.want != "") || string(secret) != tt.want {
				t.Fatalf("takeSecret = %q, %v, %v; want %q", secret, found, err, tt.want)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("raw is no longer JSON: %v (%s)", err, raw)
			}
			if found && m["password"] != "" {
				t.Fatalf("password left in raw: %s", raw)
			}
			if len(raw) != len(tt.raw) {
				t.Fatal("raw changed length")
			}
		})
	}
	for _, bad := range []string{`{"password":5}`, `{"password":null}`, `{"password":{"a":1}}`} {
		if _, _, err := takeSecret([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	body := []byte(`{"id":"1","command":"sign","params":{"certificateId":"x","password":"clave"}}`)
	secret, found, err := takeRequestSecret(body)
	if err != nil || !found || string(secret) != "clave" || bytes.Contains(body, []byte("clave")) {
		t.Fatalf("takeRequestSecret = %q %v %v; body %s", secret, found, err, body)
	}
}

// FuzzTakeSecret: any input is handled without panic; for a JSON object
// whose password is a string, the bytes are what encoding/json decodes
// and the object stays valid JSON without it.
func FuzzTakeSecret(f *testing.F) {
	for _, s := range []string{`{"password":"12345678a"}`, `{"a":[{"b":"}"}],"password":"\u00f1\""}`, `{"password":"\ud800"}`, `{`, `{"password":"`, `{"p":"\`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		raw := bytes.Clone(in)
		secret, found, err := takeSecret(raw)
		takeRequestSecret(bytes.Clone(in))
		if !json.Valid(in) || err != nil || !found {
			return
		}
		var want struct {
			Password string `json:"password"`
		}
		if json.Unmarshal(in, &want) != nil {
			return
		}
		if string(secret) != want.Password {
			t.Fatalf("secret %q, encoding/json says %q", secret, want.Password)
		}
		var after struct {
			Password *string `json:"password"`
		}
		if err := json.Unmarshal(raw, &after); err != nil || after.Password == nil || *after.Password != "" {
			t.Fatalf("after: %v %s", err, raw)
		}
	})
}
