package server

// The password crosses the host as bytes the host owns and zeroes (issue
// 11, F-05): encoding/json would make Go strings of it, which cannot be
// wiped. So before params are decoded, takeSecret cuts the "password"
// member's value out of the request's own params buffer (a copy the host
// zeroes after the request), unescapes it into a fresh []byte, and
// overwrites the value in the buffer with "" and spaces; the struct then
// gets the bytes in PasswordBytes. Serve zeroes each request frame once
// it is decoded. What is and is not wiped is listed in docs/SECURITY.md.

import (
	"context"
	"errors"
	"reflect"
	"unicode/utf16"
	"unicode/utf8"
)

// errSecretJSON marks a password value that is not a JSON string.
var errSecretJSON = errors.New("password must be a JSON string")

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

// takeSecret finds every top-level "password" member of the JSON object
// raw, returns the (last) value unescaped into a new slice, and blanks the
// value in raw itself (`""` then spaces, so raw stays valid JSON of the
// same length). found is false when there is no such member.
func takeSecret(raw []byte) (secret []byte, found bool, err error) {
	err = forEachMember(raw, func(key []byte, vs, ve int) error {
		if string(key) != "password" {
			return nil
		}
		if raw[vs] != '"' || ve-vs < 2 || raw[ve-1] != '"' {
			return errSecretJSON
		}
		clear(secret)
		s, err := unescape(raw[vs+1 : ve-1])
		if err != nil {
			return err
		}
		secret, found = s, true
		raw[vs], raw[vs+1] = '"', '"'
		for k := vs + 2; k < ve; k++ {
			raw[k] = ' '
		}
		return nil
	})
	if err != nil {
		clear(secret)
		return nil, false, err
	}
	return secret, found, nil
}

// takeRequestSecret runs takeSecret on the "params" object of a request
// frame, in place, before anything else reads the frame (the request's
// own decoding copies it).
func takeRequestSecret(body []byte) (secret []byte, found bool, err error) {
	err = forEachMember(body, func(key []byte, vs, ve int) error {
		if string(key) != "params" || body[vs] != '{' {
			return nil
		}
		s, f, err := takeSecret(body[vs:ve])
		if f {
			clear(secret)
			secret, found = s, true
		}
		return err
	})
	if err != nil {
		clear(secret)
		return nil, false, err
	}
	return secret, found, nil
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

// setSecret puts secret into p's PasswordBytes field, if p (a pointer to a
// params struct) has one, and reports whether it did.
func setSecret(p any, secret []byte) bool {
	f := reflect.ValueOf(p).Elem().FieldByName("PasswordBytes")
	if !f.IsValid() || f.Type() != reflect.TypeOf([]byte(nil)) {
		return false
	}
	f.SetBytes(secret)
	return true
}

// secretKey carries a request's password (cut out of its frame by Serve)
// in the request's context, to the command's params.
type secretKey struct{}

// withSecret returns ctx carrying secret.
func withSecret(ctx context.Context, secret []byte) context.Context {
	return context.WithValue(ctx, secretKey{}, secret)
}

// secretFrom returns the password Serve cut out of the frame, if any.
func secretFrom(ctx context.Context) ([]byte, bool) {
	b, ok := ctx.Value(secretKey{}).([]byte)
	return b, ok
}
