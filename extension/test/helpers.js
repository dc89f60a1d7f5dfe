// @ts-check
// Fakes for node tests: a window whose postMessage delivers MessageEvents
// asynchronously like a browser, and a native port.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A window-like EventTarget with location.origin and postMessage. */
export class FakeWindow extends EventTarget {
  /** @param {string} origin */
  constructor(origin) {
    super();
    this.location = { origin };
    /** @type {Array<{data: any, target: string}>} */
    this.posted = [];
  }

  /**
   * Delivers like a browser: asynchronously, source = this window, origin =
   * the sender's origin; a targetOrigin that does not match drops it.
   * @param {any} data
   * @param {string} targetOrigin
   * @param {{source?: any, origin?: string}} [as]  forge source/origin (tests)
   */
  postMessage(data, targetOrigin, as = {}) {
    this.posted.push({ data, target: targetOrigin });
    if (targetOrigin !== "*" && targetOrigin !== this.location.origin) return;
    const copy = structuredClone(data);
    setTimeout(() => {
      const ev = new Event("message");
      Object.defineProperties(ev, {
        data: { value: copy },
        source: { value: "source" in as ? as.source : this },
        origin: { value: as.origin ?? this.location.origin },
      });
      this.dispatchEvent(ev);
    }, 0);
  }
}

/** A fake chrome.runtime.Port pair end. */
export class FakePort {
  constructor() {
    /** @type {Array<(m: any) => void>} */
    this.msgListeners = [];
    /** @type {Array<() => void>} */
    this.discListeners = [];
    /** @type {any[]} */
    this.sent = [];
    this.disconnected = false;
    this.onMessage = { addListener: (/** @type {(m: any) => void} */ fn) => this.msgListeners.push(fn) };
    this.onDisconnect = { addListener: (/** @type {() => void} */ fn) => this.discListeners.push(fn) };
    /** @type {((m: any) => void) | null} */
    this.onPost = null;
  }
  /** @param {any} m */
  postMessage(m) {
    if (this.disconnected) throw new Error("Attempting to use a disconnected port object");
    // Serialized, as Chrome does (and into this realm: content.js runs in a vm context).
    const copy = structuredClone(m);
    this.sent.push(copy);
    if (this.onPost) this.onPost(copy);
  }
  disconnect() {
    this.disconnected = true;
  }
  /** the other side sends @param {any} m */
  deliver(m) {
    for (const fn of this.msgListeners) fn(m);
  }
  /** the other side goes away */
  drop() {
    this.disconnected = true;
    for (const fn of this.discListeners) fn();
  }
}

/** Loads content.js (a classic script) into this realm and returns installRelay. */
export function loadContentScript() {
  const code = fs.readFileSync(path.join(root, "content.js"), "utf8");
  /** @type {any} */
  const sandbox = { globalThis: {}, CustomEvent };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(code, sandbox, { filename: "content.js" });
  return sandbox.efirmaInstallRelay;
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A chrome.i18n.getMessage stand-in over the real catalogue: "" for unknown
 * keys (like Chrome), $1…$9 substituted.
 * @param {"es"|"en"} lang
 * @returns {(key: string, subs?: string[]) => string}
 */
export function translator(lang = "es") {
  /** @type {Record<string, {message: string}>} */
  const m = JSON.parse(fs.readFileSync(path.join(root, "_locales", lang, "messages.json"), "utf8"));
  return (key, subs = []) => {
    const e = m[key];
    if (!e) return "";
    return e.message.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? "");
  };
}
