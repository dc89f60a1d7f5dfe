// Command wincheck drives the Windows build of efirma under Wine for make
// windows-check (installer/dist/windows-check.sh prepares the Wine prefix
// and the binaries, then runs it). It checks what a person and Chrome do
// on Windows: the CLI round (import, list, inspect, install, status,
// uninstall, with the registry read back through Wine's reg.exe; the policy
// kit's .reg imported with reg.exe and read back), host mode
// started with Chrome's arguments and spoken to in native-messaging frames
// (signatures verified with openssl; bad frames; a printing driver and a
// failing one), and the MSI installed and removed with and without its
// properties. Each failed check is printed; the exit code is the count.
//
// It runs on Linux and starts every Windows program through $WINE; paths
// given to Windows programs are Z:\... (Wine's view of the Linux root).
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/installer"
	"github.com/efirma/conector/protocol"
)

var (
	wine     = flag.String("wine", "wine64", "Wine loader")
	exe      = flag.String("exe", "", "efirma.exe (Linux path)")
	msi      = flag.String("msi", "", "the MSI (Linux path); empty skips the MSI round")
	standins = flag.String("standins", "", "folder with noisy.dll and failing.dll")
	creds    = flag.String("creds", "testdata/creds/fiel-fisica", "a .cer/.key pair (password 12345678a)")
	work     = flag.String("work", "", "scratch folder (Linux path)")
)

const password = "12345678a"

var failures int

func check(ok bool, format string, args ...any) {
	status := "ok  "
	if !ok {
		status = "FAIL"
		failures++
	}
	fmt.Printf("%s %s\n", status, fmt.Sprintf(format, args...))
}

