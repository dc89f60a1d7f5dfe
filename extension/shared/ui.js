// @ts-check
// Helpers shared by the extension's pages (consent, options, popup,
// diagnostics).

import { explain } from "../page/efirma.js";

/**
 * Fills every element with data-i18n="key" with its message, and
 * data-i18n-attr="attr:key" attributes. Text is set with textContent only.
 * @param {ParentNode} root
 * @param {(key: string, subs?: string[]) => string} t
 */
export function localize(root, t) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const key = el.getAttribute("data-i18n") || "";
    el.textContent = t(key);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    const [attr, key] = (el.getAttribute("data-i18n-attr") || "").split(":");
    if (attr && key) el.setAttribute(attr, t(key));
  }
}

/** @param {string} key @param {string[]} [subs] */
export function t(key, subs) {
  return chrome.i18n.getMessage(key, subs) || key;
}

/**
 * Sends a message to the service worker and returns its {ok, result|error}.
 * @param {object} msg
 * @param {{sendMessage: (m: any) => Promise<any>}} [runtime]
 * @returns {Promise<{ok: boolean, result?: any, error?: {code: string, message: string, hint?: string}, final?: boolean}>}
 */
export async function ask(msg, runtime = chrome.runtime) {
  try {
    const out = await runtime.sendMessage(msg);
    if (out && typeof out === "object") return out;
  } catch {
    // the service worker is gone
  }
  return unavailable();
}

/** The answer when the service worker cannot be reached. */
function unavailable() {
  return { ok: false, error: { code: "ERR_EXTENSION_UNAVAILABLE", message: t("err_ERR_EXTENSION_UNAVAILABLE") } };
}

/**
 * A line to the service worker for one extension page: a port opened once,
 * one message per question, answered on the same port ({rid, out}). A
 * question then costs one message instead of a new channel each
 * (chrome.runtime.sendMessage); the consent window's «Acceder» is on the
 * path of the person's login (docs/PERFORMANCE.md). While the port is not
 * there (the service worker restarted), questions go by sendMessage; one in
 * flight when the port goes gets ERR_EXTENSION_UNAVAILABLE, never a resend.
 * @param {string} name  the port's name (background.js checks it and the sender)
 * @param {{connect: (info: {name: string}) => any, sendMessage: (m: any) => Promise<any>}} [runtime]
 * @returns {(msg: object) => Promise<{ok: boolean, result?: any, error?: {code: string, message: string, hint?: string}, final?: boolean}>}
 */
export function openLine(name, runtime = chrome.runtime) {
  /** @type {any} */
  let port = null;
  /** @type {Map<number, (out: any) => void>} */
  const waiting = new Map();
  let seq = 0;
  try {
    port = runtime.connect({ name });
    port.onMessage.addListener((/** @type {any} */ m) => {
      const w = m && waiting.get(m.rid);
      if (!w) return;
      waiting.delete(m.rid);
      w(m.out);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      for (const w of waiting.values()) w(null);
      waiting.clear();
    });
  } catch {
    port = null;
  }
  return async (msg) => {
    if (!port) return ask(msg, runtime);
    const rid = ++seq;
    const out = await new Promise((resolve) => {
      waiting.set(rid, resolve);
      try {
        port.postMessage({ rid, msg });
      } catch {
        waiting.delete(rid);
        resolve(null);
      }
    });
    return out && typeof out === "object" ? out : unavailable();
  };
}

/**
 * Sends a command to the host through the service worker.
 * @param {string} command
 * @param {object} [params]
 */
export function host(command, params = {}) {
  return ask({ type: "host", command, params });
}

/** The UI language for texts that come from the page library. */
export function uiLang() {
  try {
    return chrome.i18n.getUILanguage().toLowerCase().startsWith("en") ? "en" : "es";
  } catch {
    return "es";
  }
}

/**
 * The explanation of an error as the page library gives it (the same words
 * a portal shows, made specific by err.details), falling back to the
 * error's own text for codes it does not know and for the pages' own
 * messages (which carry no code).
 * @param {{code: string, message: string, hint?: string, details?: Record<string, unknown>}} err
 * @param {string} [lang]
 * @returns {{message: string, hint: string}}
 */
export function explainError(err, lang = uiLang()) {
  const x = err.code ? explain(err.code, err.details, lang) : null;
  return x || { message: err.message || err.code, hint: err.hint || "" };
}

/**
 * Shows an error (message and hint, explained like the page library does)
 * in el; data-code carries the code.
 * @param {HTMLElement} el
 * @param {{code: string, message: string, hint?: string, details?: Record<string, unknown>} | null} err
 */
export function showError(el, err) {
  el.textContent = "";
  el.hidden = !err;
  if (!err) return;
  const x = explainError(err);
  const m = document.createElement("strong");
  m.className = "mensaje";
  m.textContent = x.message;
  el.append(m);
  if (x.hint) {
    const h = document.createElement("span");
    h.className = "pista";
    h.textContent = " " + x.hint;
    el.append(h);
  }
  el.dataset.code = err.code;
}

/**
 * Days-left text for a certificate.
 * @param {{daysLeft?: number, status?: string}} c
 */
export function daysText(c) {
  const d = typeof c.daysLeft === "number" ? c.daysLeft : 0;
  if (c.status === "expired" || d < 0) return t("cert_expired_days", [String(Math.abs(d))]);
  return t("cert_days_left", [String(d)]);
}
