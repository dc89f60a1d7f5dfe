package i18n

// The texts of `make demo` (host/cmd/demo).
func init() {
	add(map[string]Msg{
		"demo.phase.protocol":   {"Fase 1: el conector por mensajería nativa, como lo usa Chrome", "Phase 1: the connector over native messaging, as Chrome uses it"},
		"demo.phase.browser":    {"Fase 2: el flujo real en Chromium con la extensión y el portal de demostración", "Phase 2: the real flow in Chromium with the extension and the demo portal"},
		"demo.build":            {"Se compila %s en %s.", "Building %s into %s."},
		"demo.home":             {"Almacén temporal de prueba: %s", "Throwaway test store: %s"},
		"demo.imported":         {"Se importó la e.firma de prueba de %s (contraseña 12345678a).", "Imported the test e.firma from %s (password 12345678a)."},
		"demo.started":          {"Se inició el conector %s como lo hace Chrome (mensajería nativa).", "Started the connector %s the way Chrome does (native messaging)."},
		"demo.hello":            {"hello: versión %s, protocolo %d, orígenes %v.", "hello: version %s, protocol %d, sources %v."},
		"demo.list":             {"list-certificates: %d certificado(s).", "list-certificates: %d certificate(s)."},
		"demo.cert":             {"%s — RFC %s — %s — No. %s — vence %s (%d días)", "%s — RFC %s — %s — No. %s — expires %s (%d days)"},
		"demo.auth":             {"authenticate: inicio de sesión firmado para %s con el reto %s.", "authenticate: login signed for %s with challenge %s."},
		"demo.verified.go":      {"✔ La firma es válida (verificada en Go).", "✔ The signature is valid (verified in Go)."},
		"demo.verified.openssl": {"✔ La firma es válida (verificada por openssl, de forma independiente).", "✔ The signature is valid (verified independently by openssl)."},
		"demo.openssl.missing":  {"(openssl no está disponible: %s)", "(openssl is not available: %s)"},
		"demo.sign":             {"sign: se firmó la cadena original %s", "sign: signed the cadena original %s"},
		"demo.reserved":         {"✔ Un intento de firmar un inicio de sesión como documento fue rechazado: %s", "✔ An attempt to sign a login as a document was refused: %s"},
		"demo.done":             {"Listo: el conector cerró limpiamente al terminar la conexión.", "Done: the connector exited cleanly when the connection ended."},

		"demo.browser.skipped":    {"Se omitió (--browser=false).", "Skipped (--browser=false)."},
		"demo.browser.missing":    {"Chromium no está instalado, así que se omite esta fase. Para verla, instálelo con: %s", "Chromium is not installed, so this phase is skipped. To see it, install it with: %s"},
		"demo.browser.missing.ci": {"con CI=true la fase del navegador es obligatoria; instale Chromium con: %s", "with CI=true the browser phase is required; install Chromium with: %s"},
		"demo.browser.l10n":       {"(Chromium no tiene su traducción al español; la ventana de confirmación se verá en inglés. Instale chromium-l10n.)", "(Chromium lacks its Spanish translation; the consent window will be in English. Install chromium-l10n.)"},
		"demo.browser.imported":   {"Se importó la e.firma de prueba de %s (RFC %s) en un almacén temporal: %s", "Imported the test e.firma of %s (RFC %s) into a throwaway store: %s"},
		"demo.browser.registered": {"Se registró el conector en un perfil temporal del navegador: %s", "Registered the connector in a throwaway browser profile: %s"},
		"demo.browser.portal":     {"Portal de demostración en %s (confía en la CA de prueba de %s).", "Demo portal at %s (it trusts the test CA in %s)."},
		"demo.browser.started":    {"Se abrió Chromium sin ventana (%s) con la extensión %s; idioma de la interfaz: %s.", "Started headless Chromium (%s) with the extension %s; UI language: %s."},
		"demo.browser.devmode":    {"En «Mis certificados» de la extensión se encendió «Permitir portales en http://localhost y http://127.0.0.1».", "In the extension's «Mis certificados» page, turned on «Allow portals on http://localhost and http://127.0.0.1»."},
		"demo.browser.home":       {"Se abrió el portal %s; su página de inicio dice: «%s»", "Opened the portal %s; its home page says: «%s»"},
		"demo.browser.consent":    {"Clic en «Acceder con firma digital»: se abrió la ventana de confirmación para %s (operación: %s).", "Clicked «Acceder con firma digital»: the consent window opened for %s (operation: %s)."},
		"demo.browser.picked":     {"Se eligió el certificado de %s (RFC %s) y se escribió la contraseña.", "Chose the certificate of %s (RFC %s) and typed the password."},
		"demo.browser.inicio":     {"✔ Sesión iniciada: /inicio muestra %s, RFC %s, CURP %s.", "✔ Signed in: /inicio shows %s, RFC %s, CURP %s."},
		"demo.browser.cita":       {"«Solicitar cita»: trámite «%s», fecha %s.", "«Solicitar cita»: procedure «%s», date %s."},
		"demo.browser.preview":    {"La ventana de confirmación muestra lo que se firmará: %s", "The consent window shows what will be signed: %s"},
		"demo.browser.folio":      {"✔ El portal verificó la firma de la solicitud y dio el folio %s.", "✔ The portal verified the request's signature and gave folio %s."},
		"demo.browser.shots":      {"Capturas de pantalla en %s:", "Screenshots in %s:"},
		"demo.browser.shot":       {"%s", "%s"},
		"demo.browser.done":       {"Listo: el flujo real funcionó de principio a fin.", "Done: the real flow worked from start to end."},

		"demo.phase.sat":   {"Fase 3: inicio de sesión en el SAT (réplica local de su página de e.firma) con el botón de la extensión", "Phase 3: signing in to SAT (a local replica of its e.firma page) with the extension's button"},
		"demo.sat.replica": {"Réplica del inicio de sesión del SAT en %s para %s; Chromium acepta su certificado de prueba por la huella SPKI %s.", "SAT login replica at %s for %s; Chromium accepts its test certificate by the SPKI hash %s."},
		"demo.sat.button":  {"La página de e.firma del SAT (%s) muestra el botón «%s».", "SAT's e.firma page (%s) shows the button «%s»."},
		"demo.sat.consent": {"Clic en el botón: la ventana de confirmación pide «%s» para %s; se eligió la e.firma de prueba y se escribió la contraseña.", "Clicked the button: the consent window asks «%s» for %s; chose the test e.firma and typed the password."},
		"demo.sat.signed":  {"✔ La réplica del SAT verificó el token y la fecha fert: «%s».", "✔ The SAT replica verified the token and fert: «%s»."},
		"demo.sat.replay":  {"✔ El mismo token enviado otra vez fue rechazado: «%s».", "✔ The same token sent again was refused: «%s»."},

		"demo.keep.title": {"El portal de demostración sigue en marcha (Ctrl+C para terminar)", "The demo portal keeps running (Ctrl+C to stop)"},
		"demo.keep.steps": {`Pruébelo en su propio Chrome o Chromium:
  1. Abra chrome://extensions, encienda «Modo de desarrollador», pulse «Cargar descomprimida» y elija %[2]s
  2. Registre el conector para su usuario:  %[3]s install
  3. Importe la e.firma de prueba (contraseña 12345678a):
       %[3]s import --cer %[4]s --key %[5]s
  4. Permita sitios locales: en «Mis certificados» de la extensión encienda «Permitir portales en http://localhost y http://127.0.0.1»,
     y en el conector agregue "devOrigins": true a ~/.config/efirma/config.json (o inicie el navegador con EFIRMA_DEV_ORIGINS=1).
  5. Abra %[1]s y pulse «Acceder con firma digital».
Al terminar: %[3]s uninstall  y  %[3]s remove --id <id>  (ver %[3]s list).`, `Try it in your own Chrome or Chromium:
  1. Open chrome://extensions, turn on «Developer mode», press «Load unpacked» and pick %[2]s
  2. Register the connector for your user:  %[3]s install
  3. Import the test e.firma (password 12345678a):
       %[3]s import --cer %[4]s --key %[5]s
  4. Allow local sites: in the extension's «Mis certificados» turn on «Allow portals on http://localhost and http://127.0.0.1»,
     and in the connector add "devOrigins": true to ~/.config/efirma/config.json (or start the browser with EFIRMA_DEV_ORIGINS=1).
  5. Open %[1]s and press «Acceder con firma digital».
When done: %[3]s uninstall  and  %[3]s remove --id <id>  (see %[3]s list).`},
		"demo.interrupted":   {"Se interrumpió la demostración; se cerró lo que había abierto.", "The demo was interrupted; what it had opened was closed."},
		"demo.visible.title": {"Chromium está abierto con la extensión: ahora usted hace el recorrido (Ctrl+C o cierre el navegador para terminar)", "Chromium is open with the extension: now you click through (Ctrl+C or close the browser to stop)"},
		"demo.visible.steps": {"1. En %s, haga clic en «Acceder con firma digital».\n2. En la ventana del conector, elija la e.firma de prueba y escriba la contraseña %s.\n3. Verá su nombre, RFC y CURP; luego pruebe «Solicitar cita».\n(Sin pantalla, o con --visible=false, la demostración hace todo esto sola y guarda capturas.)", "1. At %s, click “Acceder con firma digital”.\n2. In the connector's window, choose the test e.firma and type the password %s.\n3. You will see the name, RFC and CURP; then try “Solicitar cita”.\n(Without a display, or with --visible=false, the demo does all this itself and saves screenshots.)"},
		"demo.keep.stopped":  {"Se detuvo el portal de demostración.", "Stopped the demo portal."},
	})
}
