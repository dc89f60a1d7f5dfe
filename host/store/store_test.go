package store_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

const (
	testdata = "../../testdata"
	fixtures = "../../../shared/fixtures/sat" // real SAT test credentials, never copied
	password = "12345678a"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cred(t *testing.T, name string) (cer, key []byte) {
	t.Helper()
	return read(t, filepath.Join(testdata, "creds", name, "certificate.cer")), read(t, filepath.Join(testdata, "creds", name, "private_key.key"))
}

func fixturesDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(fixtures, "README.md")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("SAT fixtures missing at %s (required under CI=true): %v", fixtures, err)
		}
		t.Skipf("SAT fixtures not found at %s", fixtures)
	}
	return fixtures
}

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(filepath.Join(t.TempDir(), "home", "store"))
}

// snapshot maps every path under dir to its mode and contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		v := info.Mode().String()
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			v += " " + string(h[:])
		}
		out[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

var idPattern = regexp.MustCompile(`^(file|pkcs12)-[0-9a-f]{24}$`)

func TestImportSAT(t *testing.T) {
	s := newStore(t)
	cer, key := cred(t, "fiel-fisica")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatalf("ImportSAT: %v", err)
	}
	if !idPattern.MatchString(c.ID()) || !strings.HasPrefix(c.ID(), "file-") {
		t.Errorf("id %q", c.ID())
	}
	if c.ID() != store.IDFor(protocol.SourceFile, cer) || c.Source() != protocol.SourceFile {
		t.Errorf("id %q source %q", c.ID(), c.Source())
	}
	if !bytes.Equal(c.Certificate().Raw, cer) {
		t.Error("certificate differs")
	}
	entry := filepath.Join(s.Dir(), c.ID())
	// The key is kept exactly as issued, the certificate as DER.
	if got := read(t, filepath.Join(entry, "private_key.key")); !bytes.Equal(got, key) {
		t.Error("stored private_key.key is not byte-identical to the input")
	}
	if got := read(t, filepath.Join(entry, "certificate.cer")); !bytes.Equal(got, cer) {
		t.Error("stored certificate.cer differs from the input")
	}
	if runtime.GOOS != "windows" {
		checkPerm(t, s.Dir(), 0o700)
		checkPerm(t, entry, 0o700)
		checkPerm(t, filepath.Join(entry, "private_key.key"), 0o600)
		checkPerm(t, filepath.Join(entry, "certificate.cer"), 0o600)
	}
	entries, _ := os.ReadDir(entry)
	if len(entries) != 3 {
		t.Errorf("entry holds %d files, want certificate.cer, private_key.key and checksums", len(entries))
	}
	noPasswordIn(t, s.Dir(), password)

	// It is listed and can be fetched and unlocked.
	list, warns, err := s.List(context.Background())
	if err != nil || len(warns) != 0 || len(list) != 1 || list[0].ID() != c.ID() {
		t.Fatalf("List = %v, %v, %v", list, warns, err)
	}
	got, err := s.Get(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	signWith(t, got, password)
	if _, _, err := got.Unlock(context.Background(), []byte("12345678b"), keys.UnlockOptions{}); !errors.Is(err, sat.ErrWrongPassword) {
		t.Errorf("Unlock with a wrong password: %v", err)
	}
	var info protocol.CertInfo
	got.Decorate(&info)
	if !info.Usable {
		t.Error("stored file credential not usable")
	}
}

func TestImportSATPEMCertificate(t *testing.T) {
	s := newStore(t)
	cer, key := cred(t, "fiel-moral")
	c, err := s.ImportSAT(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cer}), key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	// Same id as from DER, and stored as DER.
	if c.ID() != store.IDFor(protocol.SourceFile, cer) {
		t.Errorf("PEM import id %s differs from the DER id", c.ID())
	}
	if got := read(t, filepath.Join(s.Dir(), c.ID(), "certificate.cer")); !bytes.Equal(got, cer) {
		t.Error("certificate not stored as DER")
	}
}

