package cli_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/efirma/conector/host/cli"
	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// oracleCase is one file pair given to `efirma inspect --json`.
type oracleCase struct {
	name, cer, key, password string
	caDir                    string // "" = the built-in SAT store
}

// oracleSet is what the outside oracles are compared over: the cases, and
// the trust stores as PEM bundles.
type oracleSet struct {
	openssl    string
	cases      []oracleCase
	prodBundle string                  // SAT's production CAs, built in
	bundleOf   func(dir string) string // a CA folder's certificates
}

// newOracleSet builds the cases over SAT's fixtures, testdata/creds and
// variants made with openssl. Without openssl or the fixtures it skips
// (fails under CI=true).
func newOracleSet(t *testing.T) oracleSet {
	t.Helper()
	openssl := testenv.Tool(t, "openssl")
	fixtures := testenv.SATDir(t)
	work := t.TempDir()
	testCAs := testenv.SATAnchorsDir(t)

	var cases []oracleCase
	ents, _ := os.ReadDir(fixtures)
	for _, e := range ents {
		dir := filepath.Join(fixtures, e.Name())
		cer := filepath.Join(dir, "certificate.cer")
		if _, err := os.Stat(cer); err != nil {
			continue
		}
		key := filepath.Join(dir, "private_key.key")
		if _, err := os.Stat(key); err != nil {
			key = ""
		}
		cases = append(cases, oracleCase{name: e.Name(), cer: cer, key: key, password: "12345678a"})
		cases = append(cases, oracleCase{name: e.Name() + " (SAT test CAs)", cer: cer, caDir: testCAs})
		if extra := filepath.Join(dir, "private_key_plain.key"); exists(extra) {
			cases = append(cases, oracleCase{name: e.Name() + " plain key", cer: cer, key: extra})
		}
		if extra := filepath.Join(dir, "private_key_protected.key.pem"); exists(extra) {
			cases = append(cases, oracleCase{name: e.Name() + " PKCS#1 DEK-Info", cer: cer, key: extra, password: "12345678a"})
		}
	}
	gen, _ := os.ReadDir(filepath.Join(testdata, "creds"))
	for _, e := range gen {
		dir := filepath.Join(testdata, "creds", e.Name())
		cases = append(cases, oracleCase{name: "testdata " + e.Name(), cer: filepath.Join(dir, "certificate.cer"), key: filepath.Join(dir, "private_key.key"), password: "12345678a", caDir: filepath.Join(testdata, "ca")})
	}
	// Variants made from the SAT test FIEL with openssl itself.
	fiel := filepath.Join(fixtures, "eku9003173c9-fiel")
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	certPEM := filepath.Join(work, "cert.pem")
	pubPEM := filepath.Join(work, "pub.pem")
	pk8 := filepath.Join(work, "key-pkcs8.pem")
	pk8der := filepath.Join(work, "key-pkcs8.der")
	pk1 := filepath.Join(work, "key-pkcs1.pem")
	sh("x509", "-inform", "DER", "-in", filepath.Join(fiel, "certificate.cer"), "-out", certPEM)
	sh("x509", "-in", certPEM, "-pubkey", "-noout", "-out", pubPEM)
	sh("pkcs8", "-inform", "DER", "-in", filepath.Join(fiel, "private_key.key"), "-passin", "pass:12345678a", "-out", pk8)
	sh("pkcs8", "-inform", "DER", "-in", filepath.Join(fiel, "private_key.key"), "-passin", "pass:12345678a", "-outform", "DER", "-out", pk8der)
	sh("rsa", "-in", pk8, "-traditional", "-out", pk1)
	concat := func(name string, parts ...string) string {
		var b []byte
		for _, p := range parts {
			d, _ := os.ReadFile(p)
			b = append(b, d...)
		}
		p := filepath.Join(work, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	pubThenCert := concat("pub-then-cert.pem", pubPEM, certPEM)
	certAndKey := concat("cert-and-key.pem", certPEM, pk8)
	cases = append(cases,
		oracleCase{name: "variant: PEM certificate, unencrypted PKCS#8 PEM key", cer: certPEM, key: pk8, caDir: testCAs},
		oracleCase{name: "variant: unencrypted PKCS#8 DER key", cer: certPEM, key: pk8der, caDir: testCAs},
		oracleCase{name: "variant: unencrypted PKCS#1 PEM key", cer: certPEM, key: pk1, caDir: testCAs},
		oracleCase{name: "variant: public key before the certificate", cer: pubThenCert, key: pk8, caDir: testCAs},
		oracleCase{name: "variant: certificate and key in one file", cer: certAndKey, key: certAndKey, caDir: testCAs},
		oracleCase{name: "variant: a key of another e.firma", cer: certPEM, key: filepath.Join(fixtures, "he951128469-fiel", "private_key.key"), password: "12345678a", caDir: testCAs},
	)

	// The trust stores as PEM bundles for openssl.
	prodBundle := filepath.Join(work, "prod.pem")
	var pb []byte
	names := make([]string, 0)
	for n := range sat.ProductionFiles() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		pb = append(pb, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sat.ProductionFiles()[n]})...)
	}
	os.WriteFile(prodBundle, pb, 0o600)
	bundleOf := func(dir string) string {
		p := filepath.Join(work, strings.ReplaceAll(dir, string(filepath.Separator), "_")+".pem")
		if exists(p) {
			return p
		}
		var b []byte
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			d, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			if c, err := sat.ParseCertificate(d); err == nil {
				b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
			}
		}
		os.WriteFile(p, b, 0o600)
		return p
	}
	return oracleSet{openssl: openssl, cases: cases, prodBundle: prodBundle, bundleOf: bundleOf}
}

