package sat_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"github.com/efirma/conector/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
)

// fixtureFacts are the facts of every credential in ../shared/fixtures/sat,
// written from its README and from `openssl x509 -noout -subject -serial`
// (an independent reading), not from this package's output. A new fixture
// folder without an entry here fails the test, so it cannot go unchecked.
var fixtureFacts = map[string]sat.Facts{
	"aaa010101aaa-csd":               {RFC: "AAA010101AAA", RFCRepresentative: "HEGT7610034S2", CURPRepresentative: "HEGT761003MDFRNN09", Name: "ACCEM SERVICIOS EMPRESARIALES SC", Serial: "30001000000300023708", Issuer: "A.C. 2 de pruebas(4096)", Type: "CSD"},
	"aaa010101aaa-fiel":              {RFC: "AAA010101AAA", RFCRepresentative: "HEGT7610034S2", CURPRepresentative: "HEGT761003MDFRNN09", Name: "ACCEM SERVICIOS EMPRESARIALES SC", Serial: "30001000000300023685", Issuer: "A.C. 2 de pruebas(4096)", Type: "FIEL"},
	"cacx7605101p8-csd":              {RFC: "CACX7605101P8", CURP: "CACX760510MGTSHC04", Name: "XOCHILT CASAS CHAVEZ", Serial: "30001000000400002451", Issuer: "AC UAT", Type: "CSD"},
	"cacx7605101p8-fiel":             {RFC: "CACX7605101P8", CURP: "CACX760510MGTSHC04", Name: "XOCHILT CASAS CHAVEZ", Serial: "30001000000400002300", Issuer: "AC UAT", Type: "FIEL"},
	"eku9003173c9-csd":               {RFC: "EKU9003173C9", RFCRepresentative: "VADA800927DJ3", CURPRepresentative: "VADA800927HSRSRL05", Name: "ESCUELA KEMPER URGATE SA DE CV", Serial: "30001000000500003416", Issuer: "AC UAT", Type: "CSD"},
	"eku9003173c9-fiel":              {RFC: "EKU9003173C9", RFCRepresentative: "VADA800927DJ3", CURPRepresentative: "VADA800927HSRSRL05", Name: "ESCUELA KEMPER URGATE SA DE CV", Serial: "30001000000500003415", Issuer: "AC UAT", Type: "FIEL"},
	"eku9003173c9-csd-expired-2023":  {RFC: "EKU9003173C9", RFCRepresentative: "XIQB891116QE4", CURPRepresentative: "XIQB891116MGRMZR05", Name: "ESCUELA KEMPER URGATE SA DE CV", Serial: "30001000000400002434", Issuer: "AC UAT", Type: "CSD"},
	"eku9003173c9-fiel-expired-2023": {RFC: "EKU9003173C9", RFCRepresentative: "XIQB891116QE4", CURPRepresentative: "XIQB891116MGRMZR05", Name: "ESCUELA KEMPER URGATE SA DE CV", Serial: "30001000000400002417", Issuer: "AC UAT", Type: "FIEL"},
	"he951128469-csd":                {RFC: "H&E951128469", RFCRepresentative: "XOJI740919U48", CURPRepresentative: "XOJI740919MQTDMN02", Name: "HERRERIA & ELECTRICOS S DE CV", Serial: "30001000000400002463", Issuer: "AC UAT", Type: "CSD"},
	"he951128469-fiel":               {RFC: "H&E951128469", RFCRepresentative: "XOJI740919U48", CURPRepresentative: "XOJI740919MQTDMN02", Name: "HERRERIA & ELECTRICOS S DE CV", Serial: "30001000000400002460", Issuer: "AC UAT", Type: "FIEL"},
	"ianl750210963-csd":              {RFC: "IAÑL750210963", CURP: "IANL750210HSRNZS09", Name: "LUIS IAN ÑUZCO", Serial: "30001000000400002449", Issuer: "AC UAT", Type: "CSD"},
	"ianl750210963-fiel":             {RFC: "IAÑL750210963", CURP: "IANL750210HSRNZS09", Name: "LUIS IAN ÑUZCO", Serial: "30001000000400002431", Issuer: "AC UAT", Type: "FIEL"},
	"jes900109q90-csd":               {RFC: "JES900109Q90", RFCRepresentative: "KAHO641101B39", CURPRepresentative: "KAHO641101HNTLKS06", Name: "JIMENEZ ESTRADA SALAS A A", Serial: "30001000000400002436", Issuer: "AC UAT", Type: "CSD"},
	// Issued by a CA that says it is not SAT; no OU and no extended key
	// usage: neither FIEL nor CSD.
	"not-sat-issuer":           {RFC: "AAA010101AAA", RFCRepresentative: "HEGT7610034S2", CURPRepresentative: "HEGT761003MDFRNN09", Name: "ACCEM SERVICIOS EMPRESARIALES SC", Serial: "30001000000300023708", Issuer: "AC de pruebas", Type: "OTHER"},
	"production-csd-cert-only": {RFC: "SMA0112284B2", RFCRepresentative: "GOCA741120HY0", CURPRepresentative: "GOCA741120HVZMNR00", Name: "COMPAÑIA SANTA MARIA SA DE CV", Serial: "00001000000413053762", Issuer: "A.C. del Servicio de Administración Tributaria", Type: "CSD"},
}

