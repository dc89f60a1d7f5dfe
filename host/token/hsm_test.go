//go:build cgo

package token

// The SoftHSM2 harness: TestMain gives this test process its own
// SOFTHSM2_CONF and token directory before the module is first loaded
// (SoftHSM reads its configuration once, in C_Initialize), and the helpers
// initialise tokens and load keys and certificates into them through the
// same process-wide module the package uses.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/efirma/conector/internal/testenv"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

const (
	testPIN   = "123456"
	testSOPIN = "87654321"
)

var (
	hsmModule  string // path of libsofthsm2.so, "" when absent
	hsmMissing string // why SoftHSM2 tests cannot run
	hsmDir     string // the token directory of this process
	tokenSeq   atomic.Int32
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "efirma-softhsm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	hsmDir = filepath.Join(dir, "tokens")
	if err := os.Mkdir(hsmDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := "directories.tokendir = " + hsmDir + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	hsmModule, hsmMissing = findSoftHSM()
	return m.Run()
}

// findSoftHSM returns the SoftHSM2 module path, or why it is missing.
func findSoftHSM() (string, string) {
	if runtime.GOOS == "windows" {
		// The well-known paths below are Unix libraries (under Wine they
		// are visible on Z: but cannot load).
		if p := os.Getenv("SOFTHSM2_MODULE"); p != "" {
			return p, ""
		}
		return "", "SoftHSM2 for Windows not installed (set SOFTHSM2_MODULE to softhsm2-x64.dll)"
	}
	cands := []string{os.Getenv("SOFTHSM2_MODULE"),
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib64/pkcs11/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
		"/opt/homebrew/lib/softhsm/libsofthsm2.so",
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c, ""
		}
	}
	return "", "SoftHSM2 not installed (apt-get install softhsm2, or set SOFTHSM2_MODULE)"
}

// needHSM skips the test without SoftHSM2, or fails it under CI=true.
func needHSM(t testing.TB) *module {
	t.Helper()
	if hsmModule == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", hsmMissing)
		}
		t.Skip(hsmMissing)
	}
	m, err := loadModule(context.Background(), hsmModule)
	if err != nil {
		t.Fatalf("loading SoftHSM2: %v", err)
	}
	return m
}

// needTool skips (or fails under CI) when a command is not installed.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// testToken is one SoftHSM2 token made by a test.
type testToken struct {
	m      *module
	label  string
	serial string
	slot   uint
}

// newToken initialises a fresh token in SoftHSM's free slot, in process
// (C_InitToken and C_InitPIN), and returns it.
func newToken(t testing.TB) *testToken {
	t.Helper()
	m := needHSM(t)
	label := fmt.Sprintf("efirma-test-%d", tokenSeq.Add(1))
	slots, err := m.ctx.GetSlotList(false)
	if err != nil {
		t.Fatal(err)
	}
	free := -1
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err == nil && ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			free = int(s)
			break
		}
	}
	if free < 0 {
		t.Fatal("no free SoftHSM2 slot")
	}
	if err := m.ctx.InitToken(uint(free), testSOPIN, label); err != nil {
		t.Fatalf("C_InitToken: %v", err)
	}
	// SoftHSM moves an initialised token to a slot numbered from its serial.
	var tok *testToken
	toks, err := m.presentTokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.info.Label == label {
			tok = &testToken{m: m, label: label, serial: tk.info.SerialNumber, slot: tk.slot}
		}
	}
	if tok == nil {
		t.Fatalf("token %s not found after C_InitToken", label)
	}
	sh := tok.session(t)
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_SO, testSOPIN); err != nil {
		t.Fatalf("SO login: %v", err)
	}
	if err := m.ctx.InitPIN(sh, testPIN); err != nil {
		t.Fatalf("C_InitPIN: %v", err)
	}
	if err := m.ctx.Logout(sh); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (tk *testToken) session(t testing.TB) pkcs11.SessionHandle {
	t.Helper()
	sh, err := tk.m.ctx.OpenSession(tk.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		t.Fatalf("C_OpenSession: %v", err)
	}
	return sh
}

