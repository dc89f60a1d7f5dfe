// @ts-check
/**
 * Conector e.firma page library (protocol v1).
 *
 * A small ES module that portals serve to their own pages:
 *
 *     import { status, authenticate, sign, signDocument, EfirmaError } from "/efirma.js";
 *     const token = await authenticate({ challenge });   // send token to your server
 *
 * It talks to the Conector e.firma extension through a synchronous DOM event
 * on window (window.postMessage with older extensions); the
 * extension asks the person in its own window and the private key and the
 * password never reach the page. Every failure is an EfirmaError with a
 * stable .code, a .message and a .hint in Spanish (or English with
 * lang: "en"). See docs/PAGE-API.md.
 * @module efirma
 */

/** Version of this library. */
export const VERSION = "1.1.0";
/** Protocol version this library speaks with the extension. */
export const PROTOCOL = 1;
/** How long to wait for the extension's acknowledgement (ms). */
export const ACK_TIMEOUT_MS = 1000;
/** Default timeouts (ms): status, and operations that wait for the person. */
export const STATUS_TIMEOUT_MS = 15_000;
export const DEFAULT_TIMEOUT_MS = 120_000;

const REQUEST = "efirma:request";
const ACK = "efirma:ack";
const RESPONSE = "efirma:response";
/**
 * The DOM events of the synchronous channel (docs/PAGE-API.md): a request is
 * a cancelable CustomEvent REQUEST_EVENT on window whose detail is the JSON
 * of the message; the content script takes it (preventDefault) in the same
 * task and answers with REPLY_EVENT events. postMessage waits behind the
 * frame a click causes; the event does not.
 */
const REQUEST_EVENT = "efirma:request";
const REPLY_EVENT = "efirma:reply";

/**
 * Spanish message, Spanish hint, English message, English hint, per code:
 * the texts of _locales (err_<CODE>, hint_<CODE>), the one source, copied
 * here because a page cannot read the extension's catalogue;
 * i18n/catalogue_test.go and test/page.test.js keep them word for word.
 * @type {Record<string, [string, string, string, string]>}
 */
