// @ts-check
// Consent window: shows who asks and what, lets the person pick a certificate
// and type the password, and hands both to the service worker (which hands
// them to the host). The password is never stored; the field is cleared
// after every try. Closing the window cancels (the service worker sees the
// window go away). A failure shows the same explanation the page library
// gives (shared/ui.js showError → page/efirma.js explain): tries so far for a
// wrong password, the expiry date, a warning when few PIN tries are left,
// and for the token's final PIN try a checkbox that must be ticked before
// the try is sent (confirmFinalTry). The checkbox shows only after the host
// answered ERR_PIN_FINAL_TRY for a token certificate, while that certificate
// stays chosen (shared/finaltry.js); its block is a plain div so that the
// `hidden` attribute is not overridden by a display rule of pages.css.

import { renderDocuments } from "./shared/docview.js";
import { finalTryFor, showFinalTry } from "./shared/finaltry.js";
import { daysText, localize, openLine, showError, t } from "./shared/ui.js";

const session = new URLSearchParams(location.search).get("s") || "";
// This window's questions to the service worker, on one port.
const ask = openLine("efirma-consent");
// Asked first, before the page is localized: the answer is usually ready
// (the service worker asked the host when the request arrived).
const described = ask({ type: "consent:get", session });

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

const form = /** @type {HTMLFormElement} */ ($("formulario"));
const password = /** @type {HTMLInputElement} */ ($("password"));
const accept = /** @type {HTMLButtonElement} */ ($("aceptar"));
const cancel = /** @type {HTMLButtonElement} */ ($("cancelar"));
const errorBox = $("error");
const finalTry = /** @type {HTMLInputElement} */ ($("ultimo-intento"));
const finalTryBlock = $("ultimo-intento-bloque");
/** @type {Map<string, any>} certificate id → what the service worker sent */
const certs = new Map();
/** The token certificate the final PIN try must be confirmed for ("" none). */
let confirmFor = "";
/** What will be signed has been read to the end (shared/docview.js). */
let gate = { read: () => true };
let busyNow = false;
/** A press is waiting for its answer (a second press is ignored). */
let pressed = false;
/**
 * How long a press waits for its answer before the window shows it is busy
 * (controls disabled, «Firmando…» said). A key file answers in tens of
 * milliseconds, and the page is then already loading its next page: a frame
 * of this window's at that moment took CPU from the host's signature and
 * from that navigation on two cores (docs/PERFORMANCE.md). A token, a slow
 * disk or a first PIN try takes longer, and shows it.
 */
const BUSY_AFTER_MS = 300;

/** The id of the certificate chosen now, or undefined. */
function chosenId() {
  const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="certificado"]:checked'));
  return chosen ? chosen.value : undefined;
}

/** Shows the final-try checkbox only for the certificate it was asked for. */
function syncFinalTry() {
  const show = showFinalTry(confirmFor, chosenId());
  if (show === !finalTryBlock.hidden) return;
  finalTryBlock.hidden = !show;
  finalTry.checked = false;
}

localize(document, t);
document.documentElement.lang = chrome.i18n.getUILanguage().startsWith("en") ? "en" : "es";

/**
 * @param {boolean} busy
 * @param {string} [text]  said in #trabajando (a live region, empty when idle)
 */
function setBusy(busy, text = "") {
  busyNow = busy;
  accept.disabled = busy || !gate.read();
  $("leer-primero").hidden = gate.read();
  password.disabled = busy;
  $("trabajando").textContent = busy ? text : "";
}

/**
 * @param {any} c  a certificate from the service worker (CertInfo + selectable/why)
 */
function certRow(c) {
  const label = document.createElement("label");
  label.className = "cert" + (c.selectable ? "" : " disabled") + (c.status === "expired" ? " vencido" : "");
  label.dataset.status = c.status || "";
  const input = document.createElement("input");
  input.type = "radio";
  input.name = "certificado";
  input.value = c.id;
  input.disabled = !c.selectable;
  const text = document.createElement("span");
  const title = document.createElement("strong");
  title.textContent = `${c.name || ""} — ${c.rfc || ""}`;
  const meta = document.createElement("small");
  meta.textContent = `${t("cert_type_" + (["FIEL", "CSD"].includes(c.type) ? c.type : "OTHER"))} · ${t("cert_serial")} ${c.serial || ""} · ${daysText(c)}`;
  text.append(title, document.createElement("br"), meta);
  if (!c.selectable) {
    const why = document.createElement("small");
    why.className = "why";
    why.textContent = t(c.why || "cert_why_unusable");
    text.append(document.createElement("br"), why);
  }
  label.append(input, text);
  return label;
}

