package installer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Options are the inputs of Install, Uninstall and Status. Every root is
// here so that tests (and packaging) can point them anywhere.
type Options struct {
	// Home is the user's home folder (per-user locations). Required unless System.
	Home string
	// DestDir is prepended to every system-wide path on Linux and macOS, as
	// DESTDIR is when building a package; "" means the real root.
	DestDir string
	// System selects the machine-wide locations instead of the user's.
	System bool
	// Browsers picks browsers by ID (see Browsers); empty means all.
	Browsers []string
	// ExtensionIDs are the extensions allowed to start the host; empty
	// means DefaultExtensionIDs().
	ExtensionIDs []string
	// BinaryPath is the absolute path of the installed efirma binary as the
	// browser will see it (without DestDir).
	BinaryPath string
	// DryRun reports the plan without changing anything.
	DryRun bool
	// Registry is the Windows registry; nil means the system's (none off Windows).
	Registry Registry
	// GOOS selects the operating system's locations; "" means runtime.GOOS.
	// Tests set it to exercise the Windows and macOS tables.
	GOOS string
}

func (o Options) goos() string {
	if o.GOOS == "" {
		return runtime.GOOS
	}
	return o.GOOS
}

func (o Options) scope() Scope {
	if o.System {
		return System
	}
	return User
}

func (o Options) registry() (Registry, error) {
	if o.Registry != nil {
		return o.Registry, nil
	}
	if r := nativeRegistry(); r != nil {
		return r, nil
	}
	return nil, ErrNoRegistry
}

