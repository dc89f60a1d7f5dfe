package keyfile_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

// opensslRun runs openssl and fails the test with its output.
func opensslRun(t *testing.T, openssl string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(openssl, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// pemFiles writes key (PKCS#8, unencrypted) and cert as PEM files in dir.
func pemFiles(t *testing.T, dir, name string, key crypto.Signer, cert []byte) (keyPath, certPath string) {
	t.Helper()
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	keyPath = filepath.Join(dir, name+".key.pem")
	certPath = filepath.Join(dir, name+".cer.pem")
	(&testenv.Credential{Cert: c, Key: key}).WritePEM(t, certPath, keyPath)
	return keyPath, certPath
}

// TestDecodePFXFromOpenSSL opens .pfx files written by the real openssl in
// every form people's files take: openssl 3's default (PBES2/AES-256, MAC
// SHA-256), -legacy (certificates RC2-40, key 3DES, MAC SHA-1, as old
// Windows exports), PKCS#12 3DES for both, unencrypted certificates or
// key, other PBES2 ciphers, a chain, an empty password, a password outside
// ASCII (the BMPString), RSA and ECDSA keys. Each opens with its password
// to the key and the certificate that was put in, and each refuses a wrong
// password and a changed byte.
func TestDecodePFXFromOpenSSL(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	rsaCer := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	rsaKey, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key")), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	rsaKeyPath, rsaCerPath := pemFiles(t, dir, "rsa", rsaKey, rsaCer)
	// Other certificates, for a chain in which ours is not alone.
	otherCer := testenv.ReadFile(t, testenv.CredPath(t, "fiel-moral", "certificate.cer"))
	otherKey, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, "fiel-moral", "private_key.key")), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	_, otherCerPath := pemFiles(t, dir, "other", otherKey, otherCer)
	// ECDSA keys with self-signed certificates made by openssl.
	ecKey := map[string]string{}
	for _, curve := range []string{"P-256", "P-384"} {
		k, c := filepath.Join(dir, curve+".key.pem"), filepath.Join(dir, curve+".cer.pem")
		opensslRun(t, openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:"+curve, "-nodes",
			"-keyout", k, "-out", c, "-subj", "/CN=prueba "+curve, "-days", "1")
		ecKey[curve] = k
		ecKey[curve+"cer"] = c
	}
	legacy := []string{"-legacy"} // needs openssl's legacy provider (Debian: ossl-modules/legacy.so)
	const pw = "Respaldo-2026"
	cases := []struct {
		name     string
		key, cer string
		password string
		args     []string
		info     string // what openssl -info must report, showing the form is the one meant
	}{
		{"default", rsaKeyPath, rsaCerPath, pw, nil, "AES-256-CBC"},
		{"legacy", rsaKeyPath, rsaCerPath, pw, legacy, "pbeWithSHA1And40BitRC2-CBC"},
		{"legacy RC2-128", rsaKeyPath, rsaCerPath, pw, []string{"-legacy", "-certpbe", "PBE-SHA1-RC2-128"}, "pbeWithSHA1And128BitRC2-CBC"},
		{"pkcs12 3DES and SHA-1 MAC", rsaKeyPath, rsaCerPath, pw, []string{"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"}, "pbeWithSHA1And3-KeyTripleDES-CBC"},
		{"unencrypted certificates", rsaKeyPath, rsaCerPath, pw, []string{"-certpbe", "NONE"}, "PKCS7 Data"},
		{"unencrypted key and certificates", rsaKeyPath, rsaCerPath, pw, []string{"-keypbe", "NONE", "-certpbe", "NONE"}, "Key bag"},
		{"PBES2 AES-128 and 3DES, SHA-1 MAC", rsaKeyPath, rsaCerPath, pw, []string{"-keypbe", "AES-128-CBC", "-certpbe", "DES-EDE3-CBC", "-macalg", "sha1"}, "AES-128-CBC"},
		{"chain", rsaKeyPath, rsaCerPath, pw, []string{"-certfile", otherCerPath}, "AES-256-CBC"},
		{"empty password", rsaKeyPath, rsaCerPath, "", nil, "AES-256-CBC"},
		{"empty password legacy", rsaKeyPath, rsaCerPath, "", legacy, "RC2"},
		{"password outside ASCII", rsaKeyPath, rsaCerPath, "Contraseña-ÁÉ-€-🔑", nil, "AES-256-CBC"},
		{"password outside ASCII legacy", rsaKeyPath, rsaCerPath, "Contraseña-ÁÉ-€-🔑", legacy, "RC2"},
		{"ECDSA P-256", ecKey["P-256"], ecKey["P-256cer"], pw, nil, "AES-256-CBC"},
		{"ECDSA P-384 legacy", ecKey["P-384"], ecKey["P-384cer"], pw, legacy, "RC2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".pfx")
			args := append([]string{"pkcs12", "-export", "-inkey", c.key, "-in", c.cer, "-passout", "pass:" + c.password, "-out", out}, c.args...)
			opensslRun(t, openssl, args...)
			infoArgs := []string{"pkcs12", "-info", "-noout", "-in", out, "-passin", "pass:" + c.password}
			if len(c.args) > 0 && c.args[0] == "-legacy" {
				infoArgs = append(infoArgs, "-legacy")
			}
			info := string(opensslRun(t, openssl, infoArgs...))
			if !strings.Contains(info, c.info) {
				t.Fatalf("openssl -info does not show %q:\n%s", c.info, info)
			}
			pfx := testenv.ReadFile(t, out)
			certPEM := testenv.ReadFile(t, c.cer)
			block, _ := pem.Decode(certPEM)
			key, cert, err := keyfile.DecodePFX(pfx, []byte(c.password))
			if err != nil {
				t.Fatalf("DecodePFX: %v", err)
			}
			if !bytes.Equal(cert.Raw, block.Bytes) {
				t.Errorf("certificate %q, want %q", cert.Subject, c.cer)
			}
			if err := sat.CheckPair(cert, key); err != nil {
				t.Error(err)
			}
			switch key.(type) {
			case *rsa.PrivateKey, *ecdsa.PrivateKey:
			default:
				t.Errorf("key type %T", key)
			}
			for _, wrong := range []string{"respaldo-2026", c.password + "x"} {
				if _, _, err := keyfile.DecodePFX(pfx, []byte(wrong)); !errors.Is(err, sat.ErrWrongPassword) {
					t.Errorf("password %q: %v, want sat.ErrWrongPassword", wrong, err)
				}
			}
			// A changed byte inside the authenticated content: the MAC
			// no longer matches (a wrong password, as before), or the
			// structure breaks (ErrBadPFX); never a key.
			tampered := bytes.Clone(pfx)
			tampered[len(tampered)/2] ^= 0x01
			if k, _, err := keyfile.DecodePFX(tampered, []byte(c.password)); k != nil || !(errors.Is(err, sat.ErrWrongPassword) || errors.Is(err, sat.ErrBadPFX)) {
				t.Errorf("tampered: %v, want sat.ErrWrongPassword or sat.ErrBadPFX", err)
			}
		})
	}
}

