// @ts-check
// One place that turns failures into the error objects that cross to the page:
// {code, message, hint}. Browser (native messaging) failures are mapped here;
// host errors pass through with their code. Messages and hints come from
// _locales through the translate function given by the caller.

import { EXTENSION_CODES, HOST_CODES } from "./protocol.js";

/**
 * @typedef {object} WireError
 * @property {string} code
 * @property {string} message
 * @property {string} [hint]
 * @property {Record<string, unknown>} [details]
 */

/** Every code that may reach a page. */
export const ALL_CODES = Object.freeze([...HOST_CODES, ...EXTENSION_CODES]);

/**
 * The texts Chrome (and Edge) put in runtime.lastError for native messaging,
 * matched case-insensitively by substring, first match wins.
 * @type {ReadonlyArray<[string, string]>}
 */
export const BROWSER_ERRORS = Object.freeze([
  ["specified native messaging host not found", "ERR_HOST_NOT_FOUND"],
  ["invalid native messaging host name", "ERR_HOST_NOT_FOUND"],
  ["access to the specified native messaging host is forbidden", "ERR_HOST_FORBIDDEN"],
  ["disabled by the system administrator", "ERR_HOST_BLOCKED"],
  ["blocked by", "ERR_HOST_BLOCKED"],
  ["failed to start native messaging host", "ERR_HOST_START_FAILED"],
  ["native host has exited", "ERR_HOST_EXITED"],
  ["error when communicating with the native messaging host", "ERR_HOST_BAD_MESSAGE"],
]);

/**
 * Maps the browser's native-messaging error text to our code.
 * @param {unknown} text  runtime.lastError.message (or an Error's message)
 * @returns {string}
 */
export function mapBrowserError(text) {
  const t = String(text ?? "").toLowerCase();
  for (const [needle, code] of BROWSER_ERRORS) {
    if (t.includes(needle)) return code;
  }
  return "ERR_HOST_UNAVAILABLE";
}

/** Codes that end the host connection: the next request reconnects. */
export const HOST_CONNECTION_CODES = Object.freeze(EXTENSION_CODES.filter((c) => c.startsWith("ERR_HOST_")));

/**
 * Host errors after which the consent window stays open for another try
 * (another password, another certificate, plugging the token in).
 */
export const RETRYABLE_CODES = Object.freeze([
  "ERR_WRONG_PASSWORD",
  "ERR_PIN_INCORRECT",
  "ERR_PIN_FINAL_TRY",
  "ERR_TOKEN_NOT_PRESENT",
  "ERR_NOT_FIEL",
  "ERR_CERT_EXPIRED",
  "ERR_CERT_NOT_YET_VALID",
  "ERR_CERT_NOT_FOUND",
  "ERR_KEY_UNUSABLE",
]);

/** Error carrying a wire code through promise chains. */
export class CodedError extends Error {
  /**
   * @param {string} code
   * @param {string} [message]
   * @param {string} [hint]
   * @param {Record<string, unknown>} [details]
   */
  constructor(code, message, hint, details) {
    super(message || code);
    this.name = "CodedError";
    this.code = code;
    this.hint = hint;
    this.details = details;
  }
}

/**
 * Turns anything thrown into a wire error. Unknown codes become
 * ERR_INTERNAL so that the page only ever sees the closed list.
 * @param {unknown} err
 * @param {(key: string) => string} [t]  message lookup (chrome.i18n.getMessage)
 * @returns {WireError}
 */
export function toWire(err, t) {
  let code = "ERR_INTERNAL";
  /** @type {string | undefined} */
  let message;
  /** @type {string | undefined} */
  let hint;
  /** @type {Record<string, unknown> | undefined} */
  let details;
  if (err && typeof err === "object" && "code" in err && typeof err.code === "string") {
    code = err.code;
    if ("message" in err && typeof err.message === "string" && err.message !== code) message = err.message;
    if ("hint" in err && typeof err.hint === "string") hint = err.hint;
    if ("details" in err && err.details && typeof err.details === "object") {
      details = /** @type {Record<string, unknown>} */ (err.details);
    }
  }
  if (!ALL_CODES.includes(code)) {
    code = "ERR_INTERNAL";
    message = undefined;
    hint = undefined;
    details = undefined;
  }
  if (t) {
    message = t("err_" + code) || message;
    hint = t("hint_" + code) || hint;
  }
  /** @type {WireError} */
  const out = { code, message: message || code };
  if (hint) out.hint = hint;
  if (details) out.details = details;
  return out;
}
