package server

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat/keyfile"
)

// TestDamagedStoredFiles (issue 13 §5): a stored .key or .pfx damaged
// after the import, a deleted .key, and an entry that is a file are named
// "el archivo guardado está dañado; vuelva a importar su e.firma"
// (ERR_BAD_CREDENTIAL_FILE, variant storedDamaged), never a wrong
// password and never a counted failed try; a deleted .key is listed as not
// usable.
func TestDamagedStoredFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, entry string)
		listed bool // still listed (not usable)
	}{
		{"a byte of the stored key changed", func(t *testing.T, entry string) {
			p := filepath.Join(entry, "private_key.key")
			b, _ := os.ReadFile(p)
			b[len(b)-5] ^= 0x55
			os.WriteFile(p, b, 0o600)
		}, true},
		{"the stored key cut short", func(t *testing.T, entry string) {
			p := filepath.Join(entry, "private_key.key")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, true},
		{"the stored key deleted", func(t *testing.T, entry string) {
			os.Remove(filepath.Join(entry, "private_key.key"))
		}, true},
		{"the entry is a file", func(t *testing.T, entry string) {
			// The files first: under Wine 8, Go's RemoveAll cannot delete a
			// non-empty folder (make windows-check).
			os.Remove(filepath.Join(entry, "certificate.cer"))
			os.Remove(filepath.Join(entry, "private_key.key"))
			os.RemoveAll(entry)
			os.WriteFile(entry, []byte("x"), 0o600)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false, "fiel-fisica")
			id := f.ids["fiel-fisica"]
			tc.damage(t, filepath.Join(f.st.Dir(), id))

			var list protocol.ListResult
			if e := f.call(t, protocol.CmdListCertificates, nil, &list); e != nil {
				t.Fatal(e)
			}
			found := false
			for _, c := range list.Certificates {
				if c.ID == id {
					found = true
					if c.Usable || !strings.Contains(c.Reason, "dañado") {
						t.Errorf("listed as %+v, want not usable and why", c)
					}
				}
			}
			if found != tc.listed {
				t.Errorf("listed = %v, want %v (%+v)", found, tc.listed, list)
			}
			p := protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: id, Password: password}
			for i := 0; i < 2; i++ {
				e := f.call(t, protocol.CmdAuthenticate, p, nil)
				if e == nil || e.Code != protocol.ErrBadCredentialFile || e.Details["variant"] != "storedDamaged" {
					t.Fatalf("authenticate: %+v, want ERR_BAD_CREDENTIAL_FILE storedDamaged", e)
				}
				if e.Message != "El archivo guardado de esta e.firma está dañado." || !strings.Contains(e.Hint, "Vuelva a importar su e.firma") {
					t.Fatalf("message %q, hint %q", e.Message, e.Hint)
				}
				if _, counted := e.Details["attempts"]; counted {
					t.Fatalf("a damaged file counted as a failed try: %+v", e.Details)
				}
			}
			// Importing again repairs it.
			cer, key := readCred(t, "fiel-fisica")
			if tc.name == "the entry is a file" {
				os.Remove(filepath.Join(f.st.Dir(), id))
			}
			if e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(cer), PrivateKey: b64s(key), Password: password}, nil); e != nil {
				t.Fatal(e)
			}
			if e := f.call(t, protocol.CmdAuthenticate, p, nil); e != nil {
				t.Fatalf("after importing again: %+v", e)
			}
		})
	}
}

func b64s(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestImportUnencryptedKey (issue 13 §2): in host mode an unencrypted key,
// with or without a password, is ERR_BAD_CREDENTIAL_FILE variant
// unencryptedKey until newPassword comes; then it is stored encrypted and
// signs with the new password only. Files of the wrong kind say so.
func TestImportUnencryptedKey(t *testing.T) {
	f := newFixture(t, false)
	cer, key := readCred(t, "fiel-fisica")
	k, err := keyfile.DecryptKey(key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	plainPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for _, pw := range []string{"", password} {
		e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(cer), PrivateKey: b64s(plainPEM), Password: pw}, nil)
		if e == nil || e.Code != protocol.ErrBadCredentialFile || e.Details["variant"] != "unencryptedKey" || !strings.Contains(e.Message, "llave sin cifrar") {
			t.Fatalf("password %q: %+v", pw, e)
		}
	}
	if e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(cer), PrivateKey: b64s(plainPEM), NewPassword: "corta"}, nil); e == nil || e.Details["variant"] != "newPasswordShort" {
		t.Fatalf("short new password: %+v", e)
	}
	long := strings.Repeat("ñ", protocol.MaxPasswordBytes/2+1) // over MaxPasswordBytes, as the password
	if e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(cer), PrivateKey: b64s(plainPEM), NewPassword: long}, nil); e == nil || e.Code != protocol.ErrBadRequest || e.Details["maxPasswordBytes"] != float64(protocol.MaxPasswordBytes) {
		t.Fatalf("new password over %d bytes: %+v", protocol.MaxPasswordBytes, e)
	}
	if e := f.call(t, protocol.CmdImportCredential, map[string]any{"certificate": b64s(cer), "privateKey": b64s(plainPEM), "newPassword": 12345678}, nil); e == nil || e.Code != protocol.ErrBadRequest {
		t.Fatalf("numeric new password: %+v", e)
	}
	var r protocol.ImportResult
	if e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(cer), PrivateKey: b64s(plainPEM), NewPassword: "Nueva-Clave-2026"}, &r); e != nil {
		t.Fatal(e)
	}
	if !r.KeyEncrypted || r.ID == "" || r.RFC == "" {
		t.Fatalf("result %+v", r)
	}
	stored, err := os.ReadFile(filepath.Join(f.st.Dir(), r.ID, "private_key.key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.ParseUnencryptedKey(stored); err == nil || strings.Contains(string(stored), "PRIVATE KEY") {
		t.Fatal("the stored key is unencrypted")
	}
	p := protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: challenge, CertificateID: r.ID, Password: "Nueva-Clave-2026"}
	if e := f.call(t, protocol.CmdAuthenticate, p, nil); e != nil {
		t.Fatalf("sign in with the new password: %+v", e)
	}
	p.Password = password
	if e := f.call(t, protocol.CmdAuthenticate, p, nil); e == nil || e.Code != protocol.ErrWrongPassword {
		t.Fatalf("the old password: %+v", e)
	}
	// A certificate as the key, a key as the certificate.
	for _, c := range []struct {
		cer, key []byte
		variant  string
	}{{cer, cer, "certificateNotKey"}, {key, key, "keyNotCertificate"}, {cer, key[:len(key)-300], "damaged"}} {
		e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(c.cer), PrivateKey: b64s(c.key), Password: password}, nil)
		if e == nil || e.Code != protocol.ErrBadCredentialFile || e.Details["variant"] != c.variant {
			t.Errorf("%s: %+v", c.variant, e)
		}
	}
}