// winPath is the Windows name Wine gives a Linux path.
func winPath(p string) string {
	abs, _ := filepath.Abs(p)
	return `Z:` + strings.ReplaceAll(abs, "/", `\`)
}

// linuxPath is where a C:\... path lives in the Wine prefix.
func linuxPath(p string) string {
	if len(p) < 3 || !strings.EqualFold(p[:3], `C:\`) {
		return ""
	}
	return filepath.Join(os.Getenv("WINEPREFIX"), "drive_c", filepath.FromSlash(strings.ReplaceAll(p[3:], `\`, "/")))
}

func exists(winPath string) bool {
	_, err := os.Stat(linuxPath(winPath))
	return err == nil
}

// run starts a Windows program under Wine with extra environment.
func run(stdin []byte, env []string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(*wine, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	// A Wine service started by this command may inherit its pipes: stop
	// waiting for them shortly after the program itself ended.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case errors.Is(err, exec.ErrWaitDelay):
		code = cmd.ProcessState.ExitCode()
	case err != nil:
		code = -1
		e.WriteString(err.Error())
	}
	return o.String(), e.String(), code
}

func efirma(stdin []byte, env []string, args ...string) (string, string, int) {
	return run(stdin, env, append([]string{*exe}, args...)...)
}

// regValue reads a registry value through Wine's reg.exe ("" when absent).
func regValue(key, name string) string {
	args := []string{"reg", "query", key}
	if name == "" {
		args = append(args, "/ve")
	} else {
		args = append(args, "/v", name)
	}
	out, _, code := run(nil, nil, args...)
	if code != 0 {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.SplitN(strings.TrimSpace(line), "    ", 3); len(f) == 3 && strings.HasPrefix(f[1], "REG_") {
			return strings.TrimSpace(f[2])
		}
	}
	return ""
}

func main() {
	flag.Parse()
	if *exe == "" || *work == "" {
		fmt.Fprintln(os.Stderr, "usage: wincheck -exe efirma.exe -work DIR [-msi efirma.msi] [-standins DIR]")
		os.Exit(2)
	}
	start := time.Now()
	markBrowsersInstalled()
	cliRound()
	hostRound()
	if *msi != "" {
		msiRound()
	}
	fmt.Printf("wincheck: %d failed, %s\n", failures, time.Since(start).Round(time.Second))
	os.Exit(min(failures, 100))
}

// markBrowsersInstalled gives every Wine user the "Local State" file each
// browser writes on its first run, as on a PC where the browsers are in use:
// efirma status reports and warns only for installed browsers.
func markBrowsersInstalled() {
	users, _ := filepath.Glob(filepath.Join(os.Getenv("WINEPREFIX"), "drive_c", "users", "*"))
	for _, u := range users {
		if filepath.Base(u) == "Public" {
			continue
		}
		for _, b := range installer.Browsers {
			dir := filepath.Join(append([]string{u, "AppData", "Local"}, strings.Split(b.WindowsData, `\`)...)...)
			err := os.MkdirAll(dir, 0o755)
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, installer.LocalState), []byte("{}"), 0o644)
			}
			check(err == nil, "setup: %s marked installed for %s (%v)", b.ID, filepath.Base(u), err)
		}
	}
}

// cliRound: what a person does in a terminal.
func cliRound() {
	home := filepath.Join(*work, "cli-home")
	env := []string{"EFIRMA_HOME=" + winPath(home), "LANG=es_MX.UTF-8"}
	out, _, code := efirma(nil, env, "version")
	check(code == 0 && strings.HasPrefix(out, "efirma "), "cli: version (%q)", strings.TrimSpace(out))

	cer, key := winPath(filepath.Join(*creds, "certificate.cer")), winPath(filepath.Join(*creds, "private_key.key"))
	out, errOut, code := efirma([]byte(password+"\r\n"), env, "import", "--json", "--cer", cer, "--key", key, "--password-stdin")
	var info protocol.CertInfo
	json.Unmarshal([]byte(out), &info)
	check(code == 0 && info.ID != "" && info.Usable, "cli: import (exit %d, id %q) %s", code, info.ID, errOut)
	out, _, code = efirma(nil, env, "list")
	check(code == 0 && strings.Contains(out, info.RFC), "cli: list shows %s", info.RFC)
	out, _, code = efirma(nil, env, "inspect", "--cer", cer)
	check(code == 0 && strings.Contains(out, info.RFC), "cli: inspect")
	_, errOut, code = efirma([]byte("mala\r\n"), env, "import", "--cer", cer, "--key", key, "--password-stdin")
	check(code != 0 && strings.Contains(errOut, "error:"), "cli: wrong password refused with error: (exit %d)", code)

	// Per-user install in HKCU, read back with reg.exe.
	const hkcuChrome = `HKCU\Software\Google\Chrome\NativeMessagingHosts\` + installer.HostName
	out, _, code = efirma(nil, env, "install")
	manifest := regValue(hkcuChrome, "")
	check(code == 0 && strings.Contains(out, "HKCU") && strings.HasSuffix(manifest, `\AppData\Local\efirma\mx.efirma.conector.json`), "cli: install writes %s = %q", hkcuChrome, manifest)
	check(regValue(`HKCU\Software\Microsoft\Edge\NativeMessagingHosts\`+installer.HostName, "") == manifest, "cli: install writes Edge's key")
	out, _, code = efirma(nil, env, "status", "--json")
	var st installer.StatusReport
	json.Unmarshal([]byte(out), &st)
	usable := 0
	for _, b := range st.Browsers {
		if b.Usable {
			usable++
		}
		for _, tg := range b.Targets {
			if tg.Installed && slices.Contains(tg.ExtensionIDs, installer.DevExtensionID) {
				check(false, "cli: %s's manifest allows the development ID", b.Name)
			}
		}
	}
	check(code == 0 && st.OS == "windows" && usable == len(installer.Browsers), "cli: status: %d of %d browsers usable (exit %d)", usable, len(installer.Browsers), code)
	efirma(nil, env, "install", "--dev")
	out, _, _ = efirma(nil, env, "status")
	check(strings.Contains(out, "extensión de desarrollo"), "cli: status warns after install --dev")
	out, _, code = efirma(nil, env, "uninstall")
	check(code == 0 && strings.Contains(out, "HKCU") && regValue(hkcuChrome, "") == "", "cli: uninstall removes %s", hkcuChrome)
	_, _, code = efirma(nil, env, "status")
	check(code == 1, "cli: status after uninstall exits 1 (got %d)", code)
	check(manifest != "" && !exists(manifest) && !exists(manifest[:strings.LastIndex(manifest, `\`)]), "cli: uninstall leaves no %%LOCALAPPDATA%%\\efirma")
	_, errOut, code = efirma(nil, env, "policy", "--format", "windows-reg", "--portal", "https://*.gob.mx")
	check(code == 1 && strings.Contains(errOut, "dominio público"), "cli: policy refuses https://*.gob.mx")
	policyKit(env)
}

// policyKit: the IT kit's .reg, imported with reg.exe as an administrator
// would, puts the portals and the connector's download address where Chrome
// and Edge read the extension's managed configuration. The policy keys are
// deleted afterwards, so the MSI round starts without policies.
func policyKit(env []string) {
	const portal, download = "https://portal.ejemplo.gob.mx", `https://ti.ejemplo.gob.mx/efirma/?so=windows&v="1"`
	regFile := filepath.Join(*work, "efirma.reg")
	_, errOut, code := efirma(nil, env, "policy", "--format", "windows-reg", "--portal", portal, "--download-url", download, "--out", winPath(regFile))
	check(code == 0, "policy: --download-url writes the .reg (exit %d) %s", code, errOut)
	_, errOut, code = run(nil, nil, "reg", "import", winPath(regFile))
	check(code == 0, "policy: reg import efirma.reg (exit %d) %s", code, errOut)
	for key, id := range map[string]string{`Google\Chrome`: installer.ChromeWebStoreID, `Microsoft\Edge`: installer.EdgeAddonsID} {
		ext := `HKLM\SOFTWARE\Policies\` + key + `\3rdparty\extensions\` + id + `\policy`
		got := regValue(ext, "connectorDownloadUrl")
		check(got == download, "policy: %s connectorDownloadUrl = %q", key, got)
		got = regValue(ext+`\allowedPortals`, "1")
		check(got == portal, "policy: %s allowedPortals 1 = %q", key, got)
	}
	for _, key := range []string{`HKLM\SOFTWARE\Policies\Google`, `HKLM\SOFTWARE\Policies\Microsoft\Edge`} {
		run(nil, nil, "reg", "delete", key, "/f")
	}
	check(regValue(`HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist`, "1") == "", "policy: keys removed after the check")
}

func frame(v any) []byte {
	b, _ := json.Marshal(v)
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
}

func request(id, cmd string, params any) []byte {
	p, _ := json.Marshal(params)
	return frame(protocol.Request{ID: id, Command: cmd, Params: p})
}

// host starts efirma.exe as Chrome does on Windows, writes input, reads
// frames until want answers came (or a minute passed), then closes stdin as
// Chrome does when the port closes: the host treats EOF as the browser
// going away and cancels what is still running. Anything on stdout that is
// not a frame fails the check.
//
// Wine 8 now and then fails to start a process at all (CI saw exit 2, no
// answers and no line from the host; a test binary's fork/exec failed with
// "Internal error" in the same run). Such a run is tried once more, and the
// output says so; a host that started and then failed is never retried.
func host(name string, env []string, input []byte, want int) (map[string]protocol.Response, string, int) {
	resps, errOut, code := hostOnce(name, env, input, want)
	if code != 0 && len(resps) == 0 && !hostStarted(errOut) {
		fmt.Printf("note host %s: Wine did not start efirma.exe (exit %d, stderr %q); trying once more\n", name, code, tail(errOut, 400))
		resps, errOut, code = hostOnce(name, env, input, want)
	}
	if code != 0 {
		fmt.Printf("note host %s: exit %d; the end of its stderr:\n%s\n", name, code, tail(errOut, 2000))
	}
	return resps, errOut, code
}

// hostStarted: the host's own start-up log line (EFIRMA_LOG_LEVEL=debug), or
// a Go crash, is on stderr: the process ran.
func hostStarted(errOut string) bool {
	return strings.Contains(errOut, `"host mode"`) || strings.Contains(errOut, "panic:") || strings.Contains(errOut, "fatal error:")
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func hostOnce(name string, env []string, input []byte, want int) (map[string]protocol.Response, string, int) {
	cmd := exec.Command(*wine, *exe, "chrome-extension://"+installer.ChromeWebStoreID+"/", "--parent-window=0")
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	cmd.WaitDelay = 5 * time.Second
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		check(false, "host %s: %v", name, err)
		return nil, "", -1
	}
	go stdin.Write(input)
	resps := map[string]protocol.Response{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(resps) < want {
			b, err := nativemsg.ReadFrame(stdout, protocol.MaxResponseBytes)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					check(false, "host %s: stdout holds something that is not a frame: %v", name, err)
				}
				return
			}
			var resp protocol.Response
			if json.Unmarshal(b, &resp) != nil {
				check(false, "host %s: a frame is not JSON", name)
			}
			resps[resp.ID] = resp
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		check(false, "host %s: %d of %d answers after a minute", name, len(resps), want)
	}
	stdin.Close()
	restc := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(stdout); restc <- b }()
	var rest []byte
	select {
	case rest = <-restc:
	case <-time.After(30 * time.Second):
		check(false, "host %s: stdout still open 30 s after stdin closed", name)
	}
	if len(rest) > 0 {
		check(false, "host %s: %d more bytes on stdout after the answers (%q…)", name, len(rest), rest[:min(len(rest), 60)])
	}
	code := 0
	if err := cmd.Wait(); errors.Is(err, exec.ErrWaitDelay) {
		code = cmd.ProcessState.ExitCode()
	} else if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	<-done
	return resps, errb.String(), code
}

func result[T any](r protocol.Response) (T, bool) {
	var v T
	b, _ := json.Marshal(r.Result)
	return v, r.Error == nil && json.Unmarshal(b, &v) == nil
}

// hostRound: the browser's side of native messaging.
func hostRound() {
	home := filepath.Join(*work, "host-home")
	env := []string{"EFIRMA_HOME=" + winPath(home), "EFIRMA_LOG_LEVEL=debug"}
	cerDER, _ := os.ReadFile(filepath.Join(*creds, "certificate.cer"))
	keyDER, _ := os.ReadFile(filepath.Join(*creds, "private_key.key"))
	b64 := base64.StdEncoding.EncodeToString
	in := request("hello", "hello", nil)
	in = append(in, request("import", "import-credential", protocol.ImportParams{Certificate: b64(cerDER), PrivateKey: b64(keyDER), Password: password})...)
	in = append(in, frame("not an object")...)
	resps, _, code := host("session", env, in, 3)
	check(code == 0, "host: exits 0 on EOF (got %d)", code)
	check(resps["hello"].Error == nil && resps["hello"].Result != nil, "host: hello")
	imported, ok := result[protocol.CertInfo](resps["import"])
	check(ok && imported.ID != "", "host: import-credential (%+v)", resps["import"].Error)
	check(len(resps) == 3, "host: a bad frame gets an error answer (%d answers)", len(resps))

	data := "||1.1|GOAM800101AB1|acuse de prueba en Wine||"
	in = request("list", "list-certificates", nil)
	in = append(in, request("auth", "authenticate", protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx",
		Challenge: base64.RawURLEncoding.EncodeToString([]byte("desafio-de-prueba-de-32-bytes-ok")), CertificateID: imported.ID, Password: password})...)
	in = append(in, request("sign", "sign", protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: imported.ID, Password: password, Data: b64([]byte(data))})...)
	in = append(in, request("badpw", "sign", protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: imported.ID, Password: "mala", Data: b64([]byte(data))})...)
	resps, errOut, code := host("sign", env, in, 4)
	check(code == 0, "host: the signing session exits 0 (got %d)", code)
	list, ok := result[protocol.ListResult](resps["list"])
	check(ok && len(list.Certificates) == 1, "host: list-certificates has the imported e.firma")
	check(resps["auth"].Error == nil && resps["auth"].Result != nil, "host: authenticate (%+v)", resps["auth"].Error)
	sig, ok := result[protocol.SignResult](resps["sign"])
	check(ok && sig.Signature != "", "host: sign (%+v)", resps["sign"].Error)
	if ok {
		check(opensslVerify(cerDER, []byte(data), sig.Signature), "host: openssl verifies the signature (%s)", sig.Algorithm)
	}
	check(resps["badpw"].Error != nil && resps["badpw"].Error.Code == protocol.ErrWrongPassword, "host: wrong password is ERR_WRONG_PASSWORD")
	check(!strings.Contains(errOut, password), "host: the password never reaches stderr")

	// A 64 MiB length header is refused with an answer, and the host ends cleanly.
	resps, _, code = host("oversized", env, binary.LittleEndian.AppendUint32(nil, 64<<20), 1)
	var tooLarge bool
	for _, r := range resps {
		tooLarge = tooLarge || (r.Error != nil && r.Error.Code == protocol.ErrMessageTooLarge)
	}
	check(tooLarge && code == 0, "host: 64 MiB header answered ERR_MESSAGE_TOO_LARGE (exit %d)", code)

	if *standins == "" {
		check(false, "host: no -standins: the driver checks did not run")
		return
	}
	// Drivers: one prints to stdout (CRT and raw handle), one fails C_GetFunctionList.
	modules := winPath(filepath.Join(*standins, "noisy.dll")) + ";" + winPath(filepath.Join(*standins, "failing.dll"))
	in = append(request("a", "hello", nil), request("b", "list-certificates", nil)...)
	in = append(in, request("c", "hello", nil)...)
	in = append(in, request("d", "authenticate", protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx",
		Challenge: base64.RawURLEncoding.EncodeToString([]byte("desafio-de-prueba-de-32-bytes-ok")), CertificateID: "pkcs11:0123456789abcdef0123456789abcdef", Password: "1234"})...)
	resps, errOut, code = host("drivers", append(env, "EFIRMA_PKCS11_MODULES="+modules), in, 4)
	check(code == 0 && len(resps) == 4 && resps["c"].Error == nil, "host: keeps serving next to a failing driver (exit %d, %d answers)", code, len(resps))
	check(resps["d"].Error != nil && resps["d"].Error.Code == protocol.ErrModuleUnavailable, "host: a token credential behind the failing driver is ERR_MODULE_UNAVAILABLE (%+v)", resps["d"].Error)
	dl, ok := result[protocol.ListResult](resps["b"])
	check(ok && len(dl.Warnings) > 0, "host: the failing driver is a listing warning")
	check(strings.Contains(errOut, "NOISY-CRT-PRINTF") && strings.Contains(errOut, "NOISY-RAW-STDOUT"), "host: the printing driver's text went to stderr")
	check(!strings.Contains(errOut, "context canceled"), "host: no request was cut short")
}

// opensslVerify checks an RSA SHA-256 signature with openssl, independently of Go.
func opensslVerify(certDER, data []byte, sigB64 string) bool {
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return false
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return false
	}
	pub, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	dir := filepath.Join(*work, "openssl")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
	os.WriteFile(filepath.Join(dir, "data"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "sig"), sig, 0o644)
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", filepath.Join(dir, "pub.pem"), "-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "data")).CombinedOutput()
	return err == nil && strings.Contains(string(out), "Verified OK")
}

// msiRound: msiexec install and remove, with and without the properties.
func msiRound() {
	const installed = `C:\Program Files\efirma\`
	manifestPath := installed + installer.HostName + ".json"
	hklm := func(browserKey string) string {
		return `HKLM\` + browserKey + `\` + installer.HostName
	}
	readManifest := func() installer.Manifest {
		data, _ := os.ReadFile(linuxPath(manifestPath))
		m, _ := installer.CheckManifest(data, "windows")
		return m
	}
	for _, tc := range []struct {
		name  string
		props []string
		ids   []string
	}{
		{"default", nil, installer.DefaultExtensionIDs()},
		{"properties", []string{"ADDLOCAL=Main,Policies", "CHROME_EXTENSION_ID=kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "EDGE_EXTENSION_ID=llllllllllllllllllllllllllllllll"},
			[]string{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "llllllllllllllllllllllllllllllll"}},
	} {
		_, errOut, code := run(nil, nil, append([]string{"msiexec", "/i", winPath(*msi), "/qn"}, tc.props...)...)
		check(code == 0, "msi %s: installs (exit %d) %s", tc.name, code, strings.TrimSpace(errOut))
		check(exists(installed+"efirma.exe"), "msi %s: efirma.exe in Program Files", tc.name)
		m := readManifest()
		check(slices.Equal(m.ExtensionIDs(), tc.ids), "msi %s: manifest allows %v (want %v)", tc.name, m.ExtensionIDs(), tc.ids)
		for _, b := range []string{"chrome", "chromium", "edge"} {
			key := hklm(map[string]string{"chrome": `Software\Google\Chrome\NativeMessagingHosts`, "chromium": `Software\Chromium\NativeMessagingHosts`, "edge": `Software\Microsoft\Edge\NativeMessagingHosts`}[b])
			check(strings.EqualFold(regValue(key, ""), manifestPath), "msi %s: %s names the manifest", tc.name, key)
		}
		forced := regValue(`HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist`, "1")
		if tc.props != nil {
			check(strings.HasPrefix(forced, tc.ids[0]+";"), "msi %s: force-install policy names %s (%q)", tc.name, tc.ids[0], forced)
		} else {
			check(forced == "", "msi %s: no policies without ADDLOCAL=Main,Policies", tc.name)
		}
		out, _, _ := run(nil, nil, installed+"efirma.exe", "status", "--json")
		var st installer.StatusReport
		json.Unmarshal([]byte(out), &st)
		notAllowed := 0
		for _, b := range st.Browsers {
			notAllowed += len(b.ForcedNotAllowed)
		}
		check(len(st.Browsers) > 0 && notAllowed == 0, "msi %s: status finds every force-installed extension allowed", tc.name)
		if tc.props != nil {
			// A policy naming an extension the manifest does not allow: status says so.
			run(nil, nil, "reg", "add", `HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist`, "/v", "2", "/d", "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm;"+installer.ChromeUpdateURL, "/f")
			out, _, _ = run(nil, nil, installed+"efirma.exe", "status")
			check(strings.Contains(out, "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"), "msi %s: status reports a force-installed extension the manifest does not allow", tc.name)
			run(nil, nil, "reg", "delete", `HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist`, "/v", "2", "/f")
		}
		_, _, code = run(nil, nil, "msiexec", "/x", winPath(*msi), "/qn")
		check(code == 0, "msi %s: uninstalls (exit %d)", tc.name, code)
		check(!exists(manifestPath) && !exists(installed+"efirma.exe"), "msi %s: no files left", tc.name)
		check(regValue(hklm(`Software\Google\Chrome\NativeMessagingHosts`), "") == "", "msi %s: no HKLM key left", tc.name)
		check(regValue(`HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist`, "1") == "", "msi %s: no policy left", tc.name)
	}
}
