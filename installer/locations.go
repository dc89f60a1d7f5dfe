package installer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Browser is one Chromium-based browser: every fact the installer uses
// about it, on every operating system, in one row of Browsers. Adding a
// browser means adding a row (and nothing else in this package).
//
// Sources, also listed in docs/DEPLOYMENT.md:
//   - Chrome and Chromium: developer.chrome.com/docs/extensions/develop/concepts/native-messaging
//     ("Native messaging host location") and "Chrome policy on Linux".
//   - Edge: learn.microsoft.com/microsoft-edge/extensions/developer-guide/native-messaging.
//   - Brave and Vivaldi publish no list; the per-user folders follow their
//     profile folders, and Brave reads Chrome's system-wide folders on Linux
//     and macOS and Chrome's registry keys on Windows (observed behaviour,
//     also what KeePassXC and other hosts register).
type Browser struct {
	ID   string // chrome, chromium, edge, brave, vivaldi (the --browser value)
	Name string // as people know it

	// Native-messaging host folders on Linux and macOS: User relative to
	// the home folder, System absolute; "" when the browser has none.
	LinuxUser, LinuxSystem   string
	DarwinUser, DarwinSystem string
	// WindowsKey is the registry key, under HKCU (per user) and HKLM
	// (system-wide), whose subkey <host name> holds the manifest's path.
	WindowsKey string

	// Managed policies read by Status: the Linux folder of JSON files and
	// the Windows key (under HKLM, then HKCU); "" when none is documented.
	LinuxPolicyDir   string
	WindowsPolicyKey string

	// The policy kit (efirma policy) for the browsers with an extension
	// store: the store's update URL for ExtensionInstallForcelist and the
	// macOS preference domain. "" for browsers the kit does not cover.
	UpdateURL       string
	MacPolicyDomain string

	// Whether the browser is installed on this computer (Status): its user
	// data folder, relative to the home folder (Windows: to %LOCALAPPDATA%,
	// elements separated by \), which holds a "Local State" file once the
	// browser has run (the folder alone is no sign: efirma install creates
	// NativeMessagingHosts in it); and its well-known program paths,
	// absolute, read under DestDir. Either one found means installed.
	LinuxData, DarwinData, WindowsData             string
	LinuxPrograms, DarwinPrograms, WindowsPrograms []string
}

// Registry keys shared by several browsers.
const (
	chromeHostsKey  = `Software\Google\Chrome\NativeMessagingHosts`
	chromePolicyKey = `Software\Policies\Google\Chrome`
)

