package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
)

var binPath string

// TestMain builds the binary under test, or takes a prebuilt one from
// $EFIRMA_TEST_BINARY (make windows-check runs this package's Windows test
// binary under Wine, where no Go toolchain runs).
func TestMain(m *testing.M) {
	if p := os.Getenv("EFIRMA_TEST_BINARY"); p != "" {
		binPath = p
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "efirma-bin-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "efirma")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir) // best effort: under Wine 8, Go's RemoveAll can fail ("Invalid function")
	os.Exit(code)
}

func frame(s string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(s)))
	return append(b, s...)
}

// runHost starts the binary as Chrome does and feeds it input, then EOF.
func runHost(t *testing.T, args []string, input []byte) (stdout []byte, stderr string, exit int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "EFIRMA_HOME="+t.TempDir(), "EFIRMA_LOG_LEVEL=debug")
	cmd.Stdin = bytes.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.Bytes(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), errb.String(), 0
}

func readResponses(t *testing.T, out []byte) []protocol.Response {
	t.Helper()
	r := bytes.NewReader(out)
	var resps []protocol.Response
	for {
		b, err := nativemsg.ReadFrame(r, protocol.MaxResponseBytes)
		if errors.Is(err, io.EOF) {
			return resps
		}
		if err != nil {
			t.Fatalf("stdout holds something that is not a frame: %v (%q)", err, out)
		}
		var resp protocol.Response
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		resps = append(resps, resp)
	}
}

func TestHostModeAsChromeStartsIt(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"linux and macOS", []string{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"}},
		{"windows", []string{"chrome-extension://abcdefghijklmnopabcdefghijklmnop/", "--parent-window=1234"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// connectNative: several requests on one connection, then EOF.
			in := append(frame(`{"id":"a","command":"hello"}`), frame(`{"id":"b","command":"list-certificates"}`)...)
			in = append(in, frame(`not json`)...)
			in = append(in, frame(`{"id":"c","command":"hello"}`)...)
			out, stderr, code := runHost(t, tt.args, in)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			resps := readResponses(t, out)
			if len(resps) != 4 {
				t.Fatalf("got %d responses", len(resps))
			}
			ids := map[string]bool{}
			for _, r := range resps {
				ids[r.ID] = r.Error == nil
			}
			if !ids["a"] || !ids["b"] || !ids["c"] {
				t.Fatalf("responses %+v", resps)
			}
			if stderr == "" {
				t.Fatal("debug logs should go to stderr")
			}
		})
	}
}

func TestHostModeSingleMessage(t *testing.T) {
	// sendNativeMessage: one request, then stdin closes.
	out, _, code := runHost(t, []string{"chrome-extension://x/"}, frame(`{"id":"only","command":"hello"}`))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	resps := readResponses(t, out)
	if len(resps) != 1 || resps[0].ID != "only" || resps[0].Error != nil {
		t.Fatalf("%+v", resps)
	}
}

func TestHostModeOversizedFrame(t *testing.T) {
	in := binary.LittleEndian.AppendUint32(nil, 64<<20)
	out, _, code := runHost(t, []string{"chrome-extension://x/"}, in)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	resps := readResponses(t, out)
	if len(resps) != 1 || resps[0].Error == nil || resps[0].Error.Code != protocol.ErrMessageTooLarge {
		t.Fatalf("%+v", resps)
	}
}

func TestCLIModeIsNotHostMode(t *testing.T) {
	out, _, code := runHost(t, []string{"version"}, nil)
	if code != 0 || !bytes.HasPrefix(out, []byte("efirma ")) {
		t.Fatalf("version: %d %q", code, out)
	}
}

