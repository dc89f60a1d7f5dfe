package server

// The passwords cross the host as bytes the host owns and zeroes (issue
// 11, F-05): encoding/json would make Go strings of them, which cannot be
// wiped. So before params are decoded, takeSecrets cuts the "password" and
// "newPassword" members' values out of the request's params (in the frame
// itself, or the request's own params buffer, a copy the host zeroes after
// the request), unescapes each into a fresh []byte, and overwrites the
// value in the buffer with "" and spaces; the struct then gets the bytes
// in PasswordBytes and NewPasswordBytes. Serve zeroes each request frame once
// it is decoded. What is and is not wiped is listed in docs/SECURITY.md.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf16"
	"unicode/utf8"
)

// errSecretJSON marks a password or newPassword value that is not a JSON
// string (or a string with a bad escape).
var errSecretJSON = errors.New("must be a JSON string")

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just after the JSON string starting at b[i]
// (which is '"'), or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just after the JSON value starting at b[i].
// The input is valid JSON (decodeRequest checked it).
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// forEachMember calls fn with the key and the value's bounds of every
// top-level member of the JSON object in raw, in order. It stops at the
// first thing it cannot read (the caller's decoder reports bad JSON).
func forEachMember(raw []byte, fn func(key []byte, vs, ve int) error) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil
	}
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		ke := stringEnd(raw, i)
		if ke < 0 {
			return nil
		}
		key := raw[i+1 : ke-1]
		i = skipSpace(raw, ke)
		if i >= len(raw) || raw[i] != ':' {
			return nil
		}
		vs := skipSpace(raw, i+1)
		ve := valueEnd(raw, vs)
		if ve < 0 || ve <= vs {
			return nil
		}
		if err := fn(key, vs, ve); err != nil {
			return err
		}
		i = skipSpace(raw, ve)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return nil
}

// secretMembers maps each params member the host carries as bytes to the
// params struct field that receives them.
var secretMembers = map[string]string{
	"password":    "PasswordBytes",
	"newPassword": "NewPasswordBytes",
}

// secrets are the members cut out of one params object, by member name
// ("password", "newPassword"), each in bytes the host zeroes.
type secrets map[string][]byte

// clear zeroes every secret.
func (s secrets) clear() {
	for _, b := range s {
		clear(b)
	}
}

// takeSecrets finds every top-level "password" and "newPassword" member of
// the JSON object raw, returns each (the last, for a repeated key, which
// decodeParams then refuses) unescaped into its own new slice, and blanks
// each value in raw itself (`""` then spaces, so raw stays valid JSON of
// the same length). The result is nil when there is no such member. A
// value that is not a JSON string is errSecretJSON (wrapped with the
// member's name).
func takeSecrets(raw []byte) (secrets, error) {
	var found secrets
	err := forEachMember(raw, func(key []byte, vs, ve int) error {
		name := string(key)
		if _, ok := secretMembers[name]; !ok {
			return nil
		}
		if raw[vs] != '"' || ve-vs < 2 || raw[ve-1] != '"' {
			return fmt.Errorf("%s: %w", name, errSecretJSON)
		}
		s, err := unescape(raw[vs+1 : ve-1])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if found == nil {
			found = secrets{}
		}
		clear(found[name])
		found[name] = s
		raw[vs], raw[vs+1] = '"', '"'
		for k := vs + 2; k < ve; k++ {
			raw[k] = ' '
		}
		return nil
	})
	if err != nil {
		found.clear()
		return nil, err
	}
	return found, nil
}

// takeRequestSecrets runs takeSecrets on the "params" object of a request
// frame, in place, before anything else reads the frame (the request's
// own decoding copies it).
func takeRequestSecrets(body []byte) (secrets, error) {
	var found secrets
	err := forEachMember(body, func(key []byte, vs, ve int) error {
		if string(key) != "params" || body[vs] != '{' {
			return nil
		}
		s, err := takeSecrets(body[vs:ve])
		if s != nil {
			found.clear()
			found = s
		}
		return err
	})
	if err != nil {
		found.clear()
		return nil, err
	}
	return found, nil
}

// unescape decodes the body of a JSON string into a new slice, as
// encoding/json would (invalid surrogates become U+FFFD), without making
// a Go string of it.
func unescape(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, s[i:i+size]...)
			}
			i += size - 1
			continue
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			clear(out)
			return nil, errSecretJSON
		}
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				clear(out)
				return nil, errSecretJSON
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					r2, ok2 = hex4(s, i+3)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			clear(out)
			return nil, errSecretJSON
		}
	}
	return out, nil
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// setSecrets puts each secret into the field of p (a pointer to a params
// struct) that secretMembers names for it; a secret p has no field for (a
// command without a password, say) is zeroed and ignored, like any unknown
// key.
func setSecrets(p any, s secrets) {
	v := reflect.ValueOf(p).Elem()
	for name, b := range s {
		f := v.FieldByName(secretMembers[name])
		if !f.IsValid() || f.Type() != reflect.TypeOf([]byte(nil)) {
			clear(b)
			continue
		}
		f.SetBytes(b)
	}
}

// secretKey carries a request's secrets (cut out of its frame by Serve)
// in the request's context, to the command's params.
type secretKey struct{}

// withSecrets returns ctx carrying s.
func withSecrets(ctx context.Context, s secrets) context.Context {
	return context.WithValue(ctx, secretKey{}, s)
}

// secretsFrom returns the secrets Serve cut out of the frame, if any.
func secretsFrom(ctx context.Context) (secrets, bool) {
	s, ok := ctx.Value(secretKey{}).(secrets)
	return s, ok
}
