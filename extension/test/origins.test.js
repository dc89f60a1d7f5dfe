// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { checkOrigin, effectivePolicy, isPublicSuffix, parseOrigin, patternMatches, wildcardTooBroad } from "../shared/origins.js";

const off = { developerMode: false, managedPortals: [] };
const on = { developerMode: true, managedPortals: [] };

test("origin policy", () => {
  /** @type {Array<[string, any, boolean, string]>} */
  const cases = [
    ["https://www.sat.gob.mx", off, true, "default"],
    ["https://sat.gob.mx", off, true, "default"],
    ["https://portalcfdi.facturaelectronica.sat.gob.mx", off, true, "default"],
    ["https://serviciosdigitales.imss.gob.mx", off, true, "default"],
    ["https://www.sat.gob.mx:8443", off, true, "default"],
    ["http://www.sat.gob.mx", off, false, "not-listed"],
    ["https://sat.gob.mx.evil.com", off, false, "not-listed"],
    ["https://evilsat.gob.mx", off, false, "not-listed"],
    ["https://example.com", off, false, "not-listed"],
    ["http://localhost:8080", off, false, "developer-off"],
    ["http://127.0.0.1:8080", off, false, "developer-off"],
    ["http://localhost:8080", on, true, "developer"],
    ["http://127.0.0.1", on, true, "developer"],
    ["http://localhost.evil.com", on, false, "not-listed"],
    ["http://127.0.0.2:80", on, false, "bad-origin"],
    ["http://127.0.0.2", on, false, "not-listed"],
    ["https://www.sat.gob.mx/", off, false, "bad-origin"],
    ["https://WWW.SAT.GOB.MX", off, false, "bad-origin"],
    ["https://www.sat.gob.mx:443", off, false, "bad-origin"],
    ["null", on, false, "bad-origin"],
    ["", on, false, "bad-origin"],
    ["chrome-extension://abc", on, false, "bad-origin"],
    ["file://", on, false, "bad-origin"],
  ];
  for (const [origin, policy, allowed, reason] of cases) {
    assert.deepEqual(checkOrigin(origin, policy), { allowed, reason }, origin);
  }
  assert.equal(checkOrigin(42, on).allowed, false);
});

test("managed portals", () => {
  const p = { developerMode: false, managedPortals: ["https://portal.example.gob.mx", "https://*.infonavit.org.mx", "https://x.test:8443", "http://plain.example", "*"] };
  assert.deepEqual(checkOrigin("https://portal.example.gob.mx", p), { allowed: true, reason: "managed" });
  assert.equal(checkOrigin("https://other.example.gob.mx", p).allowed, false);
  assert.equal(checkOrigin("https://a.b.infonavit.org.mx", p).allowed, true);
  assert.equal(checkOrigin("https://x.test:8443", p).allowed, true);
  assert.equal(checkOrigin("https://x.test", p).allowed, false);
  assert.equal(checkOrigin("http://plain.example", p).allowed, false);
  const u = parseOrigin("https://a.example");
  assert.ok(u);
  assert.equal(patternMatches("https://*.", u), false);
  assert.equal(patternMatches("https://..example", u), false);
});

test("effective policy: managed wins over the local switch", () => {
  assert.deepEqual(effectivePolicy({}, {}), { developerMode: false, managedPortals: [] });
  assert.equal(effectivePolicy({ developerMode: true }, {}).developerMode, true);
  assert.equal(effectivePolicy({ developerMode: "yes" }, {}).developerMode, false);
  assert.equal(effectivePolicy({ developerMode: true }, { developerMode: false }).developerMode, false);
  assert.equal(effectivePolicy({}, { developerMode: true }).developerMode, true);
  assert.deepEqual(effectivePolicy({}, { allowedPortals: ["https://a.mx", 3, null] }).managedPortals, ["https://a.mx"]);
  assert.deepEqual(effectivePolicy({}, { allowedPortals: "https://a.mx" }).managedPortals, []);
});

test("readPolicy combines local and managed storage, and survives no managed storage", async () => {
  const { readPolicy } = await import("../shared/origins.js");
  const local = { get: async () => ({ developerMode: true }) };
  let p = await readPolicy({ local, managed: { get: async () => ({ allowedPortals: ["https://portal.example.gob.mx"], developerMode: false }) } });
  assert.equal(p.developerMode, false, "managed developerMode wins");
  assert.ok(p.managedPortals.length === 1);
  p = await readPolicy({ local, managed: { get: async () => { throw new Error("Managed storage is not available"); } } });
  assert.equal(p.developerMode, true);
  assert.deepEqual(p.managedPortals, []);
});