// TestRealBinaryNeverLogsSecrets runs a whole session against the built
// binary at debug level and scans its stderr and its log file under
// $EFIRMA_HOME/logs for the password, the key bytes and the data signed.
func TestRealBinaryNeverLogsSecrets(t *testing.T) {
	home := t.TempDir()
	cred := filepath.Join("..", "..", "..", "testdata", "creds", "fiel-fisica")
	cer, _ := os.ReadFile(filepath.Join(cred, "certificate.cer"))
	key, _ := os.ReadFile(filepath.Join(cred, "private_key.key"))
	b64 := base64.StdEncoding.EncodeToString
	data := "||dato-secreto-del-tramite-5521||"
	wrong := "Otra-Contraseña-Secreta-77"
	msg := func(id, cmd string, params any) []byte {
		p, _ := json.Marshal(params)
		r, _ := json.Marshal(protocol.Request{ID: id, Command: cmd, Params: p})
		return frame(string(r))
	}
	var stderrs []string
	run := func(in []byte) []protocol.Response {
		cmd := exec.Command(binPath, "chrome-extension://x/")
		cmd.Env = append(os.Environ(), "EFIRMA_HOME="+home, "EFIRMA_LOG_LEVEL=debug")
		cmd.Stdin = bytes.NewReader(in)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		stderrs = append(stderrs, errb.String())
		return readResponses(t, out.Bytes())
	}
	resps := run(append(msg("1", "import-credential", protocol.ImportParams{Certificate: b64(cer), PrivateKey: b64(key), Password: wrong}),
		msg("2", "import-credential", protocol.ImportParams{Certificate: b64(cer), PrivateKey: b64(key), Password: "12345678a"})...))
	var id string
	for _, r := range resps {
		if r.ID == "2" && r.Error == nil {
			id = r.Result.(map[string]any)["id"].(string)
		}
	}
	if id == "" {
		t.Fatalf("import failed: %+v", resps)
	}
	ch := "dGhpcyBpcyBhIHRlc3QgY2hhbGxlbmdlIG9mIDMyIGJ5dGVz"
	run(append(append(msg("3", "authenticate", protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: ch, CertificateID: id, Password: wrong}),
		msg("4", "sign", protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: "12345678a", Data: b64([]byte(data))})...),
		msg("5", "sign", protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: wrong, Data: b64([]byte(data))})...))
	logFile, err := os.ReadFile(filepath.Join(home, "logs", "efirma.log"))
	if err != nil {
		t.Fatal(err)
	}
	all := string(logFile) + strings.Join(stderrs, "")
	if !strings.Contains(all, "dataSHA256") || !strings.Contains(string(logFile), `"command":"sign"`) {
		t.Fatal("the debug log does not show the session; the scan would prove nothing")
	}
	for _, secret := range []string{wrong, "12345678a", data, b64([]byte(data)), b64(key), b64(key[40:100]), string(key[20:60])} {
		if strings.Contains(all, secret) {
			t.Fatalf("a secret reached the log or stderr: %q…", secret[:min(len(secret), 10)])
		}
	}
}

// TestHostModeBadDrivers is issue 15 items 1 and 2 against the real binary:
// a PKCS#11 driver that prints to stdout (C runtime and raw handle) must
// not reach the frames Chrome reads, and a driver whose C_GetFunctionList
// fails must not crash the host: the listing answers with a warning and
// the host keeps serving the next request.
func TestHostModeBadDrivers(t *testing.T) {
	noisy := testenv.StandInModule(t, testenv.StandInNoisy)
	failing := testenv.StandInModule(t, testenv.StandInFailing)
	in := append(frame(`{"id":"a","command":"hello"}`), frame(`{"id":"b","command":"list-certificates"}`)...)
	in = append(in, frame(`{"id":"c","command":"hello"}`)...)
	in = append(in, frame(`{"id":"d","command":"authenticate","params":{"origin":"https://www.sat.gob.mx","challenge":"dGhpcyBpcyBhIHRlc3QgY2hhbGxlbmdlIG9mIDMyIGJ5dGVz","certificateId":"pkcs11:0123456789abcdef0123456789abcdef","password":"1234"}}`)...)
	cmd := exec.Command(binPath, "chrome-extension://abcdefghijklmnopabcdefghijklmnop/", "--parent-window=0")
	cmd.Env = append(os.Environ(), "EFIRMA_HOME="+t.TempDir(), "EFIRMA_LOG_LEVEL=debug",
		"EFIRMA_PKCS11_MODULES="+noisy+string(os.PathListSeparator)+failing)
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("host: %v\nstderr: %s", err, errb.String())
	}
	if bytes.Contains(out.Bytes(), []byte("NOISY")) {
		t.Fatalf("a driver's output reached the frames: %q", out.Bytes())
	}
	byID := map[string]protocol.Response{}
	for _, r := range readResponses(t, out.Bytes()) {
		byID[r.ID] = r
	}
	if len(byID) != 4 || byID["a"].Error != nil || byID["c"].Error != nil {
		t.Fatalf("responses %+v\nstderr: %s", byID, errb.String())
	}
	// A token credential asked for while a driver is unusable.
	if e := byID["d"].Error; e == nil || e.Code != protocol.ErrModuleUnavailable {
		t.Fatalf("authenticate behind a failing driver: %+v", byID["d"])
	}
	list, _ := byID["b"].Result.(map[string]any)
	if byID["b"].Error != nil || list == nil || list["warnings"] == nil {
		t.Fatalf("list %+v", byID["b"])
	}
	if !strings.Contains(errb.String(), "NOISY-CRT-PRINTF C_GetFunctionList") || !strings.Contains(errb.String(), "NOISY-RAW-STDOUT C_Initialize") {
		t.Fatalf("the driver did not print (the check would prove nothing); stderr: %s", errb.String())
	}
}