var twentyDigits = regexp.MustCompile(`^[0-9]{20}$`)

// fixtureFolders lists every credential folder (one with a certificate.cer).
func fixtureFolders(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, e.Name(), "certificate.cer")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	if len(out) < len(fixtureFacts) {
		t.Fatalf("found %d credential folders in %s, expected at least %d", len(out), root, len(fixtureFacts))
	}
	return out
}

// TestConformanceSATFixtures runs the same checks over every credential in
// ../shared/fixtures/sat: facts, número de certificado, FIEL/CSD by folder
// name, every key opens with 12345678a and matches, a wrong password is
// ErrWrongPassword, and the chain to SAT's test (or production) CAs.
func TestConformanceSATFixtures(t *testing.T) {
	root := testenv.SATDir(t)
	testCAs, err := sat.LoadAnchors(filepath.Join(root, "ca", "test"))
	if err != nil {
		t.Fatal(err)
	}
	prodCAs, err := sat.LoadAnchors(filepath.Join(root, "ca", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, dir := range fixtureFolders(t, root) {
		t.Run(dir, func(t *testing.T) {
			path := filepath.Join(root, dir)
			want, ok := fixtureFacts[dir]
			if !ok {
				t.Fatalf("no expected facts for fixture folder %s: add it to fixtureFacts", dir)
			}
			c, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(path, "certificate.cer")))
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			got := sat.FactsOf(c)
			if !got.NotAfter.Equal(c.NotAfter) || !got.NotBefore.Equal(c.NotBefore) {
				t.Errorf("validity differs from the certificate's")
			}
			got.NotBefore, got.NotAfter = time.Time{}, time.Time{}
			if got != want {
				t.Errorf("facts\n got %+v\nwant %+v", got, want)
			}
			if !twentyDigits.MatchString(got.Serial) {
				t.Errorf("número de certificado %q is not 20 digits", got.Serial)
			}
			switch {
			case strings.HasSuffix(dir, "-fiel") || strings.Contains(dir, "-fiel-"):
				if got.Type != protocol.TypeFIEL {
					t.Errorf("folder says FIEL, type is %s", got.Type)
				}
			case strings.HasSuffix(dir, "-csd") || strings.Contains(dir, "-csd-"):
				if got.Type != protocol.TypeCSD {
					t.Errorf("folder says CSD, type is %s", got.Type)
				}
			}

			// Chain: SAT-issued fixtures chain to SAT's CAs at a time inside
			// their validity; the not-SAT one chains to neither.
			at := sat.WithinValidity(c, now)
			switch dir {
			case "not-sat-issuer":
				if err := testCAs.Verify(c, at); !errors.Is(err, sat.ErrNotTrusted) {
					t.Errorf("test CAs: %v, want ErrNotTrusted", err)
				}
				if err := prodCAs.Verify(c, at); !errors.Is(err, sat.ErrNotTrusted) {
					t.Errorf("prod CAs: %v, want ErrNotTrusted", err)
				}
			case "production-csd-cert-only":
				if err := prodCAs.Verify(c, at); err != nil {
					t.Errorf("prod CAs: %v", err)
				}
				if err := testCAs.Verify(c, at); !errors.Is(err, sat.ErrNotTrusted) {
					t.Errorf("a production certificate chains to the test CAs: %v", err)
				}
			default:
				if err := testCAs.Verify(c, at); err != nil {
					t.Errorf("test CAs at %s: %v", at.Format(time.RFC3339), err)
				}
				if err := prodCAs.Verify(c, at); !errors.Is(err, sat.ErrNotTrusted) {
					t.Errorf("a test certificate chains to the production CAs: %v", err)
				}
			}

			keyPath := filepath.Join(path, "private_key.key")
			keyData, err := os.ReadFile(keyPath)
			if errors.Is(err, os.ErrNotExist) {
				if dir != "production-csd-cert-only" {
					t.Fatalf("no private_key.key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			key, err := keyfile.DecryptKey(keyData, []byte(password))
			if err != nil {
				t.Fatalf("DecryptKey with %s: %v", password, err)
			}
			if err := sat.CheckPair(c, key); err != nil {
				t.Errorf("CheckPair: %v", err)
			}
			if signing.Algorithm(key.Public()) != protocol.AlgRS256 {
				t.Errorf("Algorithm = %q", signing.Algorithm(key.Public()))
			}
			for _, wrong := range []string{"12345678", "12345678A", "12345678a ", "x"} {
				if _, err := keyfile.DecryptKey(keyData, []byte(wrong)); !errors.Is(err, sat.ErrWrongPassword) {
					t.Errorf("password %q: %v, want ErrWrongPassword", wrong, err)
				}
			}
			// A signature made with the key verifies with the certificate.
			digest := sha256.Sum256([]byte("||4.0|cadena original de prueba|" + dir + "||"))
			sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignature(x509.SHA256WithRSA, []byte("||4.0|cadena original de prueba|"+dir+"||"), sig); err != nil {
				t.Errorf("signature does not verify with the certificate: %v", err)
			}
		})
	}
}

// TestConformanceExtraKeyFiles covers the other key files in the fixtures:
// the unencrypted key and the PKCS#1 PEM with DEK-Info.
func TestConformanceExtraKeyFiles(t *testing.T) {
	root := testenv.SATDir(t)
	csd, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(root, "aaa010101aaa-csd", "certificate.cer")))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := keyfile.ParseUnencryptedKey(testenv.ReadFile(t, filepath.Join(root, "aaa010101aaa-csd", "private_key_plain.key")))
	if err != nil {
		t.Fatalf("private_key_plain.key: %v", err)
	}
	if err := sat.CheckPair(csd, plain); err != nil {
		t.Errorf("private_key_plain.key: %v", err)
	}
	// The plain key is not an encrypted key: DecryptKey says so (the
	// import then asks for a new password), it does not say "wrong
	// password", with or without one.
	for _, pw := range []string{password, ""} {
		if _, err := keyfile.DecryptKey(testenv.ReadFile(t, filepath.Join(root, "aaa010101aaa-csd", "private_key_plain.key")), []byte(pw)); !errors.Is(err, sat.ErrUnencryptedKey) {
			t.Errorf("DecryptKey(private_key_plain.key, %q): %v, want ErrUnencryptedKey", pw, err)
		}
	}
	// not-sat-issuer reuses aaa010101aaa-csd's key.
	notSAT, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(root, "not-sat-issuer", "certificate.cer")))
	if err != nil {
		t.Fatal(err)
	}
	if err := sat.CheckPair(notSAT, plain); err != nil {
		t.Errorf("not-sat-issuer does not reuse the aaa010101aaa-csd key: %v", err)
	}
}

