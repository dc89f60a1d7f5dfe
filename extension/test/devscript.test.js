// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { DEV_MATCHES, DEV_SCRIPT_ID, syncDevScript } from "../shared/devscript.js";

/** A fake chrome.scripting holding registered scripts by id. */
function fakeScripting() {
  /** @type {Map<string, any>} */
  const scripts = new Map();
  return {
    scripts,
    /** @param {string[]} ids */
    registered: async (ids) => [...scripts.values()].filter((s) => ids.includes(s.id)),
    /** @param {any[]} list */
    register: async (list) => {
      for (const s of list) {
        if (scripts.has(s.id)) throw new Error("Duplicate script ID");
        scripts.set(s.id, s);
      }
    },
    /** @param {string[]} ids */
    unregister: async (ids) => {
      for (const id of ids) if (!scripts.delete(id)) throw new Error("Nonexistent script ID");
    },
  };
}

test("the localhost content script exists only while the developer switch is on", async () => {
  const s = fakeScripting();
  let on = false;
  const api = { ...s, developerMode: async () => on };
  assert.equal(await syncDevScript(api), false);
  assert.equal(s.scripts.size, 0);
  on = true;
  assert.equal(await syncDevScript(api), true);
  assert.deepEqual(s.scripts.get(DEV_SCRIPT_ID)?.matches, [...DEV_MATCHES]);
  assert.deepEqual(s.scripts.get(DEV_SCRIPT_ID)?.js, ["content.js"]);
  assert.equal(await syncDevScript(api), true, "syncing twice registers once");
  assert.equal(s.scripts.size, 1);
  on = false;
  assert.equal(await syncDevScript(api), false);
  assert.equal(s.scripts.size, 0);
  assert.equal(await syncDevScript(api), false, "unregistering twice is harmless");
});
