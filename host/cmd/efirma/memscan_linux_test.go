package main

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/internal/testcreds"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat/keyfile"
)

// scanMemory reads every readable mapping of pid through /proc/pid/mem and
// counts the occurrences of each needle. MEMSCAN_DEBUG=1 logs where each
// needle but the last was found, with the bytes around it.
func scanMemory(t *testing.T, pid int, needles ...[]byte) []int {
	t.Helper()
	maps, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer maps.Close()
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Skipf("cannot read the host's memory (ptrace restrictions?): %v", err)
	}
	defer mem.Close()
	counts := make([]int, len(needles))
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[1][0] != 'r' || (len(f) >= 6 && (f[5] == "[vvar]" || f[5] == "[vsyscall]")) {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start || end-start > 1<<30 {
			continue
		}
		buf := make([]byte, end-start)
		n, _ := mem.ReadAt(buf, int64(start))
		for i, nd := range needles {
			counts[i] += bytes.Count(buf[:n], nd)
			if i < len(needles)-1 && os.Getenv("MEMSCAN_DEBUG") != "" {
				for off := 0; ; {
					k := bytes.Index(buf[off:n], nd)
					if k < 0 {
						break
					}
					a := max(0, off+k-60)
					t.Logf("%s %s: %q", f[0], strings.Join(f[5:], " "), buf[a:min(n, off+k+len(nd)+20)])
					off += k + 1
				}
			}
		}
	}
	return counts
}

// testCred reads the project's generated test credential name
// (testdata/creds) and decrypts its key.
func testCred(t *testing.T, name string) ([]byte, crypto.Signer) {
	t.Helper()
	cer := testenv.ReadFile(t, testenv.CredPath(t, name, "certificate.cer"))
	signer, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, name, "private_key.key")), []byte("12345678a"))
	if err != nil {
		t.Fatal(err)
	}
	return cer, signer
}

// TestPasswordIsWipedFromTheIdleHost is F-05 of issue 11: a scan of the
// idle host 2 s after a sign found 14 copies of the password. The real
// binary, started as Chrome starts it, imports a credential and signs with
// a password made for this run, then imports an unencrypted key with a
// newPassword made for this run (the password the host encrypts it with),
// then imports two .pfx files written by openssl (its default PBES2/AES
// form and its -legacy RC2/3DES form) with a third password made for this
// run and signs with each, then waits; every readable mapping of its
// memory is scanned for the passwords' bytes (the .pfx password also as
// UTF-16, the BMPString PKCS#12 derives its keys from). The certificate,
// which the host keeps on purpose, must be found, so that the scan is
// shown to see the heap.
func TestPasswordIsWipedFromTheIdleHost(t *testing.T) {
	if os.Getenv("EFIRMA_TEST_BINARY") != "" {
		t.Skip("a prebuilt binary under another OS")
	}
	var rnd [12]byte
	rand.Read(rnd[:])
	password := "Clave-F05-" + hex.EncodeToString(rnd[:])
	rand.Read(rnd[:])
	newPassword := "Nueva-F05-" + hex.EncodeToString(rnd[:])
	cer, signer := testCred(t, "fiel-fisica")
	key, err := testcreds.EncryptSATKey(signer, password, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	// A second credential, given with its key unencrypted (PKCS#8 PEM).
	cer2, signer2 := testCred(t, "fiel-moral")
	der2, err := x509.MarshalPKCS8PrivateKey(signer2)
	if err != nil {
		t.Fatal(err)
	}
	plain2 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der2})

	// Two .pfx files with a password of their own, written by openssl.
	rand.Read(rnd[:])
	pfxPassword := "Pfx-F05-" + hex.EncodeToString(rnd[:])
	pfxModern := genCred(t, "fiel-enie").PFX(t, pfxPassword)
	pfxLegacy := genCred(t, "csd-moral").PFX(t, pfxPassword, "-legacy")

	cmd := exec.Command(binPath, "chrome-extension://x/")
	cmd.Env = append(os.Environ(), "EFIRMA_HOME="+t.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	call := func(id, command string, params any) protocol.Response {
		t.Helper()
		p, _ := json.Marshal(params)
		r, _ := json.Marshal(protocol.Request{ID: id, Command: command, Params: p})
		if err := nativemsg.WriteFrame(stdin, r); err != nil {
			t.Fatal(err)
		}
		b, err := nativemsg.ReadFrame(stdout, protocol.MaxResponseBytes)
		if err != nil {
			t.Fatal(err)
		}
		var resp protocol.Response
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Error != nil {
			t.Fatalf("%s: %v", command, resp.Error)
		}
		return resp
	}
	b64 := base64.StdEncoding.EncodeToString
	imported := call("1", protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64(cer), PrivateKey: b64(key), Password: password})
	id, _ := imported.Result.(map[string]any)["id"].(string)
	call("2", protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: password, Data: b64([]byte("Acuse de recibo F-05"))})
	reencrypted := call("3", protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64(cer2), PrivateKey: b64(plain2), NewPassword: newPassword})
	if enc, _ := reencrypted.Result.(map[string]any)["keyEncrypted"].(bool); !enc {
		t.Fatalf("the unencrypted key was not stored encrypted: %v", reencrypted.Result)
	}
	for i, pfx := range [][]byte{pfxModern, pfxLegacy} {
		n := strconv.Itoa(i)
		imported := call("4"+n, protocol.CmdImportCredential, protocol.ImportParams{PFX: b64(pfx), Password: pfxPassword})
		id, _ := imported.Result.(map[string]any)["id"].(string)
		call("5"+n, protocol.CmdSign, protocol.SignParams{Origin: "https://www.sat.gob.mx", CertificateID: id, Password: pfxPassword, Data: b64([]byte("Acuse de recibo F-05 .pfx"))})
	}
	time.Sleep(2 * time.Second)
	counts := scanMemory(t, cmd.Process.Pid, []byte(password), []byte(newPassword), []byte(pfxPassword), utf16BE(pfxPassword), utf16LE(pfxPassword), cer[len(cer)-64:])
	t.Logf("copies in the idle host: password %d, newPassword %d, .pfx password %d (UTF-8), %d (UTF-16BE), %d (UTF-16LE); certificate %d", counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
	if counts[5] == 0 {
		t.Fatal("the scan did not find the certificate the host holds; it proves nothing")
	}
	if counts[0] != 0 {
		t.Errorf("the idle host still holds %d copies of the password", counts[0])
	}
	if counts[1] != 0 {
		t.Errorf("the idle host still holds %d copies of the new password of an unencrypted key", counts[1])
	}
	if counts[2]+counts[3]+counts[4] != 0 {
		t.Errorf("the idle host still holds copies of the .pfx password: %d as UTF-8, %d as UTF-16BE, %d as UTF-16LE", counts[2], counts[3], counts[4])
	}
}

// utf16BE and utf16LE are an ASCII password as UTF-16 (the BMPString of
// PKCS#12 is big-endian).
func utf16BE(s string) []byte {
	var b []byte
	for _, c := range []byte(s) {
		b = append(b, 0, c)
	}
	return b
}

func utf16LE(s string) []byte {
	var b []byte
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

// genCred is the generated test credential name as a testenv.Credential.
func genCred(t *testing.T, name string) *testenv.Credential {
	t.Helper()
	_, key := testCred(t, name)
	return &testenv.Credential{Cert: testenv.GenCert(t, name), Key: key}
}