const MESSAGES = {
  ERR_BAD_REQUEST: ["La solicitud que recibió el conector no es válida.", "Actualice la extensión y el conector a la misma versión; si el problema sigue, reporte el informe de diagnóstico.", "The connector received an invalid request.", "Update the extension and the connector to the same version; if it persists, report the diagnostics."],
  ERR_UNKNOWN_COMMAND: ["El conector no reconoce esa operación.", "Actualice el conector e.firma a la versión más reciente.", "The connector does not know that operation.", "Update the e.firma connector to the latest version."],
  ERR_MESSAGE_TOO_LARGE: ["La solicitud es demasiado grande.", "Firme menos documentos a la vez o documentos más pequeños.", "The request is too large.", "Sign fewer or smaller documents at a time."],
  ERR_BAD_CREDENTIAL_FILE: ["El archivo no es un certificado (.cer) o una llave privada (.key) válidos.", "Elija el archivo .cer y el archivo .key que le entregó el SAT (no el .req ni un .zip).", "The file is not a valid certificate (.cer) or private key (.key).", "Choose the .cer and .key files SAT issued (not the .req nor a .zip)."],
  ERR_WRONG_PASSWORD: ["La contraseña de la llave privada no es correcta.", "Escriba la contraseña que definió al tramitar su e.firma (distingue mayúsculas y minúsculas). Si la olvidó, debe renovar su e.firma en el SAT.", "The private key password is wrong.", "Type the password you chose when you obtained your e.firma (case-sensitive). If you forgot it, renew your e.firma at SAT."],
  ERR_KEY_MISMATCH: ["La llave privada (.key) no corresponde al certificado (.cer).", "Use el .key que se generó junto con este .cer; si tiene varias e.firma o sellos, revise que sean del mismo par.", "The private key (.key) does not belong to the certificate (.cer).", "Use the .key generated together with this .cer; if you have several, check they are a pair."],
  ERR_CERT_NOT_FOUND: ["El certificado elegido no está en este equipo.", "Importe su e.firma en «Mis certificados» (archivos .cer y .key) o conecte su token.", "The chosen certificate is not on this computer.", "Import your e.firma in “My certificates” (.cer and .key files) or plug in your token."],
  ERR_CERT_EXPIRED: ["Su e.firma venció.", "Renueve su e.firma en el SAT: en línea (CertiSAT Web o SAT ID) o con cita en una oficina del SAT; después importe los archivos nuevos (.cer y .key) en «Mis certificados».", "Your e.firma has expired.", "Renew your e.firma at SAT: online (CertiSAT Web or SAT ID) or at a SAT office with an appointment; then import the new files (.cer and .key) in “My certificates”."],
  ERR_CERT_NOT_YET_VALID: ["Su e.firma todavía no es válida.", "Revise que la fecha y la hora de su computadora sean correctas; si lo son, espere a la fecha de inicio de vigencia.", "Your e.firma is not valid yet.", "Check your computer's date and time; if they are right, wait until the certificate's start date."],
  ERR_NOT_FIEL: ["Este certificado no es una e.firma (FIEL).", "El Certificado de Sello Digital (CSD) sirve para facturar, no para iniciar sesión; su e.firma es otro par de archivos (.cer y .key). Elija su e.firma o impórtela en «Mis certificados».", "This certificate is not an e.firma (FIEL).", "The digital seal certificate (CSD) is for invoices, not for signing in; your e.firma is another pair of files (.cer and .key). Choose your e.firma or import it in “My certificates”."],
  ERR_ORIGIN_INVALID: ["El sitio que solicita la firma no es válido.", "Solo los sitios seguros (https) permitidos pueden solicitar su e.firma.", "The site asking for the signature is not valid.", "Only allowed secure (https) sites may ask for your e.firma."],
  ERR_DATA_RESERVED: ["Los datos a firmar tienen un formato reservado para el inicio de sesión.", "El sitio intentó firmar algo que parece un inicio de sesión; no continúe y avise al sitio.", "The data to sign uses a format reserved for signing in.", "The site tried to sign something that looks like a sign-in; do not continue and tell the site."],
  ERR_DATA_NOT_TEXT: ["Solo se pueden firmar textos legibles; estos datos no lo son.", "El sitio pidió firmar datos que usted no podría leer. Un archivo (PDF, XML u otro) se firma como documento, con su nombre y su huella a la vista; avise al sitio.", "Only readable text can be signed; this data is not.", "The site asked you to sign data you could not read. A file (PDF, XML or other) is signed as a document, with its name and fingerprint shown; tell the site."],
  ERR_TOKEN_NOT_PRESENT: ["El token o la tarjeta no está conectado.", "Conecte su token USB o inserte su tarjeta y vuelva a intentar.", "The token or card is not connected.", "Plug in your USB token or insert your card and try again."],
  ERR_PIN_INCORRECT: ["El PIN no es correcto.", "Escriba el PIN de su token. Tras varios intentos fallidos el token se bloquea.", "The PIN is wrong.", "Type your token's PIN. After several failures the token locks."],
  ERR_PIN_LOCKED: ["El PIN del token está bloqueado.", "Desbloquee el token con su PUK o con la herramienta de su proveedor.", "The token's PIN is locked.", "Unlock the token with its PUK or its vendor's tool."],
  ERR_PIN_FINAL_TRY: ["Queda un solo intento de PIN antes de que el token se bloquee.", "Confirme que quiere usar el último intento y escriba el PIN con cuidado.", "One PIN try is left before the token locks.", "Confirm you want to use the last try and type the PIN carefully."],
  ERR_MODULE_UNAVAILABLE: ["No se pudo cargar el controlador (PKCS#11) del token.", "Instale el controlador de su token (por ejemplo OpenSC o SafeNet) y reinicie el navegador.", "The token driver (PKCS#11) could not be loaded.", "Install your token's driver (for example OpenSC or SafeNet) and restart the browser."],
  ERR_KEY_UNUSABLE: ["Este certificado no tiene una llave privada utilizable en este dispositivo.", "Use el token donde se generó la llave o importe el .cer y el .key correspondientes.", "This certificate has no usable private key on this device.", "Use the token where the key was generated or import the matching .cer and .key."],
  ERR_ISSUER_UNKNOWN: ["No se encontró la autoridad certificadora que emitió este certificado.", "Configure la carpeta de certificados del SAT (EFIRMA_CA_DIR o «caDir» en config.json) para revisar la revocación.", "The certificate authority that issued this certificate was not found.", "Configure the folder of SAT certificates (EFIRMA_CA_DIR or “caDir” in config.json) to check revocation."],
  ERR_NO_USABLE_CERTIFICATE: ["Ninguno de los certificados guardados en este equipo sirve para esta operación.", "Cada certificado dice por qué en la ventana de e.firma. Importe una e.firma vigente (archivos .cer y .key) en «Mis certificados».", "None of the certificates stored on this computer can be used for this.", "The e.firma window says why for each one. Import a valid e.firma (.cer and .key files) in “My certificates”."],
  ERR_DISK_FULL: ["No se pudo guardar: el disco de esta computadora está lleno.", "Libere espacio (vacíe la papelera o borre archivos que no necesite) y vuelva a intentar. No se perdió nada de lo que ya tenía guardado.", "It could not be saved: this computer's disk is full.", "Free some space (empty the trash or delete files you do not need) and try again. Nothing already stored was lost."],
  ERR_STORE_READ_ONLY: ["No se pudo guardar: la carpeta de sus certificados es de solo lectura o no tiene permiso para escribir en ella.", "Revise que el disco no esté protegido contra escritura y que su usuario pueda escribir en la carpeta del conector (ejecute «efirma doctor»); en un equipo administrado, pida ayuda a soporte.", "It could not be saved: your certificates' folder is read-only or you may not write to it.", "Check that the disk is not write-protected and that your user may write to the connector's folder (run “efirma doctor”); on a managed computer, ask support."],
  ERR_INTERNAL: ["Ocurrió un error interno en el conector.", "Vuelva a intentar; si se repite, ejecute «efirma doctor» y envíe el informe a soporte.", "An internal error occurred in the connector.", "Try again; if it repeats, run “efirma doctor” and send the report to support."],
  ERR_EXTENSION_UNAVAILABLE: ["La extensión Conector e.firma no está instalada o no está activa en este sitio.", "Instale la extensión Conector e.firma desde la tienda de Chrome o de Edge y recargue la página.", "The e.firma Connector extension is not installed or not active on this site.", "Install the e.firma Connector extension from the Chrome or Edge store and reload the page."],
  ERR_HOST_NOT_FOUND: ["El conector e.firma no está instalado en este equipo.", "Descargue e instale el conector e.firma (programa efirma) y reinicie el navegador.", "The e.firma connector is not installed on this computer.", "Download and install the e.firma connector (the efirma program) and restart the browser."],
  ERR_HOST_FORBIDDEN: ["El conector e.firma no permite el acceso a esta extensión.", "Reinstale el conector e.firma; si usa una versión de prueba de la extensión, registre su identificador.", "The e.firma connector does not allow this extension.", "Reinstall the e.firma connector; for a test build of the extension, register its ID."],
  ERR_HOST_BLOCKED: ["Su organización bloqueó el uso del conector e.firma en este navegador.", "Pida a su área de TI que permita el host «mx.efirma.conector» (NativeMessagingAllowlist).", "Your organization blocked the e.firma connector in this browser.", "Ask your IT department to allow the host “mx.efirma.conector” (NativeMessagingAllowlist)."],
  ERR_HOST_START_FAILED: ["No se pudo iniciar el conector e.firma.", "Reinstale el conector e.firma; si se repite, ejecute «efirma doctor».", "The e.firma connector could not start.", "Reinstall the e.firma connector; if it repeats, run “efirma doctor”."],
  ERR_HOST_EXITED: ["El conector e.firma se cerró inesperadamente.", "Vuelva a intentar; si se repite, ejecute «efirma doctor» y envíe el informe a soporte.", "The e.firma connector quit unexpectedly.", "Try again; if it repeats, run “efirma doctor” and send the report to support."],
  ERR_HOST_BAD_MESSAGE: ["La comunicación con el conector e.firma falló.", "Actualice la extensión y el conector a la misma versión y vuelva a intentar.", "Communication with the e.firma connector failed.", "Update the extension and the connector to the same version and try again."],
  ERR_HOST_TIMEOUT: ["El conector e.firma no respondió a tiempo.", "Vuelva a intentar; si usa un token, revise que esté conectado.", "The e.firma connector did not answer in time.", "Try again; if you use a token, check it is plugged in."],
  ERR_HOST_UNAVAILABLE: ["No se pudo usar el conector e.firma.", "Reinstale el conector e.firma y reinicie el navegador.", "The e.firma connector could not be used.", "Reinstall the e.firma connector and restart the browser."],
  ERR_VERSION_MISMATCH: ["Las versiones de la página, la extensión y el conector no son compatibles.", "Actualice la extensión y el conector e.firma a la versión más reciente.", "The page, extension and connector versions are not compatible.", "Update the e.firma extension and connector to the latest version."],
  ERR_ORIGIN_NOT_ALLOWED: ["Este sitio no está autorizado para usar su e.firma.", "Use su e.firma solo en los portales del SAT, del IMSS o los que autorice su área de TI.", "This site is not allowed to use your e.firma.", "Use your e.firma only on SAT or IMSS portals or those your IT department allows."],
  ERR_REQUEST_PENDING: ["Ya hay una solicitud de e.firma en curso en esta pestaña.", "Termine o cancele la ventana de e.firma abierta.", "An e.firma request is already in progress in this tab.", "Finish or cancel the open e.firma window."],
  ERR_USER_CANCELLED: ["Se canceló el uso de la e.firma.", "Vuelva a intentar cuando esté listo.", "The use of the e.firma was cancelled.", "Try again when you are ready."],
  ERR_TIMEOUT: ["Se agotó el tiempo de espera.", "Vuelva a intentar y complete la ventana de e.firma a tiempo.", "The request timed out.", "Try again and complete the e.firma window in time."],
};

