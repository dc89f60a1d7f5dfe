package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

func TestTakeSecrets(t *testing.T) {
	for name, tt := range map[string]struct {
		raw               string
		password, newPass string // "" = absent
	}{
		"plain":            {`{"origin":"https://a.gob.mx","password":"12345678a","data":"QQ=="}`, "12345678a", ""},
		"escapes":          {`{"password":"a\"b\\c\/d\n\u00f1\ud83d\ude00e"}`, "a\"b\\c/d\nñ😀e", ""},
		"lone surrogate":   {`{"password":"x\ud83dy"}`, "x\uFFFDy", ""},
		"spaces":           {" {\n \"password\" :\t\"p w\" , \"x\":[1,{\"password\":\"inner\"}]}", "p w", ""},
		"last of two":      {`{"password":"one","password":"two"}`, "two", ""},
		"nested only":      {`{"document":{"password":"not this","newPassword":"nor this"},"data":"x"}`, "", ""},
		"both":             {`{"certificate":"QQ==","password":"vieja","newPassword":"Nueva-Clave-2026"}`, "vieja", "Nueva-Clave-2026"},
		"new first":        {`{"newPassword":"Nueva-Clave-2026","privateKey":"QQ==","password":"vieja"}`, "vieja", "Nueva-Clave-2026"},
		"new only":         {`{"certificate":"QQ==","newPassword":"Nueva-Clave-2026"}`, "", "Nueva-Clave-2026"},
		"new escapes":      {`{"newPassword":"\u00d1and\u00fa\t\"x\\y\"\ud83d\ude00\/z"}`, "", "Ñandú\t\"x\\y\"😀/z"},
		"new raw unicode":  {`{"newPassword":"contraseña-ÑANDÚ-😀"}`, "", "contraseña-ÑANDÚ-😀"},
		"new last of two":  {`{"newPassword":"uno","newPassword":"dos"}`, "", "dos"},
		"other keys alone": {`{"passwordX":"a","newpassword":"b","NewPassword":"c"}`, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(tt.raw)
			sec, err := takeSecrets(raw)
			if err != nil {
				t.Fatal(err)
			}
			for member, want := range map[string]string{"password": tt.password, "newPassword": tt.newPass} {
				got, ok := sec[member]
				if ok != (want != "") || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", member, got, ok, want)
				}
			}
			if (tt.password == "" && tt.newPass == "") != (sec == nil) {
				t.Errorf("secrets %v: nil only when none found", sec)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("raw is no longer JSON: %v (%s)", err, raw)
			}
			for member := range sec {
				if m[member] != "" {
					t.Errorf("%s left in raw: %s", member, raw)
				}
			}
			if len(raw) != len(tt.raw) {
				t.Fatal("raw changed length")
			}
		})
	}
	// A value that is not a string, or a string with a bad escape, is the
	// named error, for either member, and nothing is returned.
	for _, bad := range []string{
		`{"password":5}`, `{"password":null}`, `{"password":{"a":1}}`, `{"password":["x"]}`,
		`{"newPassword":5}`, `{"newPassword":null}`, `{"newPassword":{"a":1}}`, `{"newPassword":true}`,
		`{"password":"ok","newPassword":7}`, `{"newPassword":"ok","password":false}`,
		`{"newPassword":"\x"}`, `{"newPassword":"\u12"}`, `{"password":"\q"}`,
	} {
		sec, err := takeSecrets([]byte(bad))
		if !errors.Is(err, errSecretJSON) || sec != nil {
			t.Errorf("%s: %v %v, want errSecretJSON and nothing", bad, sec, err)
		}
	}
	body := []byte(`{"id":"1","command":"import-credential","params":{"certificate":"x","password":"clave","newPassword":"Nueva-Clave-2026"}}`)
	sec, err := takeRequestSecrets(body)
	if err != nil || string(sec["password"]) != "clave" || string(sec["newPassword"]) != "Nueva-Clave-2026" || bytes.Contains(body, []byte("clave")) || bytes.Contains(body, []byte("Nueva")) {
		t.Fatalf("takeRequestSecrets = %q %v; body %s", sec, err, body)
	}
	body = []byte(`{"id":"1","command":"import-credential","params":{"certificate":"x","newPassword":1}}`)
	if sec, err := takeRequestSecrets(body); !errors.Is(err, errSecretJSON) || sec != nil {
		t.Fatalf("takeRequestSecrets of a number = %q %v", sec, err)
	}
}