// checkPerm checks Unix permission bits. Unix-only: on Windows Go reports
// 0666/0444 from the read-only attribute and access is governed by the
// folder's ACL, which Wine cannot show (docs/DEPLOYMENT.md).
func checkPerm(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

// noPasswordIn fails if the password appears in any stored file, as bytes
// or as UTF-16 (either byte order).
func noPasswordIn(t *testing.T, dir, pw string) {
	t.Helper()
	var u16le, u16be []byte
	for _, r := range pw {
		u16le = append(u16le, byte(r), 0)
		u16be = append(u16be, 0, byte(r))
	}
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b := read(t, p)
		for _, needle := range [][]byte{[]byte(pw), u16le, u16be} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s contains the password", p)
			}
		}
		return nil
	})
	if n == 0 {
		t.Error("no stored files to scan")
	}
}

func signWith(t *testing.T, c keys.Credential, pw string) {
	t.Helper()
	signer, release, err := c.Unlock(context.Background(), []byte(pw), keys.UnlockOptions{})
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	defer release()
	msg := []byte("||cadena original||")
	d := sha256.Sum256(msg)
	sig, err := signer.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Certificate().CheckSignature(c.Certificate().SignatureAlgorithm, msg, sig); err != nil {
		// The certificate's own algorithm is SHA256-RSA for SAT and testdata.
		t.Fatalf("signature does not verify with the certificate: %v", err)
	}
}

func TestImportSATErrorsLeaveStoreUnchanged(t *testing.T) {
	s := newStore(t)
	goodCer, goodKey := cred(t, "fiel-fisica")
	if _, err := s.ImportSAT(goodCer, goodKey, []byte(password)); err != nil {
		t.Fatal(err)
	}
	mmCer, mmKey := cred(t, "mismatch")
	tests := []struct {
		name     string
		cer, key []byte
		pw       string
		want     error
	}{
		{"wrong password", goodCer, goodKey, "12345678b", sat.ErrWrongPassword},
		{"empty password", goodCer, goodKey, "", sat.ErrEmptyPassword},
		{"mismatched pair", mmCer, mmKey, password, sat.ErrKeyMismatch},
		{"key is a certificate", goodCer, goodCer, password, sat.ErrNotAKey},
		{"certificate is a key", goodKey, goodKey, password, sat.ErrBadCertificate},
		{"empty certificate", nil, goodKey, password, sat.ErrBadCertificate},
		{"random key", goodCer, bytes.Repeat([]byte{0x42}, 1298), password, sat.ErrNotAKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s.Dir())
			c, err := s.ImportSAT(tt.cer, tt.key, []byte(tt.pw))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if c != nil {
				t.Error("credential returned with an error")
			}
			if !sameSnapshot(before, snapshot(t, s.Dir())) {
				t.Error("a failed import changed the store")
			}
		})
	}
	// A failed first import into an empty home creates nothing at all.
	empty := newStore(t)
	if _, err := empty.ImportSAT(mmCer, mmKey, []byte(password)); !errors.Is(err, sat.ErrKeyMismatch) {
		t.Fatal(err)
	}
	if _, err := os.Stat(empty.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("failed import created the store folder: %v", err)
	}
}