// inspected is `efirma inspect --json`'s answer for one case.
type inspected struct {
	protocol.CertInfo
	KeyMatches *bool `json:"keyMatches"`
	Trusted    *bool `json:"trusted"`
}

func inspectCase(t *testing.T, c oracleCase) inspected {
	t.Helper()
	args := []string{"inspect", "--json", "--cer", c.cer}
	if c.key != "" {
		args = append(args, "--key", c.key, "--password-stdin")
	}
	if c.caDir != "" {
		args = append(args, "--ca-dir-for-test", c.caDir)
	}
	r := runCA(t, c.caDir, args...)
	if r.code != cli.ExitOK {
		t.Fatalf("inspect exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	var got inspected
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// inform is a file's form for the oracles: "PEM" or "DER".
func inform(path string) string {
	if data, _ := os.ReadFile(path); sat.IsPEM(data) {
		return "PEM"
	}
	return "DER"
}

// certPEM writes c.cer's certificate (DER, or the first CERTIFICATE block
// of a PEM file) as a PEM file, with openssl.
func (o oracleSet) certPEM(t *testing.T, c oracleCase) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.pem")
	if out, err := exec.Command(o.openssl, "x509", "-inform", inform(c.cer), "-in", c.cer, "-out", p).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	return p
}

// bundle is the trust store of case c as a PEM bundle.
func (o oracleSet) bundle(c oracleCase) string {
	if c.caDir != "" {
		return o.bundleOf(c.caDir)
	}
	return o.prodBundle
}

// TestInspectAgreesWithOpenSSL (issue 13 §4): `efirma inspect --json` over
// every certificate of SAT's fixtures and of testdata/creds, and over the
// variants people have (PEM with a public key before the certificate,
// certificate and key in one file, unencrypted PKCS#8 and PKCS#1 keys, the
// PKCS#1 PEM with DEK-Info), is compared field by field with openssl, an
// independent implementation: validity dates, serial (the SAT número is
// the serial's bytes as ASCII, else the decimal serial), whether the key
// belongs to the certificate, and whether the certificate chains to the
// trust store in use (SAT's production CAs built in, or a CA folder).
// Any disagreement fails. Documented exceptions: none at present (openssl
// is run with -partial_chain, since every anchor is trusted alone, with
// -attime inside the certificate's validity, as the connector checks
// "issued by", and with -auth_level 0 for SAT's SHA-1 roots).
func TestInspectAgreesWithOpenSSL(t *testing.T) {
	o := newOracleSet(t)
	openssl, cases := o.openssl, o.cases
	n := &tally{oracle: "openssl"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := inspectCase(t, c)
			// openssl's view of the certificate (DER or the first
			// CERTIFICATE block of a PEM file; openssl x509 reads the
			// first certificate in a PEM file too).
			form := inform(c.cer)
			out, err := exec.Command(openssl, "x509", "-inform", form, "-in", c.cer, "-noout", "-serial", "-startdate", "-enddate").CombinedOutput()
			if err != nil {
				t.Fatalf("openssl x509: %v\n%s", err, out)
			}
			kv := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				k, v, _ := strings.Cut(l, "=")
				kv[k] = v
			}
			wantNB := opensslTime(t, kv["notBefore"])
			wantNA := opensslTime(t, kv["notAfter"])
			if got.NotBefore != wantNB || got.NotAfter != wantNA {
				t.Errorf("dates: efirma %s..%s, openssl %s..%s", got.NotBefore, got.NotAfter, wantNB, wantNA)
			}
			if want := satSerial(t, kv["serial"]); got.Serial != want {
				t.Errorf("serial: efirma %q, openssl %q", got.Serial, want)
			}
			n.fields += 3

			if c.key != "" {
				certPub, err := exec.Command(openssl, "x509", "-inform", form, "-in", c.cer, "-noout", "-pubkey").Output()
				if err != nil {
					t.Fatal(err)
				}
				keyPub, err := exec.Command(openssl, "pkey", "-inform", inform(c.key), "-in", c.key, "-pubout", "-passin", "pass:"+c.password).Output()
				if err != nil {
					t.Fatalf("openssl pkey %s: %v", c.key, err)
				}
				n.key(t, got.KeyMatches, bytes.Equal(certPub, keyPub))
			}

			nb, _ := time.Parse(time.RFC3339, got.NotBefore)
			vargs := []string{"verify", "-partial_chain", "-auth_level", "0", "-CAfile", o.bundle(c),
				"-attime", strings.TrimSpace(big.NewInt(nb.Add(time.Minute).Unix()).String())}
			pemCert := o.certPEM(t, c)
			vout, verr := exec.Command(openssl, append(vargs, pemCert)...).CombinedOutput()
			opensslOK := verr == nil
			n.chain(opensslOK)
			if got.Trusted == nil || *got.Trusted != opensslOK {
				t.Errorf("chain: efirma trusted=%v (%s %s), openssl verify ok=%v:\n%s", deref(got.Trusted), got.IssuerCheck, got.IssuerCA, opensslOK, vout)
			}
			if c.caDir == "" && opensslOK != (got.IssuerCheck == protocol.IssuedBySAT) {
				t.Errorf("issuerCheck %q with the built-in store, openssl ok=%v", got.IssuerCheck, opensslOK)
			}
		})
	}
	n.done(t, len(cases))
}

