package installer

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/efirma/conector/i18n"
)

// Exit codes of Command.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// Env is what Command needs from the efirma binary.
type Env struct {
	Stdout, Stderr io.Writer
	Lang           i18n.Lang
	// Home is the user's home folder (per-user installs).
	Home string
	// Executable is the path of the running efirma binary, the default
	// binary path written to the manifests.
	Executable string
}

// Commands are the names Command accepts.
var Commands = []string{"install", "uninstall", "status", "policy"}

// Command runs "efirma install|uninstall|status|policy" with args (after the
// command name) and returns the exit code: 0 ok, 1 failure, 2 usage.
func Command(name string, args []string, env Env) int {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	c := cli{env}
	switch name {
	case "install":
		return c.install(args, false)
	case "uninstall":
		return c.install(args, true)
	case "status":
		return c.status(args)
	case "policy":
		return c.policy(args)
	}
	fmt.Fprintf(env.Stderr, "error: %s\n", c.t("installer.err.command", name))
	return ExitUsage
}

type cli struct{ Env }

func (c cli) t(key string, args ...any) string { return i18n.T(c.Lang, key, args...) }

// listFlag is a repeatable flag that also splits on commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func (c cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.Usage = func() {
		if name == "policy" {
			fmt.Fprint(c.Stderr, c.t("installer.help.policy"))
			return
		}
		fmt.Fprint(c.Stderr, c.t("installer.help."+name, BrowserNames(), BrowserIDs(), DevExtensionID))
	}
	return fs
}

// parse returns -1 when parsing succeeded, or the exit code to return.
func (c cli) parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		c.usageError(fs.Name(), c.t("installer.err.argument", fs.Arg(0)))
		return ExitUsage
	}
	return -1
}

func (c cli) usageError(cmd, msg string) {
	fmt.Fprintf(c.Stderr, "error: %s\n%s: %s\n", msg, c.t("installer.hint"), c.t("installer.hint.usage", cmd))
}

// fail prints an error and its hint, translated when the error is known.
func (c cli) fail(err error) int {
	key := "generic"
	var arg any = err.Error()
	for _, k := range []struct {
		err error
		key string
	}{
		{ErrNoHome, "no_home"},
		{ErrRelativeBinary, "relative_binary"},
		{ErrUnknownBrowser, "browser"},
		{ErrBadExtensionID, "extension_id"},
		{ErrNoRegistry, "no_registry"},
		{ErrUnsupportedOS, "os"},
		{ErrBadPortal, "portal"},
		{ErrBroadPortal, "portal_broad"},
		{ErrBadFormat, "format"},
		{ErrDownloadURLNotHTTPS, "download_url_https"},
		{ErrDownloadURLNoHost, "download_url_host"},
		{ErrDownloadURLUserinfo, "download_url_userinfo"},
		{ErrDownloadURLTooLong, "download_url_long"},
		{ErrDownloadURLCharacter, "download_url_char"},
		{ErrBadDownloadURL, "download_url"},
		{fs.ErrPermission, "permission"},
	} {
		if errors.Is(err, k.err) {
			key = k.key
			// Keep the offending value, drop the English sentinel text.
			arg = strings.TrimSuffix(err.Error(), ": "+k.err.Error())
			break
		}
	}
	fmt.Fprintf(c.Stderr, "error: %s\n", c.t("installer.err."+key, arg))
	var hintArgs []any
	if key == "browser" {
		hintArgs = []any{BrowserIDs()}
	}
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.t("installer.hint"), c.t("installer.hint."+key, hintArgs...))
	return ExitFailed
}

func (c cli) json(v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return c.fail(fmt.Errorf("internal error: %w", err))
	}
	fmt.Fprintln(c.Stdout, string(b))
	return ExitOK
}

