package installer

import (
	"sort"
	"strings"
)

// memRegistry is an in-memory Registry for tests.
type memRegistry struct {
	strs map[string]string // hive\key\x00name -> value
	ints map[string]uint64
	keys map[string]bool
}

func newMemRegistry() *memRegistry {
	return &memRegistry{strs: map[string]string{}, ints: map[string]uint64{}, keys: map[string]bool{}}
}

func kp(h Hive, path string) string { return h.String() + `\` + strings.ToLower(path) }

func (m *memRegistry) GetString(h Hive, path, name string) (string, error) {
	v, ok := m.strs[kp(h, path)+"\x00"+name]
	if !ok {
		return "", ErrNotExist
	}
	return v, nil
}

func (m *memRegistry) GetInteger(h Hive, path, name string) (uint64, error) {
	v, ok := m.ints[kp(h, path)+"\x00"+name]
	if !ok {
		return 0, ErrNotExist
	}
	return v, nil
}

func (m *memRegistry) ValueNames(h Hive, path string) ([]string, error) {
	k := kp(h, path)
	if !m.keys[k] {
		return nil, ErrNotExist
	}
	var out []string
	for full := range m.strs {
		if key, name, _ := strings.Cut(full, "\x00"); key == k && name != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memRegistry) SetString(h Hive, path, name, value string) error {
	m.mkKey(h, path)
	m.strs[kp(h, path)+"\x00"+name] = value
	return nil
}

func (m *memRegistry) setInt(h Hive, path, name string, v uint64) {
	m.mkKey(h, path)
	m.ints[kp(h, path)+"\x00"+name] = v
}

func (m *memRegistry) mkKey(h Hive, path string) {
	parts := strings.Split(path, `\`)
	for i := range parts {
		m.keys[kp(h, strings.Join(parts[:i+1], `\`))] = true
	}
}

func (m *memRegistry) DeleteKey(h Hive, path string) error {
	k := kp(h, path)
	if !m.keys[k] {
		return ErrNotExist
	}
	for other := range m.keys {
		if strings.HasPrefix(other, k+`\`) {
			return errSubkeys
		}
	}
	delete(m.keys, k)
	for full := range m.strs {
		if key, _, _ := strings.Cut(full, "\x00"); key == k {
			delete(m.strs, full)
		}
	}
	for full := range m.ints {
		if key, _, _ := strings.Cut(full, "\x00"); key == k {
			delete(m.ints, full)
		}
	}
	return nil
}

type regError string

func (e regError) Error() string { return string(e) }

const errSubkeys = regError("key has subkeys")
