// @ts-check
// Content script (a classic script: content scripts cannot be modules). It
// relays requests from the page library to the service worker:
//  - accepts only messages whose source is this very window and whose type
//    carries our prefix;
//  - acknowledges at once, so the page knows the extension is there;
//  - replies only to the origin the message came from (event.origin);
//  - sends nothing about the origin itself: the service worker takes it from
//    the browser.
// installRelay is exported for node tests through globalThis when no chrome
// runtime is present.

(function () {
  const REQUEST = "efirma:request";
  const ACK = "efirma:ack";
  const RESPONSE = "efirma:response";
  const PROTOCOL = 1;

  /**
   * @param {Window} win
   * @param {{connect: (info: {name: string}) => any}} runtime
   */
  function installRelay(win, runtime) {
    /** @type {Set<string>} */
    const inFlight = new Set();
    /** @param {MessageEvent} event */
    function onMessage(event) {
      if (event.source !== win) return;
      const msg = event.data;
      if (!msg || typeof msg !== "object" || msg.type !== REQUEST) return;
      if (typeof msg.id !== "string" || msg.id.length === 0 || msg.id.length > 64) return;
      const origin = event.origin;
      const id = msg.id;
      /** @param {object} body */
      const reply = (body) => win.postMessage({ type: RESPONSE, id, ...body }, origin);
      win.postMessage({ type: ACK, id, protocol: PROTOCOL }, origin);
      if (msg.v !== PROTOCOL) {
        reply({ ok: false, error: { code: "ERR_VERSION_MISMATCH", message: "ERR_VERSION_MISMATCH", details: { page: msg.v, extension: PROTOCOL } } });
        return;
      }
      if (inFlight.has(id)) return;
      inFlight.add(id);
      let port;
      try {
        port = runtime.connect({ name: "efirma-page" });
      } catch {
        inFlight.delete(id);
        reply({ ok: false, error: { code: "ERR_EXTENSION_UNAVAILABLE", message: "ERR_EXTENSION_UNAVAILABLE" } });
        return;
      }
      let done = false;
      port.onMessage.addListener((/** @type {any} */ out) => {
        if (done) return;
        done = true;
        inFlight.delete(id);
        reply(out && typeof out === "object" ? { ok: !!out.ok, result: out.result, error: out.error } : { ok: false, error: { code: "ERR_INTERNAL", message: "ERR_INTERNAL" } });
        port.disconnect();
      });
      port.onDisconnect.addListener(() => {
        if (done) return;
        done = true;
        inFlight.delete(id);
        // The service worker went away (extension reloaded or updated).
        reply({ ok: false, error: { code: "ERR_EXTENSION_UNAVAILABLE", message: "ERR_EXTENSION_UNAVAILABLE" } });
      });
      port.postMessage({ id, action: msg.action, params: msg.params });
    }
    win.addEventListener("message", onMessage);
    return () => win.removeEventListener("message", onMessage);
  }

  if (typeof chrome !== "undefined" && chrome.runtime && chrome.runtime.id) {
    installRelay(window, chrome.runtime);
  } else {
    /** @type {any} */ (globalThis).efirmaInstallRelay = installRelay;
  }
})();