func (c cli) install(args []string, uninstall bool) int {
	name := "install"
	if uninstall {
		name = "uninstall"
	}
	fs := c.flags(name)
	var browsers, ids listFlag
	system := fs.Bool("system", false, "")
	dryRun := fs.Bool("dry-run", false, "")
	asJSON := fs.Bool("json", false, "")
	destDir := fs.String("destdir", "", "")
	binary := fs.String("binary", c.Executable, "")
	fs.Var(&browsers, "browser", "")
	printManifest, dev := new(bool), new(bool)
	if !uninstall {
		fs.Var(&ids, "extension-id", "")
		printManifest = fs.Bool("print-manifest", false, "")
		dev = fs.Bool("dev", false, "")
	}
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	// The development ID only when asked for (issue 11 F-01): --dev adds it
	// to the given IDs, or to the store IDs when none are given.
	if *dev {
		if len(ids) == 0 {
			ids = DefaultExtensionIDs()
		}
		ids = append(ids, DevExtensionID)
	}
	if *printManifest {
		// For packaging (the MSI's manifest): print, write nothing.
		if !isAbs("windows", *binary) && !isAbs("linux", *binary) {
			return c.fail(fmt.Errorf("%q: %w", *binary, ErrRelativeBinary))
		}
		if len(ids) == 0 {
			ids = DefaultExtensionIDs()
		}
		m, err := RenderManifest(*binary, ids)
		if err != nil {
			return c.fail(err)
		}
		c.Stdout.Write(m)
		return ExitOK
	}
	o := Options{Home: c.Home, DestDir: *destDir, System: *system, Browsers: browsers,
		ExtensionIDs: ids, BinaryPath: *binary, DryRun: *dryRun}
	if o.BinaryPath != "" && !filepath.IsAbs(o.BinaryPath) && !isAbs(o.goos(), o.BinaryPath) {
		if abs, err := filepath.Abs(o.BinaryPath); err == nil {
			o.BinaryPath = abs
		}
	}
	var rep Report
	var err error
	if uninstall {
		rep, err = Uninstall(o)
	} else {
		rep, err = Install(o)
	}
	if err != nil && len(rep.Results) == 0 {
		return c.fail(err)
	}
	if *asJSON {
		c.json(rep)
	} else {
		if rep.DryRun {
			fmt.Fprintln(c.Stdout, c.t("installer.dry_run"))
		}
		for _, r := range rep.Results {
			names := make([]string, len(r.Browsers))
			for i, b := range r.Browsers {
				names[i] = BrowserName(b)
			}
			fmt.Fprintf(c.Stdout, "%s: %s (%s, %s)\n", c.t("installer.action."+string(r.Action)), r.Location,
				strings.Join(names, ", "), c.t("installer.scope."+string(r.Scope)))
			if r.Error != "" {
				fmt.Fprintf(c.Stdout, "  error: %s\n", r.Error)
			}
		}
		if err == nil && !rep.DryRun && !uninstall {
			fmt.Fprintln(c.Stdout, c.t("installer.done.install"))
		}
	}
	if err != nil {
		return c.fail(err)
	}
	return ExitOK
}

func (c cli) status(args []string) int {
	fs := c.flags("status")
	var browsers listFlag
	asJSON := fs.Bool("json", false, "")
	destDir := fs.String("destdir", "", "")
	fs.Var(&browsers, "browser", "")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	rep, err := Status(Options{Home: c.Home, DestDir: *destDir, Browsers: browsers})
	if err != nil {
		return c.fail(err)
	}
	usable := slices.ContainsFunc(rep.Browsers, func(b BrowserStatus) bool { return b.Usable })
	if *asJSON {
		c.json(rep)
	} else {
		c.printStatus(rep)
	}
	if !usable {
		return ExitFailed
	}
	return ExitOK
}