// TestDecodePFXOfSATCredentials builds .pfx files with openssl from real
// SAT test credentials (../shared/fixtures/sat; made in a temporary folder,
// never copied into the repository), in openssl's default and legacy
// forms, and opens them; the fixtures' own .pfx files open too.
func TestDecodePFXOfSATCredentials(t *testing.T) {
	satDir := testenv.SATDir(t)
	for _, folder := range []string{"eku9003173c9-fiel", "eku9003173c9-csd", "ianl750210963-fiel", "he951128469-csd"} {
		cred := testenv.SAT(t, folder)
		for _, form := range [][]string{nil, {"-legacy"}} {
			pfx := cred.PFX(t, password, form...)
			k, c, err := keyfile.DecodePFX(pfx, []byte(password))
			if err != nil {
				t.Errorf("%s %v: %v", folder, form, err)
				continue
			}
			if !bytes.Equal(c.Raw, cred.Cert.Raw) || sat.CheckPair(c, k) != nil {
				t.Errorf("%s %v: another certificate or key", folder, form)
			}
			if _, _, err := keyfile.DecodePFX(pfx, []byte("12345678b")); !errors.Is(err, sat.ErrWrongPassword) {
				t.Errorf("%s %v, wrong password: %v", folder, form, err)
			}
		}
	}
	csd := filepath.Join(satDir, "aaa010101aaa-csd")
	cer := testenv.ReadFile(t, filepath.Join(csd, "certificate.cer"))
	for file, pw := range map[string]string{"credential_protected.pfx": password, "credential_unprotected.pfx": ""} {
		k, c, err := keyfile.DecodePFX(testenv.ReadFile(t, filepath.Join(csd, file)), []byte(pw))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if !bytes.Equal(c.Raw, cer) || sat.CheckPair(c, k) != nil {
			t.Errorf("%s: another certificate or key", file)
		}
	}
}

