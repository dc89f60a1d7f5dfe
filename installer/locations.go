package installer

import (
	"fmt"
	"path/filepath"
	"slices"
)

// Browser is one Chromium-based browser the installer knows.
type Browser struct {
	ID   string // chrome, chromium, edge, brave, vivaldi
	Name string // as people know it
}

// Browsers lists every browser, in the order reports show them.
var Browsers = []Browser{
	{"chrome", "Google Chrome"},
	{"chromium", "Chromium"},
	{"edge", "Microsoft Edge"},
	{"brave", "Brave"},
	{"vivaldi", "Vivaldi"},
}

// BrowserName returns the display name of a browser ID.
func BrowserName(id string) string {
	for _, b := range Browsers {
		if b.ID == id {
			return b.Name
		}
	}
	return id
}

// Scope says whether a location belongs to one user or to the whole machine.
type Scope string

// The scopes.
const (
	User   Scope = "user"
	System Scope = "system"
)

// location is where one browser looks for host manifests on one OS, in one
// scope. On Linux and macOS that is a folder holding <host>.json (dir:
// relative to the home folder for User, absolute for System). On Windows it is
// a registry key (regKey, under HKCU for User and HKLM for System) whose
// default value is the manifest's absolute path.
//
// Sources, also listed in docs/DEPLOYMENT.md:
//   - Chrome and Chromium: developer.chrome.com/docs/extensions/develop/concepts/native-messaging
//     ("Native messaging host location").
//   - Edge: learn.microsoft.com/microsoft-edge/extensions/developer-guide/native-messaging.
//   - Brave and Vivaldi publish no list; the per-user folders follow their
//     profile folders, and Brave reads Chrome's system-wide folders on Linux
//     and macOS and Chrome's registry keys on Windows (observed behaviour,
//     also what KeePassXC and other hosts register).
type location struct {
	browser string
	scope   Scope
	dir     string
	regKey  string
}

// locationsFor returns every location for goos, in Browsers order, user
// before system.
func locationsFor(goos string) []location {
	switch goos {
	case "linux":
		return []location{
			{"chrome", User, ".config/google-chrome/NativeMessagingHosts", ""},
			{"chrome", System, "/etc/opt/chrome/native-messaging-hosts", ""},
			{"chromium", User, ".config/chromium/NativeMessagingHosts", ""},
			{"chromium", System, "/etc/chromium/native-messaging-hosts", ""},
			{"edge", User, ".config/microsoft-edge/NativeMessagingHosts", ""},
			{"edge", System, "/etc/opt/edge/native-messaging-hosts", ""},
			{"brave", User, ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts", ""},
			{"brave", System, "/etc/opt/chrome/native-messaging-hosts", ""},
			{"vivaldi", User, ".config/vivaldi/NativeMessagingHosts", ""},
		}
	case "darwin":
		return []location{
			{"chrome", User, "Library/Application Support/Google/Chrome/NativeMessagingHosts", ""},
			{"chrome", System, "/Library/Google/Chrome/NativeMessagingHosts", ""},
			{"chromium", User, "Library/Application Support/Chromium/NativeMessagingHosts", ""},
			{"chromium", System, "/Library/Application Support/Chromium/NativeMessagingHosts", ""},
			{"edge", User, "Library/Application Support/Microsoft Edge/NativeMessagingHosts", ""},
			{"edge", System, "/Library/Microsoft/Edge/NativeMessagingHosts", ""},
			{"brave", User, "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts", ""},
			{"brave", System, "/Library/Google/Chrome/NativeMessagingHosts", ""},
			{"vivaldi", User, "Library/Application Support/Vivaldi/NativeMessagingHosts", ""},
		}
	case "windows":
		const chrome = `Software\Google\Chrome\NativeMessagingHosts`
		return []location{
			{"chrome", User, "", chrome},
			{"chrome", System, "", chrome},
			{"chromium", User, "", `Software\Chromium\NativeMessagingHosts`},
			{"chromium", System, "", `Software\Chromium\NativeMessagingHosts`},
			{"edge", User, "", `Software\Microsoft\Edge\NativeMessagingHosts`},
			{"edge", System, "", `Software\Microsoft\Edge\NativeMessagingHosts`},
			{"brave", User, "", chrome},
			{"brave", System, "", chrome},
			{"vivaldi", User, "", chrome},
			{"vivaldi", System, "", chrome},
		}
	}
	return nil
}

// ErrUnknownBrowser is returned for a --browser value that is not known.
var ErrUnknownBrowser = fmt.Errorf("unknown browser")

// ErrUnsupportedOS is returned on an operating system without native messaging locations.
var ErrUnsupportedOS = fmt.Errorf("unsupported operating system")

// selectLocations returns the locations of the wanted browsers (all when
// empty) in one scope.
func selectLocations(goos string, scope Scope, browsers []string) ([]location, error) {
	all := locationsFor(goos)
	if all == nil {
		return nil, fmt.Errorf("%s: %w", goos, ErrUnsupportedOS)
	}
	for _, b := range browsers {
		if !slices.ContainsFunc(Browsers, func(x Browser) bool { return x.ID == b }) {
			return nil, fmt.Errorf("%q: %w", b, ErrUnknownBrowser)
		}
	}
	var out []location
	for _, l := range all {
		if l.scope != scope {
			continue
		}
		if len(browsers) > 0 && !slices.Contains(browsers, l.browser) {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// windowsManifestPath is where the Windows manifest file lives: per user in
// %LOCALAPPDATA%\efirma, system-wide next to the installed binary (where the
// MSI puts it).
func windowsManifestPath(o Options, scope Scope, hostName string) string {
	if scope == System {
		return joinFor("windows", dirFor("windows", o.BinaryPath), hostName+".json")
	}
	return joinFor("windows", o.Home, "AppData", "Local", "efirma", hostName+".json")
}

// joinFor joins path elements with goos's separator. On Windows paths
// absolute on the running (non-Windows) system, as tests use, keep "/".
func joinFor(goos string, elem ...string) string {
	if goos == "windows" && (len(elem) == 0 || !windowsAbs().MatchString(elem[0])) {
		return filepath.Join(elem...)
	}
	if goos == "windows" {
		s := elem[0]
		for _, e := range elem[1:] {
			if s != "" && s[len(s)-1] != '\\' {
				s += `\`
			}
			s += e
		}
		return s
	}
	return filepath.Join(elem...)
}

// dirFor is filepath.Dir that understands Windows paths on any system.
func dirFor(goos, p string) string {
	if goos == "windows" && windowsAbs().MatchString(p) {
		for i := len(p) - 1; i >= 0; i-- {
			if p[i] == '\\' || p[i] == '/' {
				if i <= 2 {
					return p[:i+1]
				}
				return p[:i]
			}
		}
	}
	return filepath.Dir(p)
}
