// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { openLine } from "../shared/ui.js";
import { FakePort } from "./helpers.js";

/** t() reads chrome.i18n; a stand-in that returns the key. */
/** @type {any} */ (globalThis).chrome = { i18n: { getMessage: (/** @type {string} */ k) => k } };

/**
 * A runtime whose port answers like background.js's onConsentPort, and
 * whose sendMessage records what went that way.
 * @param {(msg: any) => any} answer
 */
function runtime(answer) {
  /** @type {FakePort[]} */
  const ports = [];
  /** @type {any[]} */
  const sent = [];
  return {
    ports,
    sent,
    connect: (/** @type {{name: string}} */ info) => {
      assert.equal(info.name, "efirma-consent");
      const p = new FakePort();
      p.onPost = (m) => setTimeout(() => p.deliver({ rid: m.rid, out: answer(m.msg) }), 0);
      ports.push(p);
      return p;
    },
    sendMessage: async (/** @type {any} */ m) => {
      sent.push(m);
      return answer(m);
    },
  };
}

test("openLine: one port for the page's questions, each answered by its own rid", async () => {
  const rt = runtime((m) => ({ ok: true, result: m.type }));
  const ask = openLine("efirma-consent", rt);
  const [a, b] = await Promise.all([ask({ type: "consent:get" }), ask({ type: "consent:submit" })]);
  assert.deepEqual([a.result, b.result], ["consent:get", "consent:submit"]);
  assert.equal(rt.ports.length, 1, "opened once");
  assert.deepEqual(rt.ports[0].sent.map((m) => m.msg.type), ["consent:get", "consent:submit"]);
  assert.deepEqual(rt.sent, [], "nothing by sendMessage while the port is there");
});

test("openLine: a question in flight when the port goes is not resent; later ones go by sendMessage", async () => {
  const rt = runtime(() => ({ ok: true, result: 1 }));
  const ask = openLine("efirma-consent", rt);
  rt.ports[0].onPost = () => {}; // the service worker never answers…
  const pending = ask({ type: "consent:submit" });
  rt.ports[0].drop(); // …and goes away
  const out = await pending;
  assert.equal(!out.ok && out.error?.code, "ERR_EXTENSION_UNAVAILABLE");
  assert.deepEqual(rt.sent, [], "the submit was not sent again");
  const later = await ask({ type: "consent:cancel" });
  assert.ok(later.ok);
  assert.deepEqual(rt.sent.map((m) => m.type), ["consent:cancel"]);
});

test("openLine: no port at all (connect throws): every question goes by sendMessage", async () => {
  const rt = runtime(() => ({ ok: true, result: 2 }));
  const ask = openLine("efirma-consent", { ...rt, connect: () => { throw new Error("Could not establish connection"); } });
  assert.equal((await ask({ type: "consent:get" })).result, 2);
  assert.deepEqual(rt.sent.map((m) => m.type), ["consent:get"]);
});
