package installer

import "errors"

// Hive is a Windows registry root.
type Hive int

// The two hives the installer uses: per user and per machine.
const (
	HKCU Hive = iota
	HKLM
)

func (h Hive) String() string {
	if h == HKLM {
		return "HKLM"
	}
	return "HKCU"
}

func hiveOf(s Scope) Hive {
	if s == System {
		return HKLM
	}
	return HKCU
}

// ErrNotExist is returned by a Registry for a key or value that is not there.
var ErrNotExist = errors.New("registry key or value does not exist")

// ErrNoRegistry is returned when Windows locations are used without a registry.
var ErrNoRegistry = errors.New("no Windows registry available")

// Registry is the part of the Windows registry the installer uses. Paths are
// key paths below the hive with backslashes ("Software\Google\Chrome\...");
// name "" is a key's default value. installer_windows.go implements it with
// golang.org/x/sys/windows/registry; tests use an in-memory one.
type Registry interface {
	// GetString reads a REG_SZ value.
	GetString(h Hive, path, name string) (string, error)
	// GetInteger reads a REG_DWORD or REG_QWORD value.
	GetInteger(h Hive, path, name string) (uint64, error)
	// ValueNames lists a key's value names.
	ValueNames(h Hive, path string) ([]string, error)
	// SetString creates the key (and its parents) if needed and writes a REG_SZ value.
	SetString(h Hive, path, name, value string) error
	// DeleteKey deletes a key that has no subkeys; ErrNotExist if absent.
	DeleteKey(h Hive, path string) error
}
