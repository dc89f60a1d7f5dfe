package i18n

// PKCS#11 tokens (host/token): reasons a token certificate is not usable,
// List warnings and the lines of the "efirma doctor" token report.
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"token.reason.no_id":           {"El certificado del token no tiene identificador (CKA_ID), así que no se puede encontrar su llave privada.", "The token certificate has no identifier (CKA_ID), so its private key cannot be found."},
			"token.reason.key_after_pin":   {"La llave se comprobará con su PIN (este token no la muestra antes).", "The key will be checked with your PIN (this token does not show it before)."},
			"token.reason.unsupported_key": {"El tipo de llave de este certificado no es compatible (se aceptan RSA y EC P-256 o P-384).", "This certificate's key type is not supported (RSA and EC P-256 or P-384 are)."},
			"token.warn.module":            {"No se pudo usar el controlador de token %s; revise su instalación o ejecute «efirma doctor».", "The token driver %s could not be used; check its installation or run “efirma doctor”."},
			"token.warn.token":             {"No se pudieron leer los certificados del token «%s».", "The certificates on token “%s” could not be read."},

			"token.doctor.none":          {"Tokens (PKCS#11): no se encontró ningún controlador instalado.", "Tokens (PKCS#11): no driver found."},
			"token.doctor.module.ok":     {"Controlador %s: cargado (%s %s).", "Driver %s: loaded (%s %s)."},
			"token.doctor.module.miss":   {"Controlador %s: no instalado.", "Driver %s: not installed."},
			"token.doctor.module.broken": {"Controlador %s: no se pudo cargar (%s).", "Driver %s: could not be loaded (%s)."},
			"token.doctor.module.error":  {"Controlador %s: no se pudieron leer las ranuras (%s).", "Driver %s: the slots could not be read (%s)."},
			"token.doctor.no_tokens":     {"  Ningún token conectado.", "  No token connected."},
			"token.doctor.token":         {"  Token «%s» (serie %s, ranura %d): %s.", "  Token “%s” (serial %s, slot %d): %s."},
			"token.doctor.token.error":   {"    No se pudieron leer sus certificados (%s).", "    Its certificates could not be read (%s)."},
			"token.doctor.empty":         {"    El token no tiene certificados.", "    The token holds no certificates."},
			"token.doctor.cert":          {"    Certificado «%s» (%s), vence %s: %s.", "    Certificate “%s” (%s), expires %s: %s."},
			"token.doctor.cert.key":      {"con llave privada", "with private key"},
			"token.doctor.cert.nokey":    {"sin llave privada", "without private key"},
			"token.doctor.cert.hidden":   {"llave privada no comprobada hasta escribir el PIN", "private key not checked until the PIN is entered"},
			"token.doctor.skipped":       {"    %d objetos de certificado no se pudieron leer.", "    %d certificate objects could not be read."},
			"token.flag.ok":              {"PIN sin problemas", "PIN fine"},
			"token.flag.locked":          {"PIN bloqueado", "PIN locked"},
			"token.flag.final_try":       {"queda un solo intento de PIN", "one PIN try left"},
			"token.flag.count_low":       {"hubo intentos fallidos de PIN", "there were failed PIN tries"},
			"token.flag.uninitialized":   {"token sin inicializar", "token not initialised"},
			"token.flag.pin_pad":         {"PIN en el lector (PIN pad)", "PIN on the reader (PIN pad)"},
		}
	})
}