func TestReimportIsIdempotent(t *testing.T) {
	s := newStore(t)
	cer, key := cred(t, "csd-moral")
	first, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir())
	second, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if first.ID() != second.ID() {
		t.Errorf("ids differ: %s, %s", first.ID(), second.ID())
	}
	if !sameSnapshot(before, snapshot(t, s.Dir())) {
		t.Errorf("re-import changed the store:\n%v\n%v", keysOf(before), keysOf(snapshot(t, s.Dir())))
	}
	list, _, _ := s.List(context.Background())
	if len(list) != 1 {
		t.Errorf("%d entries after re-import", len(list))
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSeveralCredentials(t *testing.T) {
	s := newStore(t)
	var ids []string
	for _, name := range []string{"fiel-fisica", "fiel-moral", "csd-moral", "fiel-enie", "fiel-ampersand", "fiel-expired", "not-sat"} {
		cer, key := cred(t, name)
		c, err := s.ImportSAT(cer, key, []byte(password))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids = append(ids, c.ID())
	}
	sort.Strings(ids)
	list, warns, err := s.List(context.Background())
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.ID())
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("List ids %v, want sorted %v", got, ids)
	}
}

func TestListEmptyAndBrokenEntries(t *testing.T) {
	s := newStore(t)
	list, warns, err := s.List(context.Background())
	if err != nil || len(list) != 0 || len(warns) != 0 {
		t.Fatalf("missing store: %v %v %v", list, warns, err)
	}
	cer, key := cred(t, "fiel-fisica")
	good, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	// An entry with a broken certificate and one whose certificate does not
	// match its name are warnings; hidden folders and stray files are
	// ignored.
	broken := filepath.Join(s.Dir(), "file-000000000000000000000000")
	mustWrite(t, filepath.Join(broken, "certificate.cer"), []byte("garbage"))
	otherCer, _ := cred(t, "fiel-moral")
	renamed := filepath.Join(s.Dir(), "file-111111111111111111111111")
	mustWrite(t, filepath.Join(renamed, "certificate.cer"), otherCer)
	mustWrite(t, filepath.Join(s.Dir(), ".import-123", "certificate.cer"), otherCer)
	mustWrite(t, filepath.Join(s.Dir(), "stray.txt"), []byte("x"))
	list, warns, err = s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID() != good.ID() {
		t.Errorf("List = %v", list)
	}
	if len(warns) != 2 {
		t.Errorf("warnings %q, want 2", warns)
	}
	if _, err := s.Get("file-111111111111111111111111"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of an entry that does not match its certificate: %v, want a non-NotFound error", err)
	}
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestGetAndRemoveRefuseMaliciousIDs(t *testing.T) {
	root := t.TempDir()
	s := store.New(filepath.Join(root, "store"))
	cer, key := cred(t, "fiel-fisica")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	// A folder outside the store shaped like an entry must stay untouched.
	victim := filepath.Join(root, "victim")
	mustWrite(t, filepath.Join(victim, "certificate.cer"), cer)
	h := strings.TrimPrefix(c.ID(), "file-")
	for _, id := range []string{
		"", "../x", "../victim", "file-../../etc", "file-../victim", "file-" + h + "/../../victim",
		"/etc/passwd", "file-" + strings.ToUpper(h) + "x", "file-" + h[:23], "file-" + h + "0",
		"pkcs11-" + h, "file-" + strings.Repeat("g", 24), "file-" + h + "\x00", c.ID() + "/",
		`file-..\..\victim`, ".", "..",
	} {
		if _, err := s.Get(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
		if err := s.Remove(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Remove(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := os.Stat(filepath.Join(victim, "certificate.cer")); err != nil {
		t.Fatalf("folder outside the store was touched: %v", err)
	}
	if _, err := s.Get(c.ID()); err != nil {
		t.Fatalf("the real entry is gone: %v", err)
	}
	// An id that is well formed but absent.
	if _, err := s.Get("file-" + strings.Repeat("a", 24)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("absent id: %v", err)
	}
}

func TestRemove(t *testing.T) {
	s := newStore(t)
	cer, key := cred(t, "fiel-fisica")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.ImportSAT(cred2(t, "fiel-moral"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(c.ID()); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := s.Get(c.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Remove: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), c.ID())); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry folder still there: %v", err)
	}
	if err := s.Remove(c.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	list, _, _ := s.List(context.Background())
	if len(list) != 1 || list[0].ID() != other.ID() {
		t.Errorf("the other credential was affected: %v", list)
	}
}

func cred2(t *testing.T, name string) ([]byte, []byte, []byte) {
	cer, key := cred(t, name)
	return cer, key, []byte(password)
}

// opened is a testdata credential's certificate (as stored and parsed) and
// its key, opened with the password.
func opened(t *testing.T, name string) (cer, key []byte, c *x509.Certificate, signer crypto.Signer) {
	t.Helper()
	cer, key = cred(t, name)
	c, err := sat.ParseCertificate(cer)
	if err != nil {
		t.Fatal(err)
	}
	if signer, err = keyfile.DecryptKey(key, []byte(password)); err != nil {
		t.Fatal(err)
	}
	return cer, key, c, signer
}

func TestImportPFXGenerated(t *testing.T) {
	cer, _, c, signer := opened(t, "fiel-moral")
	modern, err := keyfile.EncodePFX(signer, c, []byte("otra-clave-123"))
	if err != nil {
		t.Fatal(err)
	}
	legacy := opensslPFX(t, signer, cer, "otra-clave-123", "-legacy")
	legacyDES := opensslPFX(t, signer, cer, "otra-clave-123", "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1")
	for name, pfx := range map[string][]byte{"modern": modern, "legacy RC2": legacy, "legacy 3DES": legacyDES} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			got, err := s.ImportPFX(pfx, []byte("otra-clave-123"))
			if err != nil {
				t.Fatalf("ImportPFX: %v", err)
			}
			if got.Source() != protocol.SourcePKCS12 || got.ID() != store.IDFor(protocol.SourcePKCS12, cer) {
				t.Errorf("id %s source %s", got.ID(), got.Source())
			}
			entry := filepath.Join(s.Dir(), got.ID())
			if !bytes.Equal(read(t, filepath.Join(entry, "credential.pfx")), pfx) {
				t.Error("stored .pfx is not byte-identical to the input")
			}
			checkPerm(t, filepath.Join(entry, "credential.pfx"), 0o600)
			noPasswordIn(t, s.Dir(), "otra-clave-123")
			again, err := s.Get(got.ID())
			if err != nil || again.Source() != protocol.SourcePKCS12 {
				t.Fatalf("Get: %v", err)
			}
			signWith(t, again, "otra-clave-123")
			if _, _, err := again.Unlock(context.Background(), []byte("wrong"), keys.UnlockOptions{}); !errors.Is(err, sat.ErrWrongPassword) {
				t.Errorf("Unlock with wrong password: %v", err)
			}
		})
	}
}

func TestImportPFXErrors(t *testing.T) {
	cer, key := cred(t, "fiel-fisica")
	c, _ := sat.ParseCertificate(cer)
	signer, err := keyfile.DecryptKey(key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := keyfile.EncodePFX(signer, c, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	// A .pfx whose key is not its certificate's (sat.ErrKeyMismatch) is
	// tested in sat/keyfile (TestPFXKeyMismatch): neither openssl nor
	// keyfile.EncodePFX writes one.
	truncated := pfx[:len(pfx)/2]
	tests := []struct {
		name string
		pfx  []byte
		pw   string
		want error
	}{
		{"wrong password", pfx, "12345678b", sat.ErrWrongPassword},
		{"empty password on a protected pfx", pfx, "", sat.ErrWrongPassword},
		{"random bytes", bytes.Repeat([]byte{0x30, 0x82}, 500), password, store.ErrBadPFX},
		{"truncated", truncated, password, store.ErrBadPFX},
		{"empty", nil, password, store.ErrBadPFX},
		{"a certificate", cer, password, store.ErrBadPFX},
		{"too large", make([]byte, protocol.MaxCredentialFileBytes+1), password, store.ErrBadPFX},
	}
	s := newStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s.Dir())
			if _, err := s.ImportPFX(tt.pfx, []byte(tt.pw)); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !sameSnapshot(before, snapshot(t, s.Dir())) {
				t.Error("failed import changed the store")
			}
		})
	}
}