// TestDiskFaultsHaveCodes (issue 13 §5): in host mode, an import into a
// full disk is ERR_DISK_FULL and into a read-only store folder
// ERR_STORE_READ_ONLY (a remove there too), each with its Spanish text;
// nothing stored is lost. As root (chmod does not stop root) the full disk
// is a 64 KiB tmpfs and the read-only folder a tmpfs mounted read-only;
// otherwise the read-only folder is a chmod 0500 folder and the full-disk
// case is skipped.
func TestDiskFaultsHaveCodes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("tmpfs and chmod: Linux")
	}
	cer, key := readCred(t, "fiel-fisica")
	mount := func(t *testing.T, opts string) string {
		dir := t.TempDir()
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs (%v: %s)", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
		return dir
	}
	root := os.Geteuid() == 0

	t.Run("full disk", func(t *testing.T) {
		if !root {
			t.Skip("a full disk needs a tmpfs (root)")
		}
		dir := mount(t, "size=64k,mode=0700")
		f := newFixture(t, false)
		st := store.New(filepath.Join(dir, "store"))
		if _, err := st.ImportSAT(cer, key, []byte(password)); err != nil {
			t.Fatal(err)
		}
		// Fill the rest of the disk.
		fill, _ := os.Create(filepath.Join(dir, "relleno"))
		buf := make([]byte, 4096)
		for {
			if _, err := fill.Write(buf); err != nil {
				break
			}
		}
		fill.Close()
		f.srv = New(Options{Store: st, Log: f.srv.opt.Log, Now: f.srv.opt.Now})
		other, otherKey := readCred(t, "fiel-moral")
		e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(other), PrivateKey: b64s(otherKey), Password: password}, nil)
		if e == nil || e.Code != protocol.ErrDiskFull || !strings.Contains(e.Message, "disco") || !strings.Contains(e.Hint, "Libere espacio") {
			t.Fatalf("import on a full disk: %+v", e)
		}
		var list protocol.ListResult
		if e := f.call(t, protocol.CmdListCertificates, nil, &list); e != nil || len(list.Certificates) != 1 {
			t.Fatalf("what was stored before: %+v %+v", list, e)
		}
	})

	t.Run("read-only folder", func(t *testing.T) {
		var storeDir string
		st := func() *store.Store { return store.New(storeDir) }
		if root {
			dir := mount(t, "size=1m,mode=0700")
			storeDir = filepath.Join(dir, "store")
			if _, err := st().ImportSAT(cer, key, []byte(password)); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
				t.Skipf("cannot remount read-only: %v %s", err, out)
			}
		} else {
			storeDir = filepath.Join(t.TempDir(), "store")
			if _, err := st().ImportSAT(cer, key, []byte(password)); err != nil {
				t.Fatal(err)
			}
			os.Chmod(storeDir, 0o500)
			t.Cleanup(func() { os.Chmod(storeDir, 0o700) })
		}
		f := newFixture(t, false)
		f.srv = New(Options{Store: st(), Log: f.srv.opt.Log, Now: f.srv.opt.Now})
		other, otherKey := readCred(t, "fiel-moral")
		e := f.call(t, protocol.CmdImportCredential, protocol.ImportParams{Certificate: b64s(other), PrivateKey: b64s(otherKey), Password: password}, nil)
		if e == nil || e.Code != protocol.ErrStoreReadOnly || !strings.Contains(e.Message, "solo lectura") {
			t.Fatalf("import into a read-only folder: %+v", e)
		}
		var list protocol.ListResult
		if e := f.call(t, protocol.CmdListCertificates, nil, &list); e != nil || len(list.Certificates) != 1 {
			t.Fatalf("what was stored before: %+v %+v", list, e)
		}
		e = f.call(t, protocol.CmdRemoveCredential, protocol.RemoveParams{CertificateID: list.Certificates[0].ID}, nil)
		if e == nil || e.Code != protocol.ErrStoreReadOnly {
			t.Fatalf("remove in a read-only folder: %+v", e)
		}
	})
}