// TestSetSecrets: each secret goes to its own field; a params struct
// without such a field leaves it out and zeroes it.
func TestSetSecrets(t *testing.T) {
	pw, npw := []byte("vieja"), []byte("Nueva-Clave-2026")
	var ip protocol.ImportParams
	setSecrets(&ip, secrets{"password": pw, "newPassword": npw})
	if string(ip.PasswordBytes) != "vieja" || string(ip.NewPasswordBytes) != "Nueva-Clave-2026" || ip.Password != "" || ip.NewPassword != "" {
		t.Fatalf("import params %+v", ip)
	}
	var sp protocol.SignParams
	npw2 := []byte("Nueva-Clave-2026")
	setSecrets(&sp, secrets{"password": []byte("clave"), "newPassword": npw2})
	if string(sp.PasswordBytes) != "clave" || !bytes.Equal(npw2, make([]byte, len(npw2))) {
		t.Fatalf("sign params %+v, unused new password %q", sp, npw2)
	}
	var rp protocol.RemoveParams
	pw3 := []byte("clave")
	setSecrets(&rp, secrets{"password": pw3})
	if !bytes.Equal(pw3, make([]byte, len(pw3))) {
		t.Fatalf("a command without a password kept it: %q", pw3)
	}
}

// TestImportNewPasswordAsBytes: through the handler, an import's
// newPassword arrives as NewPasswordBytes (never as the string field), and
// is zeroed when the command is done; a non-string newPassword is
// ERR_BAD_REQUEST.
func TestImportNewPasswordAsBytes(t *testing.T) {
	var seen protocol.ImportParams
	var during string
	h := withParams(func(_ context.Context, _ *Server, p protocol.ImportParams) (any, error) {
		seen, during = p, string(p.NewPasswordBytes)
		return nil, nil
	})
	raw := json.RawMessage(`{"certificate":"QQ==","privateKey":"QQ==","newPassword":"Nueva-\u00d1-2026"}`)
	if _, err := h(context.Background(), nil, raw); err != nil {
		t.Fatal(err)
	}
	if seen.NewPassword != "" || during != "Nueva-Ñ-2026" {
		t.Fatalf("params %+v, new password %q", seen, during)
	}
	if kept := seen.NewPasswordBytes; len(kept) == 0 || !bytes.Equal(kept, make([]byte, len(kept))) {
		t.Fatalf("new password not zeroed after the command: %q", kept)
	}
	_, err := h(context.Background(), nil, json.RawMessage(`{"certificate":"QQ==","newPassword":12345678}`))
	if code, _ := keys.CodeOf(err); code != protocol.ErrBadRequest {
		t.Fatalf("numeric newPassword: %v", err)
	}
	_, err = h(context.Background(), nil, json.RawMessage(`{"newPassword":"a","newPassword":"b"}`))
	if code, _ := keys.CodeOf(err); code != protocol.ErrBadRequest {
		t.Fatalf("repeated newPassword: %v", err)
	}
}

// FuzzTakeSecret: any input is handled without panic; for a JSON object
// whose password and newPassword are strings, the bytes are what
// encoding/json decodes and the object stays valid JSON without them.
func FuzzTakeSecret(f *testing.F) {
	for _, s := range []string{`{"password":"12345678a"}`, `{"a":[{"b":"}"}],"password":"\u00f1\""}`, `{"password":"\ud800"}`, `{"newPassword":"x\u00f1","password":"y"}`, `{`, `{"password":"`, `{"p":"\`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		raw := bytes.Clone(in)
		sec, err := takeSecrets(raw)
		takeRequestSecrets(bytes.Clone(in))
		if !json.Valid(in) || err != nil || sec == nil {
			return
		}
		var want struct {
			Password    string `json:"password"`
			NewPassword string `json:"newPassword"`
		}
		if json.Unmarshal(in, &want) != nil {
			return
		}
		if string(sec["password"]) != want.Password || string(sec["newPassword"]) != want.NewPassword {
			t.Fatalf("secrets %q, encoding/json says %+v", sec, want)
		}
		var after map[string]any
		if err := json.Unmarshal(raw, &after); err != nil {
			t.Fatalf("after: %v %s", err, raw)
		}
		for member := range sec {
			if after[member] != "" {
				t.Fatalf("%s left: %s", member, raw)
			}
		}
	})
}
