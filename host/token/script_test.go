//go:build cgo

package token

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeTokenScript runs testdata/softhsm/make-token.sh (the token for
// manual and end-to-end runs) in its own SoftHSM2 configuration, then signs
// with pkcs11-tool and verifies with openssl against the SAT certificate.
func TestMakeTokenScript(t *testing.T) {
	needHSM(t)
	satFixture(t)
	p11 := needTool(t, "pkcs11-tool")
	openssl := needTool(t, "openssl")
	needTool(t, "softhsm2-util")
	dir := t.TempDir()
	script := filepath.Join("..", "..", "testdata", "softhsm", "make-token.sh")
	cmd := exec.Command("sh", script, dir)
	cmd.Env = append(os.Environ(), "SOFTHSM2_MODULE="+hsmModule)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make-token.sh: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "sat-key.der")); !os.IsNotExist(err) {
		t.Fatal("the decrypted key was left behind")
	}
	env := append(os.Environ(), "SOFTHSM2_CONF="+filepath.Join(dir, "softhsm2.conf"))
	run := func(name string, args ...string) string {
		t.Helper()
		c := exec.Command(name, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	objs := run(p11, "--module", hsmModule, "--token-label", "efirma-sat", "--login", "--pin", "123456", "-O")
	for _, want := range []string{"Private Key Object; RSA", "Certificate Object", "x500UniqueIdentifier=EKU9003173C9"} {
		if !strings.Contains(objs, want) {
			t.Fatalf("token lacks %q:\n%s", want, objs)
		}
	}
	msg, sig := filepath.Join(dir, "msg"), filepath.Join(dir, "sig")
	if err := os.WriteFile(msg, []byte("||cadena original||"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(p11, "--module", hsmModule, "--token-label", "efirma-sat", "--login", "--pin", "123456",
		"--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", msg, "-o", sig)
	pub := filepath.Join(dir, "pub.pem")
	fixture := filepath.Join("..", "..", "..", "shared", "fixtures", "sat", "eku9003173c9-fiel", "certificate.cer")
	run(openssl, "x509", "-inform", "DER", "-in", fixture, "-pubkey", "-noout", "-out", pub)
	if out := run(openssl, "dgst", "-sha256", "-verify", pub, "-signature", sig, msg); !strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl: %s", out)
	}
}
