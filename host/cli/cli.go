// Package cli is the person-facing side of the efirma binary: inspect,
// import, list, remove, export, doctor, version and the installer commands.
// It is the terminal adapter over package core (flags, prompts and text in,
// core operations, text or JSON out), as host/server is the browser's.
// Output is Spanish unless LANG says English; errors print "error:" and
// "sugerencia:" lines (with --json, a JSON object with the same code).
//
// Exit codes: 0 success; 1 the operation failed; 2 usage error; doctor
// returns 3 when the worst finding is a warning and 4 when it is an error.
package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/host/version"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
	"golang.org/x/term"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitWarning = 3
	ExitError   = 4
)

// Env is what a command runs with.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Lang           i18n.Lang
	Config         *config.Config
	// Sources besides the store (tokens), built on demand.
	Sources func() []keys.Source
	// ExtraDoctor adds checks to doctor (tokens).
	ExtraDoctor func(ctx context.Context, lang i18n.Lang) []doctor.Check
	// Installer runs install, uninstall, status and policy.
	Installer func(name string, args []string) int
	Now       func() time.Time

	stdin *bufio.Reader // one reader for every line read from Stdin
}

// Run executes the command in args (without the program name).
func Run(args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdin != nil {
		env.stdin = bufio.NewReader(env.Stdin)
	}
	if len(args) == 0 {
		usage(env, env.Stderr)
		return ExitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "inspect":
		return inspect(rest, env)
	case "import":
		return importCmd(rest, env)
	case "list":
		return list(rest, env)
	case "remove":
		return remove(rest, env)
	case "export":
		return export(rest, env)
	case "doctor":
		return doctorCmd(rest, env)
	case "version", "--version":
		fmt.Fprintf(env.Stdout, "efirma %s (protocolo %d)\n", version.Version, protocol.Version)
		return ExitOK
	case "install", "uninstall", "status", "policy":
		if env.Installer == nil {
			fmt.Fprintln(env.Stderr, "error: installer not available in this build")
			return ExitFailed
		}
		return env.Installer(cmd, rest)
	case "help", "-h", "--help":
		if len(rest) == 1 && i18n.Has("cli.help."+rest[0]) {
			fmt.Fprint(env.Stdout, env.t("cli.help."+rest[0]))
			return ExitOK
		}
		if len(rest) == 1 && env.Installer != nil && (rest[0] == "install" || rest[0] == "uninstall" || rest[0] == "status" || rest[0] == "policy") {
			return env.Installer(rest[0], []string{"--help"})
		}
		usage(env, env.Stdout)
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, i18n.T(env.Lang, "cli.unknown", cmd))
	usage(env, env.Stderr)
	return ExitUsage
}

func usage(env Env, w io.Writer) {
	fmt.Fprint(w, i18n.T(env.Lang, "cli.usage"))
}

func (env Env) t(key string, args ...any) string { return i18n.T(env.Lang, key, args...) }

func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, env.t("cli.help."+name))
	}
	return fs
}

// parse returns -1 when parsing succeeded, or the exit code to return.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "error: unexpected argument %q\n", fs.Arg(0))
		return ExitUsage
	}
	return -1
}

// fileError is a file the person named that cannot be opened.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// errNoTerminal: a password is needed and there is no terminal to ask.
var errNoTerminal = errors.New("no terminal to ask for the password")

// errPasswordsDiffer: the new password and its repetition differ (or are
// empty).
var errPasswordsDiffer = errors.New("the new password and its repetition differ")

