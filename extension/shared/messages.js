// @ts-check
// Validation of what a page asks for. Everything from a page is untrusted:
// the service worker runs validatePageRequest on every request and builds the
// host's params only from the validated result plus the origin the browser
// reported.

import { checkDocument, checkTexts, fromBase64 } from "./docview.js";
import { CodedError } from "./errors.js";
import { FORMAT_CMS, LIMITS, PAGE_ACTIONS, RESERVED_PREFIX } from "./protocol.js";

/** Longest description a page may show in the consent window. */
export const MAX_DESCRIPTION = 500;
/** Default and largest overall timeout of one page request (ms). */
export const DEFAULT_TIMEOUT_MS = 120_000;
export const MAX_TIMEOUT_MS = 600_000;
export const MIN_TIMEOUT_MS = 1_000;

/**
 * @typedef {object} ValidRequest
 * @property {string} id
 * @property {"status"|"authenticate"|"sign"} action
 * @property {number} timeoutMs
 * @property {string} [challenge]
 * @property {string} [data]         base64
 * @property {string[]} [documents]  base64 each
 * @property {{name: string, mediaType: string, data: string}} [document]  format "cms"
 * @property {string} [description]
 */

/** The base64 length of n bytes. @param {number} n */
const b64Len = (n) => Math.ceil(n / 3) * 4;

/** A media type: type/subtype, RFC 6838 characters, no parameters. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/**
 * Validates the document of a "cms" sign request.
 * @param {unknown} d
 */
function validDocument(d) {
  if (!d || typeof d !== "object" || Array.isArray(d)) throw bad("document must be an object");
  const doc = /** @type {Record<string, unknown>} */ (d);
  const { name, mediaType, data } = doc;
  // eslint-disable-next-line no-control-regex
  if (typeof name !== "string" || name.length === 0 || new TextEncoder().encode(name).length > LIMITS.MAX_DOCUMENT_NAME_BYTES || /[\u0000-\u001F\u007F-\u009F]/.test(name)) {
    throw bad("document.name must be a short file name");
  }
  if (typeof mediaType !== "string" || mediaType.length > LIMITS.MAX_MEDIA_TYPE_BYTES || !MEDIA_TYPE.test(mediaType)) throw bad("document.mediaType must be type/subtype");
  if (!isBase64(data) || /** @type {string} */ (data).length === 0) throw bad("document.data must be non-empty base64");
  if (/** @type {string} */ (data).length > b64Len(LIMITS.MAX_DOCUMENT_BYTES)) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxDocumentBytes: LIMITS.MAX_DOCUMENT_BYTES });
  checkDocument(fromBase64(/** @type {string} */ (data)));
  return { name, mediaType, data: /** @type {string} */ (data) };
}

/** @param {string} msg */
function bad(msg) {
  return new CodedError("ERR_BAD_REQUEST", msg);
}

/**
 * Reports whether s is canonical standard base64 (with padding).
 * @param {unknown} s
 */
export function isBase64(s) {
  return typeof s === "string" && s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/**
 * Reports whether ch is a valid challenge: 32 to 128 base64url characters.
 * @param {unknown} ch
 */
export function isChallenge(ch) {
  return (
    typeof ch === "string" &&
    ch.length >= LIMITS.MIN_CHALLENGE_LEN &&
    ch.length <= LIMITS.MAX_CHALLENGE_LEN &&
    /^[A-Za-z0-9_-]+$/.test(ch)
  );
}

/** base64 of the reserved prefix, to refuse documents that start with it. */
const RESERVED_B64 = btoa(RESERVED_PREFIX); // 12 bytes → 16 chars, no padding

/**
 * Reports whether base64 data decodes to bytes that start with the reserved
 * authentication prefix.
 * @param {string} b64
 */
export function startsReserved(b64) {
  return b64.startsWith(RESERVED_B64);
}

/**
 * Validates a page request as received by the service worker.
 * @param {unknown} msg
 * @returns {ValidRequest}
 */
export function validatePageRequest(msg) {
  if (!msg || typeof msg !== "object") throw bad("request must be an object");
  const m = /** @type {Record<string, unknown>} */ (msg);
  if (typeof m.id !== "string" || m.id.length === 0 || m.id.length > 64) throw bad("id must be a short string");
  if (typeof m.action !== "string" || !PAGE_ACTIONS.includes(m.action)) throw bad("unknown action");
  const action = /** @type {"status"|"authenticate"|"sign"} */ (m.action);
  const p = m.params === undefined ? {} : m.params;
  if (!p || typeof p !== "object" || Array.isArray(p)) throw bad("params must be an object");
  const params = /** @type {Record<string, unknown>} */ (p);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (params.timeout !== undefined) {
    if (typeof params.timeout !== "number" || !Number.isFinite(params.timeout)) throw bad("timeout must be a number");
    timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.floor(params.timeout)));
  }
  /** @type {ValidRequest} */
  const out = { id: m.id, action, timeoutMs };
  if (action === "status") return out;
  if (action === "authenticate") {
    if (!isChallenge(params.challenge)) throw bad("challenge must be 32 to 128 base64url characters");
    out.challenge = /** @type {string} */ (params.challenge);
    return out;
  }
  // sign
  const hasData = params.data !== undefined;
  const hasDocs = params.documents !== undefined;
  let total = 0;
  if (params.format !== undefined || params.document !== undefined) {
    if (params.format !== FORMAT_CMS) throw bad('format must be "cms" with a document');
    if (hasData || hasDocs) throw bad("give a document, or data, or documents");
    out.document = validDocument(params.document);
    total = out.document.data.length;
  } else if (hasData === hasDocs) {
    throw bad("give exactly one of data or documents");
  } else if (hasData) {
    if (!isBase64(params.data) || /** @type {string} */ (params.data).length === 0) throw bad("data must be non-empty base64");
    out.data = /** @type {string} */ (params.data);
    if (startsReserved(out.data)) throw new CodedError("ERR_DATA_RESERVED");
    // Text only, whole in the consent window (docview.js); the size first,
    // before decoding.
    if (out.data.length > b64Len(LIMITS.MAX_TEXT_BYTES)) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxTextBytes: LIMITS.MAX_TEXT_BYTES });
    checkTexts([fromBase64(out.data)]);
    total = out.data.length;
  } else {
    const docs = params.documents;
    if (!Array.isArray(docs) || docs.length === 0) throw bad("documents must be a non-empty array");
    if (docs.length > LIMITS.MAX_BATCH_DOCUMENTS) throw new CodedError("ERR_MESSAGE_TOO_LARGE");
    out.documents = docs.map((d) => {
      const data = d && typeof d === "object" ? d.data : undefined;
      if (!isBase64(data) || data.length === 0) throw bad("every document needs non-empty base64 data");
      if (startsReserved(data)) throw new CodedError("ERR_DATA_RESERVED");
      total += data.length;
      return data;
    });
    if (total > b64Len(LIMITS.MAX_BATCH_TEXT_BYTES)) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxBatchTextBytes: LIMITS.MAX_BATCH_TEXT_BYTES });
    checkTexts(out.documents.map(fromBase64));
  }
  // Leave room for the JSON envelope, origin and password.
  if (total > LIMITS.MAX_REQUEST_BYTES - 4096) throw new CodedError("ERR_MESSAGE_TOO_LARGE");
  if (params.description !== undefined) {
    if (typeof params.description !== "string") throw bad("description must be a string");
    out.description = params.description.slice(0, MAX_DESCRIPTION);
  }
  return out;
}