async function load() {
  setBusy(true);
  const out = await described;
  $("cargando").hidden = true;
  if (!out.ok) {
    showError(errorBox, out.error || null);
    accept.disabled = true;
    return;
  }
  const d = out.result;
  $("sitio").textContent = d.origin;
  /** @type {HTMLAnchorElement} */ ($("diagnostico")).href = "diagnostics.html?site=" + encodeURIComponent(d.origin);
  document.title = `${t("consent_title")} — ${d.origin}`;
  $("operacion").textContent = t(d.action === "authenticate" ? "consent_op_authenticate" : "consent_op_sign");
  accept.textContent = t(d.action === "authenticate" ? "consent_accept_authenticate" : "consent_accept_sign");
  if (d.action === "sat-login") {
    // SAT's own login page (sat-login.js): a login, for SAT.
    $("operacion").textContent = t("consent_op_sat_login");
    accept.textContent = t("consent_accept_sat_login");
    $("nota-sat").hidden = false;
  }
  if (d.description) {
    $("descripcion").textContent = d.description;
    $("descripcion-bloque").hidden = false;
  }
  if (d.items) {
    $("vista-bloque").hidden = false;
    gate = renderDocuments(document, $("vista"), d.items, t, () => setBusy(busyNow));
  }
  const list = $("certificados");
  for (const c of d.certificates) {
    certs.set(c.id, c);
    list.append(certRow(c));
  }
  list.addEventListener("change", syncFinalTry);
  $("sin-certificados").hidden = d.certificates.length > 0;
  const usable = d.certificates.filter((/** @type {any} */ c) => c.selectable);
  if (usable.length === 1) {
    const only = /** @type {HTMLInputElement | null} */ (list.querySelector(`input[value="${CSS.escape(usable[0].id)}"]`));
    if (only) only.checked = true;
  }
  setBusy(false);
  // For the flow-speed benchmark (e2e TestFlowSpeed): the window is ready.
  performance.mark("efirma:ready");
  if (d.blocked) {
    showBlocked(d.blocked, d.certificates.length > 0);
    return;
  }
  // The first thing to do gets the focus: the password when the one
  // certificate that can be used is chosen already, else the choice.
  if (usable.length === 1) password.focus();
  else /** @type {HTMLInputElement | null} */ (list.querySelector('input[name="certificado"]:not(:disabled)'))?.focus();
}

/**
 * Nothing stored can do what the site asked: say why and the way out in
 * one place (the page library's explanation of the code the page will
 * receive), with a link to «Mis certificados»; nothing can be sent, and
 * the only button left is Cerrar, which gives the page that code.
 * @param {{code: string, message: string, hint?: string, details?: Record<string, unknown>}} why
 * @param {boolean} listed  false when there is no certificate at all (#sin-certificados says so)
 */
function showBlocked(why, listed) {
  accept.disabled = true;
  password.disabled = true;
  cancel.textContent = t("consent_close");
  if (listed) {
    const box = $("sin-uso");
    showError(box, why);
    const a = document.createElement("a");
    a.href = "options.html";
    a.target = "_blank";
    a.textContent = t("consent_manage_link");
    box.append(" ", a);
  }
  cancel.focus();
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (pressed) return; // the answer to the last press is still on its way
  const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="certificado"]:checked'));
  if (!chosen) {
    showError(errorBox, { code: "", message: t("consent_choose_first") });
    // To the certificates, where the choice is made (the first that can be chosen).
    /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="certificado"]:not(:disabled)'))?.focus();
    return;
  }
  if (!password.value) {
    showError(errorBox, { code: "", message: t("consent_password_first") });
    password.focus();
    return;
  }
  if (!gate.read()) {
    showError(errorBox, { code: "", message: t("docview_read_first") });
    return;
  }
  syncFinalTry();
  if (!finalTryBlock.hidden && !finalTry.checked) {
    showError(errorBox, { code: "", message: t("consent_final_try_first") });
    finalTry.focus();
    return;
  }
  pressed = true;
  // A message from the last try goes now (it no longer holds), so that the
  // answer to this one is read out as new. A first try changes nothing here.
  if (!errorBox.hidden) showError(errorBox, null);
  password.removeAttribute("aria-invalid");
  const pw = password.value;
  const confirmFinalTry = !finalTryBlock.hidden && finalTry.checked;
  const request = ask({ type: "consent:submit", session, certificateId: chosen.value, password: pw, confirmFinalTry });
  // The request is on its way; what this press changes on screen waits
  // until the answer, or BUSY_AFTER_MS without one. That includes emptying
  // the password field: done at the press, its frame ran on two cores beside
  // the host's signature (docs/PERFORMANCE.md). The field is emptied as the
  // answer arrives, before anything else; a second press meanwhile is ignored.
  const busyLater = setTimeout(() => {
    password.value = "";
    setBusy(true, t("consent_working"));
  }, BUSY_AFTER_MS);
  const out = await request;
  password.value = "";
  clearTimeout(busyLater);
  pressed = false;
  if (out.ok) {
    // The page has its answer; the service worker closes this window a
    // moment later (shared/service.js), or it closes itself.
    setBusy(true, t("consent_done"));
    setTimeout(() => window.close(), 3000);
    return;
  }
  setBusy(false);
  // A token says the next PIN try is the last: ask for an explicit yes
  // (any other answer, or another certificate, takes the question away).
  confirmFor = finalTryFor(out.error?.code, certs.get(chosen.value));
  syncFinalTry();
  if (confirmFor) finalTry.checked = false;
  showError(errorBox, out.error || null);
  if (out.final) {
    accept.disabled = true;
    password.disabled = true;
    cancel.textContent = t("consent_close");
    cancel.focus();
  } else {
    // A wrong password or PIN: mark the field invalid, described by the message.
    if (out.error && ["ERR_WRONG_PASSWORD", "ERR_PIN_INCORRECT", "ERR_PIN_FINAL_TRY"].includes(out.error.code)) {
      password.setAttribute("aria-invalid", "true");
      password.setAttribute("aria-describedby", "error");
    }
    if (!finalTryBlock.hidden) finalTry.focus();
    else password.focus();
  }
});

cancel.addEventListener("click", async () => {
  await ask({ type: "consent:cancel", session });
  window.close();
});

document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape") cancel.click();
});

load();
