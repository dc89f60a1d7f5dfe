// @ts-check
// Toolbar popup: is the connector installed (and which version), how many
// certificates, the nearest expiry and any expired e.firma, links to "Mis
// certificados" and to Diagnóstico (for the current tab's site), and, on a
// portal IT listed, the button that grants the extension that site.

import { effectivePolicy } from "./shared/origins.js";
import { patternForSite } from "./shared/portals.js";
import { cannotSignIn } from "./shared/messages.js";
import { host, localize, showError, t } from "./shared/ui.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

localize(document, t);

/** The current tab's origin (readable thanks to activeTab), or "". */
async function currentOrigin() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    const u = new URL(tab?.url || "");
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : "";
  } catch {
    return "";
  }
}

/** On a portal IT listed but not granted yet: offer to grant it. @param {string} origin */
async function offerSite(origin) {
  /** @type {Record<string, unknown>} */
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(["allowedPortals"]);
  } catch {
    return;
  }
  const pattern = patternForSite(origin, effectivePolicy({}, managed).managedPortals);
  if (!pattern || (await chrome.permissions.contains({ origins: [pattern] }))) return;
  const b = /** @type {HTMLButtonElement} */ ($("activar-portal"));
  b.textContent = t("popup_allow_site", [origin]);
  $("sitio-portal").hidden = false;
  b.addEventListener("click", async () => {
    const ok = await chrome.permissions.request({ origins: [pattern] }).catch(() => false);
    b.disabled = true;
    b.textContent = ok ? t("popup_site_allowed") : t("diag_not_granted");
  });
}

(async () => {
  const origin = await currentOrigin();
  if (origin) {
    /** @type {HTMLAnchorElement} */ ($("diagnostico")).href = "diagnostics.html?site=" + encodeURIComponent(origin);
    offerSite(origin);
  }
  const hello = await host("hello");
  if (!hello.ok) {
    $("conector").textContent = t("popup_host_missing");
    showError($("conector-error"), hello.error || null);
    // Not installed: say where to get it (the bundled steps, IT's link).
    if (hello.error?.code === "ERR_HOST_NOT_FOUND") $("instalar-conector-bloque").hidden = false;
    return;
  }
  $("conector").textContent = t("popup_host_ok", [String(hello.result.version)]);
  const list = await host("list-certificates");
  if (!list.ok) {
    showError($("conector-error"), list.error || null);
    return;
  }
  const certs = list.result?.certificates || [];
  const count = $("num-certificados");
  count.hidden = false;
  count.textContent = certs.length ? t("popup_cert_count", [String(certs.length)]) : t("popup_no_certs");
  const valid = certs.filter((/** @type {any} */ c) => c.status === "valid").sort((/** @type {any} */ a, /** @type {any} */ b) => a.daysLeft - b.daysLeft);
  if (valid.length) {
    const v = $("vencimiento");
    v.hidden = false;
    v.textContent = t("popup_nearest_expiry", [`${valid[0].rfc} ${valid[0].type}`, String(valid[0].daysLeft)]);
  }
  // Expired ones are listed as such, unless a valid one of the same RFC and type replaced them.
  const renewed = new Set(valid.map((/** @type {any} */ c) => `${c.rfc}|${c.type}`));
  const expired = certs.filter((/** @type {any} */ c) => c.status === "expired" && !renewed.has(`${c.rfc}|${c.type}`));
  if (expired.length) {
    const ul = $("vencidos");
    ul.hidden = false;
    for (const c of expired) {
      const li = document.createElement("li");
      li.dataset.id = c.id;
      li.textContent = t("popup_expired", [`${c.rfc} ${c.type}`, String(c.notAfter || "").slice(0, 10)]);
      ul.append(li);
    }
  }
  // Imported but unable to sign in for another reason (a CSD, not a SAT
  // e.firma, not valid yet, no usable key): say so, so that the popup does
  // not look healthy with only those.
  const other = certs.filter((/** @type {any} */ c) => c.status !== "expired" && cannotSignIn(c));
  if (other.length) {
    const ul = $("no-sirven");
    ul.hidden = false;
    for (const c of other) {
      const li = document.createElement("li");
      li.dataset.id = c.id;
      li.textContent = t("popup_cannot_sign_in", [`${c.rfc} ${c.type}`, t(cannotSignIn(c))]);
      ul.append(li);
    }
  }
})();
