// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { buildStore, crc32, extensionFiles } from "../tools/build.mjs";
import { root } from "./helpers.js";

const manifest = JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8"));

/** The extension ID Chrome derives from a manifest key. */
function idFromKey(/** @type {string} */ key) {
  const hex = crypto.createHash("sha256").update(Buffer.from(key, "base64")).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
}

test("manifest: MV3, least permissions, documented dev ID", () => {
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.permissions, ["nativeMessaging", "storage", "alarms", "notifications", "scripting", "activeTab"]);
  // Only SAT's e.firma status (OCSP) services, which the Diagnóstico page
  // queries for the host (the host has no network stack for revocation),
  // and the development hosts, where the content script is registered
  // only while the developer switch is on (shared/devscript.js).
  assert.deepEqual(manifest.host_permissions, ["https://cfdi.sat.gob.mx/*", "https://cfdit.sat.gob.mx/*", "http://localhost/*", "http://127.0.0.1/*"]);
  const diag = fs.readFileSync(path.join(root, "shared", "diagnostics.js"), "utf8");
  assert.match(diag, /fetch\(url, \{ method: "POST"/, "the OCSP host permission is used");
  // Site access only on request, and only https (portals IT lists).
  assert.deepEqual(manifest.optional_host_permissions, ["https://*/*"]);
  // Every permission is used by the code that needs it.
  const code = ["background.js", "popup.js", "diagnostics.js"].map((f) => fs.readFileSync(path.join(root, f), "utf8")).join("\n");
  /** @type {Record<string, RegExp>} */
  const uses = {
    nativeMessaging: /chrome\.runtime\.connectNative\(/,
    storage: /chrome\.storage\.local\.|readPolicy\(chrome\.storage\)/,
    alarms: /chrome\.alarms|setupExpiry\(/,
    notifications: /chrome\.notifications\.create\(/,
    scripting: /chrome\.scripting\.registerContentScripts\(/,
    activeTab: /chrome\.tabs\.query\(/,
  };
  for (const p of manifest.permissions) assert.match(code, uses[p], `permission ${p} is used`);
  for (const s of Object.values(manifest.icons)) assert.ok(fs.existsSync(path.join(root, s)), s);
  assert.equal(manifest.background.type, "module");
  // Never declared for localhost: a local page must not learn that the
  // extension is installed while the developer switch is off (issue 11, F-06).
  assert.deepEqual(manifest.content_scripts[0].matches, ["https://*.sat.gob.mx/*", "https://*.imss.gob.mx/*"]);
  assert.equal(manifest.content_scripts[0].all_frames, false);
  assert.doesNotMatch(manifest.content_security_policy.extension_pages, /unsafe|http/);
  assert.equal(idFromKey(manifest.key), "fclncbohcajgdancohmfmgoidklhkbce");
  const doc = fs.readFileSync(path.join(root, "..", "docs", "PAGE-API.md"), "utf8");
  assert.ok(doc.includes("fclncbohcajgdancohmfmgoidklhkbce"), "docs/PAGE-API.md names the dev ID");
  // No remote code: every script the pages load is a local file.
  for (const f of ["consent.html", "options.html", "popup.html", "diagnostics.html"]) {
    const html = fs.readFileSync(path.join(root, f), "utf8");
    for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.doesNotMatch(m[1], /^[a-z]+:/i, `${f} loads ${m[1]}`);
      assert.ok(fs.existsSync(path.join(root, m[1].split(/[?#]/)[0])), `${f}: ${m[1]} exists`);
    }
    assert.doesNotMatch(html, /<script>(?!<)/, `${f} has inline script`);
  }
  for (const f of [manifest.background.service_worker, ...manifest.content_scripts[0].js, manifest.action.default_popup, manifest.options_ui.page, manifest.storage.managed_schema]) {
    assert.ok(fs.existsSync(path.join(root, f)), f);
  }
  const schema = JSON.parse(fs.readFileSync(path.join(root, manifest.storage.managed_schema), "utf8"));
  assert.deepEqual(Object.keys(schema.properties).sort(), ["allowedPortals", "connectorDownloadUrl", "developerMode"]);
});

/** Reads a zip written by build.mjs back into name → bytes. */
function unzip(/** @type {Buffer} */ buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  /** @type {Map<string, Buffer>} */
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const off = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString("utf8");
    const lnlen = buf.readUInt16LE(off + 26);
    const data = zlib.inflateRawSync(buf.subarray(off + 30 + lnlen, off + 30 + lnlen + csize));
    assert.equal(crc32(data), crc, name);
    out.set(name, data);
    p += 46 + nlen;
  }
  return out;
}

test("store build has no key, no tests, and every extension file", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "efirma-ext-"));
  try {
    const zipPath = buildStore(root, out);
    assert.equal(path.basename(zipPath), `efirma-extension-${manifest.version}.zip`);
    const files = unzip(fs.readFileSync(zipPath));
    const names = [...files.keys()];
    assert.deepEqual(names, extensionFiles(root));
    assert.ok(names.includes("background.js") && names.includes("_locales/es/messages.json") && names.includes("page/efirma.js"));
    assert.ok(!names.some((n) => n.startsWith("test/") || n.startsWith("tools/") || n.endsWith(".go")), names.join(","));
    const m = JSON.parse(files.get("manifest.json")?.toString() || "{}");
    assert.equal(m.key, undefined);
    assert.deepEqual({ ...m }, (({ key, ...rest }) => rest)(manifest));
    assert.deepEqual(files.get("background.js"), fs.readFileSync(path.join(root, "background.js")));
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, "extension", "manifest.json"), "utf8")).key, undefined);
    // Reproducible.
    const again = fs.readFileSync(buildStore(root, out));
    assert.deepEqual(again, fs.readFileSync(zipPath));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