// tally counts what an oracle test compared.
type tally struct {
	oracle                                           string
	fields, chained, notChained, matched, notMatched int
}

// key compares efirma's keyMatches with the oracle's answer.
func (n *tally) key(t *testing.T, got *bool, want bool) {
	t.Helper()
	if got == nil {
		t.Fatal("no keyMatches")
	}
	if *got != want {
		t.Errorf("key match: efirma %v, %s %v", *got, n.oracle, want)
	}
	if want {
		n.matched++
	} else {
		n.notMatched++
	}
	n.fields++
}

// chain counts the oracle's chain verdict (each test compares it with its
// own explanation).
func (n *tally) chain(ok bool) {
	if ok {
		n.chained++
	} else {
		n.notChained++
	}
	n.fields++
}

// done logs the counts; both outcomes of each check must have occurred, or
// the comparison proves little.
func (n *tally) done(t *testing.T, cases int) {
	t.Helper()
	t.Logf("%d cases, %d fields compared with %s; chain ok/refused %d/%d, key match yes/no %d/%d", cases, n.fields, n.oracle, n.chained, n.notChained, n.matched, n.notMatched)
	if n.chained == 0 || n.notChained == 0 || n.matched == 0 || n.notMatched == 0 {
		t.Errorf("one-sided comparison: chain %d/%d, key %d/%d", n.chained, n.notChained, n.matched, n.notMatched)
	}
}

