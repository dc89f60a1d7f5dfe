// @ts-check
// The demo portal's page script: the login and the signed appointment form,
// through the Conector e.firma page library. Texts come from the server's
// catalogue (#textos); every failure is shown in #error as message + hint.
import { status, authenticate, sign } from "/efirma.js";

/** @type {Record<string, string>} */
const T = JSON.parse(document.getElementById("textos")?.textContent || "{}");

/** @param {string} id */
function el(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e;
}

/**
 * @param {string} message
 * @param {string} [hint]
 * @param {string} [code]
 */
function showError(message, hint, code) {
  const box = el("error");
  box.dataset.code = code || "";
  box.classList.remove("nota");
  /** @type {HTMLElement} */ (box.querySelector(".mensaje")).textContent = message;
  /** @type {HTMLElement} */ (box.querySelector(".pista")).textContent = hint || "";
  box.hidden = false;
}

function hideError() {
  el("error").hidden = true;
}

/**
 * Progress text in #progreso, a live region that is always there (empty
 * when idle) so that screen readers announce each change.
 * @param {string} [text]
 */
function progress(text) {
  el("progreso").textContent = text || "";
}

/** A refusal from the portal's API, shaped like the library's EfirmaError. */
class PortalError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {string} hint
   */
  constructor(code, message, hint) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/**
 * POSTs JSON to the portal and returns the JSON answer.
 * @param {string} path
 * @param {unknown} body
 */
async function api(path, body) {
  let r;
  try {
    r = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new PortalError("network", T["network"], T["network-hint"]);
  }
  let j = {};
  try {
    j = await r.json();
  } catch {
    /* empty or not JSON */
  }
  if (!r.ok) {
    throw new PortalError(j.error || "network", j.message || T["network"], j.hint || T["network-hint"]);
  }
  return j;
}

/**
 * Shows a failure and gives the keyboard focus back to the button that
 * started it (it was disabled while working, so the focus was lost).
 * Cancelling in the consent window is the person's choice: it is shown
 * once, neutrally (class "nota", the message only), not as an error.
 * @param {any} e
 * @param {HTMLElement} [retry]
 */
function report(e, retry) {
  const code = e && e.code ? String(e.code) : "";
  showError(e && e.message ? e.message : String(e), e && e.hint && code !== "ERR_USER_CANCELLED" ? e.hint : "", code);
  if (code === "ERR_USER_CANCELLED") el("error").classList.add("nota");
  if (retry) retry.focus();
}

/** @param {string} s @param {...string} args */
function fmt(s, ...args) {
  let i = 0;
  return s.replace(/%s/g, () => args[i++] ?? "");
}

/**
 * Fills #estado-extension from the page library's status():
 * {extension: {version}, host: {available, version?, protocol?, error?}}.
 * data-estado: "disponible", "sin-conector", "sin-extension" or
 * "no-permitido"; data-codigo: the error code, if any. Without the
 * extension, the library's error says which store to install it from for
 * this browser (details.install, defined once in the library) and this page
 * links to it (#instalar-extension).
 */
async function showStatus() {
  const out = document.getElementById("estado-extension");
  if (!out) return;
  out.textContent = "";
  /** @param {string} text @param {string} [cls] */
  const line = (text, cls) => {
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = text;
    out.append(span);
    return span;
  };
  try {
    const s = await status({ lang: "es" });
    const host = s && s.host ? s.host : { available: false };
    if (host.available) {
      line(fmt(T["ext-available"], String(host.version ?? "")));
      out.dataset.estado = "disponible";
      return;
    }
    line(T["ext-no-host"]);
    out.dataset.estado = "sin-conector";
    if (host.error) {
      out.dataset.codigo = String(host.error.code || "");
      if (host.error.hint) line(" " + host.error.hint, "pista");
    }
  } catch (e) {
    const err = /** @type {any} */ (e);
    const code = err && err.code ? String(err.code) : "";
    if (code) out.dataset.codigo = code;
    if (code === "ERR_ORIGIN_NOT_ALLOWED") {
      out.dataset.estado = "no-permitido";
      line(err.message);
      if (err.hint) line(" " + err.hint, "pista");
      return;
    }
    out.dataset.estado = "sin-extension";
    line(T["ext-missing"]);
    const install = err && err.details && err.details.install;
    if (err && err.hint) line(" " + err.hint, "pista");
    if (install && typeof install.url === "string" && /^https:\/\//.test(install.url)) {
      out.append(" ");
      const a = document.createElement("a");
      a.id = "instalar-extension";
      a.href = install.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.dataset.tienda = String(install.store || "");
      a.textContent = String(install.name || install.url);
      out.append(a);
    }
  }
}