/**
 * More precise texts for some codes, chosen by details.variant (the host
 * sends them): what exactly is wrong with a credential file, or with a new
 * password. Same shape as MESSAGES; kept equal to the host's catalogue
 * (i18n/codes.go "code.<CODE>.<variant>") by extension/protocol_test.go.
 * @type {Record<string, Record<string, [string, string, string, string]>>}
 */
const VARIANTS = {
  ERR_BAD_CREDENTIAL_FILE: {
    "unencryptedKey": ["El archivo de la llave privada (.key) es una llave sin cifrar: no tiene contraseña.", "Para guardarla protegida, escriba una contraseña NUEVA dos veces: el conector guardará la llave cifrada con ella y se la pedirá cada vez que firme. Nunca se guarda sin cifrar.", "The private key file (.key) is an unencrypted key: it has no password.", "To store it protected, type a NEW password twice: the connector stores the key encrypted with it and asks for it each time you sign. It is never stored unencrypted."],
    "certificateNotKey": ["El archivo que eligió como llave privada (.key) es un certificado, no una llave.", "Elija el archivo .key (llave privada) que se generó junto con su .cer.", "The file chosen as the private key (.key) is a certificate, not a key.", "Choose the .key file (private key) generated together with your .cer."],
    "keyNotCertificate": ["El archivo que eligió como certificado (.cer) es una llave privada, no un certificado.", "Elija el archivo .cer de su e.firma como certificado; la llave va en el campo de la llave privada.", "The file chosen as the certificate (.cer) is a private key, not a certificate.", "Choose your e.firma's .cer file as the certificate; the key goes in the private key field."],
    "damaged": ["El archivo está dañado: está incompleto o fue alterado.", "Vuelva a copiarlo desde su respaldo o desde el medio donde lo recibió del SAT; no lo abra ni lo guarde con otros programas.", "The file is damaged: it is incomplete or was altered.", "Copy it again from your backup or from where SAT gave it to you; do not open or save it with other programs."],
    "unsupportedEncryption": ["La llave privada está cifrada con un método que el conector no admite.", "Use el .key original que le entregó el SAT.", "The private key is encrypted with a method the connector does not support.", "Use the original .key SAT gave you."],
    "storedDamaged": ["El archivo guardado de esta e.firma está dañado.", "Vuelva a importar su e.firma (.cer y .key) en «Mis certificados» o con «efirma import»; la contraseña no tiene la culpa.", "The stored file of this e.firma is damaged.", "Import your e.firma (.cer and .key) again in “My certificates” or with “efirma import”; the password is not the problem."],
  },
  ERR_BAD_REQUEST: {
    "newPasswordShort": ["La contraseña nueva es demasiado corta.", "Use al menos 8 caracteres.", "The new password is too short.", "Use at least 8 characters."],
  },
};

