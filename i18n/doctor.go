package i18n

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"doctor.source.title":         {"Origen de certificados «%s»", "Certificate source “%s”"},
			"doctor.source.fix":           {"Revise el archivo indicado o vuelva a importar su e.firma.", "Check the file named or import your e.firma again."},
			"doctor.none.title":           {"Certificados en este equipo", "Certificates on this computer"},
			"doctor.none.reason":          {"No hay ninguna e.firma instalada en este equipo (por ejemplo, después de cambiar de computadora).", "No e.firma is installed on this computer (for example after changing computers)."},
			"doctor.none.fix":             {"Importe su .cer y su .key con «efirma import» o en «Mis certificados», restaure su respaldo .pfx, o conecte su token.", "Import your .cer and .key with “efirma import” or in “My certificates”, restore your .pfx backup, or plug in your token."},
			"doctor.expired.title":        {"Vigencia de %s", "Validity of %s"},
			"doctor.expired.renewed":      {"Ya tiene una e.firma vigente con el mismo RFC; puede quitar la vencida con «efirma remove --id %s».", "You already have a valid e.firma for the same RFC; remove the expired one with “efirma remove --id %s”."},
			"doctor.expired.reason":       {"Venció el %s.", "It expired on %s."},
			"doctor.notyet.title":         {"Vigencia de %s", "Validity of %s"},
			"doctor.notyet.reason":        {"Será válida a partir del %s. Si esa fecha ya pasó, la fecha de su computadora está mal.", "It becomes valid on %s. If that date has passed, your computer's date is wrong."},
			"doctor.expiring.title":       {"Vigencia de %s", "Validity of %s"},
			"doctor.expiring.reason":      {"Vence en %d días (el %s).", "It expires in %d days (on %s)."},
			"doctor.expiring.reason.zero": {"Vence en menos de un día (el %s).", "It expires in less than a day (on %s)."},
			"doctor.expiring.reason.one":  {"Vence en 1 día (el %s).", "It expires in 1 day (on %s)."},
			"doctor.expiring.fix":         {"Renueve su e.firma antes de que venza: en el portal del SAT con SAT ID o con cita en una oficina del SAT. Mientras sea válida puede renovarla en línea.", "Renew your e.firma before it expires: at SAT online with SAT ID or with an appointment. While valid it can be renewed online."},
			"doctor.valid.title":          {"Vigencia de %s", "Validity of %s"},
			"doctor.valid.reason":         {"Válida hasta el %s (%d días).", "Valid until %s (%d days)."},
			"doctor.csd.title":            {"Tipo de %s", "Type of %s"},
			"doctor.csd.reason":           {"Es un Certificado de Sello Digital (CSD): sirve para facturar, no para iniciar sesión.", "It is a digital seal certificate (CSD): for invoices, not for signing in."},
			"doctor.other.title":          {"Tipo de %s", "Type of %s"},
			"doctor.other.reason":         {"No tiene la forma de una e.firma (FIEL) del SAT.", "It does not have the shape of a SAT e.firma (FIEL)."},
			"doctor.key.title":            {"Llave privada de %s", "Private key of %s"},
			"doctor.key.after_pin":        {"El token no muestra la llave privada hasta que se escribe el PIN; no se comprueba hasta entonces (se comprobará al usarla).", "The token does not show the private key until the PIN is entered; it is not checked until then (it will be checked when used)."},
			"doctor.issuer.title":         {"Emisor de %s", "Issuer of %s"},
			"doctor.issuer.sat":           {"Emitida por el SAT (%s).", "Issued by SAT (%s)."},
			"doctor.issuer.notsat":        {"No la emitió el SAT: ninguna autoridad certificadora del SAT (AC0 a AC5) la firmó.", "Not issued by SAT: none of SAT's certificate authorities (AC0 to AC5) signed it."},
			"doctor.issuer.ok":            {"Emitido por una autoridad certificadora del SAT configurada.", "Issued by a configured SAT certificate authority."},
			"doctor.issuer.bad":           {"No fue emitido por una autoridad certificadora del SAT configurada.", "Not issued by a configured SAT certificate authority."},
			"doctor.issuer.bad.fix":       {"Use la e.firma que le entregó el SAT; los certificados de otras autoridades no sirven en portales del gobierno.", "Use the e.firma SAT issued; certificates from other authorities do not work on government portals."},
			"doctor.issuer.nocas":         {"No hay una carpeta de certificados de autoridad (CA) del SAT configurada.", "No folder of SAT CA certificates is configured."},
			"doctor.issuer.nocas.fix":     {"Configure EFIRMA_CA_DIR o «caDir» en config.json con los certificados raíz del SAT.", "Set EFIRMA_CA_DIR or “caDir” in config.json to SAT's CA certificates."},
			"doctor.clock.title":          {"Fecha y hora de la computadora", "Computer date and time"},
			"doctor.clock.off":            {"La comparación con una fuente de hora está desactivada.", "Comparison with a time source is disabled."},
			"doctor.clock.offline":        {"No se pudo consultar una fuente de hora (sin conexión).", "A time source could not be reached (offline)."},
			"doctor.clock.manual":         {"Compare la fecha, la hora y la zona horaria de su computadora con la hora oficial (hora.cenam.mx).", "Compare your computer's date, time and time zone with the official time (hora.cenam.mx)."},
			"doctor.clock.bad":            {"El reloj de su computadora difiere %s de la hora de internet (%s).", "Your computer clock is off by %s from internet time (%s)."},
			"doctor.clock.fix":            {"Active «Establecer la hora automáticamente» y revise la zona horaria.", "Turn on “Set time automatically” and check the time zone."},
			"doctor.clock.ok":             {"La hora de su computadora es correcta.", "Your computer's time is correct."},
		}
	})
}

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"doctor.module.title":      {"Controlador PKCS#11 %s", "PKCS#11 driver %s"},
			"doctor.module.broken":     {"No se pudo cargar: %s", "It could not be loaded: %s"},
			"doctor.module.none.title": {"Tokens y tarjetas", "Tokens and cards"},
			"doctor.module.none":       {"No se encontró ningún controlador de token instalado; si usa su e.firma en archivos .cer y .key, no lo necesita.", "No token driver is installed; if you use your e.firma as .cer and .key files you do not need one."},
			"doctor.token.title":       {"Token «%s» (ranura %d)", "Token “%s” (slot %d)"},
			"doctor.token.none":        {"El controlador está instalado pero no hay ningún token conectado.", "The driver is installed but no token is connected."},
			"doctor.token.countlow":    {"Hubo intentos de PIN fallidos; quedan pocos antes de que el token se bloquee.", "There were failed PIN attempts; few are left before the token locks."},
			"doctor.token.ok":          {"Conectado, PIN sin bloquear, %d certificado(s).", "Connected, PIN not locked, %d certificate(s)."},
		}
	})
}

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"doctor.password.title": {"Contraseña de la e.firma", "e.firma password"},
			"doctor.password.none":  {"No hubo intentos fallidos de contraseña en esta sesión.", "No failed password attempts in this session."},
			"doctor.password.tries": {"Hubo %d intento(s) con contraseña incorrecta en esta sesión (la contraseña nunca se guarda).", "There were %d attempt(s) with a wrong password in this session (the password is never stored)."},
		}
	})
}

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"doctor.reg.title":   {"Conector registrado en los navegadores", "Connector registered with the browsers"},
			"doctor.reg.browser": {"Conector en %s", "Connector in %s"},
			"doctor.reg.ok":      {"Registrado y utilizable en: %s.", "Registered and usable in: %s."},
			"doctor.reg.none":    {"El conector no está registrado (o no es utilizable) en ningún navegador de este usuario.", "The connector is not registered (or not usable) in any browser for this user."},
			"doctor.reg.fix":     {"Ejecute «efirma install» (o reinstale el paquete) y reinicie el navegador.", "Run “efirma install” (or reinstall the package) and restart the browser."},
		}
	})
}

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"doctor.file.cer":            {"Archivo de certificado (.cer)", "Certificate file (.cer)"},
			"doctor.file.key":            {"Llave privada (.key) de %s", "Private key (.key) of %s"},
			"doctor.file.nopassword":     {"No se revisó la llave porque no se dio la contraseña.", "The key was not checked because no password was given."},
			"doctor.file.nopassword.fix": {"Ejecute de nuevo en una terminal, o con --password-stdin.", "Run again in a terminal, or with --password-stdin."},
			"doctor.file.keyok":          {"La contraseña abre la llave y la llave corresponde al certificado.", "The password opens the key and the key belongs to the certificate."},
		}
	})
}