// TestEncodePFXOpensWithOpenSSL: our export opens with openssl (the
// independent reader) with its password, to the same certificate and key,
// and with our decoder; a wrong password opens neither.
func TestEncodePFXOpensWithOpenSSL(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	for _, name := range []string{"fiel-fisica", "fiel-enie"} {
		cer := testenv.ReadFile(t, testenv.CredPath(t, name, "certificate.cer"))
		cert, err := x509.ParseCertificate(cer)
		if err != nil {
			t.Fatal(err)
		}
		key, err := keyfile.DecryptKey(testenv.ReadFile(t, testenv.CredPath(t, name, "private_key.key")), []byte(password))
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"Respaldo-2026", "Contraseña-€-🔑"} {
			pfx, err := keyfile.EncodePFX(key, cert, []byte(pw))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, name+".pfx")
			if err := os.WriteFile(out, pfx, 0o600); err != nil {
				t.Fatal(err)
			}
			info := string(opensslRun(t, openssl, "pkcs12", "-info", "-noout", "-in", out, "-passin", "pass:"+pw))
			iter := strconv.Itoa(keyfile.PFXIterations)
			for _, want := range []string{"MAC: sha256, Iteration " + iter, "PBES2, PBKDF2, AES-256-CBC, Iteration " + iter + ", PRF hmacWithSHA256", "Shrouded Keybag", "Certificate bag"} {
				if !strings.Contains(info, want) {
					t.Errorf("openssl -info lacks %q:\n%s", want, info)
				}
			}
			text := string(opensslRun(t, openssl, "pkcs12", "-in", out, "-passin", "pass:"+pw, "-nodes"))
			certBlock, keyBlock := pemBlock(text, "CERTIFICATE"), pemBlock(text, "PRIVATE KEY")
			if certBlock == nil || !bytes.Equal(certBlock.Bytes, cer) {
				t.Errorf("%s: openssl prints another certificate", name)
			}
			if keyBlock == nil {
				t.Fatalf("%s: openssl prints no key:\n%s", name, text)
			}
			if k, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes); err != nil || sat.CheckPair(cert, k.(crypto.Signer)) != nil {
				t.Errorf("%s: openssl's key does not match the certificate (%v)", name, err)
			}
			if out, err := exec.Command(openssl, "pkcs12", "-in", out, "-passin", "pass:"+pw+"x", "-nodes").CombinedOutput(); err == nil {
				t.Errorf("openssl opened the export with a wrong password:\n%s", out)
			}
			k, c, err := keyfile.DecodePFX(pfx, []byte(pw))
			if err != nil || !bytes.Equal(c.Raw, cer) || sat.CheckPair(c, k) != nil {
				t.Errorf("our decoder: %v", err)
			}
		}
		if _, err := keyfile.EncodePFX(key, cert, nil); !errors.Is(err, sat.ErrEmptyPassword) {
			t.Errorf("empty password: %v", err)
		}
	}
}

// pemBlock is the first PEM block of type typ in text.
func pemBlock(text, typ string) *pem.Block {
	for rest := []byte(text); ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type == typ {
			return b
		}
	}
}
