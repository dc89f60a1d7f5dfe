package i18n

// Protocol error codes: "code.<CODE>" is the message, "hint.<CODE>" what to do.
// These are copies of the one source, extension/_locales/{es,en}/messages.json
// ("err_<CODE>", "hint_<CODE>", "hint_<CODE>__<variant>"): change a text
// there first; catalogue_test.go fails until this copy says the same.
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"code.ERR_BAD_REQUEST":         {"La solicitud que recibió el conector no es válida.", "The connector received an invalid request."},
			"hint.ERR_BAD_REQUEST":         {"Actualice la extensión y el conector a la misma versión; si el problema sigue, reporte el informe de diagnóstico.", "Update the extension and the connector to the same version; if it persists, report the diagnostics."},
			"code.ERR_UNKNOWN_COMMAND":     {"El conector no reconoce esa operación.", "The connector does not know that operation."},
			"hint.ERR_UNKNOWN_COMMAND":     {"Actualice el conector e.firma a la versión más reciente.", "Update the e.firma connector to the latest version."},
			"code.ERR_MESSAGE_TOO_LARGE":   {"La solicitud es demasiado grande.", "The request is too large."},
			"hint.ERR_MESSAGE_TOO_LARGE":   {"Firme menos documentos a la vez o documentos más pequeños.", "Sign fewer or smaller documents at a time."},
			"code.ERR_BAD_CREDENTIAL_FILE": {"El archivo no es un certificado (.cer) o una llave privada (.key) válidos.", "The file is not a valid certificate (.cer) or private key (.key)."},
			"hint.ERR_BAD_CREDENTIAL_FILE": {"Elija el archivo .cer y el archivo .key que le entregó el SAT (no el .req ni un .zip).", "Choose the .cer and .key files SAT issued (not the .req nor a .zip)."},
			"code.ERR_WRONG_PASSWORD":      {"La contraseña de la llave privada no es correcta.", "The private key password is wrong."},
			"hint.ERR_WRONG_PASSWORD":      {"Escriba la contraseña que definió al tramitar su e.firma (distingue mayúsculas y minúsculas). Si la olvidó, debe renovar su e.firma en el SAT.", "Type the password you chose when you obtained your e.firma (case-sensitive). If you forgot it, renew your e.firma at SAT."},
			"code.ERR_KEY_MISMATCH":        {"La llave privada (.key) no corresponde al certificado (.cer).", "The private key (.key) does not belong to the certificate (.cer)."},
			"hint.ERR_KEY_MISMATCH":        {"Use el .key que se generó junto con este .cer; si tiene varias e.firma o sellos, revise que sean del mismo par.", "Use the .key generated together with this .cer; if you have several, check they are a pair."},
			"code.ERR_CERT_NOT_FOUND":      {"El certificado elegido no está en este equipo.", "The chosen certificate is not on this computer."},
			"hint.ERR_CERT_NOT_FOUND":      {"Importe su e.firma en «Mis certificados» (archivos .cer y .key) o conecte su token.", "Import your e.firma in “My certificates” (.cer and .key files) or plug in your token."},
			"code.ERR_CERT_EXPIRED":        {"Su e.firma venció.", "Your e.firma has expired."},
			"hint.ERR_CERT_EXPIRED":        {"Renueve su e.firma en el SAT: en línea (CertiSAT Web o SAT ID) o con cita en una oficina del SAT; después importe los archivos nuevos (.cer y .key) en «Mis certificados».", "Renew your e.firma at SAT: online (CertiSAT Web or SAT ID) or at a SAT office with an appointment; then import the new files (.cer and .key) in “My certificates”."},
			"code.ERR_CERT_NOT_YET_VALID":  {"Su e.firma todavía no es válida.", "Your e.firma is not valid yet."},
			"hint.ERR_CERT_NOT_YET_VALID":  {"Revise que la fecha y la hora de su computadora sean correctas; si lo son, espere a la fecha de inicio de vigencia.", "Check your computer's date and time; if they are right, wait until the certificate's start date."},
			"code.ERR_NOT_FIEL":            {"Este certificado no es una e.firma (FIEL).", "This certificate is not an e.firma (FIEL)."},
			"hint.ERR_NOT_FIEL":            {"El Certificado de Sello Digital (CSD) sirve para facturar, no para iniciar sesión; su e.firma es otro par de archivos (.cer y .key). Elija su e.firma o impórtela en «Mis certificados».", "The digital seal certificate (CSD) is for invoices, not for signing in; your e.firma is another pair of files (.cer and .key). Choose your e.firma or import it in “My certificates”."},
			"code.ERR_ORIGIN_INVALID":      {"El sitio que solicita la firma no es válido.", "The site asking for the signature is not valid."},
			"hint.ERR_ORIGIN_INVALID":      {"Solo los sitios seguros (https) permitidos pueden solicitar su e.firma.", "Only allowed secure (https) sites may ask for your e.firma."},
			"code.ERR_DATA_RESERVED":       {"Los datos a firmar tienen un formato reservado para el inicio de sesión.", "The data to sign uses a format reserved for signing in."},
			"hint.ERR_DATA_RESERVED":       {"El sitio intentó firmar algo que parece un inicio de sesión; no continúe y avise al sitio.", "The site tried to sign something that looks like a sign-in; do not continue and tell the site."},
			"code.ERR_DATA_NOT_TEXT":       {"Solo se pueden firmar textos legibles; estos datos no lo son.", "Only readable text can be signed; this data is not."},
			"hint.ERR_DATA_NOT_TEXT":       {"El sitio pidió firmar datos que usted no podría leer. Un archivo (PDF, XML u otro) se firma como documento, con su nombre y su huella a la vista; avise al sitio.", "The site asked you to sign data you could not read. A file (PDF, XML or other) is signed as a document, with its name and fingerprint shown; tell the site."},
			"code.ERR_TOKEN_NOT_PRESENT":   {"El token o la tarjeta no está conectado.", "The token or card is not connected."},
			"hint.ERR_TOKEN_NOT_PRESENT":   {"Conecte su token USB o inserte su tarjeta y vuelva a intentar.", "Plug in your USB token or insert your card and try again."},
			"code.ERR_PIN_INCORRECT":       {"El PIN no es correcto.", "The PIN is wrong."},
			"hint.ERR_PIN_INCORRECT":       {"Escriba el PIN de su token. Tras varios intentos fallidos el token se bloquea.", "Type your token's PIN. After several failures the token locks."},
			"code.ERR_PIN_LOCKED":          {"El PIN del token está bloqueado.", "The token's PIN is locked."},
			"hint.ERR_PIN_LOCKED":          {"Desbloquee el token con su PUK o con la herramienta de su proveedor.", "Unlock the token with its PUK or its vendor's tool."},
			"code.ERR_PIN_FINAL_TRY":       {"Queda un solo intento de PIN antes de que el token se bloquee.", "One PIN try is left before the token locks."},
			"hint.ERR_PIN_FINAL_TRY":       {"Confirme que quiere usar el último intento y escriba el PIN con cuidado.", "Confirm you want to use the last try and type the PIN carefully."},
			"code.ERR_MODULE_UNAVAILABLE":  {"No se pudo cargar el controlador (PKCS#11) del token.", "The token driver (PKCS#11) could not be loaded."},
			"hint.ERR_MODULE_UNAVAILABLE":  {"Instale el controlador de su token (por ejemplo OpenSC o SafeNet) y reinicie el navegador.", "Install your token's driver (for example OpenSC or SafeNet) and restart the browser."},
			"code.ERR_KEY_UNUSABLE":        {"Este certificado no tiene una llave privada utilizable en este dispositivo.", "This certificate has no usable private key on this device."},
			"hint.ERR_KEY_UNUSABLE":        {"Use el token donde se generó la llave o importe el .cer y el .key correspondientes.", "Use the token where the key was generated or import the matching .cer and .key."},
			"code.ERR_DISK_FULL":           {"No se pudo guardar: el disco de esta computadora está lleno.", "It could not be saved: this computer's disk is full."},
			"hint.ERR_DISK_FULL":           {"Libere espacio (vacíe la papelera o borre archivos que no necesite) y vuelva a intentar. No se perdió nada de lo que ya tenía guardado.", "Free some space (empty the trash or delete files you do not need) and try again. Nothing already stored was lost."},
			"code.ERR_STORE_READ_ONLY":     {"No se pudo guardar: la carpeta de sus certificados es de solo lectura o no tiene permiso para escribir en ella.", "It could not be saved: your certificates' folder is read-only or you may not write to it."},
			"hint.ERR_STORE_READ_ONLY":     {"Revise que el disco no esté protegido contra escritura y que su usuario pueda escribir en la carpeta del conector (ejecute «efirma doctor»); en un equipo administrado, pida ayuda a soporte.", "Check that the disk is not write-protected and that your user may write to the connector's folder (run “efirma doctor”); on a managed computer, ask support."},
			"code.ERR_INTERNAL":            {"Ocurrió un error interno en el conector.", "An internal error occurred in the connector."},
			"hint.ERR_INTERNAL":            {"Vuelva a intentar; si se repite, ejecute «efirma doctor» y envíe el informe a soporte.", "Try again; if it repeats, run “efirma doctor” and send the report to support."},
		}
	})
}

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"code.ERR_NO_USABLE_CERTIFICATE": {"Ninguno de los certificados guardados en este equipo sirve para esta operación.", "None of the certificates stored on this computer can be used for this."},
			"hint.ERR_NO_USABLE_CERTIFICATE": {"Cada certificado dice por qué en la ventana de e.firma. Importe una e.firma vigente (archivos .cer y .key) en «Mis certificados».", "The e.firma window says why for each one. Import a valid e.firma (.cer and .key files) in “My certificates”."},
			"code.ERR_ISSUER_UNKNOWN":        {"No se encontró la autoridad certificadora que emitió este certificado.", "The certificate authority that issued this certificate was not found."},
			"hint.ERR_ISSUER_UNKNOWN":        {"Configure la carpeta de certificados del SAT (EFIRMA_CA_DIR o «caDir» en config.json) para revisar la revocación.", "Configure the folder of SAT certificates (EFIRMA_CA_DIR or “caDir” in config.json) to check revocation."},
		}
	})
}

