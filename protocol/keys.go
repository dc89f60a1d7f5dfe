package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// KeyError names a key CheckKeys refused.
type KeyError struct {
	Key, Why string
}

func (e *KeyError) Error() string { return fmt.Sprintf("key %q %s", e.Key, e.Why) }

// CheckKeys refuses a JSON object (a request, its params, a login token)
// whose keys are repeated or are not spelled exactly as a field of the
// struct v points to: encoding/json matches keys case-insensitively and
// keeps the last duplicate, so {"origin": a, "ORIGIN": b} would be b.
// Keys that match no field are left to the caller (the host ignores them;
// the verifier refuses them). Host and verifier share this rule.
func CheckKeys(raw []byte, v any) error {
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		known[name] = true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return &KeyError{key, "repeated"}
		}
		seen[key] = true
		if !known[key] && foldMatch(known, key) {
			return &KeyError{key, "is not spelled as the protocol says"}
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// foldMatch reports whether key matches a known name only case-insensitively.
func foldMatch(known map[string]bool, key string) bool {
	for k := range known {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}
