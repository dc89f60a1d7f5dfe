package i18n

func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"cli.usage": {`efirma — Conector e.firma

Uso:
  efirma inspect [--json] --cer ARCHIVO [--key ARCHIVO --password-stdin]
  efirma import  --cer ARCHIVO --key ARCHIVO [--password-stdin] [--json]
  efirma import  --pfx ARCHIVO [--password-stdin] [--json]
  efirma list    [--json]
  efirma remove  --id ID
  efirma export  --id ID --pfx SALIDA [--password-stdin]
  efirma doctor  [--json] [--offline] [--cer ARCHIVO [--key ARCHIVO]]
  efirma install | uninstall | status | policy   (ver «efirma install --help»)
  efirma version

Si el navegador lo inicia (primer argumento chrome-extension://…), efirma
atiende mensajes nativos por stdin/stdout.

Variables: EFIRMA_HOME (almacén, registros y config.json), EFIRMA_CA_DIR,
EFIRMA_DEV_ORIGINS=1, EFIRMA_PKCS11_MODULES, EFIRMA_LOG_LEVEL (o --log-level=debug|info|warn|error
antes del comando), LANG=en para inglés.
Códigos de salida: 0 correcto, 1 falló, 2 uso incorrecto, 3 doctor con advertencias, 4 doctor con errores.
`, `efirma — e.firma connector

Usage:
  efirma inspect [--json] --cer FILE [--key FILE --password-stdin]
  efirma import  --cer FILE --key FILE [--password-stdin] [--json]
  efirma import  --pfx FILE [--password-stdin] [--json]
  efirma list    [--json]
  efirma remove  --id ID
  efirma export  --id ID --pfx OUT [--password-stdin]
  efirma doctor  [--json] [--offline] [--cer FILE [--key FILE]]
  efirma install | uninstall | status | policy   (see “efirma install --help”)
  efirma version

When the browser starts it (first argument chrome-extension://…), efirma
serves native messages on stdin/stdout.

Environment: EFIRMA_HOME (store, logs and config.json), EFIRMA_CA_DIR,
EFIRMA_DEV_ORIGINS=1, EFIRMA_PKCS11_MODULES, EFIRMA_LOG_LEVEL (or --log-level=debug|info|warn|error
before the command), LANG=en for English.
Exit codes: 0 success, 1 failed, 2 usage, 3 doctor warnings, 4 doctor errors.
`},
			"cli.help.inspect":          {"Uso: efirma inspect [--json] --cer ARCHIVO [--key ARCHIVO [--password-stdin]]\nMuestra los datos del certificado, quién lo emitió (el SAT, según sus autoridades incluidas, o «caDir») y, con --key, si la llave le corresponde.\n", "Usage: efirma inspect [--json] --cer FILE [--key FILE [--password-stdin]]\nShows the certificate's facts, who issued it (SAT, by its built-in authorities, or “caDir”) and, with --key, whether the key matches.\n"},
			"cli.help.import":           {"Uso: efirma import --cer ARCHIVO --key ARCHIVO [--password-stdin] [--json]\n       efirma import --pfx ARCHIVO [--password-stdin] [--json]\nRevisa la contraseña y que la llave corresponda, y guarda la e.firma en este equipo (la contraseña no se guarda).\nUna llave sin cifrar (PKCS#8 o PKCS#1) no se guarda así: pide una contraseña nueva dos veces (dos líneas con --password-stdin) y la guarda cifrada con ella.\n", "Usage: efirma import --cer FILE --key FILE [--password-stdin] [--json]\n       efirma import --pfx FILE [--password-stdin] [--json]\nChecks the password and that the key matches, then stores the e.firma on this computer (the password is not stored).\nAn unencrypted key (PKCS#8 or PKCS#1) is not stored as is: it asks for a new password twice (two lines with --password-stdin) and stores the key encrypted with it.\n"},
			"cli.help.list":             {"Uso: efirma list [--json]\nLista las e.firma de este equipo y de los tokens conectados.\n", "Usage: efirma list [--json]\nLists the e.firma on this computer and on plugged-in tokens.\n"},
			"cli.help.remove":           {"Uso: efirma remove --id ID\nElimina una e.firma importada (el id lo da «efirma list»).\n", "Usage: efirma remove --id ID\nRemoves an imported e.firma (the id comes from “efirma list”).\n"},
			"cli.help.export":           {"Uso: efirma export --id ID --pfx SALIDA [--password-stdin]\nEscribe un respaldo .pfx protegido con una contraseña nueva (en la terminal se pide dos veces). Con --password-stdin lee la contraseña actual y la nueva, una por línea.\n", "Usage: efirma export --id ID --pfx OUT [--password-stdin]\nWrites a .pfx backup protected with a new password (asked twice at a terminal). With --password-stdin it reads the current and the new password, one per line.\n"},
			"cli.help.doctor":           {"Uso: efirma doctor [--json] [--offline]\nRevisa por qué la e.firma podría no funcionar y dice cómo arreglarlo.\n", "Usage: efirma doctor [--json] [--offline]\nChecks why the e.firma might not work and says how to fix it.\n"},
			"cli.unknown":               {"error: comando desconocido %q", "error: unknown command %q"},
			"cli.hint":                  {"sugerencia", "hint"},
			"cli.warning":               {"advertencia", "warning"},
			"cli.yes":                   {"sí", "yes"},
			"cli.no":                    {"no", "no"},
			"cli.password.prompt":       {"Contraseña de la llave privada: ", "Private key password: "},
			"cli.newpassword.prompt":    {"Contraseña nueva para el respaldo .pfx: ", "New password for the .pfx backup: "},
			"cli.newpassword.again":     {"Repita la contraseña nueva: ", "Repeat the new password: "},
			"cli.export.mismatch":       {"Las dos contraseñas nuevas no coinciden; no se escribió ningún archivo.", "The two new passwords differ; no file was written."},
			"cli.export.mismatch.hint":  {"Vuelva a ejecutar «efirma export» y escriba la misma contraseña nueva dos veces.", "Run “efirma export” again and type the same new password twice."},
			"cli.export.weak":           {"la contraseña nueva debe tener al menos 8 caracteres", "the new password must have at least 8 characters"},
			"cli.exported":              {"Respaldo escrito en %s. Guárdelo en un lugar seguro.", "Backup written to %s. Keep it in a safe place."},
			"cli.imported":              {"e.firma importada en %s", "e.firma imported into %s"},
			"cli.import.unencrypted":    {"Su archivo .key es una llave sin cifrar (no tiene contraseña). El conector no la guarda así: escriba una contraseña NUEVA, dos veces, y la llave se guardará cifrada con ella (se le pedirá al firmar).", "Your .key file is an unencrypted key (it has no password). The connector does not store it that way: type a NEW password, twice, and the key is stored encrypted with it (you will be asked for it when signing)."},
			"cli.password.new":          {"Contraseña nueva: ", "New password: "},
			"cli.password.again":        {"Repita la contraseña nueva: ", "Repeat the new password: "},
			"cli.import.encrypted":      {"La llave llegó sin cifrar y se guardó cifrada con su contraseña nueva (PBES2, PBKDF2-SHA256, AES-256). Use esa contraseña para firmar; el archivo .key sin cifrar sigue donde estaba: bórrelo si ya no lo necesita.", "The key arrived unencrypted and was stored encrypted with your new password (PBES2, PBKDF2-SHA256, AES-256). Use that password to sign; the unencrypted .key file is still where it was: delete it if you no longer need it."},
			"cli.err.newpassword":       {"La contraseña nueva y su repetición no coinciden (o están vacías).", "The new password and its repetition differ (or are empty)."},
			"cli.err.newpassword.hint":  {"Vuelva a importar y escriba la misma contraseña nueva dos veces; con --password-stdin, en dos líneas.", "Import again and type the same new password twice; with --password-stdin, on two lines."},
			"cli.removed":               {"e.firma %s eliminada de este equipo", "e.firma %s removed from this computer"},
			"cli.list.empty":            {"No hay e.firma en este equipo. Impórtela con «efirma import --cer … --key …».", "No e.firma on this computer. Import it with “efirma import --cer … --key …”."},
			"cli.field.name":            {"Nombre:", "Name:"},
			"cli.field.rfc":             {"RFC:", "RFC:"},
			"cli.field.rfcrep":          {"RFC representante:", "Representative RFC:"},
			"cli.field.curp":            {"CURP:", "CURP:"},
			"cli.field.curprep":         {"CURP representante:", "Representative CURP:"},
			"cli.field.type":            {"Tipo:", "Type:"},
			"cli.field.serial":          {"No. de certificado:", "Certificate number:"},
			"cli.field.issuercheck":     {"Emisión:", "Issued by:"},
			"cli.issuer.sat":            {"emitida por el SAT (%s)", "issued by SAT (%s)"},
			"cli.issuer.configured":     {"emitida por una autoridad configurada (%s)", "issued by a configured authority (%s)"},
			"cli.issuer.unknown":        {"no la emitió el SAT (ni una autoridad configurada)", "not issued by SAT (nor by a configured authority)"},
			"cli.field.issuer":          {"Emisor:", "Issuer:"},
			"cli.field.notbefore":       {"Válido desde:", "Valid from:"},
			"cli.field.notafter":        {"Válido hasta:", "Valid until:"},
			"cli.field.status":          {"Estado:", "Status:"},
			"cli.field.source":          {"Guardada en:", "Stored in:"},
			"cli.source.file":           {"este equipo", "this computer"},
			"cli.source.pkcs12":         {"este equipo (archivo .pfx)", "this computer (.pfx file)"},
			"cli.source.pkcs11":         {"un token o tarjeta", "a token or card"},
			"cli.cannot-sign-in":        {"Atención: no sirve para iniciar sesión: %s", "Note: it cannot be used to sign in: %s"},
			"cli.why.expired":           {"venció; renuévela en el SAT (en línea con CertiSAT Web o SAT ID, o con cita en una oficina) e importe los archivos nuevos.", "it expired; renew it at SAT (online with CertiSAT Web or SAT ID, or at an office with an appointment) and import the new files."},
			"cli.why.not-yet-valid":     {"todavía no es válida; revise la fecha y la hora de esta computadora.", "it is not valid yet; check this computer's date and time."},
			"cli.why.csd":               {"es un sello digital (CSD), que sirve para facturar; su e.firma es otro par de archivos (.cer y .key).", "it is a digital seal (CSD), for invoices; your e.firma is another pair of files (.cer and .key)."},
			"cli.why.not-fiel":          {"no es una e.firma (FIEL) emitida por el SAT.", "it is not an e.firma (FIEL) issued by SAT."},
			"cli.field.id":              {"Id:", "Id:"},
			"cli.field.reason":          {"Motivo:", "Reason:"},
			"cli.field.trusted":         {"Emitido por el SAT:", "Issued by SAT:"},
			"cli.field.keymatches":      {"La llave corresponde:", "Key matches:"},
			"cli.status.valid":          {"vigente (quedan %d días)", "valid (%d days left)"},
			"cli.status.valid.one":      {"vigente (queda 1 día)", "valid (1 day left)"},
			"cli.status.expired":        {"vencida (hace %d días)", "expired (%d days ago)"},
			"cli.status.not-yet-valid":  {"todavía no vigente (a partir del %s)", "not valid yet (from %s)"},
			"cli.err.file":              {"No se pudo abrir o escribir el archivo %s.", "The file %s could not be opened or written."},
			"cli.err.file.hint":         {"Revise la ruta y los permisos; para no reemplazar un respaldo, «efirma export» no escribe sobre un archivo que ya existe.", "Check the path and permissions; to protect backups, “efirma export” does not overwrite an existing file."},
			"cli.err.noterminal":        {"No hay una terminal para pedir la contraseña.", "There is no terminal to ask for the password."},
			"cli.err.noterminal.hint":   {"Use --password-stdin y escriba la contraseña en la entrada estándar.", "Use --password-stdin and give the password on standard input."},
			"doctor.status.ok":          {"bien", "ok"},
			"doctor.status.warning":     {"aviso", "warning"},
			"doctor.status.error":       {"error", "error"},
			"doctor.status.not-checked": {"sin revisar", "not checked"},
		}
	})
}