/** Every code a promise of this library may reject with. */
export const CODES = Object.freeze(Object.keys(MESSAGES));

/**
 * The extension's IDs in the stores. PLACEHOLDERS until it is published: the
 * same values as installer.ChromeWebStoreID / installer.EdgeAddonsID
 * (extension/protocol_test.go keeps them equal). This is the one place the
 * store links are defined; the extension's Diagnóstico page and the demo
 * portal take them from here.
 */
export const CHROME_WEB_STORE_ID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const EDGE_ADDONS_ID = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/**
 * True for a placeholder ID (one character repeated), which no store has:
 * until the extension is published its link would be broken, so none is
 * given (the hint still names the store).
 * @param {string} id
 */
export function isPlaceholderID(id) {
  return /^(.)\1*$/.test(id);
}

/** Where to install the extension, per browser family ("" url: not published yet). */
export const STORES = Object.freeze({
  chrome: Object.freeze({ name: "Chrome Web Store", url: isPlaceholderID(CHROME_WEB_STORE_ID) ? "" : "https://chromewebstore.google.com/detail/" + CHROME_WEB_STORE_ID }),
  edge: Object.freeze({ name: "Microsoft Edge Add-ons", url: isPlaceholderID(EDGE_ADDONS_ID) ? "" : "https://microsoftedge.microsoft.com/addons/detail/" + EDGE_ADDONS_ID }),
});

/**
 * @typedef {object} BrowserInfo
 * @property {"Chrome"|"Edge"|"Chromium"|"Opera"|"Brave"|"Vivaldi"|"Firefox"|"Safari"|"unknown"} name
 * @property {number} version  major version, 0 when unknown
 * @property {string} platform  e.g. "Linux", "Windows", "macOS" ("" when unknown)
 * @property {boolean} mobile
 * @property {boolean} headless
 */

/**
 * Tells which browser this is, from navigator.userAgentData brands when the
 * browser has them (Chromium-based browsers), else from the user agent.
 * Chromium's own brand list has no vendor brand, which tells it apart from
 * Chrome and Edge; a plain user agent cannot, and says "Chrome".
 * @param {{userAgent?: string, userAgentData?: {brands?: Array<{brand: string, version: string}>, platform?: string, mobile?: boolean}} | undefined} nav
 * @returns {BrowserInfo}
 */