// fail prints an error with its code, message and hint.
func fail(env Env, jsonOut bool, err error) int {
	var fe *fileError
	switch {
	case errors.As(err, &fe):
		return failWith(env, jsonOut, ExitFailed, "ERR_FILE", env.t("cli.err.file", fe.path), env.t("cli.err.file.hint"))
	case errors.Is(err, errNoTerminal):
		return failWith(env, jsonOut, ExitUsage, "ERR_NO_TERMINAL", env.t("cli.err.noterminal"), env.t("cli.err.noterminal.hint"))
	case errors.Is(err, errPasswordsDiffer):
		return failWith(env, jsonOut, ExitUsage, "ERR_NEW_PASSWORD_MISMATCH", env.t("cli.err.newpassword"), env.t("cli.err.newpassword.hint"))
	}
	code, details := keys.CodeOf(err)
	msg := env.t("code." + string(code))
	hint := env.t("hint." + string(code))
	// A variant names what exactly is wrong (which file, and how).
	if v, ok := details["variant"].(string); ok {
		if i18n.Has("code." + string(code) + "." + v) {
			msg = env.t("code." + string(code) + "." + v)
		}
		if i18n.Has("hint." + string(code) + "." + v) {
			hint = env.t("hint." + string(code) + "." + v)
		}
	}
	if _, variant := details["variant"]; !variant && (code == protocol.ErrInternal || code == protocol.ErrBadRequest) {
		msg = msg + " (" + err.Error() + ")"
	}
	if jsonOut {
		printJSON(env, map[string]any{"error": protocol.Error{Code: code, Message: msg, Hint: hint, Details: details}})
		return ExitFailed
	}
	return failWith(env, false, ExitFailed, string(code), msg, hint)
}

// failWith prints error and hint lines (or JSON) and returns exit.
func failWith(env Env, jsonOut bool, exit int, code, msg, hint string) int {
	if jsonOut {
		printJSON(env, map[string]any{"error": map[string]string{"code": code, "message": msg, "hint": hint}})
		return exit
	}
	// The code is for programs (--json) and the report, not for people.
	fmt.Fprintf(env.Stderr, "error: %s\n", msg)
	fmt.Fprintf(env.Stderr, "%s: %s\n", env.t("cli.hint"), hint)
	return exit
}

func printJSON(env Env, v any) {
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false) // RFCs hold '&'
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// readFile reads a credential file with the size bound.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &fileError{path: path, err: err}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, protocol.MaxCredentialFileBytes+1))
	if err != nil {
		return nil, keys.Coded(protocol.ErrBadCredentialFile, nil, err)
	}
	if len(b) > protocol.MaxCredentialFileBytes {
		return nil, keys.Coded(protocol.ErrBadCredentialFile, nil, fmt.Errorf("%s is larger than %d bytes", path, protocol.MaxCredentialFileBytes))
	}
	return b, nil
}

// readSecret reads a password from stdin (first line) or prompts without echo.
func readSecret(env Env, fromStdin bool, prompt string) ([]byte, error) {
	if fromStdin {
		if env.stdin == nil {
			return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("no standard input"))
		}
		var line []byte
		for {
			b, err := env.stdin.ReadByte()
			if err != nil || b == '\n' {
				break
			}
			if len(line) >= protocol.MaxPasswordBytes {
				return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("password line too long"))
			}
			line = append(line, b)
		}
		return []byte(strings.TrimRight(string(line), "\r")), nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, errNoTerminal
	}
	fmt.Fprint(env.Stderr, prompt)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	return pw, err
}

func inspect(args []string, env Env) int {
	fs := newFlags("inspect", env)
	cer := fs.String("cer", "", "")
	key := fs.String("key", "", "")
	jsonOut := fs.Bool("json", false, "")
	pwStdin := fs.Bool("password-stdin", false, "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	if *cer == "" {
		fs.Usage()
		return ExitUsage
	}
	data, err := readFile(*cer)
	if err != nil {
		return fail(env, *jsonOut, err)
	}
	cert, err := sat.ParseCertificate(data)
	if err != nil {
		return fail(env, *jsonOut, err)
	}
	info := core.InfoOf(cert, env.Now())
	info.ID = store.IDFor(protocol.SourceFile, cert.Raw)
	info.Source = protocol.SourceFile
	caDir := ""
	if env.Config != nil {
		caDir = env.Config.CADir
	}
	if a, err := core.TrustAnchors(caDir)(); err == nil {
		core.IssuerCheck(&info, cert, a, env.Now())
	}
	out := struct {
		protocol.CertInfo
		KeyMatches *bool `json:"keyMatches,omitempty"`
		// KeyUnencrypted: the key file has no password (import asks for a
		// new one and stores it encrypted).
		KeyUnencrypted *bool  `json:"keyUnencrypted,omitempty"`
		Trusted        *bool  `json:"trusted,omitempty"`
		Algorithm      string `json:"algorithm"`
	}{CertInfo: info, Algorithm: signing.Algorithm(cert.PublicKey)}
	if info.IssuerCheck != "" {
		ok := info.IssuerCheck != protocol.IssuedByUnknown
		out.Trusted = &ok
	}
	if *key != "" {
		kdata, err := readFile(*key)
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		// An unencrypted key needs no password (import would ask for a
		// new one); say that it is one.
		signer, err := keyfile.ParseUnencryptedKey(kdata)
		if err == nil {
			yes := true
			out.KeyUnencrypted = &yes
		} else {
			pw, err := readSecret(env, *pwStdin, env.t("cli.password.prompt"))
			if err != nil {
				return fail(env, *jsonOut, err)
			}
			if signer, err = keyfile.DecryptKey(kdata, pw); err != nil {
				return fail(env, *jsonOut, err)
			}
		}
		m := sat.CheckPair(cert, signer) == nil
		out.KeyMatches = &m
	}
	if *jsonOut {
		printJSON(env, out)
		return ExitOK
	}
	printInfo(env, info)
	if out.Trusted != nil {
		fmt.Fprintf(env.Stdout, "%-22s %s\n", env.t("cli.field.trusted"), yesNo(env, *out.Trusted))
	}
	if out.KeyMatches != nil {
		fmt.Fprintf(env.Stdout, "%-22s %s\n", env.t("cli.field.keymatches"), yesNo(env, *out.KeyMatches))
	}
	if out.KeyUnencrypted != nil {
		fmt.Fprintln(env.Stdout, env.t("code.ERR_BAD_CREDENTIAL_FILE.unencryptedKey"))
	}
	return ExitOK
}

