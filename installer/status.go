package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// TargetStatus is the state of one location of one browser.
type TargetStatus struct {
	Scope    Scope  `json:"scope"`
	Location string `json:"location"`
	// Installed is true when the manifest file (or registry key) exists.
	Installed    bool   `json:"installed"`
	ManifestPath string `json:"manifest_path,omitempty"`
	// Valid is true when the manifest parses, names our host, is stdio, and
	// points to an absolute path of an existing executable file.
	Valid        bool     `json:"valid"`
	Problems     []string `json:"problems,omitempty"`
	BinaryPath   string   `json:"binary_path,omitempty"`
	ExtensionIDs []string `json:"extension_ids,omitempty"`
	// Legacy lists host names of older versions still registered here.
	Legacy []string `json:"legacy,omitempty"`
}

// Policy is what the browser's managed policy says about native messaging.
type Policy struct {
	Sources   []string `json:"sources,omitempty"`
	Blocklist []string `json:"blocklist,omitempty"`
	Allowlist []string `json:"allowlist,omitempty"`
	// ForceInstalled are the extension IDs of ExtensionInstallForcelist.
	ForceInstalled []string `json:"force_installed,omitempty"`
	// UserLevelHosts is NativeMessagingUserLevelHosts; nil when unset.
	UserLevelHosts *bool    `json:"user_level_hosts,omitempty"`
	Errors         []string `json:"errors,omitempty"`
}

// Blocked reports whether the policy blocks our host outright: the
// blocklist names it or "*", and the allowlist does not name it.
func (p Policy) Blocked() bool {
	denied := slices.Contains(p.Blocklist, HostName) || slices.Contains(p.Blocklist, "*")
	return denied && !slices.Contains(p.Allowlist, HostName)
}

// Note codes in BrowserStatus.Notes (catalogue key "installer.note.<code>").
const (
	NoteBlocked          = "blocked_by_policy"
	NoteUserLevelBlocked = "user_level_disabled"
	NoteSnapChromium     = "snap_chromium"
	NoteNoPolicyReader   = "policy_not_read"
	NoteDevExtension     = "dev_extension_allowed"
	NoteForcedNotAllowed = "forced_not_allowed"
)

// BrowserStatus is the state of the host for one browser.
type BrowserStatus struct {
	Browser string `json:"browser"`
	Name    string `json:"name"`
	// BrowserInstalled is false when the browser is not on this computer
	// (see BrowserInstalled): status then says so and suggests nothing.
	BrowserInstalled bool           `json:"browser_installed"`
	Targets          []TargetStatus `json:"targets"`
	Policy           Policy         `json:"policy"`
	Notes            []string       `json:"notes,omitempty"`
	// ForcedNotAllowed are force-installed extension IDs that a valid
	// manifest of this browser does not allow (NoteForcedNotAllowed): if
	// one is the Conector e.firma extension, the browser refuses it.
	ForcedNotAllowed []string `json:"forced_not_allowed,omitempty"`
	// Usable is true when a valid manifest is in a location the browser
	// reads and no policy blocks it.
	Usable bool `json:"usable"`
}

// StatusReport is the outcome of Status.
type StatusReport struct {
	OS       string          `json:"os"`
	Browsers []BrowserStatus `json:"browsers"`
}

// Status reports, for each selected browser, both its per-user (when Home
// is set) and system-wide locations, and the policy that applies. System
// files and policies are read under DestDir.
func Status(o Options) (StatusReport, error) {
	goos := o.goos()
	rep := StatusReport{OS: goos}
	var user, system []location
	var err error
	if isAbs(goos, o.Home) {
		if user, err = selectLocations(goos, User, o.Browsers); err != nil {
			return rep, err
		}
	}
	if system, err = selectLocations(goos, System, o.Browsers); err != nil {
		return rep, err
	}
	var reg Registry
	if goos == "windows" {
		if reg, err = o.registry(); err != nil {
			return rep, err
		}
	}
	for _, b := range Browsers {
		if len(o.Browsers) > 0 && !slices.Contains(o.Browsers, b.ID) {
			continue
		}
		bs := BrowserStatus{Browser: b.ID, Name: b.Name, BrowserInstalled: BrowserInstalled(o, b)}
		for _, l := range append(slices.Clone(user), system...) {
			if l.browser != b.ID {
				continue
			}
			bs.Targets = append(bs.Targets, targetStatus(o, reg, l))
		}
		bs.Policy = readPolicy(o, reg, b.ID)
		evaluate(o, &bs)
		rep.Browsers = append(rep.Browsers, bs)
	}
	return rep, nil
}

