// @ts-check
// The native-host service: one connection to mx.efirma.conector with explicit
// states, a hello handshake, a timeout on every request and cleanup in
// finally. When the host exits (or is killed) every waiting request fails with
// the mapped code and the next request starts a new host process.
//
// States: "disconnected" → (connect) → "connecting" → (hello ok) → "ready"
//         any → (port disconnect, timeout, bad message) → "disconnected"

import { CodedError, mapBrowserError } from "./errors.js";
import { COMMANDS, HOST_NAME, PROTOCOL_VERSION } from "./protocol.js";

/**
 * @typedef {object} PortLike  the part of chrome.runtime.Port we use
 * @property {(msg: unknown) => void} postMessage
 * @property {() => void} disconnect
 * @property {{addListener: (fn: (msg: any) => void) => void}} onMessage
 * @property {{addListener: (fn: () => void) => void}} onDisconnect
 */

/**
 * @typedef {object} NativeHostOptions
 * @property {(name: string) => PortLike} connect   chrome.runtime.connectNative
 * @property {() => (string | undefined)} lastError  chrome.runtime.lastError?.message
 * @property {string} [hostName]
 * @property {number} [helloTimeoutMs]
 * @property {number} [idleMs]  close the connection after this long unused
 */

/** Default timeouts per command, in milliseconds. */
export const COMMAND_TIMEOUTS = Object.freeze({
  [COMMANDS.HELLO]: 10_000,
  [COMMANDS.LIST_CERTIFICATES]: 30_000,
  [COMMANDS.IMPORT_CREDENTIAL]: 30_000,
  [COMMANDS.REMOVE_CREDENTIAL]: 10_000,
  [COMMANDS.AUTHENTICATE]: 60_000,
  [COMMANDS.SIGN]: 120_000,
  [COMMANDS.DIAGNOSE]: 60_000,
});

export class NativeHost {
  /** @param {NativeHostOptions} opts */
  constructor(opts) {
    this.opts = opts;
    this.hostName = opts.hostName || HOST_NAME;
    this.helloTimeoutMs = opts.helloTimeoutMs ?? COMMAND_TIMEOUTS[COMMANDS.HELLO];
    this.idleMs = opts.idleMs ?? 30_000;
    /** @type {"disconnected"|"connecting"|"ready"} */
    this.state = "disconnected";
    /** @type {PortLike | null} */
    this.port = null;
    /** @type {Promise<any> | null} */
    this.hello = null;
    /** @type {Map<string, {resolve: (v: any) => void, reject: (e: any) => void}>} */
    this.pending = new Map();
    this.seq = 0;
    this.holds = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.idleTimer = null;
    /** The code of the last failed connection ("" after a hello succeeded). */
    this.lastFailure = "";
  }

  /**
   * Connects (if needed) and returns the host's hello result.
   * @returns {Promise<{version: string, protocol: number, sources?: string[], limits?: object}>}
   */
  ensure() {
    if (this.hello && this.state !== "disconnected") return this.hello;
    this.state = "connecting";
    /** @type {PortLike} */
    let port;
    try {
      port = this.opts.connect(this.hostName);
    } catch (e) {
      this.state = "disconnected";
      const err = new CodedError(mapBrowserError(e instanceof Error ? e.message : e));
      this.lastFailure = err.code;
      return Promise.reject(err);
    }
    this.port = port;
    port.onMessage.addListener((msg) => this.onMessage(port, msg));
    port.onDisconnect.addListener(() => {
      const text = this.opts.lastError();
      this.drop(port, text ? mapBrowserError(text) : "ERR_HOST_EXITED");
    });
    const hello = this.send(port, COMMANDS.HELLO, {}, this.helloTimeoutMs).then((res) => {
      if (!res || typeof res !== "object" || res.protocol !== PROTOCOL_VERSION) {
        this.drop(port, "ERR_VERSION_MISMATCH");
        throw new CodedError("ERR_VERSION_MISMATCH", undefined, undefined, {
          host: res && typeof res === "object" ? res.protocol : undefined,
          extension: PROTOCOL_VERSION,
        });
      }
      if (this.port === port) this.state = "ready";
      return res;
    });
    this.hello = hello;
    hello.then(
      () => {
        this.lastFailure = "";
        // A connection opened only for hello (a portal's status check)
        // closes when unused, like any other.
        this.armIdle();
      },
      (e) => {
        if (this.hello === hello) this.hello = null;
        this.lastFailure = e && typeof e === "object" && "code" in e ? String(e.code) : "ERR_HOST_UNAVAILABLE";
      },
    );
    return hello;
  }

