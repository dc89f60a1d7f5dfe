// @ts-check
// The service worker's logic, free of chrome.* globals so that node tests can
// drive it with fakes. background.js wires it to the browser.
//
// A page request arrives with the origin the browser reported for the sender.
// authenticate, sign and a SAT login (handleSatLogin, from sat-login.js on
// SAT's own form#certform page) open a consent session: one per tab, shown in an
// extension popup window (consent.html), ended by exactly one of: the host's
// answer, Cancelar, the window closing, the page going away, or the timeout.

import { CodedError, RETRYABLE_CODES, toWire } from "./errors.js";
import { describeItems } from "./docview.js";
import { hostParams, selectable, validatePageRequest } from "./messages.js";
import { checkOrigin } from "./origins.js";
import { COMMANDS } from "./protocol.js";
import { SAT_LOGIN_ACTION, certificateRule, pickSatLogin, satLoginParams, validateSatLogin } from "./satlogin.js";

/**
 * @typedef {import("./native.js").NativeHost} NativeHost
 * @typedef {import("./messages.js").ValidRequest} ValidRequest
 * @typedef {import("./origins.js").Policy} Policy
 */

/**
 * @typedef {object} ServiceDeps
 * @property {Pick<NativeHost, "ensure"|"request"|"hold"> & {lastFailure?: string}} host
 * @property {(url: string) => Promise<{id?: number}>} openWindow  opens a popup window
 * @property {(windowId: number) => Promise<void>} closeWindow
 * @property {() => Promise<Policy>} policy
 * @property {(key: string) => string} t  chrome.i18n.getMessage
 * @property {string} version  the extension's version
 * @property {() => string} newId
 * @property {number} [closeAfterSuccessMs]  how long the window stays after a success (default 0)
 * @property {number} [windowReplyAfterSuccessMs]  how long the consent window waits for its own
 *   «Listo» after a success, while the page uses its answer (default 0)
 */

/**
 * @typedef {object} Session
 * @property {string} id
 * @property {number} tabId
 * @property {string} origin
 * @property {ValidRequest} req
 * @property {number | undefined} windowId
 * @property {any[] | null} certificates
 * @property {boolean} busy
 * @property {CodedError | null} blocked  why no certificate can do what was asked (null: one can)
 * @property {Promise<any> | null} list  list-certificates, asked when the request arrived
 * @property {(v: any) => void} resolve
 * @property {(e: any) => void} reject
 */

/** Commands extension pages (options, popup) may send to the host. */
export const PAGE_HOST_COMMANDS = Object.freeze([
  COMMANDS.HELLO,
  COMMANDS.LIST_CERTIFICATES,
  COMMANDS.IMPORT_CREDENTIAL,
  COMMANDS.REMOVE_CREDENTIAL,
  COMMANDS.DIAGNOSE,
  COMMANDS.OCSP_REQUEST,
  COMMANDS.OCSP_CHECK,
]);