// TestConformanceOpenSSLVerifies checks our signatures with openssl, an
// independent implementation, for every fixture key (at least the
// eku9003173c9 FIEL must be there).
func TestConformanceOpenSSLVerifies(t *testing.T) {
	root := testenv.SATDir(t)
	openssl := testenv.Tool(t, "openssl")
	checked := map[string]bool{}
	for _, dir := range fixtureFolders(t, root) {
		keyData, err := os.ReadFile(filepath.Join(root, dir, "private_key.key"))
		if err != nil {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			c, err := sat.ParseCertificate(testenv.ReadFile(t, filepath.Join(root, dir, "certificate.cer")))
			if err != nil {
				t.Fatal(err)
			}
			key, err := keyfile.DecryptKey(keyData, []byte(password))
			if err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			data := []byte("||4.0|A|" + dir + "|2026-01-01T00:00:00|Ñandú & co||")
			digest := sha256.Sum256(data)
			sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			pubDER, err := x509.MarshalPKIXPublicKey(c.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{
				"pub.pem":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}),
				"data":     data,
				"sig":      sig,
				"tampered": append(append([]byte(nil), data...), '.'),
			}
			for n, b := range files {
				if err := os.WriteFile(filepath.Join(tmp, n), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			verify := func(file string) ([]byte, error) {
				return exec.Command(openssl, "dgst", "-sha256", "-verify", filepath.Join(tmp, "pub.pem"), "-signature", filepath.Join(tmp, "sig"), filepath.Join(tmp, file)).CombinedOutput()
			}
			if out, err := verify("data"); err != nil || !strings.Contains(string(out), "Verified OK") {
				t.Errorf("openssl dgst -verify: %v\n%s", err, out)
			}
			if out, err := verify("tampered"); err == nil {
				t.Errorf("openssl verified a signature over tampered data:\n%s", out)
			}
			// And openssl opens the key file as SAT issued it.
			out, err := exec.Command(openssl, "pkcs8", "-inform", "DER", "-in", filepath.Join(root, dir, "private_key.key"), "-passin", "pass:"+password).Output()
			if err != nil {
				t.Fatalf("openssl pkcs8: %v", err)
			}
			osslKey, err := keyfile.ParseUnencryptedKey(out)
			if err != nil || sat.CheckPair(c, osslKey) != nil {
				t.Errorf("the key openssl opened does not match the certificate (%v)", err)
			}
			checked[dir] = true
		})
	}
	if !checked["eku9003173c9-fiel"] {
		t.Error("the eku9003173c9 FIEL was not checked with openssl")
	}
}