// dir returns the token's directory in the SoftHSM2 object store.
func (tk *testToken) dir(t testing.TB) string {
	t.Helper()
	ents, err := os.ReadDir(hsmDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		// The directory is a UUID whose last 16 hex digits are the serial.
		if strings.HasSuffix(strings.ReplaceAll(e.Name(), "-", ""), tk.serial) {
			return filepath.Join(hsmDir, e.Name())
		}
	}
	t.Fatalf("no directory for token %s in %s", tk.serial, hsmDir)
	return ""
}

// importOpts says what to load besides the certificate.
type importOpts struct {
	noKey      bool // certificate only
	publicKey  bool // also a public key object
	alwaysAuth bool // CKA_ALWAYS_AUTHENTICATE on the private key
}

// load puts cert (and key) on the token under CKA_ID id, logged in as user.
func (tk *testToken) load(t testing.TB, id []byte, name string, key crypto.Signer, cert *x509.Certificate, o importOpts) {
	t.Helper()
	ctx := tk.m.ctx
	sh := tk.session(t)
	defer ctx.CloseSession(sh)
	if err := ctx.Login(sh, pkcs11.CKU_USER, testPIN); err != nil && !hasCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		t.Fatalf("user login: %v", err)
	}
	defer ctx.Logout(sh)
	create := func(what string, attrs []*pkcs11.Attribute) {
		if _, err := ctx.CreateObject(sh, attrs); err != nil {
			t.Fatalf("C_CreateObject %s: %v", what, err)
		}
	}
	create("certificate", []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, name),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
	})
	if o.noKey {
		return
	}
	common := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, name),
		pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, o.alwaysAuth),
	}
	pubCommon := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, name),
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		k.Precompute()
		create("RSA private key", append(common,
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS, k.N.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, big.NewInt(int64(k.E)).Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE_EXPONENT, k.D.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_PRIME_1, k.Primes[0].Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_PRIME_2, k.Primes[1].Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_EXPONENT_1, k.Precomputed.Dp.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_EXPONENT_2, k.Precomputed.Dq.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_COEFFICIENT, k.Precomputed.Qinv.Bytes()),
		))
		if o.publicKey {
			create("RSA public key", append(pubCommon,
				pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
				pkcs11.NewAttribute(pkcs11.CKA_MODULUS, k.N.Bytes()),
				pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, big.NewInt(int64(k.E)).Bytes()),
			))
		}
	case *ecdsa.PrivateKey:
		params := curveParams(t, k.Curve)
		scalar, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		create("EC private key", append(common,
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
			pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, scalar),
		))
		if o.publicKey {
			pt, err := k.PublicKey.ECDH()
			if err != nil {
				t.Fatal(err)
			}
			point, _ := asn1.Marshal(pt.Bytes())
			create("EC public key", append(pubCommon,
				pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
				pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params),
				pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, point),
			))
		}
	default:
		t.Fatalf("unsupported key %T", key)
	}
}

func curveParams(t testing.TB, c elliptic.Curve) []byte {
	t.Helper()
	var oid asn1.ObjectIdentifier
	switch c {
	case elliptic.P256():
		oid = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	case elliptic.P384():
		oid = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	default:
		t.Fatalf("curve %s", c.Params().Name)
	}
	b, err := asn1.Marshal(oid)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// selfSigned makes a certificate for key.
func selfSigned(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"efirma tests"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setTokenFlags puts the token in a PIN state (testenv.SetSoftHSMTokenFlags).
func (tk *testToken) setTokenFlags(t testing.TB, set, clear uint64) {
	t.Helper()
	testenv.SetSoftHSMTokenFlags(t, filepath.Join(tk.dir(t), "token.object"), set, clear)
}

// flags returns the token flags the module reports now.
func (tk *testToken) flags(t testing.TB) uint {
	t.Helper()
	ti, err := tk.m.ctx.GetTokenInfo(tk.slot)
	if err != nil {
		t.Fatal(err)
	}
	return ti.Flags
}

// errCode returns the protocol code carried by err, or "".
func errCode(err error) protocol.Code {
	var c *keys.CodedError
	if errors.As(err, &c) {
		return c.Code
	}
	return ""
}