// Hints more precise than the code's own, chosen by details["variant"].
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"hint.ERR_NOT_FIEL.OTHER":                            {"Este certificado no fue emitido como e.firma del SAT; para iniciar sesión en portales del gobierno use su e.firma (archivos .cer y .key que le entregó el SAT).", "This certificate was not issued as a SAT e.firma; to sign in to government portals use your e.firma (the .cer and .key SAT gave you)."},
			"code.ERR_BAD_CREDENTIAL_FILE.storedDamaged":         {"El archivo guardado de esta e.firma está dañado.", "The stored file of this e.firma is damaged."},
			"hint.ERR_BAD_CREDENTIAL_FILE.storedDamaged":         {"Vuelva a importar su e.firma (.cer y .key) en «Mis certificados» o con «efirma import»; la contraseña no tiene la culpa.", "Import your e.firma (.cer and .key) again in “My certificates” or with “efirma import”; the password is not the problem."},
			"code.ERR_BAD_CREDENTIAL_FILE.unencryptedKey":        {"El archivo de la llave privada (.key) es una llave sin cifrar: no tiene contraseña.", "The private key file (.key) is an unencrypted key: it has no password."},
			"hint.ERR_BAD_CREDENTIAL_FILE.unencryptedKey":        {"Para guardarla protegida, escriba una contraseña NUEVA dos veces: el conector guardará la llave cifrada con ella y se la pedirá cada vez que firme. Nunca se guarda sin cifrar.", "To store it protected, type a NEW password twice: the connector stores the key encrypted with it and asks for it each time you sign. It is never stored unencrypted."},
			"code.ERR_BAD_CREDENTIAL_FILE.certificateNotKey":     {"El archivo que eligió como llave privada (.key) es un certificado, no una llave.", "The file chosen as the private key (.key) is a certificate, not a key."},
			"hint.ERR_BAD_CREDENTIAL_FILE.certificateNotKey":     {"Elija el archivo .key (llave privada) que se generó junto con su .cer.", "Choose the .key file (private key) generated together with your .cer."},
			"code.ERR_BAD_CREDENTIAL_FILE.keyNotCertificate":     {"El archivo que eligió como certificado (.cer) es una llave privada, no un certificado.", "The file chosen as the certificate (.cer) is a private key, not a certificate."},
			"hint.ERR_BAD_CREDENTIAL_FILE.keyNotCertificate":     {"Elija el archivo .cer de su e.firma como certificado; la llave va en el campo de la llave privada.", "Choose your e.firma's .cer file as the certificate; the key goes in the private key field."},
			"code.ERR_BAD_CREDENTIAL_FILE.damaged":               {"El archivo está dañado: está incompleto o fue alterado.", "The file is damaged: it is incomplete or was altered."},
			"hint.ERR_BAD_CREDENTIAL_FILE.damaged":               {"Vuelva a copiarlo desde su respaldo o desde el medio donde lo recibió del SAT; no lo abra ni lo guarde con otros programas.", "Copy it again from your backup or from where SAT gave it to you; do not open or save it with other programs."},
			"code.ERR_BAD_CREDENTIAL_FILE.unsupportedEncryption": {"La llave privada está cifrada con un método que el conector no admite.", "The private key is encrypted with a method the connector does not support."},
			"hint.ERR_BAD_CREDENTIAL_FILE.unsupportedEncryption": {"Use el .key original que le entregó el SAT.", "Use the original .key SAT gave you."},
			"code.ERR_BAD_REQUEST.newPasswordShort":              {"La contraseña nueva es demasiado corta.", "The new password is too short."},
			"hint.ERR_BAD_REQUEST.newPasswordShort":              {"Use al menos 8 caracteres.", "Use at least 8 characters."},
			"hint.ERR_WRONG_PASSWORD.pkcs12":                     {"Escriba la contraseña del archivo .pfx (la que eligió al crearlo o exportarlo), no necesariamente la de su e.firma.", "Type the .pfx file's password (the one chosen when it was created or exported), not necessarily your e.firma's."},
		}
	})
}

// Warnings of list-certificates, per source.
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"warning.source.file":   {"Una e.firma guardada en este equipo no se pudo leer; ejecute «efirma doctor».", "An e.firma stored on this computer could not be read; run “efirma doctor”."},
			"warning.source.pkcs11": {"Un controlador de token (PKCS#11) no se pudo usar; ejecute «efirma doctor».", "A token driver (PKCS#11) could not be used; run “efirma doctor”."},
		}
	})
}