// TestImportFixturePFX imports SAT's .pfx files from the fixtures.
func TestImportFixturePFX(t *testing.T) {
	dir := filepath.Join(fixturesDir(t), "aaa010101aaa-csd")
	cer := read(t, filepath.Join(dir, "certificate.cer"))
	for _, tt := range []struct{ file, pw string }{
		{"credential_protected.pfx", password},
		{"credential_unprotected.pfx", ""},
	} {
		t.Run(tt.file, func(t *testing.T) {
			s := newStore(t)
			pfx := read(t, filepath.Join(dir, tt.file))
			c, err := s.ImportPFX(pfx, []byte(tt.pw))
			if err != nil {
				t.Fatalf("ImportPFX: %v", err)
			}
			if !bytes.Equal(c.Certificate().Raw, cer) {
				t.Error("imported certificate is not the folder's certificate.cer")
			}
			if f := sat.FactsOf(c.Certificate()); f.RFC != "AAA010101AAA" || f.Type != protocol.TypeCSD {
				t.Errorf("facts %+v", f)
			}
			if !bytes.Equal(read(t, filepath.Join(s.Dir(), c.ID(), "credential.pfx")), pfx) {
				t.Error("stored .pfx differs from the input")
			}
			signWith(t, c, tt.pw)
			if tt.pw != "" {
				if _, err := s.ImportPFX(pfx, []byte("12345678b")); !errors.Is(err, sat.ErrWrongPassword) {
					t.Errorf("wrong password: %v, want sat.ErrWrongPassword", err)
				}
				noPasswordIn(t, s.Dir(), tt.pw)
			}
			corrupt := append([]byte(nil), pfx...)
			corrupt[len(corrupt)/2] ^= 0xff
			corrupt[len(corrupt)/2+1] ^= 0xff
			if _, err := s.ImportPFX(corrupt, []byte(tt.pw)); err == nil || !(errors.Is(err, store.ErrBadPFX) || errors.Is(err, sat.ErrWrongPassword)) {
				t.Errorf("corrupt pfx: %v, want ErrBadPFX (or ErrWrongPassword when the MAC catches it)", err)
			}
			if _, err := s.ImportPFX(pfx[:100], []byte(tt.pw)); !errors.Is(err, store.ErrBadPFX) {
				t.Errorf("truncated pfx: %v, want ErrBadPFX", err)
			}
		})
	}
}