func yesNo(env Env, b bool) string {
	if b {
		return env.t("cli.yes")
	}
	return env.t("cli.no")
}

func printInfo(env Env, i protocol.CertInfo) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(env.Stdout, "%-22s %s\n", env.t("cli.field."+k), v)
		}
	}
	row("name", i.Name)
	row("rfc", i.RFC)
	row("rfcrep", i.RFCRepresentative)
	row("curp", i.CURP)
	row("curprep", i.CURPRepresentative)
	row("type", i.Type)
	row("serial", i.Serial)
	row("issuer", i.Issuer)
	row("notbefore", i.NotBefore)
	row("notafter", i.NotAfter)
	row("status", statusText(env, i))
	row("source", sourceText(env, i.Source))
	row("id", i.ID)
	switch i.IssuerCheck {
	case protocol.IssuedBySAT:
		row("issuercheck", env.t("cli.issuer.sat", i.IssuerCA))
	case protocol.IssuedByConfigured:
		row("issuercheck", env.t("cli.issuer.configured", i.IssuerCA))
	case protocol.IssuedByUnknown:
		row("issuercheck", env.t("cli.issuer.unknown"))
	}
	if i.Reason != "" {
		// Why it is not usable, or a note on a usable one (a token key
		// checked with the PIN).
		row("reason", i.Reason)
	}
	if why := signInWhy(i); why != "" {
		fmt.Fprintln(env.Stdout, env.t("cli.cannot-sign-in", env.t("cli.why."+why)))
	}
}

// sourceText names where a certificate lives in words ("este equipo"), not
// the protocol's source id.
func sourceText(env Env, source string) string {
	switch source {
	case protocol.SourceFile, protocol.SourcePKCS12, protocol.SourcePKCS11:
		return env.t("cli.source." + source)
	}
	return source
}

// signInWhy says why a certificate cannot be used to sign in ("" when it
// can), the same reasons the extension gives: it is still imported (a CSD
// serves invoicing tools), but import and list say so.
func signInWhy(i protocol.CertInfo) string {
	switch {
	case i.Status == protocol.StatusExpired:
		return "expired"
	case i.Status == protocol.StatusNotYetValid:
		return "not-yet-valid"
	case i.Type == protocol.TypeCSD:
		return "csd"
	case i.Type != protocol.TypeFIEL:
		return "not-fiel"
	}
	return ""
}

// statusText says the validity the way a person reads it: days left, days
// since it expired, or the date it starts.
func statusText(env Env, i protocol.CertInfo) string {
	switch i.Status {
	case protocol.StatusExpired:
		return env.t("cli.status.expired", -i.DaysLeft)
	case protocol.StatusNotYetValid:
		return env.t("cli.status.not-yet-valid", i.NotBefore[:10])
	}
	if i.DaysLeft == 1 {
		return env.t("cli.status.valid.one")
	}
	return env.t("cli.status.valid", i.DaysLeft)
}