/** @param {ServiceDeps} deps */
export function createService(deps) {
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @type {Map<number, Session>} */
  const byTab = new Map();

  /**
   * Handles one request from a page (through the content script).
   * @param {unknown} msg
   * @param {{origin: string, tabId: number, signal?: AbortSignal}} from
   * @returns {Promise<{ok: true, result: any} | {ok: false, error: import("./errors.js").WireError}>}
   */
  async function handlePage(msg, from) {
    try {
      const decision = checkOrigin(from.origin, await deps.policy());
      // A refused origin learns no reason (not the developer switch's state).
      if (!decision.allowed) throw new CodedError("ERR_ORIGIN_NOT_ALLOWED");
      const req = validatePageRequest(msg);
      if (req.action === "status") return { ok: true, result: await status() };
      if (byTab.has(from.tabId)) throw new CodedError("ERR_REQUEST_PENDING");
      // When the last connection failed (host missing, forbidden,
      // blocked), fail before any window opens; otherwise a cold host
      // starts while the window opens (consent()).
      if (deps.host.lastFailure) await deps.host.ensure();
      const result = await consent(req, from);
      return { ok: true, result };
    } catch (e) {
      return { ok: false, error: toWire(e, deps.t) };
    }
  }

  /**
   * Handles a SAT login from sat-login.js (SAT's own form#certform page):
   * the same consent session as a page request, for the browser's origin.
   * @param {unknown} msg  {guid}
   * @param {{origin: string, tabId: number, signal?: AbortSignal}} from
   */
  async function handleSatLogin(msg, from) {
    try {
      const req = validateSatLogin(msg, from.origin);
      if (byTab.has(from.tabId)) throw new CodedError("ERR_REQUEST_PENDING");
      await deps.host.ensure();
      return { ok: true, result: await consent(/** @type {any} */ (req), from) };
    } catch (e) {
      return { ok: false, error: toWire(e, deps.t) };
    }
  }

  async function status() {
    const extension = { version: deps.version };
    try {
      const h = await deps.host.ensure();
      return { extension, host: { available: true, version: h.version, protocol: h.protocol } };
    } catch (e) {
      return { extension, host: { available: false, error: toWire(e, deps.t) } };
    }
  }

  /**
   * @param {ValidRequest} req
   * @param {{origin: string, tabId: number, signal?: AbortSignal}} from
   */
  async function consent(req, from) {
    /** @type {Session} */
    const s = {
      id: deps.newId(),
      tabId: from.tabId,
      origin: from.origin,
      req,
      windowId: undefined,
      certificates: null,
      busy: false,
      blocked: null,
      list: null,
      resolve: () => {},
      reject: () => {},
    };
    const done = new Promise((resolve, reject) => {
      s.resolve = resolve;
      s.reject = reject;
    });
    done.catch(() => {}); // awaited below; may settle while the window opens
    sessions.set(s.id, s);
    byTab.set(s.tabId, s);
    const release = deps.host.hold();
    // Start the host (if cold) and ask for the certificates now, while the
    // window opens, not after its page has loaded; a host that cannot be
    // reached ends the request (and closes the window).
    const ready = deps.host.ensure();
    s.list = ready.then(() => deps.host.request(COMMANDS.LIST_CERTIFICATES, {}));
    s.list.catch(() => {});
    ready.catch((e) => s.reject(e));
    const timer = setTimeout(() => s.reject(s.blocked || new CodedError("ERR_TIMEOUT")), req.timeoutMs);
    const onAbort = () => s.reject(new CodedError("ERR_USER_CANCELLED"));
    from.signal?.addEventListener("abort", onAbort);
    let succeeded = false;
    try {
      if (from.signal?.aborted) throw new CodedError("ERR_USER_CANCELLED");
      const win = await deps.openWindow("consent.html?s=" + encodeURIComponent(s.id));
      s.windowId = win.id;
      const result = await done;
      succeeded = true;
      return result;
    } finally {
      clearTimeout(timer);
      from.signal?.removeEventListener("abort", onAbort);
      sessions.delete(s.id);
      if (byTab.get(s.tabId) === s) byTab.delete(s.tabId);
      release();
      // The answer goes to the page first (the caller posts it in this
      // same run of microtasks). Closing a window is tens of milliseconds
      // of the browser's own work (docs/PERFORMANCE.md), so after a
      // success the window says «Listo» and closes a moment later, while
      // the page uses the answer; any other end closes it in the next task.
      const w = s.windowId;
      if (w !== undefined) setTimeout(() => deps.closeWindow(w).catch(() => {}), succeeded ? (deps.closeAfterSuccessMs ?? 0) : 0);
    }
  }

  /**
   * The consent window (or anything) closed a window.
   * @param {number} windowId
   */
  function onWindowRemoved(windowId) {
    for (const s of sessions.values()) {
      if (s.windowId === windowId) {
        s.windowId = undefined; // already gone
        s.reject(closed(s));
      }
    }
  }

  /**
   * Handles a message from the consent window.
   * @param {any} msg
   */
  async function handleConsent(msg) {
    const s = msg && typeof msg.session === "string" ? sessions.get(msg.session) : undefined;
    if (!s) return { ok: false, error: toWire(new CodedError("ERR_TIMEOUT"), deps.t), final: true };
    try {
      switch (msg.type) {
        case "consent:get":
          return { ok: true, result: await describe(s) };
        case "consent:cancel":
          s.reject(closed(s));
          return { ok: true, result: null };
        case "consent:submit":
          return await submit(s, msg);
      }
      throw new CodedError("ERR_BAD_REQUEST");
    } catch (e) {
      return { ok: false, error: toWire(e, deps.t) };
    }
  }

  /** @param {Session} s */
  async function describe(s) {
    // Asked when the request arrived (consent()); asked again only when
    // the window reloads after that answer was used.
    const list = await (s.list || deps.host.request(COMMANDS.LIST_CERTIFICATES, {}));
    s.list = null;
    const certs = Array.isArray(list?.certificates) ? list.certificates : [];
    s.certificates = certs;
    const action = /** @type {"authenticate"|"sign"} */ (s.req.action);
    s.blocked = noUsable(certs, certificateRule(action));
    /** @type {Record<string, unknown>} */
    const out = {
      origin: s.origin,
      action,
      description: s.req.description || "",
      certificates: certs.map((c) => ({ ...c, ...selectable(c, certificateRule(action)) })),
    };
    if (s.blocked) out.blocked = toWire(s.blocked, deps.t);
    // Every text or document, whole (docview.js renders it).
    if (action === "sign") out.items = await describeItems(s.req);
    return out;
  }

  /**
   * @param {Session} s
   * @param {any} msg
   */
  async function submit(s, msg) {
    if (s.busy) throw new CodedError("ERR_REQUEST_PENDING");
    const id = msg.certificateId;
    const cert = (s.certificates || []).find((c) => c && c.id === id);
    const action = /** @type {"authenticate"|"sign"} */ (s.req.action);
    const sat = /** @type {string} */ (action) === SAT_LOGIN_ACTION;
    if (!cert || typeof id !== "string") throw new CodedError("ERR_CERT_NOT_FOUND");
    if (!selectable(cert, certificateRule(action)).selectable) throw new CodedError(reasonCode(cert, certificateRule(action)));
    if (typeof msg.password !== "string" || msg.password.length === 0 || new TextEncoder().encode(msg.password).length > 256) {
      throw new CodedError("ERR_WRONG_PASSWORD");
    }
    s.busy = true;
    try {
      if (sat) {
        const r = await deps.host.request(COMMANDS.SAT_LOGIN, satLoginParams(s.origin, id, msg.password, /** @type {any} */ (s.req).guid, msg.confirmFinalTry === true));
        s.resolve(pickSatLogin(r));
        return await doneForWindow();
      }
      const command = action === "authenticate" ? COMMANDS.AUTHENTICATE : COMMANDS.SIGN;
      const result = await deps.host.request(command, hostParams(s.req, s.origin, id, msg.password, msg.confirmFinalTry === true));
      s.resolve(pick(action, result));
      return await doneForWindow();
    } catch (e) {
      const wire = toWire(e, deps.t);
      if (RETRYABLE_CODES.includes(wire.code)) return { ok: false, error: wire };
      s.reject(e);
      return { ok: false, error: wire, final: true };
    } finally {
      s.busy = false;
    }
  }

  /**
   * The consent window's answer after a success. The page has its answer
   * already (resolved just before); what the person waits for now is the
   * page's own work (its POST, its next page). Updating the window (its
   * «Listo», a frame of the extension's renderer and the browser's work to
   * deliver it) in those same milliseconds slowed the page's navigation by
   * ~10 ms on two cores (docs/PERFORMANCE.md), so the window hears of the
   * success a moment later; it closes later still (closeAfterSuccessMs).
   */
  async function doneForWindow() {
    const ms = deps.windowReplyAfterSuccessMs ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    return { ok: true, result: null };
  }

  /**
   * Handles a host command from an extension page (options, popup).
   * @param {any} msg
   */
  async function handleExtension(msg) {
    try {
      if (!msg || !PAGE_HOST_COMMANDS.includes(msg.command)) throw new CodedError("ERR_UNKNOWN_COMMAND");
      const params = msg.params && typeof msg.params === "object" ? msg.params : {};
      if (msg.command === COMMANDS.HELLO) return { ok: true, result: await deps.host.ensure() };
      return { ok: true, result: await deps.host.request(msg.command, params) };
    } catch (e) {
      return { ok: false, error: toWire(e, deps.t) };
    }
  }

  return { handlePage, handleSatLogin, handleConsent, handleExtension, onWindowRemoved, sessions, byTab };
}