func TestExportPFXRoundTrip(t *testing.T) {
	s := newStore(t)
	cer, key := cred(t, "fiel-enie")
	c, err := s.ImportSAT(cer, key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pfx, err := s.ExportPFX(ctx, c.ID(), []byte(password), []byte("respaldo-2026"))
	if err != nil {
		t.Fatalf("ExportPFX: %v", err)
	}
	// The export opens with the new password only, with our decoder and
	// with openssl (the independent reader), to the same certificate.
	if _, _, err := keyfile.DecodePFX(pfx, []byte(password)); !errors.Is(err, sat.ErrWrongPassword) {
		t.Errorf("exported .pfx with the old password: %v", err)
	}
	k, cert, err := keyfile.DecodePFX(pfx, []byte("respaldo-2026"))
	if err != nil {
		t.Fatalf("decode export: %v", err)
	}
	if !bytes.Equal(cert.Raw, cer) {
		t.Error("exported certificate differs")
	}
	if sat.CheckPair(cert, k) != nil {
		t.Error("exported key does not match")
	}
	openssl := testenv.Tool(t, "openssl")
	out := filepath.Join(t.TempDir(), "respaldo.pfx")
	if err := os.WriteFile(out, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	printed, err := exec.Command(openssl, "pkcs12", "-in", out, "-passin", "pass:respaldo-2026", "-nodes", "-nokeys").Output()
	if err != nil {
		t.Fatalf("openssl cannot open the export: %v", err)
	}
	if b, _ := pem.Decode(printed[bytes.Index(printed, []byte("-----BEGIN")):]); b == nil || !bytes.Equal(b.Bytes, cer) {
		t.Errorf("openssl prints another certificate:\n%s", printed)
	}
	if _, err := exec.Command(openssl, "pkcs12", "-in", out, "-passin", "pass:"+password, "-nodes").Output(); err == nil {
		t.Error("openssl opened the export with the old password")
	}
	// Re-import into another store with the new password.
	s2 := newStore(t)
	c2, err := s2.ImportPFX(pfx, []byte("respaldo-2026"))
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if c2.ID() != store.IDFor(protocol.SourcePKCS12, cer) {
		t.Errorf("re-imported id %s", c2.ID())
	}
	signWith(t, c2, "respaldo-2026")
	// Errors.
	if _, err := s.ExportPFX(ctx, c.ID(), []byte("12345678b"), []byte("respaldo-2026")); !errors.Is(err, sat.ErrWrongPassword) {
		t.Errorf("export with a wrong password: %v", err)
	}
	if _, err := s.ExportPFX(ctx, "file-"+strings.Repeat("0", 24), []byte(password), []byte("x")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("export of an unknown id: %v", err)
	}
	if _, err := s.ExportPFX(ctx, "../x", []byte(password), []byte("x")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("export of a malicious id: %v", err)
	}
}

func TestIDFor(t *testing.T) {
	cer, _ := cred(t, "fiel-fisica")
	a, b := store.IDFor(protocol.SourceFile, cer), store.IDFor(protocol.SourcePKCS12, cer)
	if !idPattern.MatchString(a) || !idPattern.MatchString(b) || a[5:] != b[7:] {
		t.Errorf("ids %s %s", a, b)
	}
	other, _ := cred(t, "fiel-moral")
	if store.IDFor(protocol.SourceFile, other) == a {
		t.Error("two certificates share an id")
	}
	if s := store.New("x"); s.Name() != protocol.SourceFile || s.Dir() != "x" {
		t.Errorf("Name %q Dir %q", s.Name(), s.Dir())
	}
}

// opensslPFX writes key and the DER certificate cer as a .pfx with the real
// openssl pkcs12 -export and password, in the form args ask for.
func opensslPFX(t *testing.T, key crypto.Signer, cer []byte, password string, args ...string) []byte {
	t.Helper()
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, certPath, out := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "out.pfx")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cer}), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := append([]string{"pkcs12", "-export", "-inkey", keyPath, "-in", certPath, "-out", out, "-passout", "pass:" + password}, args...)
	if b, err := exec.Command(openssl, cmd...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", cmd, err, b)
	}
	return read(t, out)
}