func (c cli) printStatus(rep StatusReport) {
	w := c.Stdout
	for _, b := range rep.Browsers {
		if !b.BrowserInstalled {
			// Not on this computer: say so, and nothing to fix.
			fmt.Fprintf(w, "%s: %s\n", b.Name, c.t("installer.state.no_browser"))
			continue
		}
		state := "ready"
		switch {
		case slices.Contains(b.Notes, NoteBlocked) || slices.Contains(b.Notes, NoteUserLevelBlocked):
			state = "blocked"
		case b.Usable:
		case slices.ContainsFunc(b.Targets, func(t TargetStatus) bool { return t.Installed }):
			state = "problems"
		default:
			state = "missing"
		}
		fmt.Fprintf(w, "%s: %s\n", b.Name, c.t("installer.state."+state))
		for _, t := range b.Targets {
			inst := "installer.target.missing"
			if t.Installed {
				inst = "installer.target.installed"
			}
			fmt.Fprintf(w, "  %s: %s — %s\n", c.t("installer.scope."+string(t.Scope)), c.t(inst), t.Location)
			if t.ManifestPath != "" && t.ManifestPath != t.Location {
				fmt.Fprintf(w, "    %s: %s\n", c.t("installer.label.manifest"), t.ManifestPath)
			}
			if t.BinaryPath != "" {
				fmt.Fprintf(w, "    %s: %s\n", c.t("installer.label.binary"), t.BinaryPath)
			}
			if len(t.ExtensionIDs) > 0 {
				fmt.Fprintf(w, "    %s: %s\n", c.t("installer.label.ids"), strings.Join(t.ExtensionIDs, ", "))
			}
			for _, p := range t.Problems {
				fmt.Fprintf(w, "    %s: %s\n", c.t("installer.label.problem"), c.t("installer.problem."+p))
			}
			if len(t.Legacy) > 0 {
				fmt.Fprintf(w, "    %s\n", c.t("installer.label.legacy", strings.Join(t.Legacy, ", ")))
			}
		}
		if len(b.Policy.Sources) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", c.t("installer.label.policy"), strings.Join(b.Policy.Sources, ", "))
		}
		for _, e := range b.Policy.Errors {
			fmt.Fprintf(w, "  %s: %s\n", c.t("installer.label.problem"), e)
		}
		for _, n := range b.Notes {
			var args []any
			if n == NoteForcedNotAllowed {
				args = []any{strings.Join(b.ForcedNotAllowed, ", ")}
			}
			fmt.Fprintf(w, "  %s: %s\n", c.t("installer.label.note"), c.t("installer.note."+n, args...))
		}
	}
}

func (c cli) policy(args []string) int {
	fs := c.flags("policy")
	var portals listFlag
	format := fs.String("format", "", "")
	chrome := fs.String("extension-id", ChromeWebStoreID, "")
	edge := fs.String("edge-extension-id", EdgeAddonsID, "")
	browser := fs.String("browser", "chrome", "")
	noUser := fs.Bool("disable-user-level-hosts", false, "")
	out := fs.String("out", "", "")
	download := fs.String("download-url", "", "")
	fs.Var(&portals, "portal", "")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if !slices.Contains(PolicyFormats, *format) {
		c.usageError("policy", c.t("installer.err.format", *format))
		return ExitUsage
	}
	if *format == FormatADMX && *out == "" {
		c.usageError("policy", c.t("installer.err.admx_out"))
		return ExitUsage
	}
	files, err := RenderPolicy(*format, PolicyOptions{ChromeID: *chrome, EdgeID: *edge, Portals: portals,
		DisableUserLevelHosts: *noUser, Browser: *browser, DownloadURL: *download})
	if err != nil {
		return c.fail(err)
	}
	if *out == "" {
		for _, data := range files { // exactly one file
			c.Stdout.Write(data)
		}
		return ExitOK
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := *out
		if *format == FormatADMX {
			path = filepath.Join(*out, filepath.FromSlash(n))
		}
		if err := writeFileAtomic(path, files[n]); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.Stdout, "%s: %s\n", c.t("installer.written"), path)
	}
	return ExitOK
}

// DefaultEnv builds an Env from the running process (for the efirma binary).
func DefaultEnv(lang i18n.Lang) Env {
	home, _ := os.UserHomeDir()
	exe, err := os.Executable()
	if err == nil {
		if p, err := filepath.EvalSymlinks(exe); err == nil {
			exe = p
		}
	}
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Lang: lang, Home: home, Executable: exe}
}