/**
 * What the page receives when the person closes the window: the reason no
 * certificate could be used when there was none (the window said so), else
 * ERR_USER_CANCELLED.
 * @param {Session} s
 */
function closed(s) {
  return s.blocked || new CodedError("ERR_USER_CANCELLED");
}

/**
 * Why none of certs can do action, or null when one can. The reason is
 * the one the person can act on: for a sign-in the FIEL certificates'
 * reason (an expired FIEL beside a CSD is "renew your e.firma"), and
 * ERR_NOT_FIEL only when there is no FIEL at all; one reason shared by
 * all gives its own code (with the date for expired / not yet valid),
 * different reasons give ERR_NO_USABLE_CERTIFICATE (each row says its
 * own). No certificate at all is ERR_CERT_NOT_FOUND.
 * @param {any[]} certs
 * @param {"authenticate"|"sign"} action
 * @returns {CodedError | null}
 */
export function noUsable(certs, action) {
  if (certs.length === 0) return new CodedError("ERR_CERT_NOT_FOUND");
  if (certs.some((c) => selectable(c, action).selectable)) return null;
  let pool = certs;
  if (action === "authenticate") {
    const fiel = certs.filter((c) => c.type === "FIEL");
    if (fiel.length === 0) return new CodedError("ERR_NOT_FIEL", undefined, undefined, { type: certs[0].type });
    pool = fiel;
  }
  const codes = new Set(pool.map((c) => reasonCode(c, action)));
  if (codes.size > 1) return new CodedError("ERR_NO_USABLE_CERTIFICATE", undefined, undefined, { reasons: [...codes].sort() });
  const code = [...codes][0];
  if (code === "ERR_CERT_EXPIRED") {
    // The newest expiry: the certificate the person would renew.
    const notAfter = pool.map((c) => String(c.notAfter || "")).sort().at(-1);
    return new CodedError(code, undefined, undefined, notAfter ? { notAfter } : undefined);
  }
  if (code === "ERR_CERT_NOT_YET_VALID") {
    const notBefore = pool.map((c) => String(c.notBefore || "")).sort()[0];
    return new CodedError(code, undefined, undefined, notBefore ? { notBefore } : undefined);
  }
  return new CodedError(code);
}

/**
 * The error code for one certificate that selectable() refuses.
 * @param {any} c
 * @param {"authenticate"|"sign"} action
 */
function reasonCode(c, action) {
  if (c.status === "expired") return "ERR_CERT_EXPIRED";
  if (c.status === "not-yet-valid") return "ERR_CERT_NOT_YET_VALID";
  if (action === "authenticate" && c.type !== "FIEL") return "ERR_NOT_FIEL";
  return "ERR_KEY_UNUSABLE";
}

/**
 * Keeps only the documented fields of the host's answer.
 * @param {"authenticate"|"sign"} action
 * @param {any} r
 */
function pick(action, r) {
  if (!r || typeof r !== "object") throw new CodedError("ERR_HOST_BAD_MESSAGE");
  if (action === "authenticate") {
    return { format: r.format, certificate: r.certificate, algorithm: r.algorithm, signature: r.signature };
  }
  /** @type {Record<string, unknown>} */
  const out = { algorithm: r.algorithm, certificate: r.certificate };
  if (typeof r.cms === "string") out.cms = r.cms;
  else if (Array.isArray(r.signatures)) out.signatures = r.signatures;
  else out.signature = r.signature;
  return out;
}
