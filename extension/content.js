// @ts-check
// Content script (a classic script: content scripts cannot be modules). It
// relays requests from the page library to the service worker:
//  - takes a request event (a cancelable CustomEvent "efirma:request" on
//    this window, its detail the message's JSON) in the page's own task and
//    answers with "efirma:reply" events on the same window; or, from older
//    page libraries, a window.postMessage whose source is this very window;
//  - accepts only messages whose type carries our prefix;
//  - acknowledges at once, so the page knows the extension is there;
//  - answers the way the request came: a postMessage only to the origin
//    it came from (event.origin);
//  - sends nothing about the origin itself: the service worker takes it from
//    the browser.
// installRelay is exported for node tests through globalThis when no chrome
// runtime is present.

(function () {
  const REQUEST = "efirma:request";
  const ACK = "efirma:ack";
  const RESPONSE = "efirma:response";
  const PROTOCOL = 1;
  // The synchronous channel's DOM events (page/efirma.js).
  const REQUEST_EVENT = "efirma:request";
  const REPLY_EVENT = "efirma:reply";

  /**
   * @param {Window} win
   * @param {{connect: (info: {name: string}) => any}} runtime
   */
  function installRelay(win, runtime) {
    /** @type {Set<string>} */
    const inFlight = new Set();

    /**
     * Relays one request to the service worker; reply sends each answer
     * back the way the request came.
     * @param {any} msg
     * @param {(body: object) => void} reply
     */
    function relay(msg, reply) {
      const id = msg.id;
      reply({ type: ACK, id, protocol: PROTOCOL });
      if (msg.v !== PROTOCOL) {
        reply({ type: RESPONSE, id, ok: false, error: { code: "ERR_VERSION_MISMATCH", message: "ERR_VERSION_MISMATCH", details: { page: msg.v, extension: PROTOCOL } } });
        return;
      }
      if (inFlight.has(id)) return;
      inFlight.add(id);
      let port;
      try {
        port = runtime.connect({ name: "efirma-page" });
      } catch {
        inFlight.delete(id);
        reply({ type: RESPONSE, id, ok: false, error: { code: "ERR_EXTENSION_UNAVAILABLE", message: "ERR_EXTENSION_UNAVAILABLE" } });
        return;
      }
      let done = false;
      port.onMessage.addListener((/** @type {any} */ out) => {
        if (done) return;
        done = true;
        inFlight.delete(id);
        reply(out && typeof out === "object" ? { type: RESPONSE, id, ok: !!out.ok, result: out.result, error: out.error } : { type: RESPONSE, id, ok: false, error: { code: "ERR_INTERNAL", message: "ERR_INTERNAL" } });
        port.disconnect();
      });
      port.onDisconnect.addListener(() => {
        if (done) return;
        done = true;
        inFlight.delete(id);
        // The service worker went away (extension reloaded or updated).
        reply({ type: RESPONSE, id, ok: false, error: { code: "ERR_EXTENSION_UNAVAILABLE", message: "ERR_EXTENSION_UNAVAILABLE" } });
      });
      port.postMessage({ id, action: msg.action, params: msg.params });
    }

    /** @param {any} msg */
    const isRequest = (msg) => !!msg && typeof msg === "object" && msg.type === REQUEST && typeof msg.id === "string" && msg.id.length > 0 && msg.id.length <= 64;

    /** window.postMessage from this very window (older page libraries). @param {MessageEvent} event */
    function onMessage(event) {
      if (event.source !== win) return;
      const msg = event.data;
      if (!isRequest(msg)) return;
      const origin = event.origin;
      relay(msg, (body) => win.postMessage(body, origin));
    }

    /**
     * The synchronous channel: a cancelable CustomEvent on this window whose
     * detail is the message's JSON. Taken (preventDefault) in the page's
     * own task, so the request leaves before the frame the click causes;
     * the answers are REPLY_EVENT events on the same window, which only
     * this document's scripts hear.
     * @param {Event} event
     */
    function onRequestEvent(event) {
      const detail = /** @type {CustomEvent} */ (event).detail;
      if (typeof detail !== "string") return;
      let msg;
      try {
        msg = JSON.parse(detail);
      } catch {
        return;
      }
      if (!isRequest(msg)) return;
      event.preventDefault();
      const Custom = /** @type {any} */ (win).CustomEvent || globalThis.CustomEvent;
      relay(msg, (body) => win.dispatchEvent(new Custom(REPLY_EVENT, { detail: JSON.stringify(body) })));
    }

    win.addEventListener("message", onMessage);
    win.addEventListener(REQUEST_EVENT, onRequestEvent);
    return () => {
      win.removeEventListener("message", onMessage);
      win.removeEventListener(REQUEST_EVENT, onRequestEvent);
    };
  }

  if (typeof chrome !== "undefined" && chrome.runtime && chrome.runtime.id) {
    installRelay(window, chrome.runtime);
  } else {
    /** @type {any} */ (globalThis).efirmaInstallRelay = installRelay;
  }
})();
