// @ts-check
// "Mis certificados": import (.cer + .key, or .pfx) through the host, list
// (expired ones marked as such), remove, a link to Diagnóstico and the
// developer switch. File bytes and the password go to the host through the
// service worker and are not kept.

import { LIMITS } from "./shared/protocol.js";
import { daysText, host, localize, showError, t } from "./shared/ui.js";
import { toBase64 } from "./page/efirma.js";
import { cannotSignIn } from "./shared/messages.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error("internal error: missing #" + id);
  return el;
}

const msgBox = $("mensaje");
localize(document, t);

/** @param {string} text */
function ok(text) {
  msgBox.className = "ok";
  msgBox.textContent = text;
  msgBox.hidden = false;
}

/** @param {string} text  imported, with a warning */
function warn(text) {
  msgBox.className = "aviso";
  msgBox.textContent = text;
  msgBox.hidden = false;
}

/** @param {any} c */
function typeText(c) {
  return t("cert_type_" + (["FIEL", "CSD"].includes(c.type) ? c.type : "OTHER"));
}

/** @param {any} err */
function fail(err) {
  msgBox.className = "error";
  showError(msgBox, err);
}

/**
 * Reads a chosen file as base64, refusing files larger than the host accepts.
 * @param {HTMLInputElement} input
 */
async function fileBase64(input) {
  const f = input.files && input.files[0];
  if (!f) return null;
  if (f.size > LIMITS.MAX_CREDENTIAL_FILE_BYTES) throw { code: "", message: t("options_file_too_big", [f.name]) };
  return toBase64(new Uint8Array(await f.arrayBuffer()));
}

/** @param {string} status */
function statusText(status) {
  if (status === "expired") return t("cert_status_expired");
  if (status === "not-yet-valid") return t("cert_status_not_yet_valid");
  return t("cert_status_valid");
}

async function refresh() {
  const body = $("lista-cuerpo");
  body.textContent = "";
  const out = await host("list-certificates");
  if (!out.ok) {
    fail(out.error);
    return;
  }
  const certs = out.result?.certificates || [];
  $("vacia").hidden = certs.length > 0;
  for (const c of certs) {
    const tr = document.createElement("tr");
    tr.dataset.id = c.id;
    tr.dataset.status = c.status;
    if (c.status === "expired") tr.className = "vencido";
    const why = cannotSignIn(c);
    tr.dataset.why = why;
    for (const v of [c.rfc, c.name, typeText(c), c.serial, statusText(c.status), daysText(c)]) {
      const td = document.createElement("td");
      td.textContent = v || "";
      tr.append(td);
    }
    if (why) {
      // Listed, but it cannot sign in: say so and why, in the status cell.
      const small = document.createElement("small");
      small.className = "why";
      small.textContent = t(why);
      tr.children[4].append(document.createElement("br"), small);
    }
    const td = document.createElement("td");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "quitar";
    b.textContent = t("options_remove");
    // Each «Quitar» names its certificate for screen readers.
    b.setAttribute("aria-label", t("options_remove_named", [`${c.rfc || ""} ${typeText(c)} ${c.serial || ""}`.trim()]));
    b.addEventListener("click", async () => {
      if (!confirm(t("options_remove_confirm"))) return;
      const r = await host("remove-credential", { certificateId: c.id });
      if (r.ok) ok(t("options_removed"));
      else fail(r.error);
      refresh();
    });
    td.append(b);
    tr.append(td);
    body.append(tr);
  }
}

/**
 * The new-password step of the .cer/.key form: shown when the host says the
 * key is unencrypted (ERR_BAD_CREDENTIAL_FILE, variant "unencryptedKey");
 * the person types a new password twice and the host stores the key
 * encrypted with it.
 * @typedef {{block: HTMLElement, a: HTMLInputElement, b: HTMLInputElement}} NewPassword
 */

/**
 * @param {HTMLFormElement} form
 * @param {() => Promise<object | null>} params
 * @param {HTMLInputElement} pw
 * @param {NewPassword} [np]  only for a key that may arrive unencrypted
 */
function importForm(form, params, pw, np) {
  const closeNew = () => {
    if (!np) return;
    np.block.hidden = true;
    np.a.value = np.b.value = "";
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const p = await params();
      // An unencrypted key has no password to type: the .cer/.key form
      // may go without one (the host says what the key needs).
      if (!p || (!np && !pw.value)) {
        fail({ code: "", message: t("options_choose_files") });
        return;
      }
      /** @type {Record<string, string>} */
      const extra = {};
      if (np && !np.block.hidden) {
        if (np.a.value !== np.b.value || !np.a.value) {
          fail({ code: "", message: t("options_new_password_mismatch") });
          return;
        }
        extra.newPassword = np.a.value;
      }
      const out = await host("import-credential", { ...p, password: pw.value, ...extra });
      pw.value = "";
      if (out.ok) {
        const c = out.result || {};
        const label = `${c.rfc || ""} ${c.serial || ""}`.trim();
        const why = cannotSignIn(c);
        if (why) warn(t("options_imported_cannot_sign_in", [label, t(why)]));
        else if (c.keyEncrypted) ok(t("options_imported_encrypted", [label]));
        else ok(t("options_imported", [label]));
        form.reset();
        closeNew();
      } else {
        if (np && out.error?.code === "ERR_BAD_CREDENTIAL_FILE" && out.error?.details?.variant === "unencryptedKey") {
          np.block.hidden = false;
          np.a.focus();
        } else if (out.error?.code !== "ERR_BAD_REQUEST") {
          closeNew();
        }
        fail(out.error);
      }
    } catch (e) {
      fail(e);
    }
    refresh();
  });
}

importForm(
  /** @type {HTMLFormElement} */ ($("importar")),
  async () => {
    const certificate = await fileBase64(/** @type {HTMLInputElement} */ ($("cer")));
    const privateKey = await fileBase64(/** @type {HTMLInputElement} */ ($("key")));
    return certificate && privateKey ? { certificate, privateKey } : null;
  },
  /** @type {HTMLInputElement} */ ($("key-password")),
  {
    block: $("nueva-contrasena"),
    a: /** @type {HTMLInputElement} */ ($("key-new-password")),
    b: /** @type {HTMLInputElement} */ ($("key-new-password2")),
  },
);
// Another key file: its password (or lack of one) is asked afresh.
$("key").addEventListener("change", () => {
  $("nueva-contrasena").hidden = true;
});
importForm(
  /** @type {HTMLFormElement} */ ($("importar-pfx")),
  async () => {
    const pfx = await fileBase64(/** @type {HTMLInputElement} */ ($("pfx")));
    return pfx ? { pfx } : null;
  },
  /** @type {HTMLInputElement} */ ($("pfx-password")),
);

const devSwitch = /** @type {HTMLInputElement} */ ($("modo-desarrollador"));
(async () => {
  const local = await chrome.storage.local.get(["developerMode"]);
  devSwitch.checked = local.developerMode === true;
  try {
    const managed = await chrome.storage.managed.get(["developerMode"]);
    if (typeof managed.developerMode === "boolean") {
      devSwitch.checked = managed.developerMode;
      devSwitch.disabled = true;
      $("modo-administrado").hidden = false;
    }
  } catch {
    // no managed storage
  }
})();
devSwitch.addEventListener("change", () => chrome.storage.local.set({ developerMode: devSwitch.checked }));

refresh();
