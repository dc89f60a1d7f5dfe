// @ts-check
// Signing in to SAT's own e.firma login page (form#certform), service-worker
// side: what the content script sat-login.js may ask, and the host params
// and result of "sat-login". The origin is the browser's (the port's
// sender), checked here and again by the host (signing.ValidateSATOrigin);
// the page gives only the form's guid. docs/SAT-LOGIN.md has the contract.

import { CodedError } from "./errors.js";
import { LIMITS } from "./protocol.js";
import { DEFAULT_TIMEOUT_MS } from "./messages.js";

/** The port name sat-login.js connects with. */
export const SAT_LOGIN_PORT = "efirma-sat-login";

/** The consent window's action for a SAT login. */
export const SAT_LOGIN_ACTION = "sat-login";

/**
 * Reports whether origin is https://sat.gob.mx or an https subdomain of it
 * on the default port, exactly as the browser serializes it (the host's
 * signing.ValidateSATOrigin is the same rule).
 * @param {unknown} origin
 */
export function isSatOrigin(origin) {
  if (typeof origin !== "string" || origin.length > 300 || !origin.startsWith("https://")) return false;
  const host = origin.slice("https://".length);
  if (host !== "sat.gob.mx" && !host.endsWith(".sat.gob.mx")) return false;
  return host.split(".").every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
}

/**
 * Reports whether guid is safe to sign: 1 to MAX_SAT_GUID_LEN characters of
 * letters, digits and - _ . : + / = { } (no "|", "#", space or control).
 * @param {unknown} guid
 */
export function isSatGuid(guid) {
  return typeof guid === "string" && guid.length >= 1 && guid.length <= LIMITS.MAX_SAT_GUID_LEN && /^[A-Za-z0-9\-_.:+/={}]+$/.test(guid);
}

/**
 * Validates what the content script sent, for the origin the browser
 * reported, and returns the consent request.
 * @param {unknown} msg
 * @param {string} origin
 * @returns {{id: string, action: "sat-login", guid: string, timeoutMs: number}}
 */
export function validateSatLogin(msg, origin) {
  if (!isSatOrigin(origin)) throw new CodedError("ERR_ORIGIN_NOT_ALLOWED", undefined, undefined, { reason: "not-sat" });
  const m = msg && typeof msg === "object" ? /** @type {Record<string, unknown>} */ (msg) : {};
  if (!isSatGuid(m.guid)) throw new CodedError("ERR_BAD_REQUEST", "guid");
  return { id: "sat-login", action: SAT_LOGIN_ACTION, guid: /** @type {string} */ (m.guid), timeoutMs: DEFAULT_TIMEOUT_MS };
}

/**
 * The host's params for "sat-login". confirmFinalTry (a token's last PIN
 * try, ticked in the consent window) is sent only when true.
 * @param {string} origin
 * @param {string} certificateId
 * @param {string} password
 * @param {string} guid
 * @param {boolean} [confirmFinalTry]
 */
export function satLoginParams(origin, certificateId, password, guid, confirmFinalTry = false) {
  /** @type {Record<string, unknown>} */
  const p = { origin, certificateId, password, guid };
  if (confirmFinalTry === true) p.confirmFinalTry = true;
  return p;
}

/**
 * The action whose certificate rules apply: a SAT login takes what a login
 * takes (a valid FIEL).
 * @param {string} action
 * @returns {"authenticate"|"sign"}
 */
export function certificateRule(action) {
  return action === SAT_LOGIN_ACTION || action === "authenticate" ? "authenticate" : "sign";
}

/**
 * Keeps only the token and fert of the host's answer, and checks their shape
 * (base64, and yyMMddHHmmssZ) before they go into SAT's form.
 * @param {any} r
 * @returns {{token: string, fert: string}}
 */
export function pickSatLogin(r) {
  if (
    !r ||
    typeof r !== "object" ||
    typeof r.token !== "string" ||
    !/^[A-Za-z0-9+/]+={0,2}$/.test(r.token) ||
    typeof r.fert !== "string" ||
    !/^\d{12}Z$/.test(r.fert)
  ) {
    throw new CodedError("ERR_HOST_BAD_MESSAGE");
  }
  return { token: r.token, fert: r.fert };
}