func targetStatus(o Options, reg Registry, l location) TargetStatus {
	goos := o.goos()
	ts := TargetStatus{Scope: l.scope}
	manifestFor := func(name string) (path string, ok bool, err error) {
		if l.regKey != "" {
			key := l.regKey + `\` + name
			v, err := reg.GetString(hiveOf(l.scope), key, "")
			if errors.Is(err, ErrNotExist) {
				return "", false, nil
			}
			return v, err == nil, err
		}
		p := filepath.Join(o.Home, l.dir, name+".json")
		if l.scope == System {
			p = filepath.Join(o.systemPath(l.dir), name+".json")
		}
		_, err = os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, false, nil
		}
		return p, err == nil, err
	}
	if l.regKey != "" {
		ts.Location = hiveOf(l.scope).String() + `\` + l.regKey + `\` + HostName
	} else {
		ts.Location, _, _ = manifestFor(HostName)
	}
	for _, legacy := range legacyHostNames {
		if _, ok, _ := manifestFor(legacy); ok {
			ts.Legacy = append(ts.Legacy, legacy)
		}
	}
	path, ok, err := manifestFor(HostName)
	if err != nil {
		ts.Installed = true
		ts.Problems = []string{ProblemUnreadable}
		return ts
	}
	if !ok {
		return ts
	}
	ts.Installed, ts.ManifestPath = true, path
	if l.regKey != "" && !isAbs(goos, path) {
		ts.Problems = []string{ProblemPathNotAbsolute}
		return ts
	}
	readPath := path
	if l.regKey != "" && l.scope == System {
		readPath = o.systemPath(path) // --destdir on Windows too
	}
	data, err := readBounded(readPath)
	if errors.Is(err, errTooLarge) {
		ts.Problems = []string{ProblemManifestTooLarge}
		return ts
	} else if err != nil {
		ts.Problems = []string{ProblemUnreadable}
		return ts
	}
	m, probs := CheckManifest(data, goos)
	ts.BinaryPath, ts.ExtensionIDs = m.Path, m.ExtensionIDs()
	if !slices.Contains(probs, ProblemPathNotAbsolute) && m.Path != "" {
		bin := m.Path
		if l.scope == System {
			bin = o.systemPath(bin)
		}
		if p := checkBinary(goos, bin); p != "" {
			probs = append(probs, p)
		}
	}
	ts.Problems = probs
	ts.Valid = len(probs) == 0
	return ts
}

var errTooLarge = errors.New("file too large")

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifestBytes {
		return nil, errTooLarge
	}
	return data, nil
}

// checkBinary returns a problem code when the manifest's binary is missing
// or not executable ("" when fine). On Windows executable means ".exe".
func checkBinary(goos, path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return ProblemBinaryMissing
	}
	if goos == "windows" {
		if !strings.EqualFold(filepath.Ext(path), ".exe") {
			return ProblemBinaryNotExec
		}
		return ""
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return ProblemBinaryNotExec
	}
	return ""
}

// evaluate fills Notes and Usable from the targets and the policy.
func evaluate(o Options, bs *BrowserStatus) {
	goos := o.goos()
	userDisabled := bs.Policy.UserLevelHosts != nil && !*bs.Policy.UserLevelHosts
	validUser, validSystem := false, false
	for _, t := range bs.Targets {
		if t.Valid && t.Scope == User {
			validUser = true
		}
		if t.Valid && t.Scope == System {
			validSystem = true
		}
	}
	if bs.Policy.Blocked() {
		bs.Notes = append(bs.Notes, NoteBlocked)
	}
	if userDisabled && validUser && !validSystem {
		bs.Notes = append(bs.Notes, NoteUserLevelBlocked)
	}
	if goos == "darwin" {
		bs.Notes = append(bs.Notes, NoteNoPolicyReader)
	}
	dev := false
	for _, t := range bs.Targets {
		if !t.Valid {
			continue
		}
		dev = dev || slices.ContainsFunc(t.ExtensionIDs, IsDevExtensionID)
		for _, id := range bs.Policy.ForceInstalled {
			if !slices.Contains(t.ExtensionIDs, id) && !slices.Contains(bs.ForcedNotAllowed, id) {
				bs.ForcedNotAllowed = append(bs.ForcedNotAllowed, id)
			}
		}
	}
	if dev {
		bs.Notes = append(bs.Notes, NoteDevExtension)
	}
	if len(bs.ForcedNotAllowed) > 0 {
		bs.Notes = append(bs.Notes, NoteForcedNotAllowed)
	}
	snap := false
	if goos == "linux" && bs.Browser == "chromium" {
		if _, err := os.Stat(o.systemPath("/snap/bin/chromium")); err == nil {
			snap = true
		}
		if o.Home != "" {
			if _, err := os.Stat(filepath.Join(o.Home, "snap", "chromium")); err == nil {
				snap = true
			}
		}
		if snap {
			bs.Notes = append(bs.Notes, NoteSnapChromium)
		}
	}
	bs.Usable = !snap && !bs.Policy.Blocked() && (validSystem || (validUser && !userDisabled))
}

// maxPolicyBytes bounds one policy file.
const maxPolicyBytes = 1 << 20

func readPolicy(o Options, reg Registry, browser string) Policy {
	var p Policy
	b, _ := browserByID(browser)
	switch o.goos() {
	case "linux":
		if b.LinuxPolicyDir == "" {
			return p
		}
		dir := o.systemPath(b.LinuxPolicyDir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		slices.Sort(files)
		for _, f := range files {
			if err := mergePolicyFile(&p, f); err != nil {
				p.Errors = append(p.Errors, err.Error())
			}
		}
	case "windows":
		if b.WindowsPolicyKey == "" {
			return p
		}
		for _, h := range []Hive{HKLM, HKCU} {
			mergePolicyRegistry(&p, reg, h, b.WindowsPolicyKey)
		}
	}
	return p
}

// mergePolicyFile adds one managed policy JSON file to p.
func mergePolicyFile(p *Policy, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("failed to read policy %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyBytes+1))
	if err != nil {
		return fmt.Errorf("failed to read policy %s: %w", path, err)
	}
	if len(data) > maxPolicyBytes {
		return fmt.Errorf("policy %s: %w", path, errTooLarge)
	}
	var doc struct {
		Blocklist      []string `json:"NativeMessagingBlocklist"`
		Allowlist      []string `json:"NativeMessagingAllowlist"`
		UserLevelHosts *bool    `json:"NativeMessagingUserLevelHosts"`
		Forcelist      []string `json:"ExtensionInstallForcelist"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("policy %s is not valid JSON: %w", path, err)
	}
	if doc.Blocklist == nil && doc.Allowlist == nil && doc.UserLevelHosts == nil && doc.Forcelist == nil {
		return nil
	}
	p.Sources = append(p.Sources, path)
	p.Blocklist = append(p.Blocklist, doc.Blocklist...)
	p.Allowlist = append(p.Allowlist, doc.Allowlist...)
	p.addForced(doc.Forcelist)
	if doc.UserLevelHosts != nil {
		p.UserLevelHosts = doc.UserLevelHosts
	}
	return nil
}

// mergePolicyRegistry adds the native-messaging policies of one hive.
func mergePolicyRegistry(p *Policy, reg Registry, h Hive, key string) {
	found := false
	list := func(sub string) []string {
		names, err := reg.ValueNames(h, key+`\`+sub)
		if err != nil {
			return nil
		}
		slices.SortFunc(names, func(a, b string) int {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		})
		var out []string
		for _, n := range names {
			if v, err := reg.GetString(h, key+`\`+sub, n); err == nil {
				out = append(out, v)
				found = true
			}
		}
		return out
	}
	p.Blocklist = append(p.Blocklist, list("NativeMessagingBlocklist")...)
	p.Allowlist = append(p.Allowlist, list("NativeMessagingAllowlist")...)
	p.addForced(list("ExtensionInstallForcelist"))
	if v, err := reg.GetInteger(h, key, "NativeMessagingUserLevelHosts"); err == nil {
		// HKLM (read first) wins over HKCU, as in the browsers.
		if p.UserLevelHosts == nil {
			b := v != 0
			p.UserLevelHosts = &b
		}
		found = true
	}
	if found {
		p.Sources = append(p.Sources, h.String()+`\`+key)
	}
}

// addForced adds the extension IDs of ExtensionInstallForcelist entries
// ("id;update-url" or "id"); malformed entries are skipped.
func (p *Policy) addForced(entries []string) {
	for _, e := range entries {
		id, _, _ := strings.Cut(strings.TrimSpace(e), ";")
		if ValidateExtensionID(id) == nil && !slices.Contains(p.ForceInstalled, id) {
			p.ForceInstalled = append(p.ForceInstalled, id)
		}
	}
}
