package i18n

func init() {
	add(map[string]Msg{
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
	})
}
