// @ts-check
// Content script for SAT's own e.firma login (a classic script; runs on
// https://*.sat.gob.mx/* only). When the page holds form#certform (method
// POST, posting to SAT) with an input named guid, it adds a button
// «Ingresar con el Conector e.firma» just before the form; SAT's own
// controls stay as they are. A click (a real one: isTrusted) asks the
// service worker, over a port, for a SAT login with the form's guid; the
// service worker takes the origin from the browser, opens the consent
// window and asks the host ("sat-login"). The answer is only {token, fert}:
// they go into the form (hidden inputs are created when missing) and the
// form is submitted natively, with HTMLFormElement.prototype.submit, so the
// page's own submit handlers (which demand the .key file and password) do
// not run. Errors are shown beside the button in the browser's language
// (chrome.i18n, the same texts as everywhere). The page never sees the
// certificate list, the key or the password: nothing but the button, the
// status line and the two form values is written into it.
// The pure parts are exported through globalThis for node tests when no
// chrome runtime is present.

(function () {
  const PORT = "efirma-sat-login";
  const BOX_ID = "efirma-sat-login";

  /**
   * The browser's own getters, taken from this world's prototypes: a page
   * input named "action", "method" or "submit" cannot shadow them.
   */
  const formProto = typeof HTMLFormElement !== "undefined" ? HTMLFormElement.prototype : null;
  /** @param {any} form @param {string} prop */
  function formProp(form, prop) {
    const d = formProto && Object.getOwnPropertyDescriptor(formProto, prop);
    return d && d.get ? d.get.call(form) : form[prop];
  }

  /**
   * Reports whether url (a form's resolved action) is an https URL of
   * sat.gob.mx or a subdomain, on the default port.
   * @param {string} url
   */
  function postsToSat(url) {
    let u;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const h = u.hostname;
    return u.protocol === "https:" && u.port === "" && u.username === "" && (h === "sat.gob.mx" || h.endsWith(".sat.gob.mx"));
  }

  /**
   * Finds SAT's e.firma form: form#certform with an input named guid, that
   * posts to SAT. Anything else gets no button.
   * @param {{querySelector(s: string): any}} doc
   * @param {(form: any, prop: string) => any} [prop]
   * @returns {{form: any, guid: any} | null}
   */
  function findLoginForm(doc, prop = formProp) {
    const form = doc.querySelector("form#certform");
    if (!form) return null;
    const guid = form.querySelector('input[name="guid"]');
    if (!guid) return null;
    if (String(prop(form, "method")).toLowerCase() !== "post") return null;
    if (!postsToSat(String(prop(form, "action")))) return null;
    return { form, guid };
  }

  /**
   * Sets every enabled input named name that the form submits (its
   * elements, which include inputs outside it that name it with form=) to
   * value, creating a hidden one when there is none.
   * @param {any} form
   * @param {any} doc
   * @param {string} name
   * @param {string} value
   * @param {(form: any, prop: string) => any} [prop]
   */
  function setField(form, doc, name, value, prop = formProp) {
    const inputs = Array.from(prop(form, "elements")).filter(
      (/** @type {any} */ i) => String(i.tagName).toUpperCase() === "INPUT" && i.name === name && !i.disabled,
    );
    if (inputs.length === 0) {
      const input = doc.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
      inputs.push(input);
    }
    for (const i of inputs) /** @type {any} */ (i).value = value;
  }

  /**
   * Fills token and fert and submits the form natively, if it still posts
   * to SAT (the page could have changed its action meanwhile).
   * @param {any} form
   * @param {any} doc
   * @param {{token: string, fert: string}} result
   * @param {(form: any) => void} submit  HTMLFormElement.prototype.submit
   * @param {(form: any, prop: string) => any} [prop]
   */
  function fillAndSubmit(form, doc, result, submit, prop = formProp) {
    if (String(prop(form, "method")).toLowerCase() !== "post" || !postsToSat(String(prop(form, "action")))) return false;
    setField(form, doc, "token", result.token, prop);
    setField(form, doc, "fert", result.fert, prop);
    submit(form);
    return true;
  }

  /**
   * Adds the button and its status line before the form; returns the
   * status setter.
   * @param {{form: any, guid: any}} found
   * @param {Document} doc
   * @param {(key: string) => string} t
   * @param {{connect: (info: {name: string}) => any}} runtime
   */
  function install(found, doc, t, runtime) {
    if (doc.getElementById(BOX_ID)) return;
    const box = doc.createElement("div");
    box.id = BOX_ID;
    box.setAttribute("style", "margin:0.8em 0;padding:0.8em;border:2px solid #1f5f8b;border-radius:6px;background:#f3f8fc;font:15px sans-serif;color:#111");
    const button = doc.createElement("button");
    button.type = "button";
    button.id = BOX_ID + "-boton";
    button.textContent = t("sat_login_button");
    button.setAttribute("style", "font:bold 15px sans-serif;padding:0.5em 1em;background:#1f5f8b;color:#fff;border:0;border-radius:4px;cursor:pointer");
    const about = doc.createElement("small");
    about.textContent = " " + t("sat_login_about");
    const status = doc.createElement("p");
    status.id = BOX_ID + "-estado";
    status.setAttribute("role", "alert");
    status.setAttribute("style", "margin:0.5em 0 0");
    status.hidden = true;
    box.append(button, about, status);
    found.form.before(box);

    /** @param {string} text @param {boolean} [error] */
    const show = (text, error = false) => {
      status.textContent = text;
      status.hidden = !text;
      status.style.color = error ? "#a00" : "#111";
      status.dataset.error = error ? "1" : "";
    };
    let busy = false;
    button.addEventListener("click", (/** @type {MouseEvent} */ ev) => {
      if (!ev.isTrusted || busy) return;
      const current = findLoginForm(doc);
      if (!current) return;
      busy = true;
      button.disabled = true;
      show(t("sat_login_waiting"));
      /** @param {{code?: string, message?: string, hint?: string} | undefined} e */
      const fail = (e) => {
        busy = false;
        button.disabled = false;
        const code = e && e.code ? e.code : "ERR_EXTENSION_UNAVAILABLE";
        const msg = (e && e.message) || t("err_" + code) || code;
        const hint = (e && e.hint) || "";
        show(hint ? msg + " " + hint : msg, true);
        status.dataset.code = code;
      };
      let port;
      try {
        port = runtime.connect({ name: PORT });
      } catch {
        fail(undefined);
        return;
      }
      let done = false;
      port.onMessage.addListener((/** @type {any} */ out) => {
        if (done) return;
        done = true;
        port.disconnect();
        if (!out || !out.ok || !out.result) {
          fail(out && out.error);
          return;
        }
        show(t("sat_login_sending"));
        const submit = (/** @type {any} */ f) => HTMLFormElement.prototype.submit.call(f);
        if (!fillAndSubmit(current.form, doc, out.result, submit)) fail({ code: "ERR_ORIGIN_NOT_ALLOWED" });
      });
      port.onDisconnect.addListener(() => {
        if (done) return;
        done = true;
        fail(undefined);
      });
      port.postMessage({ guid: String(current.guid.value) });
    });
  }

  if (typeof chrome !== "undefined" && chrome.runtime && chrome.runtime.id) {
    const t = (/** @type {string} */ key) => chrome.i18n.getMessage(key);
    const tryInstall = () => {
      const found = findLoginForm(document);
      if (found) install(found, document, t, chrome.runtime);
      return !!found;
    };
    // SAT's page may build the form after load: look again for a while.
    if (!tryInstall()) {
      const obs = new MutationObserver(() => {
        if (tryInstall()) obs.disconnect();
      });
      obs.observe(document.documentElement, { childList: true, subtree: true });
      setTimeout(() => obs.disconnect(), 30_000);
    }
  } else {
    /** @type {any} */ (globalThis).efirmaSatLogin = { findLoginForm, setField, fillAndSubmit, postsToSat };
  }
})();