func importCmd(args []string, env Env) int {
	fs := newFlags("import", env)
	cer := fs.String("cer", "", "")
	key := fs.String("key", "", "")
	pfx := fs.String("pfx", "", "")
	jsonOut := fs.Bool("json", false, "")
	pwStdin := fs.Bool("password-stdin", false, "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	if (*pfx == "") == (*cer == "" || *key == "") || (*pfx != "" && (*cer != "" || *key != "")) {
		fs.Usage()
		return ExitUsage
	}
	c := newCore(env, true)
	var info protocol.CertInfo
	if *pfx != "" {
		data, err := readFile(*pfx)
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		pw, err := readSecret(env, *pwStdin, env.t("cli.password.prompt"))
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		if info, err = c.ImportPFX(context.Background(), data, pw); err != nil {
			return fail(env, *jsonOut, err)
		}
	} else {
		cd, err := readFile(*cer)
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		kd, err := readFile(*key)
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		var pw, newPW []byte
		if _, perr := keyfile.ParseUnencryptedKey(kd); perr == nil {
			// A key with no password: never stored so. Ask for a new
			// password twice (two lines with --password-stdin) and say
			// what will be done.
			fmt.Fprintln(env.Stderr, env.t("cli.import.unencrypted"))
			if newPW, err = readSecret(env, *pwStdin, env.t("cli.password.new")); err != nil {
				return fail(env, *jsonOut, err)
			}
			again, err := readSecret(env, *pwStdin, env.t("cli.password.again"))
			if err != nil {
				return fail(env, *jsonOut, err)
			}
			if !bytes.Equal(newPW, again) {
				return fail(env, *jsonOut, errPasswordsDiffer)
			}
			if len(newPW) == 0 {
				return fail(env, *jsonOut, errPasswordsDiffer)
			}
		} else if pw, err = readSecret(env, *pwStdin, env.t("cli.password.prompt")); err != nil {
			return fail(env, *jsonOut, err)
		}
		r, err := c.ImportKeyPair(context.Background(), cd, kd, pw, newPW)
		if err != nil {
			return fail(env, *jsonOut, err)
		}
		info = r.CertInfo
		if r.KeyEncrypted && !*jsonOut {
			fmt.Fprintln(env.Stdout, env.t("cli.import.encrypted"))
		}
	}
	if *jsonOut {
		printJSON(env, info)
		return ExitOK
	}
	fmt.Fprintln(env.Stdout, env.t("cli.imported", c.Store().Dir()))
	printInfo(env, info)
	return ExitOK
}

// newCore builds the core over the store and the token sources. Without a
// user folder the store is left out unless always is set (then it is the
// relative folder "", and its operations fail with the file system's
// error).
func newCore(env Env, always bool) *core.Core {
	opt := core.Options{Sources: extra(env), Now: env.Now}
	if dir := env.Config.StoreDir(); dir != "" || always {
		opt.Store = store.New(dir)
	}
	// The trust store: caDir when configured, else SAT's production CAs.
	opt.Anchors = core.TrustAnchors(env.Config.CADir)
	opt.Doctor = &core.DoctorConfig{Anchors: opt.Anchors}
	opt.Doctor.TimeServer = env.Config.TimeServer
	opt.Doctor.Extra = env.ExtraDoctor
	return core.New(opt)
}

func list(args []string, env Env) int {
	fs := newFlags("list", env)
	jsonOut := fs.Bool("json", false, "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	res := newCore(env, true).List(context.Background())
	if *jsonOut {
		printJSON(env, res)
		return ExitOK
	}
	if len(res.Certificates) == 0 {
		fmt.Fprintln(env.Stdout, env.t("cli.list.empty"))
		return ExitOK
	}
	for i, c := range res.Certificates {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		printInfo(env, c)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Stderr, "%s: %s\n", env.t("cli.warning"), w)
	}
	return ExitOK
}

func extra(env Env) []keys.Source {
	if env.Sources == nil {
		return nil
	}
	return env.Sources()
}

func remove(args []string, env Env) int {
	fs := newFlags("remove", env)
	id := fs.String("id", "", "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	if *id == "" {
		fs.Usage()
		return ExitUsage
	}
	if err := newCore(env, true).Remove(context.Background(), *id); err != nil {
		return fail(env, false, err)
	}
	fmt.Fprintln(env.Stdout, env.t("cli.removed", *id))
	return ExitOK
}

