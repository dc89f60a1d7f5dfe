// @ts-check
// The consent window's "Entiendo que es el último intento de PIN…" checkbox:
// shown only after the host answered ERR_PIN_FINAL_TRY for a token
// certificate, and really hidden otherwise. The bug this guards against: the
// block was a label.cert, and pages.css's `label.cert { display: flex }`
// overrode the `hidden` attribute, so the checkbox showed for every
// certificate, a .cer/.key file included.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { TOKEN_SOURCE, finalTryFor, showFinalTry } from "../shared/finaltry.js";
import { root } from "./helpers.js";

const token = { id: "pkcs11-abc", source: TOKEN_SOURCE };
const file = { id: "file-123", source: "file" };

test("the checkbox is for a token certificate that got ERR_PIN_FINAL_TRY, while it stays chosen", () => {
  const forToken = finalTryFor("ERR_PIN_FINAL_TRY", token);
  assert.equal(forToken, "pkcs11-abc");
  assert.equal(showFinalTry(forToken, "pkcs11-abc"), true);
  // Another certificate chosen: no checkbox; back to the token: again.
  assert.equal(showFinalTry(forToken, "file-123"), false);
  assert.equal(showFinalTry(forToken, undefined), false);
});

test("a file certificate never gets the checkbox, whatever the answer", () => {
  for (const code of ["ERR_PIN_FINAL_TRY", "ERR_WRONG_PASSWORD", "ERR_PIN_INCORRECT", "", undefined]) {
    const f = finalTryFor(code, file);
    assert.equal(f, "", String(code));
    assert.equal(showFinalTry(f, "file-123"), false, String(code));
  }
  // Before any answer there is nothing to confirm.
  assert.equal(showFinalTry("", "file-123"), false);
  assert.equal(showFinalTry("", "pkcs11-abc"), false);
});

test("a token's other answers, or a malformed certificate, clear it", () => {
  for (const code of ["ERR_PIN_INCORRECT", "ERR_PIN_LOCKED", "ERR_TOKEN_NOT_PRESENT", "", undefined]) {
    assert.equal(finalTryFor(code, token), "", String(code));
  }
  assert.equal(finalTryFor("ERR_PIN_FINAL_TRY", undefined), "");
  assert.equal(finalTryFor("ERR_PIN_FINAL_TRY", { source: TOKEN_SOURCE }), "");
  assert.equal(finalTryFor("ERR_PIN_FINAL_TRY", { id: "x", source: "PKCS11" }), "");
});

/**
 * The CSS rules of css as [selector, declarations] (no nesting, no @media
 * in pages.css).
 * @param {string} css
 */
function rules(css) {
  const out = [];
  for (const m of css.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    for (const sel of m[1].split(",")) out.push([sel.trim(), m[2]]);
  }
  return out;
}

/**
 * Whether the last compound of selector could match an element with this
 * tag, id and classes. Selectors with attribute or pseudo parts are left
 * out ([hidden] rules are what makes hiding work).
 * @param {string} selector
 * @param {{tag: string, id: string, classes: string[]}} el
 */
function couldMatch(selector, el) {
  const last = selector.split(/[\s>+~]+/).filter(Boolean).at(-1) || "";
  if (/[[:]/.test(last)) return false;
  const tag = (/^[a-z*]+/i.exec(last) || [""])[0].toLowerCase();
  if (tag && tag !== "*" && tag !== el.tag) return false;
  const ids = [...last.matchAll(/#([\w-]+)/g)].map((m) => m[1]);
  if (ids.some((i) => i !== el.id)) return false;
  const classes = [...last.matchAll(/\.([\w-]+)/g)].map((m) => m[1]);
  return classes.every((c) => el.classes.includes(c));
}

test("the final-try block's hidden attribute is not overridden by pages.css", () => {
  const html = fs.readFileSync(path.join(root, "consent.html"), "utf8");
  const css = fs.readFileSync(path.join(root, "pages.css"), "utf8");
  const m = /<(\w+)([^>]*\bid="ultimo-intento-bloque"[^>]*)>/.exec(html);
  assert.ok(m, "consent.html has #ultimo-intento-bloque");
  const attrs = m[2];
  assert.match(attrs, /\bhidden\b/, "hidden until the host asks for the final try");
  const el = {
    tag: m[1].toLowerCase(),
    id: "ultimo-intento-bloque",
    classes: (/\bclass="([^"]*)"/.exec(attrs)?.[1] || "").split(/\s+/).filter(Boolean),
  };
  // A global `[hidden] { display: none !important }` would make any display rule harmless.
  const hiddenWins = rules(css).some(([sel, decl]) => sel === "[hidden]" && /display\s*:\s*none\s*!important/.test(decl));
  if (hiddenWins) return;
  for (const [sel, decl] of rules(css)) {
    const display = /(?:^|;)\s*display\s*:\s*([^;!]+)/.exec(decl);
    if (display && display[1].trim() !== "none" && couldMatch(sel, el)) {
      assert.fail(`pages.css "${sel} { display: ${display[1].trim()} }" overrides the hidden attribute of #ultimo-intento-bloque`);
    }
  }
  // The guard itself: the old markup is caught.
  assert.ok(
    rules(css).some(([sel, decl]) => /display\s*:\s*flex/.test(decl) && couldMatch(sel, { tag: "label", id: "ultimo-intento-bloque", classes: ["cert"] })),
    "the check would have caught <label id=ultimo-intento-bloque class=cert hidden>",
  );
});

test("consent.js decides the checkbox through finaltry.js and never unhides it on its own", () => {
  const js = fs.readFileSync(path.join(root, "consent.js"), "utf8");
  assert.match(js, /from "\.\/shared\/finaltry\.js"/);
  // The only writes to the block's visibility go through showFinalTry.
  const writes = [...js.matchAll(/finalTryBlock\.hidden\s*=(?!=)([^;]*);/g)].map((w) => w[1].trim());
  assert.deepEqual(writes, ["!show"], "finalTryBlock.hidden is set only from showFinalTry's answer");
});
