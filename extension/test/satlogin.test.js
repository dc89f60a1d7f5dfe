// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { CodedError } from "../shared/errors.js";
import { isSatGuid, isSatOrigin, pickSatLogin, satLoginParams, validateSatLogin } from "../shared/satlogin.js";
import { createService } from "../shared/service.js";
import { root, sleep } from "./helpers.js";

const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SAT = "https://loginda.siat.sat.gob.mx";
const TOKEN = "dG9rZW4=";
const FERT = "270517043714Z";

test("isSatOrigin: https SAT hosts on the default port only (the host's rule)", () => {
  for (const o of [SAT, "https://cfdiau.sat.gob.mx", "https://www.sat.gob.mx", "https://sat.gob.mx"]) assert.ok(isSatOrigin(o), o);
  for (const o of [
    "",
    "http://loginda.siat.sat.gob.mx",
    "https://loginda.siat.sat.gob.mx.evil.example",
    "https://evilsat.gob.mx",
    "https://gob.mx",
    "https://.sat.gob.mx",
    "https://a..sat.gob.mx",
    "https://LOGINDA.SIAT.SAT.GOB.MX",
    "https://loginda.siat.sat.gob.mx:443",
    "https://loginda.siat.sat.gob.mx:8443",
    "https://loginda.siat.sat.gob.mx/",
    "https://user@loginda.siat.sat.gob.mx",
    "https://evil.example/.sat.gob.mx",
    "https://localhost",
    undefined,
  ]) {
    assert.equal(isSatOrigin(o), false, String(o));
  }
});

test("isSatGuid: safe alphabet and length", () => {
  for (const g of [GUID, "A", "{X}", "a+b/c=", "x".repeat(128)]) assert.ok(isSatGuid(g), g);
  for (const g of ["", "a|b", "a#b", "a b", "a\nb", "a\u0000", "ñ", "x".repeat(129), 5, null]) assert.equal(isSatGuid(g), false, String(g));
});

test("validateSatLogin refuses other origins and bad guids", () => {
  assert.deepEqual(validateSatLogin({ guid: GUID }, SAT), { id: "sat-login", action: "sat-login", guid: GUID, timeoutMs: 120_000 });
  assert.throws(() => validateSatLogin({ guid: GUID }, "https://loginda.siat.sat.gob.mx.evil.example"), { code: "ERR_ORIGIN_NOT_ALLOWED" });
  assert.throws(() => validateSatLogin({ guid: "a|b" }, SAT), { code: "ERR_BAD_REQUEST" });
  assert.throws(() => validateSatLogin(null, SAT), { code: "ERR_BAD_REQUEST" });
  assert.deepEqual(satLoginParams(SAT, "c", "p", GUID), { origin: SAT, certificateId: "c", password: "p", guid: GUID });
  assert.deepEqual(satLoginParams(SAT, "c", "p", GUID, true), { origin: SAT, certificateId: "c", password: "p", guid: GUID, confirmFinalTry: true });
});

test("pickSatLogin keeps token and fert only, with their shapes", () => {
  assert.deepEqual(pickSatLogin({ token: TOKEN, fert: FERT, extra: 1 }), { token: TOKEN, fert: FERT });
  for (const r of [null, {}, { token: TOKEN }, { token: "a\"b", fert: FERT }, { token: TOKEN, fert: "2705170437Z" }, { token: TOKEN, fert: FERT + "x" }]) {
    assert.throws(() => pickSatLogin(r), { code: "ERR_HOST_BAD_MESSAGE" });
  }
});

const FIEL = { id: "fiel1", type: "FIEL", status: "valid", usable: true, rfc: "EKU9003173C9", name: "ESCUELA KEMPER URGATE", daysLeft: 500 };
const CSD = { ...FIEL, id: "csd1", type: "CSD" };

function setup() {
  /** @type {any[]} */
  const calls = [];
  /** @type {Array<{id: number, url: string}>} */
  const windows = [];
  let n = 0;
  const svc = createService({
    // @ts-ignore -- a partial NativeHost is enough
    host: {
      ensure: async () => ({ version: "1", protocol: 1 }),
      request: async (/** @type {string} */ command, /** @type {any} */ params) => {
        calls.push({ command, params });
        if (command === "list-certificates") return { certificates: [FIEL, CSD] };
        if (params.password !== "12345678a") throw new CodedError("ERR_WRONG_PASSWORD");
        return { token: TOKEN, fert: FERT, text: "never passed on" };
      },
      hold: () => () => {},
    },
    openWindow: async (url) => {
      windows.push({ id: ++n, url });
      return { id: n };
    },
    closeWindow: async () => {},
    policy: async () => ({ developerMode: false, managedPortals: [] }),
    t: () => "",
    version: "0.1.0",
    newId: () => "s" + ++n,
  });
  const session = () => new URL("chrome-extension://x/" + windows[windows.length - 1].url).searchParams.get("s");
  return { svc, calls, windows, session };
}