// systemPath prefixes a system-wide path with DestDir. A Windows path
// ("C:\Program Files\efirma\...") loses its drive letter under DestDir.
func (o Options) systemPath(p string) string {
	if o.DestDir == "" {
		return p
	}
	if len(p) >= 2 && p[1] == ':' {
		p = p[2:]
	}
	return filepath.Join(o.DestDir, filepath.FromSlash(strings.ReplaceAll(p, `\`, "/")))
}

// legacyHostNames are host names that earlier versions and pre-release
// builds registered; Uninstall removes them from every location.
var legacyHostNames = []string{"mx.gob.efirma", "com.efirma.host"}

// Action is what happened (or, in a dry run, would happen) at one location.
type Action string

// The actions.
const (
	ActionInstalled  Action = "installed"
	ActionUpToDate   Action = "up_to_date"
	ActionUpdated    Action = "updated"
	ActionRemoved    Action = "removed"
	ActionNotPresent Action = "not_present"
	ActionFailed     Action = "failed"
)

// Result is the outcome at one location: a manifest file or a registry key.
type Result struct {
	Browsers []string `json:"browsers"`
	Scope    Scope    `json:"scope"`
	Kind     string   `json:"kind"` // "file" or "registry"
	Location string   `json:"location"`
	Action   Action   `json:"action"`
	Error    string   `json:"error,omitempty"`
}

// Report is the outcome of Install or Uninstall.
type Report struct {
	DryRun  bool     `json:"dry_run"`
	Results []Result `json:"results"`
}

// item is one thing to write or delete.
type item struct {
	browsers []string
	scope    Scope
	file     string // file path (with DestDir) ...
	hive     Hive   // ... or registry value: hive, key and default value
	key      string
	value    string
	legacy   bool
	// ownDir: the file's folder is ours alone (%LOCALAPPDATA%\efirma);
	// uninstall removes it once empty.
	ownDir bool
}

func (it item) kind() string {
	if it.key != "" {
		return "registry"
	}
	return "file"
}

func (it item) where() string {
	if it.key != "" {
		return it.hive.String() + `\` + it.key
	}
	return it.file
}

// ErrRelativeBinary is returned when BinaryPath is not absolute.
var ErrRelativeBinary = errors.New("binary path must be absolute")

// ErrNoHome is returned for a per-user operation without a home folder.
var ErrNoHome = errors.New("home folder unknown")

// plan lists the items for the selected browsers and scope: for each
// location the manifest file or registry value of hostName. Locations shared
// by several browsers (Brave using Chrome's folder) become one item.
func plan(o Options, hostName string) ([]item, error) {
	goos, scope := o.goos(), o.scope()
	if scope == User && !isAbs(goos, o.Home) {
		return nil, ErrNoHome
	}
	locs, err := selectLocations(goos, scope, o.Browsers)
	if err != nil {
		return nil, err
	}
	var items []item
	add := func(it item) {
		for i := range items {
			if items[i].where() == it.where() {
				items[i].browsers = append(items[i].browsers, it.browsers...)
				return
			}
		}
		items = append(items, it)
	}
	if goos == "windows" {
		if scope == System && !isAbs(goos, o.BinaryPath) {
			return nil, fmt.Errorf("%q: %w", o.BinaryPath, ErrRelativeBinary)
		}
		mpath := windowsManifestPath(o, scope, hostName)
		var all []string
		for _, l := range locs {
			all = append(all, l.browser)
		}
		file := mpath
		if scope == System {
			file = o.systemPath(mpath) // --destdir on Windows too
		}
		add(item{browsers: all, scope: scope, file: file, ownDir: scope == User})
		for _, l := range locs {
			add(item{browsers: []string{l.browser}, scope: scope, hive: hiveOf(scope), key: l.regKey + `\` + hostName, value: mpath})
		}
		return items, nil
	}
	for _, l := range locs {
		f := filepath.Join(o.Home, l.dir, hostName+".json")
		if scope == System {
			f = filepath.Join(o.systemPath(l.dir), hostName+".json")
		}
		add(item{browsers: []string{l.browser}, scope: scope, file: f})
	}
	return items, nil
}

// Install writes the host manifest to every selected location, checking
// first so that an up-to-date location is left alone. It returns the
// per-location report and an error joining every failure.
func Install(o Options) (Report, error) {
	rep := Report{DryRun: o.DryRun}
	if !isAbs(o.goos(), o.BinaryPath) {
		return rep, fmt.Errorf("%q: %w", o.BinaryPath, ErrRelativeBinary)
	}
	ids := o.ExtensionIDs
	if len(ids) == 0 {
		ids = DefaultExtensionIDs()
	}
	manifest, err := RenderManifest(o.BinaryPath, ids)
	if err != nil {
		return rep, err
	}
	items, err := plan(o, HostName)
	if err != nil {
		return rep, err
	}
	var reg Registry
	if o.goos() == "windows" {
		if reg, err = o.registry(); err != nil {
			return rep, err
		}
	}
	var errs []error
	for _, it := range items {
		r := Result{Browsers: it.browsers, Scope: it.scope, Kind: it.kind(), Location: it.where()}
		var err error
		if it.key != "" {
			r.Action, err = installValue(reg, it, o.DryRun)
		} else {
			r.Action, err = installFile(it.file, manifest, o.DryRun)
		}
		if err != nil {
			r.Action, r.Error = ActionFailed, err.Error()
			errs = append(errs, err)
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, errors.Join(errs...)
}

func installFile(path string, content []byte, dryRun bool) (Action, error) {
	old, err := os.ReadFile(path)
	action := ActionInstalled
	switch {
	case err == nil && bytes.Equal(old, content):
		return ActionUpToDate, nil
	case err == nil:
		action = ActionUpdated
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("failed to read %s: %w", path, err)
	}
	if dryRun {
		return action, nil
	}
	if err := writeFileAtomic(path, content); err != nil {
		return "", err
	}
	return action, nil
}

// writeFileAtomic writes content to path (mode 0644, parents 0755) through
// a temporary file and a rename, so a browser never reads half a manifest.
func writeFileAtomic(path string, content []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".efirma-*.tmp")
	if err != nil {
		return fmt.Errorf("failed to write in %s: %w", dir, err)
	}
	tmp := f.Name()
	_, err = f.Write(content)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return nil
}

func installValue(reg Registry, it item, dryRun bool) (Action, error) {
	old, err := reg.GetString(it.hive, it.key, "")
	action := ActionInstalled
	switch {
	case err == nil && old == it.value:
		return ActionUpToDate, nil
	case err == nil:
		action = ActionUpdated
	case !errors.Is(err, ErrNotExist):
		return "", fmt.Errorf("failed to read %s: %w", it.where(), err)
	}
	if dryRun {
		return action, nil
	}
	if err := reg.SetString(it.hive, it.key, "", it.value); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", it.where(), err)
	}
	return action, nil
}

// Uninstall removes the host manifest (and the registry keys on Windows)
// from every selected location, together with what older versions wrote
// under legacyHostNames. Legacy locations that are absent are not reported.
func Uninstall(o Options) (Report, error) {
	rep := Report{DryRun: o.DryRun}
	var items []item
	for _, name := range append([]string{HostName}, legacyHostNames...) {
		its, err := plan(o, name)
		if err != nil {
			return rep, err
		}
		for i := range its {
			its[i].legacy = name != HostName
		}
		items = append(items, its...)
	}
	var reg Registry
	if o.goos() == "windows" {
		var err error
		if reg, err = o.registry(); err != nil {
			return rep, err
		}
		// Delete the keys before the manifest file they point to.
		slices.SortStableFunc(items, func(a, b item) int {
			if (a.key == "") == (b.key == "") {
				return 0
			}
			if a.key != "" {
				return -1
			}
			return 1
		})
	}
	var errs []error
	for _, it := range items {
		r := Result{Browsers: it.browsers, Scope: it.scope, Kind: it.kind(), Location: it.where()}
		var err error
		if it.key != "" {
			r.Action, err = removeValue(reg, it, o.DryRun)
		} else {
			r.Action, err = removeFile(it.file, o.DryRun)
			if err == nil && it.ownDir && !o.DryRun {
				os.Remove(filepath.Dir(it.file)) // only if empty: ours, and nothing else is in it
			}
		}
		if err != nil {
			r.Action, r.Error = ActionFailed, err.Error()
			errs = append(errs, err)
		}
		if it.legacy && r.Action == ActionNotPresent {
			continue
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, errors.Join(errs...)
}

func removeFile(path string, dryRun bool) (Action, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return ActionNotPresent, nil
	} else if err != nil {
		return "", fmt.Errorf("failed to check %s: %w", path, err)
	}
	if dryRun {
		return ActionRemoved, nil
	}
	if err := os.Remove(path); err != nil {
		return "", fmt.Errorf("failed to remove %s: %w", path, err)
	}
	return ActionRemoved, nil
}

func removeValue(reg Registry, it item, dryRun bool) (Action, error) {
	if _, err := reg.GetString(it.hive, it.key, ""); errors.Is(err, ErrNotExist) {
		// The key may exist without a default value; try to delete it anyway.
		if dryRun {
			return ActionNotPresent, nil
		}
		if err := reg.DeleteKey(it.hive, it.key); errors.Is(err, ErrNotExist) {
			return ActionNotPresent, nil
		} else if err != nil {
			return "", fmt.Errorf("failed to remove %s: %w", it.where(), err)
		}
		return ActionRemoved, nil
	} else if err != nil {
		return "", fmt.Errorf("failed to read %s: %w", it.where(), err)
	}
	if dryRun {
		return ActionRemoved, nil
	}
	if err := reg.DeleteKey(it.hive, it.key); err != nil && !errors.Is(err, ErrNotExist) {
		return "", fmt.Errorf("failed to remove %s: %w", it.where(), err)
	}
	return ActionRemoved, nil
}
