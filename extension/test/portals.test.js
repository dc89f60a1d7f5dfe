// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { MANAGED_SCRIPT_ID, coveredByDefaults, managedPatterns, patternForSite, permissionState, syncManagedScript, toMatchPattern } from "../shared/portals.js";

test("allowedPortals entries become match patterns", () => {
  assert.equal(toMatchPattern("https://rh.empresa.com.mx"), "https://rh.empresa.com.mx/*");
  assert.equal(toMatchPattern("https://*.empresa.com.mx/"), "https://*.empresa.com.mx/*");
  assert.equal(toMatchPattern("HTTPS://Portal.Example.com:8443"), "https://portal.example.com:8443/*");
  for (const bad of ["http://x.com", "https://x.com/path", "https://*", "https://localhost", "https://a..b.com", "https://x.com:99999", "ftp://x.com", "", 5, null]) {
    assert.equal(toMatchPattern(bad), null, String(bad));
  }
  assert.equal(coveredByDefaults("https://www.sat.gob.mx/*"), true);
  assert.equal(coveredByDefaults("https://*.imss.gob.mx/*"), true);
  assert.equal(coveredByDefaults("https://*.gob.mx/*"), false, "wider than the defaults");
  assert.deepEqual(managedPatterns(["https://rh.empresa.com.mx", "https://www.sat.gob.mx", "https://rh.empresa.com.mx/", "bad"]), {
    patterns: ["https://rh.empresa.com.mx/*"], invalid: ["bad"],
  });
});

test("permission state splits granted and missing", async () => {
  const granted = new Set(["https://a.example.com/*"]);
  const st = await permissionState(["https://a.example.com", "https://b.example.com", "x"], async (o) => o.every((p) => granted.has(p)));
  assert.deepEqual(st, { granted: ["https://a.example.com/*"], missing: ["https://b.example.com/*"], invalid: ["x"] });
  const failing = await permissionState(["https://a.example.com"], async () => { throw new Error("no"); });
  assert.deepEqual(failing.missing, ["https://a.example.com/*"]);
});

/** A fake chrome.scripting + permissions. */
function fakeApi(/** @type {string[]} */ portals, /** @type {string[]} */ granted) {
  /** @type {Map<string, any>} */
  const scripts = new Map();
  const log = /** @type {string[]} */ ([]);
  return {
    scripts, log,
    portals, granted,
    api: {
      managedPortals: async () => portals,
      hasPermission: async (/** @type {string[]} */ o) => o.every((p) => granted.includes(p)),
      registered: async (/** @type {string[]} */ ids) => ids.filter((i) => scripts.has(i)).map((i) => scripts.get(i)),
      register: async (/** @type {any[]} */ s) => {
        for (const x of s) {
          if (scripts.has(x.id)) throw new Error("Duplicate script ID");
          scripts.set(x.id, x);
          log.push("register " + x.matches.join(","));
        }
      },
      unregister: async (/** @type {string[]} */ ids) => {
        for (const i of ids) scripts.delete(i);
        log.push("unregister");
      },
    },
  };
}

test("the content script follows the granted managed portals", async () => {
  const f = fakeApi(["https://rh.empresa.com.mx", "https://*.banco.mx"], []);
  assert.deepEqual(await syncManagedScript(f.api), []);
  assert.equal(f.scripts.size, 0, "nothing registered without permission");

  f.granted.push("https://rh.empresa.com.mx/*");
  assert.deepEqual(await syncManagedScript(f.api), ["https://rh.empresa.com.mx/*"]);
  const s = f.scripts.get(MANAGED_SCRIPT_ID);
  assert.deepEqual({ ...s, matches: undefined }, { id: MANAGED_SCRIPT_ID, matches: undefined, js: ["content.js"], runAt: "document_start", allFrames: false, persistAcrossSessions: true });

  // Same state again: no churn.
  await syncManagedScript(f.api);
  assert.deepEqual(f.log, ["register https://rh.empresa.com.mx/*"]);

  f.granted.push("https://*.banco.mx/*");
  assert.deepEqual(await syncManagedScript(f.api), ["https://*.banco.mx/*", "https://rh.empresa.com.mx/*"]);
  assert.deepEqual(f.scripts.get(MANAGED_SCRIPT_ID).matches, ["https://*.banco.mx/*", "https://rh.empresa.com.mx/*"]);

  // IT removes a portal from the policy: it stops, even with the permission kept.
  f.portals.splice(0, 1);
  assert.deepEqual(await syncManagedScript(f.api), ["https://*.banco.mx/*"]);
  // IT removes all: the script is gone.
  f.portals.splice(0);
  assert.deepEqual(await syncManagedScript(f.api), []);
  assert.equal(f.scripts.size, 0);
});

test("patternForSite names what to ask for one site", () => {
  const managed = ["https://*.empresa.com.mx", "https://portal.example.com:8443"];
  assert.equal(patternForSite("https://rh.empresa.com.mx", managed), "https://*.empresa.com.mx/*");
  assert.equal(patternForSite("https://portal.example.com:8443", managed), "https://portal.example.com:8443/*");
  assert.equal(patternForSite("https://portal.example.com", managed), null, "other port");
  assert.equal(patternForSite("https://www.sat.gob.mx", managed), null, "default portal needs nothing");
  assert.equal(patternForSite("https://evil.example", managed), null);
  assert.equal(patternForSite("nonsense", managed), null);
});

test("a wildcard under a public suffix is invalid, not registered", () => {
  for (const broad of ["https://*.com", "https://*.gob.mx", "https://*.com.mx"]) {
    assert.equal(toMatchPattern(broad), null, broad);
  }
  assert.equal(toMatchPattern("https://*.ejemplo.gob.mx"), "https://*.ejemplo.gob.mx/*");
  assert.deepEqual(managedPatterns(["https://*.gob.mx"]), { patterns: [], invalid: ["https://*.gob.mx"] });
});