test("service: a SAT login is a consent session for the sender's origin, FIEL only, and gives token and fert", async () => {
  const { svc, calls, windows, session } = setup();
  const pending = svc.handleSatLogin({ guid: GUID, origin: "https://evil.example", certificateId: "x" }, { origin: SAT, tabId: 3 });
  await sleep(5);
  assert.equal(windows.length, 1);
  const got = await svc.handleConsent({ type: "consent:get", session: session() });
  assert.equal(got.ok && got.result.action, "sat-login");
  assert.equal(got.ok && got.result.origin, SAT);
  assert.deepEqual(got.ok && got.result.certificates.map((/** @type {any} */ c) => [c.id, c.selectable]), [["fiel1", true], ["csd1", false]]);
  // A CSD cannot sign in; a wrong password leaves the window open.
  const csd = await svc.handleConsent({ type: "consent:submit", session: session(), certificateId: "csd1", password: "12345678a" });
  assert.equal(!csd.ok && csd.error.code, "ERR_NOT_FIEL");
  const wrong = await svc.handleConsent({ type: "consent:submit", session: session(), certificateId: "fiel1", password: "x" });
  assert.equal(!wrong.ok && wrong.error.code, "ERR_WRONG_PASSWORD");
  assert.equal(!wrong.ok && "final" in wrong, false);
  const ok = await svc.handleConsent({ type: "consent:submit", session: session(), certificateId: "fiel1", password: "12345678a" });
  assert.equal(ok.ok, true);
  assert.deepEqual(await pending, { ok: true, result: { token: TOKEN, fert: FERT } });
  const sat = calls.filter((c) => c.command === "sat-login");
  assert.equal(sat.length, 2);
  // The origin is the sender's, never what the content script said.
  assert.deepEqual(sat[1].params, { origin: SAT, certificateId: "fiel1", password: "12345678a", guid: GUID });
});

test("service: a SAT login from another origin opens nothing and reaches no host", async () => {
  const { svc, calls, windows } = setup();
  for (const origin of ["https://loginda.siat.sat.gob.mx.evil.example", "http://localhost:8080", ""]) {
    const out = await svc.handleSatLogin({ guid: GUID }, { origin, tabId: 1 });
    assert.equal(!out.ok && out.error.code, "ERR_ORIGIN_NOT_ALLOWED", origin);
  }
  const bad = await svc.handleSatLogin({ guid: "x|y" }, { origin: SAT, tabId: 1 });
  assert.equal(!bad.ok && bad.error.code, "ERR_BAD_REQUEST");
  assert.equal(windows.length, 0);
  assert.equal(calls.length, 0);
});

