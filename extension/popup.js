// @ts-check
// Toolbar popup: is the connector installed (and which version), how many
// certificates, the nearest expiry, links to "Mis certificados" and diagnostics.

import { host, localize, showError, t } from "./shared/ui.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

localize(document, t);

(async () => {
  const hello = await host("hello");
  if (!hello.ok) {
    $("conector").textContent = t("popup_host_missing");
    showError($("conector-error"), hello.error || null);
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
})();