test("readPolicy reads both storages at once", async () => {
  const { readPolicy } = await import("../shared/origins.js");
  /** @type {string[]} */
  const started = [];
  /** @type {Array<() => void>} */
  const release = [];
  const slow = (/** @type {string} */ name, /** @type {any} */ v) => ({
    get: () => {
      started.push(name);
      return new Promise((r) => release.push(() => r(v)));
    },
  });
  const p = readPolicy({ local: slow("local", { developerMode: true }), managed: slow("managed", {}) });
  await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(started.sort(), ["local", "managed"], "the managed read does not wait for the local one");
  for (const r of release) r();
  assert.equal((await p).developerMode, true);
});

test("cachedPolicy reads once until forget(); failures and reads overtaken by forget() are not kept", async () => {
  const { cachedPolicy } = await import("../shared/origins.js");
  let reads = 0;
  let mode = false;
  let fail = false;
  /** @type {(() => void) | null} */
  let hold = null;
  const c = cachedPolicy(async () => {
    reads++;
    const v = { developerMode: mode, managedPortals: [] };
    if (hold) await new Promise((r) => (hold = /** @type {any} */ (r)));
    if (fail) throw new Error("storage unavailable");
    return v;
  });
  assert.equal((await c.get()).developerMode, false);
  assert.equal((await c.get()).developerMode, false);
  assert.equal(reads, 1, "remembered");
  mode = true;
  assert.equal((await c.get()).developerMode, false, "a change is not seen before forget()");
  c.forget();
  assert.equal((await c.get()).developerMode, true, "seen after forget()");
  assert.equal(reads, 2);
  // A failed read is asked again next time.
  c.forget();
  fail = true;
  await assert.rejects(c.get());
  await new Promise((r) => setTimeout(r, 0));
  fail = false;
  assert.equal((await c.get()).developerMode, true);
  assert.equal(reads, 4);
  // A read started before forget() answers its caller but is not kept.
  c.forget();
  hold = () => {};
  const early = c.get();
  await new Promise((r) => setTimeout(r, 1));
  c.forget();
  mode = false;
  /** @type {any} */ (hold)();
  hold = null;
  assert.equal((await early).developerMode, true);
  assert.equal((await c.get()).developerMode, false, "the read after forget() is a new one");
  assert.equal(reads, 6);
});

// Issue 11 F-07: a managed wildcard directly under a public suffix would
// allow every site registered there; it matches nothing.
test("managed wildcard under a public suffix matches nothing", () => {
  const broad = ["https://*.com", "https://*.mx", "https://*.com.mx", "https://*.gob.mx", "https://*.org.mx", "https://*.co.uk", "https://*.com:8443", "https://*.github.io", "https://*.azurewebsites.net", "https://*.algo.ck", "https://*.amazonaws.com", "https://*.kawasaki.jp"];
  const p = { developerMode: false, managedPortals: broad };
  for (const origin of ["https://evil.com", "https://evil.com.mx", "https://phish.gob.mx", "https://x.org.mx", "https://a.co.uk", "https://evil.com:8443", "https://evil.github.io", "https://phish.azurewebsites.net", "https://x.algo.ck", "https://evil.s3.amazonaws.com", "https://evil.foo.kawasaki.jp"]) {
    assert.deepEqual(checkOrigin(origin, p), { allowed: false, reason: "not-listed" }, origin);
  }
  const ok = { developerMode: false, managedPortals: ["https://*.infonavit.org.mx", "https://*.ejemplo.com", "https://*.empresa.mx"] };
  for (const origin of ["https://a.infonavit.org.mx", "https://www.ejemplo.com", "https://empresa.mx"]) {
    assert.equal(checkOrigin(origin, ok).allowed, true, origin);
  }
});

// The Public Suffix List's answers, the same vectors as the Go policy kit's
// (internal/psl TestVectors).
test("isPublicSuffix and wildcardTooBroad follow the Public Suffix List", async () => {
  const { readFile } = await import("node:fs/promises");
  const v = JSON.parse(await readFile(new URL("./psl-vectors.json", import.meta.url), "utf8"));
  assert.ok(v.suffix.length > 0 && v.registrable.length > 0 && v.wildcardTooBroad.length > 0 && v.wildcardAllowed.length > 0);
  for (const d of v.suffix) assert.deepEqual([isPublicSuffix(d), wildcardTooBroad(d)], [true, true], d);
  for (const d of v.registrable) assert.equal(isPublicSuffix(d), false, d);
  for (const d of v.wildcardTooBroad) assert.deepEqual([isPublicSuffix(d), wildcardTooBroad(d)], [false, true], d);
  for (const d of v.wildcardAllowed) assert.equal(wildcardTooBroad(d), false, d);
  // Asked twice (the second from memory), the same answer.
  assert.equal(wildcardTooBroad("amazonaws.com"), true);
  assert.equal(wildcardTooBroad("sat.gob.mx"), false);
});
