package i18n

// Installer, status and IT policy kit (package installer).
func init() {
	addLazy(func() map[string]Msg {
		return map[string]Msg{
			"installer.help.install": {`Uso: efirma install [--system] [--browser NAVEGADOR]... [--extension-id ID]... [--dev] [--binary RUTA] [--destdir CARPETA] [--dry-run] [--json]
Registra el conector con los navegadores (%[1]s).
  --system          para todos los usuarios del equipo (requiere administrador); sin él, solo para usted
  --browser         uno de: %[2]s (se puede repetir o separar con comas); sin él, todos
  --extension-id    ID de extensión permitido (se puede repetir); sin él, los de Chrome Web Store y Edge Add-ons
  --dev             también permite la extensión de desarrollo (ID %[3]s); solo en equipos de desarrollo: cualquier extensión sin empaquetar puede usar ese ID
  --binary          ruta absoluta del programa efirma que abrirá el navegador (por omisión, este programa)
  --destdir         carpeta raíz para armar paquetes (.deb); los archivos del sistema se escriben debajo
  --dry-run         muestra lo que haría sin cambiar nada
  --print-manifest  solo imprime el manifiesto (para armar paquetes), no escribe nada
  --json            resultado en JSON
Ejecutarlo dos veces no cambia nada: dice «ya estaba al día».
`, `Usage: efirma install [--system] [--browser BROWSER]... [--extension-id ID]... [--dev] [--binary PATH] [--destdir DIR] [--dry-run] [--json]
Registers the connector with the browsers (%[1]s).
  --system          for every user of the computer (needs administrator); without it, only for you
  --browser         one of: %[2]s (repeatable or comma-separated); without it, all
  --extension-id    allowed extension ID (repeatable); without it, the Chrome Web Store and Edge Add-ons IDs
  --dev             also allows the development extension (ID %[3]s); development computers only: any unpacked extension can take that ID
  --binary          absolute path of the efirma program the browser starts (default: this program)
  --destdir         root folder for building packages (.deb); system files are written below it
  --dry-run         shows what it would do without changing anything
  --print-manifest  only prints the manifest (for building packages), writes nothing
  --json            JSON output
Running it twice changes nothing: it says "already up to date".
`},
			"installer.help.uninstall": {`Uso: efirma uninstall [--system] [--browser NAVEGADOR]... [--destdir CARPETA] [--binary RUTA] [--dry-run] [--json]
Quita el registro del conector de los navegadores (%[1]s), incluido lo que dejaron versiones anteriores.
`, `Usage: efirma uninstall [--system] [--browser BROWSER]... [--destdir DIR] [--binary PATH] [--dry-run] [--json]
Removes the connector's registration from the browsers (%[1]s), including what older versions left.
`},
			"installer.help.status": {`Uso: efirma status [--browser NAVEGADOR]... [--destdir CARPETA] [--json]
Dice, por navegador (%[2]s), si el conector está registrado (para usted y para el sistema), si el registro es válido, si el programa existe y es ejecutable, qué extensiones lo pueden usar (avisa si permite la de desarrollo o si no permite la que una política instala) y si una política lo bloquea. Un navegador que no está en este equipo (nunca se ha abierto: su carpeta de datos no tiene «Local State», y su programa no está en la ruta de siempre) aparece como «no instalado en este equipo», sin sugerencias.
Termina con 0 si al menos un navegador puede usar el conector, 1 si ninguno.
`, `Usage: efirma status [--browser BROWSER]... [--destdir DIR] [--json]
Reports per browser (%[2]s) whether the connector is registered (for you and system-wide), whether the registration is valid, whether the program exists and is executable, which extensions may use it (warning when it allows the development one, or not the one a policy force-installs) and whether a policy blocks it. A browser that is not on this computer (never opened: its user data folder has no "Local State", and its program is not at its usual path) shows as "not installed on this computer", with no suggestions.
Exits 0 when at least one browser can use the connector, 1 when none can.
`},
			"installer.help.policy": {`Uso: efirma policy --format linux-json|windows-reg|macos-mobileconfig|admx [--extension-id ID] [--edge-extension-id ID] [--portal https://...]... [--disable-user-level-hosts] [--browser chrome|edge] [--download-url https://...] [--out ARCHIVO]
Genera las políticas para instalar la extensión en todos los equipos (Chrome y Edge): instalación forzada, permiso para el conector, portales permitidos, modo de desarrollo apagado y, si la indica, la dirección de descarga del conector.
  --format                    linux-json (un navegador, ver --browser), windows-reg (.reg), macos-mobileconfig (perfil), admx (plantillas de GPO; requiere --out CARPETA)
  --extension-id              ID de la extensión en Chrome Web Store
  --edge-extension-id         ID de la extensión en Microsoft Edge Add-ons
  --portal                    portal adicional, https://host o https://*.dominio (se puede repetir; no https://*.gob.mx ni otro dominio público)
  --disable-user-level-hosts  solo permite el conector instalado para todo el sistema
  --browser                   chrome (también Chromium y Brave) o edge: el navegador que lee el archivo de linux-json
  --download-url              dirección https de su página de descarga o del instalador del conector; la página «Cómo instalar el conector» de la extensión la enlaza (sin usuario ni contraseña, hasta 2048 caracteres)
  --out                       archivo de salida (carpeta para admx); sin él, salida estándar
`, `Usage: efirma policy --format linux-json|windows-reg|macos-mobileconfig|admx [--extension-id ID] [--edge-extension-id ID] [--portal https://...]... [--disable-user-level-hosts] [--browser chrome|edge] [--download-url https://...] [--out FILE]
Writes the policies that install the extension on every computer (Chrome and Edge): forced install, permission for the connector, allowed portals, developer mode off and, when given, the connector's download address.
  --format                    linux-json (one browser, see --browser), windows-reg (.reg), macos-mobileconfig (profile), admx (GPO templates; needs --out DIR)
  --extension-id              extension ID in the Chrome Web Store
  --edge-extension-id         extension ID in Microsoft Edge Add-ons
  --portal                    extra portal, https://host or https://*.domain (repeatable; not https://*.gob.mx or another public domain)
  --disable-user-level-hosts  only allow the connector installed system-wide
  --browser                   chrome (also Chromium and Brave) or edge: the browser that reads the linux-json file
  --download-url              https address of your download page or installer for the connector; the extension's «Cómo instalar el conector» page links to it (no user name or password, up to 2048 characters)
  --out                       output file (folder for admx); without it, standard output
`},
			"installer.hint":               {"sugerencia", "hint"},
			"installer.hint.usage":         {"vea «efirma %s --help»", "see “efirma %s --help”"},
			"installer.dry_run":            {"Simulación (--dry-run): no se cambió nada. Esto es lo que se haría:", "Dry run (--dry-run): nothing was changed. This is what would be done:"},
			"installer.done.install":       {"Listo. Cierre y vuelva a abrir el navegador para que use el conector.", "Done. Close and reopen the browser so it uses the connector."},
			"installer.written":            {"escrito", "written"},
			"installer.scope.user":         {"usuario", "user"},
			"installer.scope.system":       {"sistema", "system"},
			"installer.action.installed":   {"instalado", "installed"},
			"installer.action.up_to_date":  {"ya estaba al día", "already up to date"},
			"installer.action.updated":     {"actualizado", "updated"},
			"installer.action.removed":     {"eliminado", "removed"},
			"installer.action.not_present": {"no estaba", "not present"},
			"installer.action.failed":      {"falló", "failed"},
			"installer.state.ready":        {"listo", "ready"},
			"installer.state.no_browser":   {"no instalado en este equipo", "not installed on this computer"},
			"installer.state.missing":      {"no instalado", "not installed"},
			"installer.state.problems":     {"instalado con problemas", "installed with problems"},
			"installer.state.blocked":      {"bloqueado por una política", "blocked by a policy"},
			"installer.target.installed":   {"instalado", "installed"},
			"installer.target.missing":     {"no instalado", "not installed"},
			"installer.label.manifest":     {"manifiesto", "manifest"},
			"installer.label.binary":       {"programa", "program"},
			"installer.label.ids":          {"extensiones permitidas", "allowed extensions"},
			"installer.label.problem":      {"problema", "problem"},
			"installer.label.policy":       {"política", "policy"},
			"installer.label.note":         {"nota", "note"},
			"installer.label.legacy":       {"quedan registros de versiones anteriores (%s); «efirma uninstall» los quita", "registrations from older versions remain (%s); “efirma uninstall” removes them"},

			"installer.problem.invalid_json":          {"el manifiesto no es JSON válido", "the manifest is not valid JSON"},
			"installer.problem.name_mismatch":         {"el manifiesto no tiene el nombre mx.efirma.conector", "the manifest's name is not mx.efirma.conector"},
			"installer.problem.type_not_stdio":        {"el manifiesto no es de tipo stdio", "the manifest's type is not stdio"},
			"installer.problem.path_not_absolute":     {"la ruta del programa no es absoluta", "the program path is not absolute"},
			"installer.problem.no_allowed_origins":    {"el manifiesto no permite ninguna extensión", "the manifest allows no extension"},
			"installer.problem.bad_origin":            {"el manifiesto tiene una extensión mal escrita", "the manifest has a malformed extension origin"},
			"installer.problem.binary_missing":        {"el programa efirma no existe en esa ruta; reinstale", "the efirma program is not at that path; reinstall"},
			"installer.problem.binary_not_executable": {"el programa efirma no es ejecutable", "the efirma program is not executable"},
			"installer.problem.manifest_too_large":    {"el manifiesto es demasiado grande", "the manifest is too large"},
			"installer.problem.manifest_unreadable":   {"no se pudo leer el manifiesto", "the manifest could not be read"},

			"installer.note.blocked_by_policy":     {"una política del equipo (NativeMessagingBlocklist) bloquea el conector; pida a su área de TI agregar mx.efirma.conector a NativeMessagingAllowlist", "a computer policy (NativeMessagingBlocklist) blocks the connector; ask IT to add mx.efirma.conector to NativeMessagingAllowlist"},
			"installer.note.user_level_disabled":   {"una política (NativeMessagingUserLevelHosts=false) solo permite conectores instalados para todo el sistema; instale con «efirma install --system» o con el paquete", "a policy (NativeMessagingUserLevelHosts=false) only allows connectors installed system-wide; install with “efirma install --system” or the package"},
			"installer.note.snap_chromium":         {"Chromium instalado como snap no puede usar conectores nativos; use Google Chrome, Microsoft Edge o Chromium de un paquete .deb", "Chromium installed as a snap cannot use native connectors; use Google Chrome, Microsoft Edge or Chromium from a .deb package"},
			"installer.note.dev_extension_allowed": {"el registro permite la extensión de desarrollo, cuyo ID puede tomar cualquier extensión sin empaquetar; fuera de un equipo de desarrollo, reinstale con «efirma install» (sin --dev)", "the registration allows the development extension, whose ID any unpacked extension can take; outside a development computer, reinstall with “efirma install” (without --dev)"},
			"installer.note.forced_not_allowed":    {"una política instala la extensión %s, pero el registro del conector no la permite: si es el Conector e.firma, el navegador no la dejará usarlo; reinstale con «efirma install --extension-id ID» o con el MSI y CHROME_EXTENSION_ID/EDGE_EXTENSION_ID", "a policy force-installs extension %s, but the connector's registration does not allow it: if it is the Conector e.firma, the browser will not let it connect; reinstall with “efirma install --extension-id ID” or the MSI with CHROME_EXTENSION_ID/EDGE_EXTENSION_ID"},
			"installer.note.policy_not_read":       {"en macOS no se revisan las políticas administradas (perfiles); revíselas en Configuración del Sistema > Privacidad y seguridad > Perfiles", "on macOS managed policies (profiles) are not checked; see System Settings > Privacy & Security > Profiles"},

			"installer.err.command":                {"comando desconocido %q", "unknown command %q"},
			"installer.err.argument":               {"argumento inesperado %q", "unexpected argument %q"},
			"installer.err.admx_out":               {"el formato admx escribe varios archivos: indique --out CARPETA", "the admx format writes several files: give --out DIR"},
			"installer.err.generic":                {"%s", "%s"},
			"installer.hint.generic":               {"revise el mensaje; «efirma status» muestra el estado del registro", "check the message; “efirma status” shows the registration state"},
			"installer.err.no_home":                {"no se conoce la carpeta personal (%s)", "the home folder is unknown (%s)"},
			"installer.hint.no_home":               {"defina la variable HOME, o use --system para instalar para todo el equipo", "set HOME, or use --system to install for the whole computer"},
			"installer.err.relative_binary":        {"la ruta del programa debe ser absoluta (%s)", "the program path must be absolute (%s)"},
			"installer.hint.relative_binary":       {"use --binary con la ruta completa, por ejemplo /usr/bin/efirma o C:\\Program Files\\efirma\\efirma.exe", "use --binary with the full path, for example /usr/bin/efirma or C:\\Program Files\\efirma\\efirma.exe"},
			"installer.err.browser":                {"navegador desconocido (%s)", "unknown browser (%s)"},
			"installer.hint.browser":               {"use uno de: %s (en policy: chrome o edge)", "use one of: %s (for policy: chrome or edge)"},
			"installer.err.extension_id":           {"ID de extensión no válido (%s)", "invalid extension ID (%s)"},
			"installer.hint.extension_id":          {"un ID tiene 32 letras de la a a la p; cópielo de la página de la extensión en la tienda o de chrome://extensions", "an ID is 32 letters from a to p; copy it from the store page or chrome://extensions"},
			"installer.err.no_registry":            {"no hay registro de Windows disponible (%s)", "no Windows registry available (%s)"},
			"installer.hint.no_registry":           {"ejecute este comando en Windows", "run this command on Windows"},
			"installer.err.os":                     {"sistema operativo no compatible (%s)", "unsupported operating system (%s)"},
			"installer.hint.os":                    {"el conector funciona en Linux, macOS y Windows", "the connector works on Linux, macOS and Windows"},
			"installer.err.portal":                 {"portal no válido (%s)", "invalid portal (%s)"},
			"installer.hint.portal":                {"escriba el portal como https://portal.ejemplo.gob.mx o https://*.ejemplo.gob.mx, sin ruta ni diagonal final", "write the portal as https://portal.example.gob.mx or https://*.example.gob.mx, without path or trailing slash"},
			"installer.err.portal_broad":           {"el comodín abarca todo un dominio público (%s)", "the wildcard covers a whole public domain (%s)"},
			"installer.hint.portal_broad":          {"un comodín debe ir debajo del dominio de su organización, por ejemplo https://*.ejemplo.gob.mx; nunca https://*.gob.mx, https://*.com.mx ni https://*.com", "a wildcard must be below your organisation's domain, for example https://*.example.gob.mx; never https://*.gob.mx, https://*.com.mx or https://*.com"},
			"installer.err.format":                 {"formato desconocido %q", "unknown format %q"},
			"installer.hint.format":                {"use linux-json, windows-reg, macos-mobileconfig o admx", "use linux-json, windows-reg, macos-mobileconfig or admx"},
			"installer.err.download_url":           {"dirección de descarga no válida (%s)", "invalid download address (%s)"},
			"installer.hint.download_url":          {"escriba la dirección completa de la página de descarga o del instalador, por ejemplo https://ti.ejemplo.gob.mx/efirma/", "write the full address of the download page or installer, for example https://ti.example.gob.mx/efirma/"},
			"installer.err.download_url_https":     {"la dirección de descarga no es https:// (%s)", "the download address is not https:// (%s)"},
			"installer.hint.download_url_https":    {"la extensión solo enlaza direcciones https://; publique el conector en un sitio https, por ejemplo https://ti.ejemplo.gob.mx/efirma/", "the extension links only https:// addresses; publish the connector on an https site, for example https://ti.example.gob.mx/efirma/"},
			"installer.err.download_url_host":      {"la dirección de descarga no tiene un servidor válido (%s)", "the download address has no valid server (%s)"},
			"installer.hint.download_url_host":     {"escriba https://, el nombre del servidor y la ruta, por ejemplo https://ti.ejemplo.gob.mx/efirma/ (puerto hasta 65535)", "write https://, the server name and the path, for example https://ti.example.gob.mx/efirma/ (port up to 65535)"},
			"installer.err.download_url_userinfo":  {"la dirección de descarga lleva usuario o contraseña (%s)", "the download address holds a user name or password (%s)"},
			"installer.hint.download_url_userinfo": {"quite «usuario:contraseña@»: cada persona ve la dirección en la página de instalación; proteja la descarga de otra forma", "remove “user:password@”: everyone sees the address on the install page; protect the download another way"},
			"installer.err.download_url_long":      {"la dirección de descarga tiene %s caracteres; el máximo es 2048", "the download address has %s characters; the maximum is 2048"},
			"installer.hint.download_url_long":     {"use una dirección más corta, por ejemplo la de la página de descarga en lugar de un enlace con parámetros", "use a shorter address, for example the download page instead of a link with parameters"},
			"installer.err.download_url_char":      {"la dirección de descarga tiene espacios, una diagonal invertida o caracteres fuera de ASCII (%s)", "the download address has spaces, a backslash or non-ASCII characters (%s)"},
			"installer.hint.download_url_char":     {"escriba la dirección como la muestra la barra del navegador al copiarla: espacios como %20, diagonales normales (/), dominios con acentos en punycode (xn--…)", "write the address as the browser's address bar gives it when copied: spaces as %20, forward slashes (/), accented domains in punycode (xn--…)"},
			"installer.err.permission":             {"sin permiso para escribir (%s)", "no permission to write (%s)"},
			"installer.hint.permission":            {"para --system ejecute como administrador (sudo en Linux y macOS); sin --system se instala solo para usted", "for --system run as administrator (sudo on Linux and macOS); without --system it installs only for you"},

			"installer.admx.efirma":                   {"Conector e.firma", "Conector e.firma"},
			"installer.admx.description":              {"Políticas para instalar y configurar la extensión Conector e.firma y su conector nativo en Google Chrome y Microsoft Edge.", "Policies that install and configure the Conector e.firma extension and its native connector in Google Chrome and Microsoft Edge."},
			"installer.admx.supported":                {"Google Chrome y Microsoft Edge con soporte de políticas", "Google Chrome and Microsoft Edge with policy support"},
			"installer.admx.ForceInstall":             {"Instalar la extensión Conector e.firma", "Install the Conector e.firma extension"},
			"installer.admx.ForceInstall_Explain":     {"Instala a la fuerza la extensión %[1]s desde la tienda (ExtensionInstallForcelist, entrada 1). Si ya usa ExtensionInstallForcelist, agregue la entrada en su propia política en lugar de esta.", "Force-installs extension %[1]s from the store (ExtensionInstallForcelist, entry 1). If you already use ExtensionInstallForcelist, add the entry to your own policy instead."},
			"installer.admx.AllowHost":                {"Permitir el conector nativo mx.efirma.conector", "Allow the mx.efirma.conector native connector"},
			"installer.admx.AllowHost_Explain":        {"Agrega mx.efirma.conector a NativeMessagingAllowlist (entrada 1) para que una lista de bloqueo no lo bloquee.", "Adds mx.efirma.conector to NativeMessagingAllowlist (entry 1) so that a blocklist does not block it."},
			"installer.admx.SystemHostsOnly":          {"Usar solo conectores instalados para todo el equipo", "Use only connectors installed for the whole computer"},
			"installer.admx.SystemHostsOnly_Explain":  {"Habilitada, fija NativeMessagingUserLevelHosts en 0: el navegador solo usa conectores instalados por un administrador (el MSI), no los que instala cada usuario.", "When enabled, sets NativeMessagingUserLevelHosts to 0: the browser only uses connectors an administrator installed (the MSI), not per-user ones."},
			"installer.admx.DeveloperModeOff":         {"Apagar el modo de desarrollo de la extensión", "Turn off the extension's developer mode"},
			"installer.admx.DeveloperModeOff_Explain": {"Habilitada, la extensión %[1]s no acepta sitios http://localhost aunque el usuario encienda el modo de desarrollo (developerMode = 0).", "When enabled, extension %[1]s refuses http://localhost sites even if the user turns developer mode on (developerMode = 0)."},
			"installer.admx.Portals":                  {"Portales adicionales permitidos", "Additional allowed portals"},
			"installer.admx.Portals_Explain":          {"Portales (https://host o https://*.dominio) donde la extensión %[1]s puede usar la e.firma, además de los del SAT y el IMSS (allowedPortals). Portales sugeridos al generar esta plantilla: %[2]s", "Portals (https://host or https://*.domain) where extension %[1]s may use the e.firma, in addition to SAT's and IMSS's (allowedPortals). Portals suggested when this template was generated: %[2]s"},
			"installer.admx.PortalsLabel":             {"Portales", "Portals"},
			"installer.admx.DownloadUrl":              {"Dónde descargar el conector", "Where to download the connector"},
			"installer.admx.DownloadUrl_Explain":      {"Dirección https de la página de descarga o del instalador del conector (efirma) de su organización (connectorDownloadUrl). La página «Cómo instalar el conector» de la extensión %[1]s la enlaza cuando el navegador no encuentra el conector; sin esta política, la página dice que pida el instalador a su área de TI. Solo https://, sin usuario ni contraseña, hasta %[2]d caracteres: la extensión no enlaza otra dirección.", "The https address of your organisation's download page or installer for the connector (efirma) (connectorDownloadUrl). The «Cómo instalar el conector» page of extension %[1]s links to it when the browser cannot find the connector; without this policy, the page says to ask IT for the installer. https:// only, without user name or password, up to %[2]d characters: the extension links no other address."},
			"installer.admx.DownloadUrlLabel":         {"Dirección (https://…)", "Address (https://…)"},
		}
	})
}
