package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakeDemo runs the `make demo` program as a person does and checks what
// it promises: the three phases, every step in Spanish, a folio, the SAT
// replica's "RFC autenticado" and its refusal of the replayed token, seven PNG
// screenshots; and, without Chromium, the apt command and exit 0 (1 under
// CI=true).
func TestMakeDemo(t *testing.T) {
	r := newRig(t)
	demo := r.goBuild("./host/cmd/demo", "demo")
	portal := r.goBuild("./portal/cmd/demo-portal", "demo-portal")
	run := func(t *testing.T, env []string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(demo, append([]string{"-bin", r.efirma, "-portal-bin", portal, "-visible=false"}, args...)...)
		cmd.Dir = r.root
		cmd.Env = append(withoutLocale(os.Environ()), append([]string{"LANG=es_MX.UTF-8"}, env...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), code
	}

	t.Run("the real flow", func(t *testing.T) {
		shots := t.TempDir()
		out, code := run(t, nil, "-out", shots)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{
			"== Fase 1: el conector por mensajería nativa",
			"✔ La firma es válida (verificada en Go).",
			"== Fase 2: el flujo real en Chromium",
			"su página de inicio dice: «Conector e.firma disponible (versión " + hostVersion + ").»",
			"(operación: Iniciar sesión)",
			"✔ Sesión iniciada: /inicio muestra MARIA GOMEZ ARANDA, RFC GOAM800101AB1, CURP GOAM800101MDFMRR09.",
			"== Fase 3: inicio de sesión en el SAT",
			"muestra el botón «Ingresar con el Conector e.firma».",
			"la ventana de confirmación pide «Iniciar sesión en el SAT» para https://loginda.siat.sat.gob.mx",
			"✔ La réplica del SAT verificó el token y la fecha fert: «RFC autenticado: GOAM800101AB1».",
			"✔ El mismo token enviado otra vez fue rechazado: «Acceso denegado: guid ya usado (token repetido)».",
			"Capturas de pantalla en " + shots,
			"Listo: el flujo real funcionó de principio a fin.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if !regexp.MustCompile(`✔ El portal verificó la firma de la solicitud y dio el folio CITA-\d{8}-\d+\.`).MatchString(out) {
			t.Error("no folio in the output")
		}
		for _, name := range []string{"01-portal.png", "02-consentimiento.png", "03-inicio.png", "04-cita.png", "05-sat-efirma.png", "06-sat-consentimiento.png", "07-sat-autenticado.png"} {
			b, err := os.ReadFile(filepath.Join(shots, name))
			if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 5000 {
				t.Errorf("%s: %d bytes, %v (want a PNG)", name, len(b), err)
			}
		}
		if t.Failed() {
			t.Logf("output:\n%s", out)
		}
	})

	t.Run("without chromium", func(t *testing.T) {
		out, code := run(t, []string{"EFIRMA_CHROMIUM=" + filepath.Join(t.TempDir(), "no-chromium"), "CI="})
		if code != 0 || !strings.Contains(out, "Chromium no está instalado") || !strings.Contains(out, "apt-get install chromium") || !strings.Contains(out, "Listo: el conector cerró limpiamente") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		out, code = run(t, []string{"EFIRMA_CHROMIUM=" + filepath.Join(t.TempDir(), "no-chromium"), "CI=true"})
		if code != 1 || !strings.Contains(out, "hint: con CI=true la fase del navegador es obligatoria") {
			t.Fatalf("CI=true: exit %d:\n%s", code, out)
		}
	})

	t.Run("browser=false in English", func(t *testing.T) {
		out, code := run(t, []string{"LANG=en_US.UTF-8"}, "-browser=false")
		if code != 0 || !strings.Contains(out, "== Phase 2:") || !strings.Contains(out, "Skipped (--browser=false).") || strings.Contains(out, "Chromium") && strings.Contains(out, "Started headless") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

// withoutLocale drops the locale variables, so that LANG decides.
func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "LC_ALL=") || strings.HasPrefix(kv, "LC_MESSAGES=") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
