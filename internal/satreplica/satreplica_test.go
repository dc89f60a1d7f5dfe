package satreplica_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/efirma/conector/internal/satreplica"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// satCert names a certificate's RFC and número as package sat reads them.
func satCert(c *x509.Certificate) signing.SATCertificate {
	f := sat.FactsOf(c)
	return signing.SATCertificate{Cert: c, RFC: f.RFC, Numero: f.Serial}
}

// client reaches the replica under SAT's names, trusting only its CA, with
// its own cookie jar (one browser session).
func client(t *testing.T, r *satreplica.Replica) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(r.CA)
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar: jar,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, r.Addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	return string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var guidRe = regexp.MustCompile(`name="guid" value="([^"]+)"`)

func guidOf(t *testing.T, page string) string {
	t.Helper()
	m := guidRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no guid in page:\n%s", page)
	}
	return m[1]
}

func start(t *testing.T) *satreplica.Replica {
	t.Helper()
	certs, err := satreplica.LoadCertificates(testenv.SATDir(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := satreplica.Start("127.0.0.1:0", satreplica.Config{Certificates: certs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func TestReplicaPages(t *testing.T) {
	r := start(t)
	c := client(t, r)
	home := get(t, c, "https://"+satreplica.HostWWW+"/")
	if strings.Contains(home, "certform") || !strings.Contains(home, `href="https://loginda.siat.sat.gob.mx/nidp/app/login?id=fiel"`) {
		t.Fatalf("home page:\n%s", home)
	}
	fiel := get(t, c, "https://"+satreplica.HostLogin+satreplica.PathFIEL)
	for _, want := range []string{`<form id="certform" name="certform" method="post"`, `type="file" id="fileCertificate"`, `type="file" id="filePrivateKey"`, `type="password" id="privateKeyPassword"`, `name="token"`, `name="fert"`, "Capture los datos requeridos"} {
		if !strings.Contains(fiel, want) {
			t.Errorf("e.firma page lacks %q", want)
		}
	}
	g1 := guidOf(t, fiel)
	g2 := guidOf(t, get(t, c, "https://"+satreplica.HostLogin+satreplica.PathFIEL))
	if g1 == g2 || signing.ValidateSATGUID(g1) != nil {
		t.Fatalf("guids %q and %q: want fresh, valid ones", g1, g2)
	}
	au := get(t, c, "https://"+satreplica.HostCFDIAU+satreplica.PathCFDIAU)
	if !strings.Contains(au, `id="certform"`) || strings.Contains(au, `name="token"`) {
		t.Fatalf("cfdiau page should hold certform without token inputs:\n%s", au)
	}
	if ciec := get(t, c, "https://"+satreplica.HostLogin+"/nidp/app/login?id=contr"); strings.Contains(ciec, "certform") {
		t.Fatal("the CIEC page holds certform")
	}
}

func TestReplicaLogin(t *testing.T) {
	r := start(t)
	fiel := testenv.SAT(t, "eku9003173c9-fiel")
	loginURL := "https://" + satreplica.HostLogin + satreplica.PathFIEL
	c := client(t, r)
	g := guidOf(t, get(t, c, loginURL))
	l, err := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), g)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"guid": {g}, "token": {l.Token}, "fert": {l.Fert}, "credentialsRequired": {"CERT"}}
	code, body := post(t, c, loginURL, form)
	if code != http.StatusOK || !strings.Contains(body, "RFC autenticado: EKU9003173C9") {
		t.Fatalf("login: %d\n%s", code, body)
	}
	// The same token again is a replay.
	code, body = post(t, c, loginURL, form)
	if code != http.StatusForbidden || !strings.Contains(body, satreplica.ErrGUIDUsed.Error()) {
		t.Fatalf("replay: %d\n%s", code, body)
	}
	// Another browser (no session) cannot use a guid it was not given.
	other := client(t, r)
	g2 := guidOf(t, get(t, c, loginURL)) // issued to c, not to other
	get(t, other, loginURL)
	l2, _ := signing.SignSATLogin(fiel.Key, satCert(fiel.Cert), g2)
	if code, body := post(t, other, loginURL, url.Values{"guid": {g2}, "token": {l2.Token}, "fert": {l2.Fert}}); code != http.StatusForbidden || !strings.Contains(body, satreplica.ErrGUIDUnseen.Error()) {
		t.Fatalf("guid of another session: %d\n%s", code, body)
	}
	if code, body := post(t, client(t, r), loginURL, url.Values{"guid": {g2}, "token": {l2.Token}, "fert": {l2.Fert}}); code != http.StatusForbidden || !strings.Contains(body, satreplica.ErrNoSession.Error()) {
		t.Fatalf("no session: %d\n%s", code, body)
	}
	// Still usable by its own session.
	if code, body := post(t, c, loginURL, url.Values{"guid": {g2}, "token": {l2.Token}, "fert": {l2.Fert}}); code != http.StatusOK {
		t.Fatalf("own guid: %d\n%s", code, body)
	}

	for _, tc := range []struct {
		name   string
		folder string
		fert   string // "" = the right one
		want   error
	}{
		{"CSD", "eku9003173c9-csd", "", satreplica.ErrNotFIEL},
		{"expired FIEL", "eku9003173c9-fiel-expired-2023", "", satreplica.ErrNotValid},
		{"wrong fert", "eku9003173c9-fiel", "270517043715Z", signing.ErrSATFert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := testenv.SAT(t, tc.folder)
			g := guidOf(t, get(t, c, loginURL))
			l, err := signing.SignSATLogin(cred.Key, satCert(cred.Cert), g)
			if err != nil {
				t.Fatal(err)
			}
			if tc.fert != "" {
				l.Fert = tc.fert
			}
			code, body := post(t, c, loginURL, url.Values{"guid": {g}, "token": {l.Token}, "fert": {l.Fert}})
			if code != http.StatusForbidden || !strings.Contains(body, tc.want.Error()) {
				t.Fatalf("%d\n%s", code, body)
			}
		})
	}
	// A credential the replica was not given.
	ca := testenv.NewCA(t, "AC ajena")
	stranger := ca.Issue(testenv.Leaf{RFC: "XAXX010101AAA"})
	g = guidOf(t, get(t, c, loginURL))
	ls, err := signing.SignSATLogin(stranger.Key, satCert(stranger.Cert), g)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := post(t, c, loginURL, url.Values{"guid": {g}, "token": {ls.Token}, "fert": {ls.Fert}}); code != http.StatusForbidden || !strings.Contains(body, signing.ErrSATUnknown.Error()) {
		t.Fatalf("unknown certificate: %d\n%s", code, body)
	}

	var ok, refused int
	for _, a := range r.Attempts() {
		if a.RFC != "" {
			ok++
		} else {
			refused++
		}
	}
	if ok != 2 || refused != 7 {
		t.Fatalf("attempts: %d accepted, %d refused; want 2 and 7: %+v", ok, refused, r.Attempts())
	}
}

func TestLoadCertificates(t *testing.T) {
	certs, err := satreplica.LoadCertificates(filepath.Join(testenv.SATDir(t), "eku9003173c9-fiel"))
	if err != nil || len(certs) != 1 {
		t.Fatalf("got %d certificates, %v", len(certs), err)
	}
	if _, err := satreplica.LoadCertificates(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing folder: %v", err)
	}
}