// An entry stored before checksums existed gets its checksums file on its
// first unlock with the right password (the key opened and matched the
// certificate, so both files are known good then); from then on a changed
// key file is named as damage, never a wrong password. A wrong password, or
// a key file changed before that unlock, records nothing.
func TestOlderEntryGetsChecksumsOnFirstUnlock(t *testing.T) {
	cer, key, parsed, signer := opened(t, "fiel-fisica")
	pfx, err := keyfile.EncodePFX(signer, parsed, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]func(s *store.Store) (keys.Credential, error){
		"cer+key": func(s *store.Store) (keys.Credential, error) { return s.ImportSAT(cer, key, []byte(password)) },
		"pfx":     func(s *store.Store) (keys.Credential, error) { return s.ImportPFX(pfx, []byte(password)) },
	}
	for name, imp := range imports {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			c, err := imp(s)
			if err != nil {
				t.Fatal(err)
			}
			entry := filepath.Join(s.Dir(), c.ID())
			sumsPath := filepath.Join(entry, "checksums")
			want := read(t, sumsPath) // what an import writes
			keyName := "private_key.key"
			if c.Source() == protocol.SourcePKCS12 {
				keyName = "credential.pfx"
			}
			older := func() {
				t.Helper()
				if err := os.Remove(sumsPath); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
			unlock := func(pw string) error {
				t.Helper()
				got, err := s.Get(c.ID())
				if err != nil {
					t.Fatal(err)
				}
				_, release, err := got.Unlock(context.Background(), []byte(pw), keys.UnlockOptions{})
				if err == nil {
					release()
				}
				return err
			}

			older()
			if err := unlock("12345678b"); !errors.Is(err, sat.ErrWrongPassword) {
				t.Fatalf("wrong password: %v", err)
			}
			if _, err := os.Stat(sumsPath); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a wrong password recorded checksums: %v", err)
			}
			if err := unlock(password); err != nil {
				t.Fatalf("right password: %v", err)
			}
			if got := read(t, sumsPath); !bytes.Equal(got, want) {
				t.Fatalf("recorded checksums:\n%s\nwant what the import writes:\n%s", got, want)
			}
			if runtime.GOOS != "windows" {
				checkPerm(t, sumsPath, 0o600)
			}
			if entries, _ := os.ReadDir(entry); len(entries) != 3 {
				t.Errorf("entry holds %d files after the upgrade, want 3", len(entries))
			}
			// Now a changed key file is damage, not a wrong password.
			orig := read(t, filepath.Join(entry, keyName))
			changed := bytes.Clone(orig)
			changed[len(changed)/2] ^= 0xff
			if err := os.WriteFile(filepath.Join(entry, keyName), changed, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := unlock(password); !errors.Is(err, store.ErrStoredDamaged) {
				t.Errorf("changed key file after the upgrade: %v, want ErrStoredDamaged", err)
			}

			// An older entry whose key file changed before any unlock: the
			// unlock fails, and nothing is recorded over the changed file.
			older()
			if err := unlock(password); err == nil {
				t.Fatal("a changed key file opened")
			}
			if _, err := os.Stat(sumsPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed unlock recorded checksums: %v", err)
			}
			if err := os.WriteFile(filepath.Join(entry, keyName), orig, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := unlock(password); err != nil || !bytes.Equal(read(t, sumsPath), want) {
				t.Errorf("restored key: %v; checksums recorded: %v", err, bytes.Equal(read(t, sumsPath), want))
			}

			// A file changed between reading the entry and its unlock (here
			// the same certificate rewritten as PEM by someone else): the
			// unlock still opens the key, but what is recorded must be what
			// is on disk, so nothing is recorded then; the next unlock reads
			// the entry anew and records the PEM file.
			older()
			got, err := s.Get(c.ID())
			if err != nil {
				t.Fatal(err)
			}
			pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cer})
			if err := os.WriteFile(filepath.Join(entry, "certificate.cer"), pemCert, 0o600); err != nil {
				t.Fatal(err)
			}
			_, release, err := got.Unlock(context.Background(), []byte(password), keys.UnlockOptions{})
			if err != nil {
				t.Fatalf("unlock after the certificate was rewritten: %v", err)
			}
			release()
			if _, err := os.Stat(sumsPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("checksums recorded over a file changed since it was read: %v", err)
			}
			if err := unlock(password); err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256(pemCert)
			if !strings.Contains(string(read(t, sumsPath)), hex.EncodeToString(h[:])+"  certificate.cer\n") {
				t.Errorf("the next unlock recorded:\n%s\nwant the PEM certificate's checksum", read(t, sumsPath))
			}
			// A .tmp file left by a process that died mid-write is removed.
			older()
			if err := os.WriteFile(filepath.Join(entry, ".checksums.tmp"), []byte("half"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := unlock(password); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(entry, ".checksums.tmp")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a leftover .checksums.tmp stays: %v", err)
			}
		})
	}
}