/**
 * Builds the host's params for the validated request, taking the origin from
 * the browser's sender. confirmFinalTry (the person ticked "último intento"
 * in the consent window) is sent only when true.
 * @param {ValidRequest} req
 * @param {string} origin
 * @param {string} certificateId
 * @param {string} password
 * @param {boolean} [confirmFinalTry]
 */
export function hostParams(req, origin, certificateId, password, confirmFinalTry = false) {
  /** @type {Record<string, unknown>} */
  let p;
  if (req.action === "authenticate") {
    p = { origin, challenge: req.challenge, certificateId, password };
  } else if (req.document) {
    const { name, mediaType, data } = req.document;
    p = { origin, certificateId, password, format: FORMAT_CMS, document: { name, mediaType, data } };
  } else if (req.documents) {
    p = { origin, certificateId, password, documents: req.documents.map((data) => ({ data })) };
  } else {
    p = { origin, certificateId, password, data: req.data };
  }
  if (confirmFinalTry === true) p.confirmFinalTry = true;
  return p;
}

/**
 * Decides whether a certificate may be chosen for the action, and why not.
 * @param {{status?: string, type?: string, usable?: boolean, reason?: string}} cert
 * @param {"authenticate"|"sign"} action
 * @returns {{selectable: boolean, why?: string}}  why is a _locales key
 */
export function selectable(cert, action) {
  if (cert.status === "expired") return { selectable: false, why: "cert_why_expired" };
  if (cert.status === "not-yet-valid") return { selectable: false, why: "cert_why_not_yet_valid" };
  if (cert.status !== "valid") return { selectable: false, why: "cert_why_unknown_status" };
  if (action === "authenticate" && cert.type !== "FIEL") {
    return { selectable: false, why: cert.type === "CSD" ? "cert_why_csd" : "cert_why_not_fiel" };
  }
  if (cert.usable === false) return { selectable: false, why: "cert_why_unusable" };
  return { selectable: true };
}

/**
 * Why a certificate cannot be used to sign in (a _locales key, the same
 * reason the consent window gives), or "" when it can. Import still
 * accepts such certificates (a CSD is kept for invoicing tools);
 * «Mis certificados», the popup and the import message say this.
 * @param {any} cert
 * @returns {string}
 */
export function cannotSignIn(cert) {
  const s = selectable(cert, "authenticate");
  return s.selectable ? "" : s.why || "cert_why_unusable";
}

/**
 * The connector's download address from the managed policy
 * (connectorDownloadUrl) when it is an https URL with a host and without
 * user name or password, at most 2048 long, else "". `efirma policy
 * --download-url` checks the same (installer/policy.go
 * ValidateDownloadURL; both are tested with test/download-urls.json).
 * @param {unknown} v
 * @returns {string}
 */
export function downloadUrl(v) {
  if (typeof v !== "string" || v.length > 2048) return "";
  try {
    const u = new URL(v);
    return u.protocol === "https:" && u.hostname && !u.username && !u.password ? u.href : "";
  } catch {
    return "";
  }
}

