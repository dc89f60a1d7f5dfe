package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/portal/demo"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/sat"
)

// fakeLibrary stands in for the extension's page library with the same
// exports; the signing is done by the test server with the SAT test
// credentials, as the host would. It lets the page script (portal.js) run
// in a real Chromium without the extension.
const fakeLibrary = `
export async function status() { return { extension: { version: "0.1.0" }, host: { available: true, version: "prueba", protocol: 1 } }; }
async function call(path, body) {
  const r = await fetch(path, { method: "POST", body });
  if (!r.ok) { const e = new Error("falla simulada"); e.code = "ERR_FAKE"; e.hint = ""; throw e; }
  return r.json();
}
export function authenticate({ challenge }) { return call("/fake/authenticate", challenge); }
export function sign({ data }) { return call("/fake/sign", data); }
`

// TestPageScriptInChromium runs the page script in Chromium: the login
// from #acceder to /inicio, a CSD refused in #error, and the signed cita.
func TestPageScriptInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	anchors, err := sat.LoadAnchors(testenv.SATAnchorsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	signer := testenv.SAT(t, "eku9003173c9-fiel")
	csd := testenv.SAT(t, "eku9003173c9-csd")

	srv := httptest.NewUnstartedServer(nil)
	origin := "http://" + srv.Listener.Addr().String()
	v, err := verifier.New(verifier.Config{Origin: origin, Anchors: anchors,
		Now: func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	h, err := demo.New(demo.Config{Verifier: v, PageLibrary: []byte(fakeLibrary)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("POST /fake/{op}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		mu.Lock()
		cred := signer
		mu.Unlock()
		var out any
		var err error
		if r.PathValue("op") == "authenticate" {
			out, err = cred.Token(origin, string(body))
		} else {
			out, err = cred.SignResult(body)
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("headless", "new"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("#%s: %v", id, err)
		}
		return v
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}

	// A CSD is refused, and the page says why in #error.
	mu.Lock()
	signer = csd
	mu.Unlock()
	do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("acceder")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("estado-extension").dataset.estado === "disponible"`)); err != nil {
		t.Fatal(err)
	}
	if estado := text("estado-extension"); !strings.Contains(estado, "prueba") {
		t.Errorf("#estado-extension = %q", estado)
	}
	do(chromedp.Click(chromedp.ID("acceder")), chromedp.WaitVisible(chromedp.ID("error")))
	if errText := text("error"); !strings.Contains(errText, "no es una e.firma") || !strings.Contains(mustAttr(t, ctx, "error", "data-code"), "not-fiel") {
		t.Errorf("#error = %q", errText)
	}

	// The FIEL signs in: the page lands on /inicio with the person's data.
	mu.Lock()
	signer = testenv.SAT(t, "eku9003173c9-fiel")
	mu.Unlock()
	do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("acceder")),
		chromedp.Click(chromedp.ID("acceder")), chromedp.WaitVisible(chromedp.ID("nombre")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if nombre, rfc, cert := text("nombre"), text("rfc"), text("certificado"); !strings.HasSuffix(loc, "/inicio") ||
		nombre != "ESCUELA KEMPER URGATE SA DE CV" || rfc != "EKU9003173C9" || cert != "30001000000500003415" {
		t.Errorf("/inicio: %s %q %q %q", loc, nombre, rfc, cert)
	}

	// The signed cita.
	do(chromedp.Navigate(srv.URL+"/cita"), chromedp.WaitVisible(chromedp.ID("solicitar")),
		chromedp.SetValue(chromedp.ID("tramite"), "efirma"),
		chromedp.SetValue(chromedp.ID("fecha"), "2025-06-10"),
		chromedp.Click(chromedp.ID("solicitar")),
		chromedp.WaitVisible(chromedp.ID("resultado")))
	if resultado := text("resultado"); !strings.Contains(resultado, "Folio: CITA-20250610-") {
		t.Errorf("#resultado = %q", resultado)
	}
}

func mustAttr(t *testing.T, ctx context.Context, id, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("`+id+`").getAttribute("`+name+`") || ""`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
