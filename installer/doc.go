// Package installer registers the Conector e.firma native-messaging host
// with every Chromium-based browser (Google Chrome, Chromium, Microsoft Edge,
// Brave, Vivaldi) on Linux, macOS and Windows, removes it again, reports its
// state, and writes the IT policy kit (managed policies for Chrome and Edge).
//
// Rules of this package:
//
//   - Every root is a parameter: the user's home folder (Options.Home), the
//     prefix for system-wide files (Options.DestDir, used when building
//     packages) and the Windows registry (Options.Registry). Nothing probes
//     the machine at init time, and nothing exits the process; the command
//     line front-end (Command) turns errors into exit codes.
//   - The tables of where each browser looks (locations.go) are portable
//     code keyed by GOOS, so that the Windows and macOS logic is tested on
//     Linux with a temporary folder and an in-memory registry. The
//     suffix-named files (installer_linux.go, installer_darwin.go,
//     installer_windows.go) hold only what needs the operating system: the
//     real registry and the default locations of the running system.
//   - Install checks before it writes: running it twice is harmless and the
//     report says per location "installed", "already up to date" or
//     "updated". Uninstall also removes what older versions wrote (legacy
//     host names, see legacyHostNames).
//   - The host manifest comes from the template manifest.tmpl.json (a
//     byte-for-byte copy of the repository's top-level manifest.json; a test
//     keeps them equal).
package installer
