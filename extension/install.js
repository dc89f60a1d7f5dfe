// @ts-check
// «Cómo instalar el conector»: the steps per system (this computer's first)
// and, when IT set one by policy (managed storage connectorDownloadUrl, an
// https address), the link to download the connector. Opened from the
// popup and Diagnóstico when the browser cannot find the connector.

import { detectBrowser } from "./page/efirma.js";
import { downloadUrl } from "./shared/messages.js";
import { localize, t } from "./shared/ui.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

localize(document, t);
document.documentElement.lang = chrome.i18n.getUILanguage().startsWith("en") ? "en" : "es";

(async () => {
  // This computer's system first.
  const os = detectBrowser(/** @type {any} */ (navigator)).platform;
  const mine = document.querySelector(`section[data-os="${CSS.escape(os)}"]`);
  if (mine) mine.parentElement?.insertBefore(mine, document.querySelector("section[data-os]"));
  /** @type {Record<string, unknown>} */
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(["connectorDownloadUrl"]);
  } catch {
    managed = {};
  }
  const url = downloadUrl(managed.connectorDownloadUrl);
  if (url) {
    const a = /** @type {HTMLAnchorElement} */ ($("descarga-enlace"));
    a.href = url;
    a.textContent = url;
    $("descarga").hidden = false;
  } else {
    $("sin-descarga").hidden = false;
  }
  document.body.dataset.ready = "true";
  performance.mark("efirma:ready"); // the benchmark's floor page is loaded
})();
