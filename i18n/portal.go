package i18n

// Demo portal: the refusals of its own endpoints ("portal.err.<code>" and
// "portal.hint.<code>") and its pages ("portal.page.*", "portal.js.*"). The
// verifier's refusals have their texts in portal/verifier (messages.go), so
// that a portal importing the verifier links no host catalogue.
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			// Demo portal: errors of its own endpoints.
			"portal.err.bad-request":        {"La solicitud no es válida.", "The request is not valid."},
			"portal.hint.bad-request":       {"Recargue la página y vuelva a intentar.", "Reload the page and try again."},
			"portal.err.too-large":          {"La solicitud es demasiado grande.", "The request is too large."},
			"portal.hint.too-large":         {"Recargue la página y vuelva a intentar.", "Reload the page and try again."},
			"portal.err.not-logged-in":      {"Su sesión terminó.", "Your session has ended."},
			"portal.hint.not-logged-in":     {"Vuelva a ingresar con su e.firma.", "Sign in again with your e.firma."},
			"portal.err.wrong-signer":       {"El documento se firmó con una e.firma distinta a la de su sesión.", "The document was signed with an e.firma other than your session's."},
			"portal.hint.wrong-signer":      {"Firme con la misma e.firma con la que ingresó.", "Sign with the same e.firma you signed in with."},
			"portal.err.cita-data":          {"Los datos de la solicitud de cita no son válidos.", "The appointment request data are not valid."},
			"portal.hint.cita-data":         {"Elija un trámite y una fecha, y vuelva a firmar.", "Choose a procedure and a date, and sign again."},
			"portal.err.forbidden-origin":   {"La solicitud no proviene de este portal.", "The request does not come from this portal."},
			"portal.hint.forbidden-origin":  {"Abra el portal escribiendo su dirección y vuelva a intentar.", "Open the portal by typing its address and try again."},
			"portal.page.title":             {"Portal de trámites (demostración)", "Procedures portal (demo)"},
			"portal.page.gov":               {"Gobierno de México · Portal de demostración", "Government of Mexico · Demo portal"},
			"portal.page.home.heading":      {"Acceso al portal", "Portal sign-in"},
			"portal.page.home.intro":        {"Ingrese con su e.firma (FIEL) emitida por el SAT. Su llave privada y su contraseña nunca salen de su equipo.", "Sign in with your SAT e.firma (FIEL). Your private key and password never leave your computer."},
			"portal.page.home.button":       {"Acceder con firma digital", "Acceder con firma digital"},
			"portal.page.home.checking":     {"Comprobando el Conector e.firma…", "Checking the e.firma Connector…"},
			"portal.page.inicio.heading":    {"Bienvenida o bienvenido", "Welcome"},
			"portal.page.inicio.name":       {"Nombre o razón social", "Name"},
			"portal.page.inicio.rfc":        {"RFC", "RFC"},
			"portal.page.inicio.curp":       {"CURP", "CURP"},
			"portal.page.inicio.rep":        {"Representante legal", "Legal representative"},
			"portal.page.inicio.cert":       {"Número de certificado", "Certificate number"},
			"portal.page.inicio.expiry":     {"Vigencia de la e.firma", "e.firma valid until"},
			"portal.page.inicio.revocation": {"Estado en el SAT", "Status at SAT"},
			"portal.page.inicio.cita":       {"Solicitar cita", "Request an appointment"},
			"portal.page.logout":            {"Salir", "Sign out"},
			"portal.page.cita.heading":      {"Solicitar cita", "Request an appointment"},
			"portal.page.cita.intro":        {"La solicitud se firma con su e.firma. Revise los datos antes de firmar.", "The request is signed with your e.firma. Check the data before signing."},
			"portal.page.cita.tramite":      {"Trámite", "Procedure"},
			"portal.page.cita.fecha":        {"Fecha deseada", "Preferred date"},
			"portal.page.cita.button":       {"Firmar y solicitar", "Sign and request"},
			"portal.page.cita.back":         {"Regresar al inicio", "Back to start"},
			"portal.page.footer":            {"Portal de demostración del Conector e.firma. No es un sitio oficial.", "e.firma Connector demo portal. Not an official site."},
			"portal.revocation.good":        {"Vigente (consultado por OCSP)", "Valid (checked by OCSP)"},
			"portal.revocation.not-checked": {"No consultado (OCSP no configurado)", "Not checked (OCSP not configured)"},
			"portal.revocation.unavailable": {"No se pudo consultar", "Could not be checked"},
			"portal.js.ext-available":       {"Conector e.firma disponible (versión %s).", "e.firma Connector available (version %s)."},
			"portal.js.ext-no-host":         {"La extensión está instalada, pero falta el programa Conector e.firma en este equipo.", "The extension is installed, but the e.firma Connector program is missing on this computer."},
			"portal.js.ext-missing":         {"No se detectó la extensión Conector e.firma. Instálela para acceder con su e.firma.", "The e.firma Connector extension was not found. Install it to sign in with your e.firma."},
			"portal.js.working":             {"Esperando su firma…", "Waiting for your signature…"},
			"portal.js.verifying":           {"Verificando…", "Verifying…"},
			"portal.js.cita-done":           {"Cita solicitada. Folio: %s", "Appointment requested. Reference: %s"},
			"portal.js.network":             {"No se pudo comunicar con el portal.", "Could not reach the portal."},
			"portal.js.network-hint":        {"Revise su conexión y vuelva a intentar.", "Check your connection and try again."},
			"portal.js.missing-fields":      {"Elija un trámite y una fecha.", "Choose a procedure and a date."},
			"portal.tramite.rfc":            {"Actualización de datos en el RFC", "RFC data update"},
			"portal.tramite.efirma":         {"Renovación de e.firma", "e.firma renewal"},
			"portal.tramite.devolucion":     {"Aclaración de devolución", "Refund clarification"},
		}
	})
}
