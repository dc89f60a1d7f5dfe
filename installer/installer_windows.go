package installer

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// nativeRegistry is the Windows registry.
func nativeRegistry() Registry { return winRegistry{} }

type winRegistry struct{}

func rootKey(h Hive) registry.Key {
	if h == HKLM {
		return registry.LOCAL_MACHINE
	}
	return registry.CURRENT_USER
}

func mapErr(err error) error {
	if errors.Is(err, registry.ErrNotExist) {
		return ErrNotExist
	}
	return err
}

func (winRegistry) GetString(h Hive, path, name string) (string, error) {
	k, err := registry.OpenKey(rootKey(h), path, registry.QUERY_VALUE)
	if err != nil {
		return "", mapErr(err)
	}
	defer k.Close()
	s, _, err := k.GetStringValue(name)
	return s, mapErr(err)
}

func (winRegistry) GetInteger(h Hive, path, name string) (uint64, error) {
	k, err := registry.OpenKey(rootKey(h), path, registry.QUERY_VALUE)
	if err != nil {
		return 0, mapErr(err)
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue(name)
	return v, mapErr(err)
}

func (winRegistry) ValueNames(h Hive, path string) ([]string, error) {
	k, err := registry.OpenKey(rootKey(h), path, registry.QUERY_VALUE)
	if err != nil {
		return nil, mapErr(err)
	}
	defer k.Close()
	names, err := k.ReadValueNames(-1)
	return names, mapErr(err)
}

func (winRegistry) SetString(h Hive, path, name, value string) error {
	k, _, err := registry.CreateKey(rootKey(h), path, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.SetStringValue(name, value)
}

func (winRegistry) DeleteKey(h Hive, path string) error {
	return mapErr(registry.DeleteKey(rootKey(h), path))
}