/**
 * The login challenge, asked when the page loads so that the click opens
 * the consent window at once (docs/PAGE-API.md). Used once, and only while
 * well inside its validity (the verifier's default is 5 minutes).
 * @type {Promise<{challenge: string, at: number}> | null}
 */
let nextChallenge = null;
const CHALLENGE_FRESH_MS = 4 * 60_000;

function prefetchChallenge() {
  nextChallenge = api("/api/challenge", {}).then((r) => ({ challenge: String(r.challenge), at: Date.now() }));
  nextChallenge.catch(() => {}); // asked again at the click
}

/** The prefetched challenge when it is still fresh, else a new one. */
async function takeChallenge() {
  const p = nextChallenge;
  nextChallenge = null;
  const c = p ? await p.catch(() => null) : null;
  if (c && Date.now() - c.at < CHALLENGE_FRESH_MS) return c.challenge;
  const { challenge } = await api("/api/challenge", {});
  return challenge;
}

async function login() {
  const button = /** @type {HTMLButtonElement} */ (el("acceder"));
  button.disabled = true;
  hideError();
  try {
    const challenge = await takeChallenge();
    progress(T["working"]);
    const token = await authenticate({ challenge, lang: "es" });
    // No «Verificando…» here (the appointment form has one): the next page
    // follows in about a tenth of a second, too soon to be read or
    // announced, and the text's frame slowed that very POST and navigation
    // (docs/PERFORMANCE.md).
    const who = await api("/api/login", { challenge, token });
    location.assign(who.redirect || "/inicio");
  } catch (e) {
    progress("");
    button.disabled = false;
    report(e, button);
    prefetchChallenge(); // for the next try
  }
}

async function solicitarCita() {
  const button = /** @type {HTMLButtonElement} */ (el("solicitar"));
  const form = /** @type {HTMLFormElement} */ (el("form-cita"));
  const tramite = /** @type {HTMLSelectElement} */ (el("tramite")).value;
  const fecha = /** @type {HTMLInputElement} */ (el("fecha")).value;
  hideError();
  el("resultado").hidden = true;
  if (!tramite || !fecha) {
    showError(T["missing-fields"]);
    el(tramite ? "fecha" : "tramite").focus();
    return;
  }
  button.disabled = true;
  try {
    const { challenge: nonce } = await api("/api/challenge", {});
    const cadena = `||CITA|${form.dataset.rfc}|${tramite}|${fecha}|${nonce}||`;
    const shown = el("cadena");
    shown.textContent = cadena;
    shown.hidden = false;
    progress(T["working"]);
    const signed = await sign({ data: cadena, description: "Solicitud de cita", lang: "es" });
    progress(T["verifying"]);
    const res = await api("/api/cita", {
      data: cadena,
      signature: signed.signature,
      algorithm: signed.algorithm,
      certificate: signed.certificate,
    });
    progress("");
    const out = el("resultado");
    out.textContent = fmt(T["cita-done"], res.folio);
    out.dataset.folio = res.folio;
    out.hidden = false;
  } catch (e) {
    progress("");
    button.disabled = false;
    report(e, button);
  } finally {
    button.disabled = false;
  }
}

const page = document.body.dataset.page;
if (page === "home") {
  el("acceder").addEventListener("click", login);
  prefetchChallenge();
  showStatus();
} else if (page === "cita") {
  el("form-cita").addEventListener("submit", (e) => e.preventDefault());
  el("solicitar").addEventListener("click", solicitarCita);
}