  /**
   * Sends one command and waits for its answer.
   * @param {string} command
   * @param {object} [params]
   * @param {number} [timeoutMs]
   */
  async request(command, params = {}, timeoutMs) {
    this.holds++;
    this.clearIdle();
    try {
      await this.ensure();
      const port = this.port;
      if (!port) throw new CodedError("ERR_HOST_EXITED");
      // @ts-ignore -- indexing a frozen record by command name
      const t = timeoutMs ?? COMMAND_TIMEOUTS[command] ?? 30_000;
      return await this.send(port, command, params, t);
    } finally {
      this.holds--;
      this.armIdle();
    }
  }

  /**
   * Keeps the connection open (for example while a consent window is up).
   * @returns {() => void} release
   */
  hold() {
    this.holds++;
    this.clearIdle();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.armIdle();
    };
  }

  /**
   * @param {PortLike} port
   * @param {string} command
   * @param {object} params
   * @param {number} timeoutMs
   * @returns {Promise<any>}
   */
  send(port, command, params, timeoutMs) {
    const id = String(++this.seq);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const p = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        reject(new CodedError("ERR_HOST_TIMEOUT"));
        // A host that does not answer is stuck: recycle it.
        this.drop(port, "ERR_HOST_TIMEOUT");
      }, timeoutMs);
      try {
        port.postMessage({ id, command, params });
      } catch (e) {
        reject(new CodedError(mapBrowserError(e instanceof Error ? e.message : e)));
      }
    });
    return p.finally(() => {
      clearTimeout(timer);
      this.pending.delete(id);
    });
  }

  /**
   * @param {PortLike} port
   * @param {unknown} msg
   */
  onMessage(port, msg) {
    if (port !== this.port) return;
    if (!msg || typeof msg !== "object" || !("id" in msg) || typeof msg.id !== "string") {
      this.drop(port, "ERR_HOST_BAD_MESSAGE");
      return;
    }
    const waiter = this.pending.get(msg.id);
    if (!waiter) return; // late answer to a request that already timed out
    if ("error" in msg && msg.error && typeof msg.error === "object") {
      const e = /** @type {{code?: unknown, message?: unknown, hint?: unknown, details?: unknown}} */ (msg.error);
      waiter.reject(
        new CodedError(
          typeof e.code === "string" ? e.code : "ERR_INTERNAL",
          typeof e.message === "string" ? e.message : undefined,
          typeof e.hint === "string" ? e.hint : undefined,
          e.details && typeof e.details === "object" ? /** @type {Record<string, unknown>} */ (e.details) : undefined,
        ),
      );
    } else if ("result" in msg) {
      waiter.resolve(msg.result);
    } else {
      this.drop(port, "ERR_HOST_BAD_MESSAGE");
    }
  }

  /**
   * Forgets port and fails everything waiting on it with code.
   * @param {PortLike} port
   * @param {string} code
   */
  drop(port, code) {
    if (port !== this.port) return;
    this.port = null;
    this.hello = null;
    this.state = "disconnected";
    this.clearIdle();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(new CodedError(code));
    try {
      port.disconnect();
    } catch {
      // already gone
    }
  }

  /** Closes the connection now (nothing waiting is left hanging). */
  close() {
    if (this.port) this.drop(this.port, "ERR_HOST_EXITED");
  }

  clearIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  armIdle() {
    this.clearIdle();
    if (this.holds > 0 || !this.port || this.idleMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.holds === 0 && this.pending.size === 0) this.close();
    }, this.idleMs);
  }
}