// Browsers lists every browser, in the order reports show them.
var Browsers = []Browser{
	{
		ID: "chrome", Name: "Google Chrome",
		LinuxUser: ".config/google-chrome/NativeMessagingHosts", LinuxSystem: "/etc/opt/chrome/native-messaging-hosts",
		DarwinUser: "Library/Application Support/Google/Chrome/NativeMessagingHosts", DarwinSystem: "/Library/Google/Chrome/NativeMessagingHosts",
		WindowsKey:     chromeHostsKey,
		LinuxPolicyDir: "/etc/opt/chrome/policies/managed", WindowsPolicyKey: chromePolicyKey,
		UpdateURL: ChromeUpdateURL, MacPolicyDomain: "com.google.Chrome",
		LinuxData: ".config/google-chrome", DarwinData: "Library/Application Support/Google/Chrome", WindowsData: `Google\Chrome\User Data`,
		LinuxPrograms:   []string{"/opt/google/chrome/chrome", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"},
		DarwinPrograms:  []string{"/Applications/Google Chrome.app"},
		WindowsPrograms: []string{`C:\Program Files\Google\Chrome\Application\chrome.exe`, `C:\Program Files (x86)\Google\Chrome\Application\chrome.exe`},
	},
	{
		ID: "chromium", Name: "Chromium",
		LinuxUser: ".config/chromium/NativeMessagingHosts", LinuxSystem: "/etc/chromium/native-messaging-hosts",
		DarwinUser: "Library/Application Support/Chromium/NativeMessagingHosts", DarwinSystem: "/Library/Application Support/Chromium/NativeMessagingHosts",
		WindowsKey:     `Software\Chromium\NativeMessagingHosts`,
		LinuxPolicyDir: "/etc/chromium/policies/managed", WindowsPolicyKey: `Software\Policies\Chromium`,
		LinuxData: ".config/chromium", DarwinData: "Library/Application Support/Chromium", WindowsData: `Chromium\User Data`,
		LinuxPrograms:   []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium", "/snap/bin/chromium"},
		DarwinPrograms:  []string{"/Applications/Chromium.app"},
		WindowsPrograms: []string{`C:\Program Files\Chromium\Application\chrome.exe`},
	},
	{
		ID: "edge", Name: "Microsoft Edge",
		LinuxUser: ".config/microsoft-edge/NativeMessagingHosts", LinuxSystem: "/etc/opt/edge/native-messaging-hosts",
		DarwinUser: "Library/Application Support/Microsoft Edge/NativeMessagingHosts", DarwinSystem: "/Library/Microsoft/Edge/NativeMessagingHosts",
		WindowsKey:     `Software\Microsoft\Edge\NativeMessagingHosts`,
		LinuxPolicyDir: "/etc/opt/edge/policies/managed", WindowsPolicyKey: `Software\Policies\Microsoft\Edge`,
		UpdateURL: EdgeUpdateURL, MacPolicyDomain: "com.microsoft.Edge",
		LinuxData: ".config/microsoft-edge", DarwinData: "Library/Application Support/Microsoft Edge", WindowsData: `Microsoft\Edge\User Data`,
		LinuxPrograms:   []string{"/opt/microsoft/msedge/msedge", "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable"},
		DarwinPrograms:  []string{"/Applications/Microsoft Edge.app"},
		WindowsPrograms: []string{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `C:\Program Files\Microsoft\Edge\Application\msedge.exe`},
	},
	{
		ID: "brave", Name: "Brave",
		LinuxUser: ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts", LinuxSystem: "/etc/opt/chrome/native-messaging-hosts",
		DarwinUser: "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts", DarwinSystem: "/Library/Google/Chrome/NativeMessagingHosts",
		WindowsKey:     chromeHostsKey,
		LinuxPolicyDir: "/etc/brave/policies/managed", WindowsPolicyKey: `Software\Policies\BraveSoftware\Brave`,
		LinuxData: ".config/BraveSoftware/Brave-Browser", DarwinData: "Library/Application Support/BraveSoftware/Brave-Browser", WindowsData: `BraveSoftware\Brave-Browser\User Data`,
		LinuxPrograms:   []string{"/opt/brave.com/brave/brave", "/usr/bin/brave-browser", "/snap/bin/brave"},
		DarwinPrograms:  []string{"/Applications/Brave Browser.app"},
		WindowsPrograms: []string{`C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe`, `C:\Program Files (x86)\BraveSoftware\Brave-Browser\Application\brave.exe`},
	},
	{
		ID: "vivaldi", Name: "Vivaldi",
		LinuxUser:  ".config/vivaldi/NativeMessagingHosts",
		DarwinUser: "Library/Application Support/Vivaldi/NativeMessagingHosts",
		WindowsKey: chromeHostsKey,
		LinuxData:  ".config/vivaldi", DarwinData: "Library/Application Support/Vivaldi", WindowsData: `Vivaldi\User Data`,
		LinuxPrograms:   []string{"/opt/vivaldi/vivaldi", "/usr/bin/vivaldi", "/usr/bin/vivaldi-stable"},
		DarwinPrograms:  []string{"/Applications/Vivaldi.app"},
		WindowsPrograms: []string{`C:\Program Files\Vivaldi\Application\vivaldi.exe`},
	},
}

// LocalState is the file a browser writes in its user data folder on first run.
const LocalState = "Local State"

// BrowserInstalled reports whether browser b is installed on this computer:
// its user data folder under o.Home holds LocalState, or one of its program
// paths exists under o.DestDir.
func BrowserInstalled(o Options, b Browser) bool {
	var data string
	var programs []string
	goos := o.goos()
	switch goos {
	case "linux":
		data, programs = b.LinuxData, b.LinuxPrograms
	case "darwin":
		data, programs = b.DarwinData, b.DarwinPrograms
	case "windows":
		data, programs = b.WindowsData, b.WindowsPrograms
	}
	if data != "" && isAbs(goos, o.Home) {
		elem := []string{o.Home}
		if goos == "windows" {
			elem = append(elem, "AppData", "Local")
			elem = append(elem, strings.Split(data, `\`)...)
		} else {
			elem = append(elem, data)
		}
		if fi, err := os.Stat(joinFor(goos, append(elem, LocalState)...)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	for _, p := range programs {
		if _, err := os.Stat(o.systemPath(p)); err == nil {
			return true
		}
	}
	return false
}

// browserByID returns the row of a browser ID.
func browserByID(id string) (Browser, bool) {
	i := slices.IndexFunc(Browsers, func(b Browser) bool { return b.ID == id })
	if i < 0 {
		return Browser{}, false
	}
	return Browsers[i], true
}

// BrowserName returns the display name of a browser ID.
func BrowserName(id string) string {
	if b, ok := browserByID(id); ok {
		return b.Name
	}
	return id
}

// BrowserNames and BrowserIDs list the table for help texts.
func BrowserNames() string { return joinField(func(b Browser) string { return b.Name }) }

// BrowserIDs lists the --browser values, comma-separated.
func BrowserIDs() string { return joinField(func(b Browser) string { return b.ID }) }

func joinField(f func(Browser) string) string {
	out := make([]string, len(Browsers))
	for i, b := range Browsers {
		out[i] = f(b)
	}
	return strings.Join(out, ", ")
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
type location struct {
	browser string
	scope   Scope
	dir     string
	regKey  string
}

// locationsFor returns every location for goos, in Browsers order, user
// before system, read off the Browsers table.
func locationsFor(goos string) []location {
	var out []location
	for _, b := range Browsers {
		var user, system string
		switch goos {
		case "linux":
			user, system = b.LinuxUser, b.LinuxSystem
		case "darwin":
			user, system = b.DarwinUser, b.DarwinSystem
		case "windows":
			if b.WindowsKey != "" {
				out = append(out, location{b.ID, User, "", b.WindowsKey}, location{b.ID, System, "", b.WindowsKey})
			}
			continue
		default:
			return nil
		}
		if user != "" {
			out = append(out, location{b.ID, User, user, ""})
		}
		if system != "" {
			out = append(out, location{b.ID, System, system, ""})
		}
	}
	return out
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