export function detectBrowser(nav) {
  const ua = (nav && typeof nav.userAgent === "string" && nav.userAgent) || "";
  const data = nav && nav.userAgentData;
  const headless = /HeadlessChrome\//.test(ua);
  let platform = (data && typeof data.platform === "string" && data.platform) || "";
  if (!platform) {
    if (/Windows/.test(ua)) platform = "Windows";
    else if (/Android/.test(ua)) platform = "Android";
    else if (/Mac OS X|Macintosh/.test(ua)) platform = "macOS";
    else if (/CrOS/.test(ua)) platform = "Chrome OS";
    else if (/Linux/.test(ua)) platform = "Linux";
  }
  const mobile = !!(data && data.mobile) || /Mobile|Android/.test(ua);
  /** @param {BrowserInfo["name"]} name @param {unknown} v */
  const out = (name, v) => ({ name, version: parseInt(String(v), 10) || 0, platform, mobile, headless });
  const brands = data && Array.isArray(data.brands) ? data.brands : null;
  if (brands && brands.length) {
    /** @param {string} b */
    const find = (b) => brands.find((x) => x && x.brand === b);
    for (const [brand, name] of /** @type {Array<[string, BrowserInfo["name"]]>} */ ([
      ["Microsoft Edge", "Edge"], ["Google Chrome", "Chrome"], ["Opera", "Opera"], ["Brave", "Brave"],
      ["Vivaldi", "Vivaldi"], ["HeadlessChrome", "Chromium"], ["Chromium", "Chromium"],
    ])) {
      const b = find(brand);
      if (b) return out(name, b.version);
    }
  }
  let m;
  if ((m = /Edg(?:e|A|iOS)?\/(\d+)/.exec(ua))) return out("Edge", m[1]);
  if ((m = /OPR\/(\d+)/.exec(ua))) return out("Opera", m[1]);
  if ((m = /Firefox\/(\d+)/.exec(ua))) return out("Firefox", m[1]);
  if ((m = /Chromium\/(\d+)/.exec(ua)) || (m = /HeadlessChrome\/(\d+)/.exec(ua))) return out("Chromium", m[1]);
  if ((m = /Chrome\/(\d+)/.exec(ua))) return out("Chrome", m[1]);
  if ((m = /Version\/(\d+).*Safari\//.exec(ua))) return out("Safari", m[1]);
  return out("unknown", 0);
}

/**
 * Where this browser installs the extension from: Edge from Edge Add-ons,
 * Chrome and other Chromium browsers from the Chrome Web Store, anything
 * else from nowhere (the person needs Chrome or Edge).
 * @param {BrowserInfo} b
 * @returns {{store: "chrome"|"edge"|null, name: string, url: string, browser: string}}
 */
export function installInfo(b) {
  if (b.name === "Edge") return { store: "edge", ...STORES.edge, browser: b.name };
  if (["Chrome", "Chromium", "Opera", "Brave", "Vivaldi"].includes(b.name)) return { store: "chrome", ...STORES.chrome, browser: b.name };
  return { store: null, name: "", url: "", browser: b.name };
}

/**
 * Formats an RFC 3339 date for a person (day, month and year, local time).
 * @param {unknown} iso
 * @param {boolean} en
 */
function longDate(iso, en) {
  const d = typeof iso === "string" ? new Date(iso) : null;
  if (!d || isNaN(d.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(en ? "en-US" : "es-MX", { day: "numeric", month: "long", year: "numeric" }).format(d);
  } catch {
    return d.toISOString().slice(0, 10);
  }
}

/**
 * The explanation a person sees for a failure: the message and hint of code,
 * made specific with what details says (tries so far, the expiry date, the
 * store for this browser). The consent window uses this same function, so
 * the page and the extension say the same thing. Unknown codes get null.
 * @param {string} code
 * @param {Record<string, unknown> | undefined} details
 * @param {string} [lang]
 * @returns {{message: string, hint: string} | null}
 */
export function explain(code, details, lang) {
  const m = MESSAGES[code];
  if (!m) return null;
  const en = typeof lang === "string" && lang.toLowerCase().startsWith("en");
  const d = details && typeof details === "object" ? details : {};
  const v = typeof d.variant === "string" && Object.hasOwn(VARIANTS, code) && Object.hasOwn(VARIANTS[code], d.variant) ? VARIANTS[code][d.variant] : m;
  let message = en ? v[2] : v[0];
  let hint = en ? v[3] : v[1];
  switch (code) {
    case "ERR_WRONG_PASSWORD": {
      const n = d.attempts;
      if (typeof n === "number" && Number.isInteger(n) && n > 0) {
        message += en ? ` Failed tries in this session: ${n}.` : ` Intentos fallidos en esta sesión: ${n}.`;
      }
      break;
    }
    case "ERR_CERT_EXPIRED": {
      const date = longDate(d.notAfter, en);
      if (date) message = en ? `Your e.firma expired on ${date}.` : `Su e.firma venció el ${date}.`;
      break;
    }
    case "ERR_CERT_NOT_YET_VALID": {
      const date = longDate(d.notBefore, en);
      if (date) message = en ? `Your e.firma is valid from ${date}.` : `Su e.firma es válida a partir del ${date}.`;
      break;
    }
    case "ERR_PIN_INCORRECT":
      if (d.triesLow === true) {
        hint = (en ? "Few tries are left before the token locks. " : "Quedan pocos intentos antes de que el token se bloquee. ") + hint;
      }
      break;
    case "ERR_EXTENSION_UNAVAILABLE": {
      const i = /** @type {any} */ (d.install);
      if (i && typeof i === "object" && typeof i.url === "string" && i.url && typeof i.name === "string") {
        hint = en
          ? `Install the e.firma Connector extension from ${i.name} (${i.url}), make sure it is enabled, and reload the page.`
          : `Instale la extensión Conector e.firma desde ${i.name} (${i.url}), revise que esté activada y recargue la página.`;
      } else if (i && typeof i === "object" && i.store && typeof i.name === "string" && i.name) {
        // The store is known but the extension is not published there yet: no link.
        hint = en
          ? `Install the e.firma Connector extension from ${i.name} (search for “Conector e.firma”), make sure it is enabled, and reload the page.`
          : `Instale la extensión Conector e.firma desde ${i.name} (búsquela como «Conector e.firma»), revise que esté activada y recargue la página.`;
      } else if (i && typeof i === "object" && i.store === null) {
        hint = en
          ? "This browser cannot use the e.firma Connector: open this page in Google Chrome or Microsoft Edge and install the extension."
          : "Este navegador no puede usar el Conector e.firma: abra esta página en Google Chrome o Microsoft Edge e instale la extensión.";
      }
      break;
    }
  }
  return { message, hint };
}

/** The error every function of this library rejects with. */
export class EfirmaError extends Error {
  /**
   * @param {string} code     stable code, e.g. "ERR_USER_CANCELLED"
   * @param {string} message  what happened, for a person
   * @param {string} [hint]   what the person can do
   * @param {Record<string, unknown>} [details]
   */
  constructor(code, message, hint, details) {
    super(message);
    this.name = "EfirmaError";
    this.code = code;
    this.hint = hint || "";
    /** @type {Record<string, unknown>} machine-readable facts; {} when none */
    this.details = details && typeof details === "object" ? details : {};
  }
}

/**
 * Builds an EfirmaError with this library's text for code in lang, falling
 * back to the text that came with it for codes this version does not know.
 * @param {string} code
 * @param {string} [lang]
 * @param {{message?: string, hint?: string, details?: Record<string, unknown>}} [given]
 */
export function makeError(code, lang, given = {}) {
  const x = explain(code, given.details, lang);
  if (!x) return new EfirmaError(code, given.message || code, given.hint, given.details);
  return new EfirmaError(code, x.message, x.hint, given.details);
}

/**
 * Encodes bytes as standard base64.
 * @param {Uint8Array} bytes
 */
export function toBase64(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  }
  return btoa(bin);
}

/**
 * Turns what a page gives to sign into base64: a string is encoded as UTF-8.
 * @param {unknown} v
 * @param {string} [lang]
 */
function dataToBase64(v, lang) {
  if (typeof v === "string") return toBase64(new TextEncoder().encode(v));
  if (v instanceof Uint8Array) return toBase64(v);
  if (v instanceof ArrayBuffer) return toBase64(new Uint8Array(v));
  throw badRequest(lang, "data must be a string, a Uint8Array or an ArrayBuffer");
}

/**
 * @param {string | undefined} lang
 * @param {string} detail
 */
function badRequest(lang, detail) {
  const e = makeError("ERR_BAD_REQUEST", lang);
  e.details = { reason: detail };
  return e;
}

/**
 * ERR_EXTENSION_UNAVAILABLE with details.install: the browser and the store
 * to install the extension from ({store: null} for browsers without one).
 * @param {Window} win
 * @param {string | undefined} lang
 */
function unavailable(win, lang) {
  const nav = /** @type {any} */ (win).navigator;
  const browser = detectBrowser(nav);
  return makeError("ERR_EXTENSION_UNAVAILABLE", lang, { details: { install: installInfo(browser) } });
}

/** @param {unknown} n */
function isTimeout(n) {
  return typeof n === "number" && Number.isFinite(n) && n > 0;
}

/**
 * Creates the library's functions bound to a window (tests pass a fake one).
 * @param {Window} win
 */
export function createClient(win) {
  let seq = 0;

  /**
   * Sends one request to the extension and waits for the answer.
   * @param {"status"|"authenticate"|"sign"} action
   * @param {Record<string, unknown>} params
   * @param {{timeout: number, lang?: string}} opts
   * @returns {Promise<any>}
   */
  function call(action, params, opts) {
    const id = "efirma-" + Date.now().toString(36) + "-" + (++seq).toString(36) + "-" + Math.random().toString(36).slice(2, 10);
    const origin = win.location.origin;
    const target = origin && origin !== "null" ? origin : "*";
    /** @type {(e: MessageEvent) => void} */
    let onMessage = () => {};
    /** @type {(e: Event) => void} */
    let onReply = () => {};
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let ackTimer;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let overallTimer;
    const p = new Promise((resolve, reject) => {
      /** @param {any} d  a message from the extension, by either channel */
      const receive = (d) => {
        if (!d || typeof d !== "object" || d.id !== id) return;
        if (d.type === ACK) {
          clearTimeout(ackTimer);
          ackTimer = undefined;
          if (d.protocol !== PROTOCOL) {
            reject(makeError("ERR_VERSION_MISMATCH", opts.lang, { details: { page: PROTOCOL, extension: d.protocol } }));
          }
        } else if (d.type === RESPONSE) {
          if (d.ok) {
            resolve(d.result);
          } else {
            const e = d.error && typeof d.error === "object" ? d.error : {};
            const code = typeof e.code === "string" ? e.code : "ERR_INTERNAL";
            reject(makeError(code, opts.lang, {
              message: typeof e.message === "string" ? e.message : undefined,
              hint: typeof e.hint === "string" ? e.hint : undefined,
              details: e.details && typeof e.details === "object" ? e.details : undefined,
            }));
          }
        }
      };
      onMessage = (event) => {
        if (event.source !== win) return;
        if (target !== "*" && event.origin !== origin) return;
        receive(event.data);
      };
      onReply = (event) => {
        const detail = /** @type {CustomEvent} */ (event).detail;
        if (typeof detail !== "string") return;
        try {
          receive(JSON.parse(detail));
        } catch {
          /* not ours */
        }
      };
      win.addEventListener("message", onMessage);
      win.addEventListener(REPLY_EVENT, onReply);
      ackTimer = setTimeout(() => reject(unavailable(win, opts.lang)), ACK_TIMEOUT_MS);
      // The extension enforces opts.timeout itself; this is the page's own
      // backstop a little later, for an extension that went away.
      overallTimer = setTimeout(() => reject(makeError("ERR_TIMEOUT", opts.lang)), opts.timeout + 2000);
      const msg = { type: REQUEST, v: PROTOCOL, id, action, params };
      // The synchronous channel first; an extension that does not take
      // the event (an older one) gets the message by postMessage.
      const Custom = /** @type {any} */ (win).CustomEvent || globalThis.CustomEvent;
      const taken = typeof Custom === "function" && !win.dispatchEvent(new Custom(REQUEST_EVENT, { detail: JSON.stringify(msg), cancelable: true }));
      if (!taken) win.postMessage(msg, target);
    });
    return p.finally(() => {
      clearTimeout(ackTimer);
      clearTimeout(overallTimer);
      win.removeEventListener("message", onMessage);
      win.removeEventListener(REPLY_EVENT, onReply);
    });
  }

  /**
   * Reports whether the extension and the connector are there.
   * Resolves {extension: {version}, host: {available, version?, protocol?, error?}};
   * rejects with ERR_EXTENSION_UNAVAILABLE or ERR_ORIGIN_NOT_ALLOWED.
   * @param {{lang?: string, timeout?: number}} [opts]
   */
  function status(opts = {}) {
    const timeout = isTimeout(opts.timeout) ? /** @type {number} */ (opts.timeout) : STATUS_TIMEOUT_MS;
    return call("status", { timeout }, { timeout, lang: opts.lang }).then((r) => {
      if (r && r.host && r.host.error && typeof r.host.error.code === "string") {
        const e = makeError(r.host.error.code, opts.lang, r.host.error);
        r.host.error = { code: e.code, message: e.message, hint: e.hint, details: e.details };
      }
      return r;
    });
  }

  /**
   * Signs the person in: the extension asks which e.firma and its password and
   * the connector signs the challenge bound to this page's origin.
   * @param {{challenge: string, lang?: string, timeout?: number}} opts
   * @returns {Promise<{format: string, certificate: string, algorithm: string, signature: string}>}
   */
  async function authenticate(opts) {
    const o = opts || /** @type {any} */ ({});
    if (typeof o.challenge !== "string" || !/^[A-Za-z0-9_-]{32,128}$/.test(o.challenge)) {
      throw badRequest(o.lang, "challenge must be 32 to 128 base64url characters");
    }
    const timeout = isTimeout(o.timeout) ? /** @type {number} */ (o.timeout) : DEFAULT_TIMEOUT_MS;
    return call("authenticate", { challenge: o.challenge, timeout }, { timeout, lang: o.lang });
  }

  /**
   * Signs a text (data) or a batch of texts (documents) with the person's
   * e.firma. A string is signed as its UTF-8 bytes. Only text is signed
   * this way (UTF-8, no control characters but tab, CR and LF; anything
   * else is ERR_DATA_NOT_TEXT): the consent window shows every text whole.
   * Files (PDF, XML, …) go through signDocument.
   * @param {{data?: string | Uint8Array | ArrayBuffer,
   *          documents?: Array<string | Uint8Array | ArrayBuffer | {data: string | Uint8Array | ArrayBuffer}>,
   *          description?: string, lang?: string, timeout?: number}} opts
   * @returns {Promise<{signature?: string, signatures?: string[], algorithm: string, certificate: string}>}
   */
  async function sign(opts) {
    const o = opts || /** @type {any} */ ({});
    const hasData = o.data !== undefined;
    const hasDocs = o.documents !== undefined;
    if (hasData === hasDocs) throw badRequest(o.lang, "give exactly one of data or documents");
    const timeout = isTimeout(o.timeout) ? /** @type {number} */ (o.timeout) : DEFAULT_TIMEOUT_MS;
    /** @type {Record<string, unknown>} */
    const params = { timeout };
    if (hasData) {
      params.data = dataToBase64(o.data, o.lang);
    } else {
      if (!Array.isArray(o.documents) || o.documents.length === 0) throw badRequest(o.lang, "documents must be a non-empty array");
      params.documents = o.documents.map((d) => ({
        data: dataToBase64(d && typeof d === "object" && "data" in d ? d.data : d, o.lang),
      }));
    }
    if (o.description !== undefined) {
      if (typeof o.description !== "string") throw badRequest(o.lang, "description must be a string");
      params.description = o.description;
    }
    return call("sign", params, { timeout, lang: o.lang });
  }

  /**
   * Signs a file as a detached CMS (CAdES-BES) that the connector builds
   * itself: the consent window shows the file's name, type, size and
   * SHA-256, and its content when it is text (XML, TXT). The result's cms
   * is base64 DER SignedData without the content; verify it with the file
   * (`openssl cms -verify -binary -inform DER -content FILE`, or
   * verifier.VerifyCMS).
   * @param {{document: {name: string, mediaType: string, data: Uint8Array | ArrayBuffer | string},
   *          description?: string, lang?: string, timeout?: number}} opts
   * @returns {Promise<{cms: string, algorithm: string, certificate: string}>}
   */
  async function signDocument(opts) {
    const o = opts || /** @type {any} */ ({});
    const d = o.document;
    if (!d || typeof d !== "object") throw badRequest(o.lang, "document must be {name, mediaType, data}");
    if (typeof d.name !== "string" || d.name.length === 0) throw badRequest(o.lang, "document.name must be a file name");
    if (typeof d.mediaType !== "string" || !d.mediaType.includes("/")) throw badRequest(o.lang, "document.mediaType must be type/subtype");
    const timeout = isTimeout(o.timeout) ? /** @type {number} */ (o.timeout) : DEFAULT_TIMEOUT_MS;
    /** @type {Record<string, unknown>} */
    const params = { timeout, format: "cms", document: { name: d.name, mediaType: d.mediaType, data: dataToBase64(d.data, o.lang) } };
    if (o.description !== undefined) {
      if (typeof o.description !== "string") throw badRequest(o.lang, "description must be a string");
      params.description = o.description;
    }
    return call("sign", params, { timeout, lang: o.lang });
  }

  return { status, authenticate, sign, signDocument };
}

/** @returns {ReturnType<typeof createClient>} */
function defaultClient() {
  const g = /** @type {any} */ (globalThis);
  if (!g.__efirmaClient) g.__efirmaClient = createClient(g.window);
  return g.__efirmaClient;
}

/** @param {Parameters<ReturnType<typeof createClient>["status"]>[0]} [opts] */
export function status(opts) {
  return defaultClient().status(opts);
}

/** @param {Parameters<ReturnType<typeof createClient>["authenticate"]>[0]} opts */
export function authenticate(opts) {
  return defaultClient().authenticate(opts);
}

/** @param {Parameters<ReturnType<typeof createClient>["sign"]>[0]} opts */
export function sign(opts) {
  return defaultClient().sign(opts);
}

/** @param {Parameters<ReturnType<typeof createClient>["signDocument"]>[0]} opts */
export function signDocument(opts) {
  return defaultClient().signDocument(opts);
}
