// @ts-check
import test from "node:test";
import { GROUPS } from "../shared/diagnostics.js";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ALL_CODES } from "../shared/errors.js";
import { root } from "./helpers.js";

/** @param {string} lang @returns {Record<string, {message: string}>} */
const load = (lang) => JSON.parse(fs.readFileSync(path.join(root, "_locales", lang, "messages.json"), "utf8"));
const es = load("es");
const en = load("en");

/** Every file of the extension with the given extensions (not tests or tools). */
function files(/** @type {string[]} */ exts) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (["test", "tools", "node_modules"].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  walk(root);
  return out;
}

test("es and en have the same keys, all non-empty and well-formed", () => {
  assert.deepEqual(Object.keys(es).sort(), Object.keys(en).sort());
  for (const [lang, m] of Object.entries({ es, en })) {
    for (const [k, v] of Object.entries(m)) {
      assert.match(k, /^[A-Za-z0-9_@]+$/, `${lang} key ${k}`);
      assert.ok(typeof v.message === "string" && v.message.trim().length > 0, `${lang}.${k} empty`);
      // Substitutions agree between languages.
      assert.deepEqual((v.message.match(/\$\d/g) || []).sort(), (m === es ? en : es)[k].message.match(/\$\d/g)?.sort() || [], `${lang}.${k} placeholders`);
    }
  }
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8")).default_locale, "es");
});

test("every key used exists", () => {
  /** @type {Set<string>} */
  const used = new Set();
  for (const f of files([".js", ".html", ".json"])) {
    if (f.includes("_locales")) continue;
    const s = fs.readFileSync(f, "utf8");
    for (const m of s.matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) used.add(m[1]);
    if (f.endsWith(".html")) {
      for (const m of s.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
      for (const m of s.matchAll(/data-i18n-attr="[a-z-]+:([^"]+)"/g)) used.add(m[1]);
    }
    for (const m of s.matchAll(/\b(?:t|getMessage)\(\s*"([A-Za-z0-9_@]+)"\s*[,)]/g)) used.add(m[1]);
    for (const m of s.matchAll(/"(cert_why_[a-z_]+)"/g)) used.add(m[1]);
  }
  // Keys built at run time.
  for (const code of ALL_CODES) used.add("err_" + code).add("hint_" + code);
  // Variant hints the host sends (details.variant); i18n/catalogue_test.go
  // checks that the host's catalogue has each of them, word for word.
  for (const k of Object.keys(es)) if (/^hint_ERR_[A-Z_]+__[A-Za-z0-9]+$/.test(k)) used.add(k);
  for (const type of ["FIEL", "CSD", "OTHER"]) used.add("cert_type_" + type);
  for (const a of ["authenticate", "sign"]) used.add("consent_op_" + a).add("consent_accept_" + a);
  for (const [g] of GROUPS) used.add("diag_group_" + g);
  assert.ok(used.size > 60, `only ${used.size} keys found: the scan is broken`);
  const missing = [...used].filter((k) => !(k in es));
  assert.deepEqual(missing, []);
  const unused = Object.keys(es).filter((k) => !used.has(k));
  assert.deepEqual(unused, [], "keys nobody uses");
});
