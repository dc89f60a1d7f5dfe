package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/chromerig"
	"github.com/efirma/conector/internal/testenv"
)

// TestImportUnencryptedKey (issue 13 §2): in «Mis certificados» a .key
// someone decrypted (unencrypted PKCS#8 PEM) with the SAT test FIEL's .cer,
// and no password: the host says it is an unencrypted key and the page
// shows the new-password step; two different new passwords are refused on
// the page; the same one twice imports it, the page says the key was
// stored encrypted, and the stored file opens (openssl) with the new
// password only.
func TestImportUnencryptedKey(t *testing.T) {
	r := newRig(t)
	openssl := testenv.Tool(t, "openssl")
	home := t.TempDir()
	r.useHost(t, r.efirma, home, chromerig.HostOptions{})
	fiel := filepath.Join(r.fixtures, "eku9003173c9-fiel")
	plain := filepath.Join(t.TempDir(), "llave-descifrada.pem")
	if out, err := exec.Command(openssl, "pkcs8", "-inform", "DER", "-in", filepath.Join(fiel, "private_key.key"), "-passin", "pass:12345678a", "-out", plain).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}

	ctx, cancel := r.tab(r.b.ExtensionURL("options.html"))
	defer cancel()
	type shown struct{ Class, Text, Code string }
	message := func() shown {
		t.Helper()
		m, err := waitJS[shown](ctx, `!document.querySelector("#mensaje").hidden && {class: document.querySelector("#mensaje").className, text: document.querySelector("#mensaje").textContent, code: document.querySelector("#mensaje").dataset.code || ""}`, 20*time.Second)
		if err != nil {
			t.Fatalf("no message: %v", err)
		}
		return m
	}
	hide := func() {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#mensaje").hidden = true`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitReady(chromedp.CSS("#importar-boton")),
		chromedp.SetUploadFiles(chromedp.CSS("#cer"), []string{filepath.Join(fiel, "certificate.cer")}),
		chromedp.SetUploadFiles(chromedp.CSS("#key"), []string{plain}),
		chromedp.Click(chromedp.CSS("#importar-boton")),
	); err != nil {
		t.Fatal(err)
	}
	m := message()
	if m.Code != "ERR_BAD_CREDENTIAL_FILE" || m.Class != "error" ||
		(!strings.Contains(m.Text, i18n.T(i18n.ES, "code.ERR_BAD_CREDENTIAL_FILE.unencryptedKey")) && !strings.Contains(m.Text, i18n.T(i18n.EN, "code.ERR_BAD_CREDENTIAL_FILE.unencryptedKey"))) {
		t.Fatalf("an unencrypted key: %+v", m)
	}
	if visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("#nueva-contrasena").hidden`)); !visible {
		t.Fatal("the new-password step is not shown")
	}

	hide()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#key-new-password"), "Nueva-Clave-2026"),
		chromedp.SendKeys(chromedp.CSS("#key-new-password2"), "Nueva-Clave-2027"),
		chromedp.Click(chromedp.CSS("#importar-boton")),
	); err != nil {
		t.Fatal(err)
	}
	if m := message(); m.Class != "error" || !strings.Contains(m.Text, r.msg("options_new_password_mismatch")) {
		t.Fatalf("two different new passwords: %+v", m)
	}
	if ents, _ := os.ReadDir(filepath.Join(home, "store")); countEntries(ents) != 0 {
		t.Fatal("something was stored before the new password was confirmed")
	}

	hide()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#key-new-password2").value = "", true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#key-new-password2"), "Nueva-Clave-2026"),
		chromedp.Click(chromedp.CSS("#importar-boton")),
	); err != nil {
		t.Fatal(err)
	}
	m = message()
	want := r.msg("options_imported_encrypted", "EKU9003173C9 30001000000500003416")
	if m.Class != "ok" || !strings.Contains(m.Text, strings.SplitN(want, ".", 3)[1]) {
		t.Fatalf("import with the new password: %+v (want like %q)", m, want)
	}
	keys, _ := filepath.Glob(filepath.Join(home, "store", "file-*", "private_key.key"))
	if len(keys) != 1 {
		t.Fatalf("stored keys: %v", keys)
	}
	stored, _ := os.ReadFile(keys[0])
	if strings.Contains(string(stored), "PRIVATE KEY") {
		t.Fatal("the stored key is the unencrypted PEM")
	}
	if out, err := exec.Command(openssl, "pkey", "-inform", "DER", "-in", keys[0], "-passin", "pass:Nueva-Clave-2026", "-noout").CombinedOutput(); err != nil {
		t.Fatalf("the stored key does not open with the new password: %v\n%s", err, out)
	}
	if err := exec.Command(openssl, "pkey", "-inform", "DER", "-in", keys[0], "-passin", "pass:", "-noout").Run(); err == nil {
		t.Fatal("the stored key opens without a password")
	}
}

func countEntries(ents []os.DirEntry) int {
	n := 0
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}