func export(args []string, env Env) int {
	fs := newFlags("export", env)
	id := fs.String("id", "", "")
	out := fs.String("pfx", "", "")
	pwStdin := fs.Bool("password-stdin", false, "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	if *id == "" || *out == "" {
		fs.Usage()
		return ExitUsage
	}
	pw, err := readSecret(env, *pwStdin, env.t("cli.password.prompt"))
	if err != nil {
		return fail(env, false, err)
	}
	defer clear(pw)
	var newPw []byte
	defer func() { clear(newPw) }()
	if *pwStdin {
		newPw, err = readSecret(env, true, "")
	} else {
		newPw, err = askNewPassword(env, func(prompt string) ([]byte, error) { return readSecret(env, false, prompt) })
	}
	if errors.Is(err, errMismatch) {
		fmt.Fprintln(env.Stderr, "error: "+env.t("cli.export.mismatch"))
		fmt.Fprintf(env.Stderr, "%s: %s\n", env.t("cli.hint"), env.t("cli.export.mismatch.hint"))
		return ExitUsage
	}
	if err != nil {
		return fail(env, false, err)
	}
	if len(newPw) < 8 {
		fmt.Fprintln(env.Stderr, "error: "+env.t("cli.export.weak"))
		return ExitUsage
	}
	pfx, err := newCore(env, true).ExportPFX(context.Background(), *id, pw, newPw)
	if err != nil {
		return fail(env, false, err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fail(env, false, &fileError{path: *out, err: err})
	}
	if _, err := f.Write(pfx); err != nil {
		f.Close()
		return fail(env, false, &fileError{path: *out, err: err})
	}
	if err := f.Close(); err != nil {
		return fail(env, false, &fileError{path: *out, err: err})
	}
	fmt.Fprintln(env.Stdout, env.t("cli.exported", *out))
	return ExitOK
}

// errMismatch: the new password and its repetition differ.
var errMismatch = errors.New("the new passwords differ")

// askNewPassword asks for the backup's new password twice at the terminal
// (a typo there would lock the person out of the backup) and returns it
// when both are equal, errMismatch otherwise.
func askNewPassword(env Env, read func(prompt string) ([]byte, error)) ([]byte, error) {
	first, err := read(env.t("cli.newpassword.prompt"))
	if err != nil {
		return nil, err
	}
	again, err := read(env.t("cli.newpassword.again"))
	if err != nil {
		return nil, err
	}
	if string(first) != string(again) {
		return nil, errMismatch
	}
	return first, nil
}

func doctorCmd(args []string, env Env) int {
	fs := newFlags("doctor", env)
	jsonOut := fs.Bool("json", false, "")
	offline := fs.Bool("offline", false, "")
	cer := fs.String("cer", "", "")
	key := fs.String("key", "", "")
	pwStdin := fs.Bool("password-stdin", false, "")
	if c := parse(fs, args); c >= 0 {
		return c
	}
	if *key != "" && *cer == "" {
		fs.Usage()
		return ExitUsage
	}
	var files *doctor.Files
	if *cer != "" {
		files = &doctor.Files{}
		var err error
		if files.Cert, err = readFile(*cer); err != nil {
			return fail(env, *jsonOut, err)
		}
		if *key != "" {
			if files.Key, err = readFile(*key); err != nil {
				return fail(env, *jsonOut, err)
			}
			// Without --password-stdin and without a terminal the key
			// check is reported as not checked.
			if pw, err := readSecret(env, *pwStdin, env.t("cli.password.prompt")); err == nil {
				files.Password = pw
			}
		}
	}
	r := newCore(env, false).Doctor(context.Background(), env.Lang, !*offline, files)
	if *jsonOut {
		printJSON(env, r)
		return doctor.ExitCode(r.Worst)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(env.Stdout, "[%s] %s\n", env.t("doctor.status."+string(c.Status)), c.Title)
		fmt.Fprintf(env.Stdout, "    %s\n", c.Reason)
		if c.Fix != "" && c.Status != doctor.OK {
			fmt.Fprintf(env.Stdout, "    %s: %s\n", env.t("cli.hint"), c.Fix)
		}
	}
	return doctor.ExitCode(r.Worst)
}