// A tiny DOM for the content script's pure parts.
class El {
  /** @param {string} tag @param {Record<string, any>} [props] */
  constructor(tag, props = {}) {
    this.tag = tag;
    this.tagName = tag.toUpperCase();
    /** @type {El[]} */
    this.children = [];
    this.disabled = false;
    this.value = "";
    this.type = "";
    this.name = "";
    Object.assign(this, props);
  }
  /** @param {El} c */
  appendChild(c) {
    this.children.push(c);
    return c;
  }
  /** @param {string} sel */
  querySelectorAll(sel) {
    const m = /^input(?:\[name="([^"]+)"\])?$/.exec(sel);
    /** @type {El[]} */
    const out = [];
    const walk = (/** @type {El} */ e) => {
      for (const c of e.children) {
        if (m && c.tag === "input" && (m[1] === undefined || c.name === m[1])) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  /** The controls the form submits: its inputs, plus those outside that name it (outside). */
  get elements() {
    return [...this.querySelectorAll("input"), ...(this.outside || [])];
  }
  /** @param {string} sel */
  querySelector(sel) {
    return this.querySelectorAll(sel)[0] || null;
  }
}

function loadContentScript() {
  const code = fs.readFileSync(path.join(root, "sat-login.js"), "utf8");
  /** @type {any} */
  const sandbox = { URL };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(code, sandbox, { filename: "sat-login.js" });
  return sandbox.efirmaSatLogin;
}

/**
 * @param {{method?: string, action?: string, guid?: boolean, inputs?: El[]}} o
 */
function page(o = {}) {
  const form = new El("form", { method: o.method ?? "post", action: o.action ?? SAT + "/nidp/app/login?id=fiel" });
  if (o.guid !== false) form.appendChild(new El("input", { type: "hidden", name: "guid", value: GUID }));
  for (const i of o.inputs || []) form.appendChild(i);
  const doc = {
    querySelector: (/** @type {string} */ s) => (s === "form#certform" ? form : null),
    createElement: (/** @type {string} */ tag) => new El(tag),
  };
  return { form, doc };
}
const prop = (/** @type {any} */ f, /** @type {string} */ p) => f[p];

test("content script: a button only for form#certform with a guid that posts to SAT", () => {
  const s = loadContentScript();
  const ok = page();
  assert.equal(s.findLoginForm(ok.doc, prop)?.guid.value, GUID);
  assert.equal(s.findLoginForm({ querySelector: () => null }, prop), null, "no form");
  assert.equal(s.findLoginForm(page({ guid: false }).doc, prop), null, "no guid");
  assert.equal(s.findLoginForm(page({ method: "get" }).doc, prop), null, "GET form");
  for (const action of ["https://evil.example/x", "http://loginda.siat.sat.gob.mx/x", "https://loginda.siat.sat.gob.mx.evil.example/x", "https://loginda.siat.sat.gob.mx:8443/x", "https://u@sat.gob.mx/", "javascript:alert(1)"]) {
    assert.equal(s.findLoginForm(page({ action }).doc, prop), null, action);
  }
  assert.ok(s.findLoginForm(page({ action: "https://cfdiau.sat.gob.mx/nidp/app/login?id=SATx509Custom" }).doc, prop));
});

test("content script: fills token and fert (creating hidden inputs) and submits natively", () => {
  const s = loadContentScript();
  // loginda: the inputs exist (one disabled decoy is skipped).
  const decoy = new El("input", { name: "token", disabled: true });
  const token = new El("input", { type: "hidden", name: "token" });
  const a = page({ inputs: [decoy, token, new El("input", { type: "hidden", name: "fert" })] });
  /** @type {any[]} */
  const submitted = [];
  assert.equal(s.fillAndSubmit(a.form, a.doc, { token: TOKEN, fert: FERT }, (/** @type {any} */ f) => submitted.push(f), prop), true);
  assert.equal(token.value, TOKEN);
  assert.equal(decoy.value, "");
  assert.equal(a.form.querySelector('input[name="fert"]').value, FERT);
  assert.deepEqual(submitted, [a.form]);
  // An input outside the form that joins it with form="certform" is
  // submitted too, so it gets the value as well.
  const outsider = new El("input", { type: "hidden", name: "token", value: "stale" });
  const o = page({ inputs: [new El("input", { type: "hidden", name: "token" })] });
  /** @type {any} */ (o.form).outside = [outsider];
  s.fillAndSubmit(o.form, o.doc, { token: TOKEN, fert: FERT }, () => {}, prop);
  assert.equal(outsider.value, TOKEN);
  // cfdiau: no token/fert inputs, so hidden ones are created.
  const b = page();
  s.fillAndSubmit(b.form, b.doc, { token: TOKEN, fert: FERT }, () => {}, prop);
  const created = b.form.querySelectorAll('input[name="token"]');
  assert.equal(created.length, 1);
  assert.equal(created[0].type, "hidden");
  assert.equal(created[0].value, TOKEN);
  assert.equal(b.form.querySelector('input[name="fert"]').value, FERT);
  // The page moved the form's action elsewhere meanwhile: nothing is sent.
  const c = page();
  c.form.action = "https://evil.example/robar";
  let sent = false;
  assert.equal(s.fillAndSubmit(c.form, c.doc, { token: TOKEN, fert: FERT }, () => (sent = true), prop), false);
  assert.equal(sent, false);
  assert.equal(c.form.querySelector('input[name="token"]'), null);
});

test("manifest: sat-login.js runs on SAT pages only, top frame", () => {
  const m = JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8"));
  const entry = m.content_scripts.find((/** @type {any} */ c) => c.js.includes("sat-login.js"));
  assert.deepEqual(entry.matches, ["https://*.sat.gob.mx/*"]);
  assert.equal(entry.all_frames, false);
});
