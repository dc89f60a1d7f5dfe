// @ts-check
// "Diagnóstico": runs the browser-side checks (browser, extension, connector
// found and allowed, versions, allowed portals, the site it was opened for
// with ?site=) and the host's "diagnose" checks, shows them as a checklist,
// and builds the masked plain-text report behind "Copiar informe".
//
// Stable IDs (end-to-end tests drive them): #checks (li[data-id][data-status]),
// #resumen[data-status], #copiar, #informe, #permitir-portales, #revisar.

import { detectBrowser } from "./page/efirma.js";
import {
  answer, browserCheck, buildReport, extensionCheck, hostChecks, hostDiagnose, portalsCheck, postOCSP, revocationChecks, shortList, siteCheck, statusLabels,
  trustBrowser, worst,
} from "./shared/diagnostics.js";
import { readPolicy } from "./shared/origins.js";
import { patternForSite, permissionState } from "./shared/portals.js";
import { host, localize, t } from "./shared/ui.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

localize(document, t);
document.documentElement.lang = chrome.i18n.getUILanguage().startsWith("en") ? "en" : "es";

const site = new URLSearchParams(location.search).get("site") || "";
const list = $("checks");
const summary = $("resumen");
const report = /** @type {HTMLTextAreaElement} */ ($("informe"));
const copy = /** @type {HTMLButtonElement} */ ($("copiar"));
const rerun = /** @type {HTMLButtonElement} */ ($("revisar"));
const grant = /** @type {HTMLButtonElement} */ ($("permitir-portales"));
const notice = $("aviso");
/** @type {string[]} */
let missing = [];

/** @param {string[]} origins */
const hasPermission = (origins) => chrome.permissions.contains({ origins });

/** @returns {Promise<import("./shared/origins.js").Policy>} */
const policy = () => readPolicy(chrome.storage);

/** @param {import("./shared/diagnostics.js").Check} c */
function item(c) {
  const li = document.createElement("li");
  li.dataset.id = c.id;
  li.dataset.status = c.status;
  li.dataset.from = c.from;
  const head = document.createElement("p");
  const st = document.createElement("span");
  st.className = "estado";
  st.textContent = statusLabels(t)[c.status] + ":";
  const title = document.createElement("strong");
  title.className = "titulo";
  title.textContent = c.title;
  head.append(st, title);
  li.append(head);
  if (c.certificate) {
    const p = document.createElement("p");
    p.className = "certificado";
    p.textContent = c.certificate;
    li.append(p);
  }
  const reason = document.createElement("p");
  reason.className = "motivo";
  reason.textContent = c.reason;
  li.append(reason);
  if (c.fix) {
    const p = document.createElement("p");
    p.className = "solucion";
    const label = document.createElement("strong");
    label.textContent = t("diag_fix_label") + " ";
    p.append(label, c.fix);
    li.append(p);
  }
  return li;
}

async function run() {
  copy.disabled = true;
  rerun.disabled = true;
  grant.hidden = true;
  notice.hidden = true;
  summary.dataset.status = "";
  delete summary.dataset.answer;
  summary.textContent = t("diag_running");
  $("primero").hidden = true;
  $("primero-solucion").hidden = true;
  $("lista-corta-titulo").hidden = true;
  $("instalar-conector-bloque").hidden = true;
  $("lista-corta").textContent = "";
  list.textContent = "";
  report.value = "";

  const browser = detectBrowser(/** @type {any} */ (navigator));
  const manifest = chrome.runtime.getManifest();
  let checks = [browserCheck(browser, t), extensionCheck(manifest.version, chrome.runtime.id, t)];
  const hello = await host("hello");
  checks.push(...hostChecks(/** @type {any} */ (hello), browser, chrome.runtime.id, t));

  const pol = await policy();
  const perms = await permissionState(pol.managedPortals, hasPermission);
  missing = perms.missing;
  checks.push(portalsCheck(pol, perms.missing, perms.invalid, t));
  if (site) {
    let origin = "";
    try {
      origin = new URL(site).origin;
    } catch {
      origin = "";
    }
    const pattern = origin ? patternForSite(origin, pol.managedPortals) : null;
    const permitted = pattern ? await hasPermission([pattern]).catch(() => false) : true;
    if (pattern && !permitted && !missing.includes(pattern)) missing.push(pattern);
    const devOrigins = hello.ok && typeof hello.result?.devOrigins === "boolean" ? hello.result.devOrigins : undefined;
    checks.push(siteCheck(site, pol, permitted, t, devOrigins));
  }

  /** @type {string[]} */
  let names = [];
  if (hello.ok) {
    const diag = await host("diagnose");
    checks.push(...hostDiagnose(/** @type {any} */ (diag), t));
    const certs = await host("list-certificates");
    if (certs.ok && Array.isArray(certs.result?.certificates)) {
      names = certs.result.certificates.map((/** @type {any} */ c) => c && c.name).filter(Boolean);
      checks.push(...(await revocationChecks(certs.result.certificates, host, postOCSP, t)));
    }
  } else {
    checks.push(...hostDiagnose(null, t));
  }
  checks = trustBrowser(checks, hello.ok, t);

  for (const c of checks) list.append(item(c));
  const w = worst(checks);
  summary.dataset.status = w;
  // The answer first: ready, or how many problems and the first one's fix.
  const a = answer(checks, t);
  summary.dataset.answer = a.ready ? "ready" : "problems";
  summary.textContent = a.text;
  if (a.first) {
    const p = $("primero");
    p.textContent = t("diag_first_problem", [a.first.title, a.first.reason]);
    p.hidden = false;
    if (a.first.fix) {
      const f = $("primero-solucion");
      f.textContent = "";
      const label = document.createElement("strong");
      label.textContent = t("diag_fix_label") + " ";
      f.append(label, a.first.fix);
      f.hidden = false;
    }
  }
  if (!hello.ok && hello.error?.code === "ERR_HOST_NOT_FOUND") $("instalar-conector-bloque").hidden = false;
  const short = $("lista-corta");
  for (const g of shortList(checks, t)) {
    const li = document.createElement("li");
    li.dataset.group = g.group;
    li.dataset.status = g.status;
    li.textContent = `${g.label}: ${statusLabels(t)[g.status]}`;
    short.append(li);
  }
  $("lista-corta-titulo").hidden = false;
  report.value = buildReport({
    now: new Date(),
    browser,
    userAgent: navigator.userAgent,
    extension: { version: manifest.version, id: chrome.runtime.id },
    hello: /** @type {any} */ (hello),
    site: site || undefined,
    checks,
    names,
  }, t);
  grant.hidden = missing.length === 0;
  copy.disabled = false;
  rerun.disabled = false;
  document.body.dataset.ready = "true";
}

/** @param {string} text */
function say(text) {
  notice.textContent = text;
  notice.hidden = false;
}

copy.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(report.value);
    say(t("diag_copied"));
  } catch {
    report.focus();
    report.select();
    say(t("diag_copy_failed"));
  }
});

rerun.addEventListener("click", async () => {
  document.body.dataset.ready = "false";
  await run();
  // The button disabled itself while checking (the focus went to the
  // page): give it back so that the keyboard stays where it was.
  rerun.focus();
});

grant.addEventListener("click", async () => {
  let ok = false;
  try {
    ok = await chrome.permissions.request({ origins: missing });
  } catch {
    ok = false;
  }
  // The service worker registers the content script on permissions.onAdded.
  await run();
  say(ok ? t("diag_granted") : t("diag_not_granted"));
  rerun.focus();
});

run();