// TestInspectAgreesWithGnuTLS is the same comparison with a second
// independent implementation, GnuTLS's certtool (Debian's gnutls-bin):
// validity dates and serial (certtool -i), whether the key belongs to the
// certificate (the public key's SHA-256 pin of certtool -k against the
// certificate's), and whether the certificate chains to the trust store in
// use (certtool --verify). certtool has no -attime, so it verifies at the
// present time: a chain whose only faults are dates (an expired or not yet
// valid certificate in it) counts as issued by that store, which is what
// the connector's "issued by" check says; any other fault (issuer unknown,
// a bad signature) is not. Any disagreement fails.
func TestInspectAgreesWithGnuTLS(t *testing.T) {
	certtool := testenv.Tool(t, "certtool", "gnutls-bin")
	o := newOracleSet(t)
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := exec.Command(certtool, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("certtool %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	der := func(path string) []string {
		if inform(path) == "DER" {
			return []string{"--inder"}
		}
		return nil
	}
	n := &tally{oracle: "certtool"}
	for _, c := range o.cases {
		t.Run(c.name, func(t *testing.T) {
			got := inspectCase(t, c)
			info := run(t, append(der(c.cer), "-i", "--infile", c.cer)...)
			serial := certtoolField(t, info, "Serial Number (hex):")
			nb := certtoolTime(t, certtoolField(t, info, "Not Before:"))
			na := certtoolTime(t, certtoolField(t, info, "Not After:"))
			if got.NotBefore != nb || got.NotAfter != na {
				t.Errorf("dates: efirma %s..%s, certtool %s..%s", got.NotBefore, got.NotAfter, nb, na)
			}
			if want := satSerial(t, serial); got.Serial != want {
				t.Errorf("serial: efirma %q, certtool %q", got.Serial, want)
			}
			n.fields += 3

			if c.key != "" {
				args := append(der(c.key), "-k", "--infile", c.key)
				if c.password != "" {
					args = append(args, "--password", c.password)
				}
				n.key(t, got.KeyMatches, certtoolField(t, run(t, args...), "pin-sha256:") == certtoolField(t, info, "pin-sha256:"))
			}

			out, _ := exec.Command(certtool, "--verify", "--verify-allow-broken", "--verify-profile=low",
				"--load-ca-certificate", o.bundle(c), "--infile", o.certPEM(t, c)).CombinedOutput()
			ok, verdict := certtoolIssued(string(out))
			if verdict == "" {
				t.Fatalf("certtool --verify said nothing we know:\n%s", out)
			}
			n.chain(ok)
			if got.Trusted == nil || *got.Trusted != ok {
				t.Errorf("chain: efirma trusted=%v (%s %s), certtool: %s", deref(got.Trusted), got.IssuerCheck, got.IssuerCA, verdict)
			}
		})
	}
	n.done(t, len(o.cases))
}

// certtoolField is the value after the first line of out that starts (past
// its indentation) with label: on the same line, or on the next line when
// the label ends it ("pin-sha256:" is written after "Public Key ID:").
func certtoolField(t *testing.T, out, label string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("certtool printed no %q:\n%s", label, out)
	return ""
}

// certtoolTime turns "Thu May 18 04:37:14 UTC 2023" into RFC 3339 UTC.
func certtoolTime(t *testing.T, s string) string {
	t.Helper()
	tm, err := time.Parse("Mon Jan _2 15:04:05 MST 2006", s)
	if err != nil {
		t.Fatalf("certtool date %q: %v", s, err)
	}
	return tm.UTC().Format(time.RFC3339)
}

// certtoolIssued reads certtool --verify's "Chain verification output"
// line: issued by the store when it says Verified, or when its only faults
// are dates. verdict is the line's text ("" when there is no such line).
func certtoolIssued(out string) (issued bool, verdict string) {
	for _, l := range strings.Split(out, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(l), "Chain verification output:")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "Verified.") {
			return true, v
		}
		rest := v
		for _, known := range []string{"Not verified.", "The certificate is NOT trusted.",
			"The certificate chain uses expired certificate.", "The certificate chain uses not yet valid certificate."} {
			rest = strings.ReplaceAll(rest, known, "")
		}
		return strings.TrimSpace(rest) == "" && strings.HasPrefix(v, "Not verified."), v
	}
	return false, ""
}

// runCA runs the CLI with caDir as the configured CA folder ("" = none).
func runCA(t *testing.T, caDir string, args ...string) result {
	t.Helper()
	var clean []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--ca-dir-for-test" {
			i++
			continue
		}
		clean = append(clean, args[i])
	}
	var out, errb bytes.Buffer
	cfg := &config.Config{Home: t.TempDir(), CADir: caDir}
	code := cli.Run(clean, cli.Env{
		Stdin: strings.NewReader("12345678a\n"), Stdout: &out, Stderr: &errb,
		Lang: i18n.ES, Config: cfg, Now: time.Now,
	})
	return result{code, out.String(), errb.String()}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// opensslTime turns "Oct 27 05:00:00 2004 GMT" into RFC 3339 UTC.
func opensslTime(t *testing.T, s string) string {
	t.Helper()
	tm, err := time.Parse("Jan _2 15:04:05 2006 MST", strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("openssl date %q: %v", s, err)
	}
	return tm.UTC().Format(time.RFC3339)
}

// satSerial is the SAT número de certificado from openssl's hex serial:
// the bytes as ASCII when they are all digits, else the decimal serial.
func satSerial(t *testing.T, h string) string {
	t.Helper()
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatalf("openssl serial %q: %v", h, err)
	}
	digits := len(b) > 0
	for _, x := range b {
		if x < '0' || x > '9' {
			digits = false
		}
	}
	if digits {
		return string(b)
	}
	return new(big.Int).SetBytes(b).String()
}
