// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { NativeHost } from "../shared/native.js";
import { FakePort, sleep } from "./helpers.js";

/**
 * A fake browser: connectNative returns a FakePort whose "host" answers via
 * the handler; lastError is what the browser would report on disconnect.
 * @param {(port: FakePort, msg: any) => void} handler
 */
function fakeBrowser(handler) {
  const b = {
    /** @type {FakePort[]} */
    ports: [],
    /** @type {string | undefined} */
    lastError: undefined,
    /** @type {string[]} */
    names: [],
    connect: (/** @type {string} */ name) => {
      b.names.push(name);
      const p = new FakePort();
      p.onPost = (m) => queueMicrotask(() => handler(p, m));
      b.ports.push(p);
      return p;
    },
  };
  return b;
}

/** @param {ReturnType<typeof fakeBrowser>} b */
function hostFor(b, extra = {}) {
  return new NativeHost({ connect: b.connect, lastError: () => b.lastError, idleMs: 0, ...extra });
}

/** @param {FakePort} p @param {any} m */
function goodHost(p, m) {
  if (m.command === "hello") p.deliver({ id: m.id, result: { version: "1.2.3", protocol: 1, sources: ["file"] } });
  else if (m.command === "list-certificates") p.deliver({ id: m.id, result: { certificates: [] } });
  else p.deliver({ id: m.id, error: { code: "ERR_UNKNOWN_COMMAND", message: "no" } });
}

test("hello then request over one connection", async () => {
  const b = fakeBrowser(goodHost);
  const h = hostFor(b);
  assert.equal(h.state, "disconnected");
  const r = await h.request("list-certificates");
  assert.deepEqual(r, { certificates: [] });
  assert.equal(h.state, "ready");
  assert.deepEqual(b.names, ["mx.efirma.conector"]);
  assert.deepEqual(b.ports[0].sent.map((m) => m.command), ["hello", "list-certificates"]);
  assert.ok(b.ports[0].sent.every((m) => typeof m.id === "string" && typeof m.params === "object"));
  await h.request("list-certificates");
  assert.equal(b.ports.length, 1, "connection reused");
  await assert.rejects(h.request("nope"), { code: "ERR_UNKNOWN_COMMAND", message: "no" });
  assert.equal(h.pending.size, 0, "nothing left pending");
});

test("host not installed maps the browser's error", async () => {
  const b = fakeBrowser((p) => {
    b.lastError = "Specified native messaging host not found.";
    p.drop();
  });
  const h = hostFor(b);
  await assert.rejects(h.request("list-certificates"), { code: "ERR_HOST_NOT_FOUND" });
  assert.equal(h.state, "disconnected");
  assert.equal(h.pending.size, 0);
});

test("connectNative throwing maps too", async () => {
  const h = new NativeHost({
    connect: () => { throw new Error("Access to the specified native messaging host is forbidden."); },
    lastError: () => undefined,
  });
  await assert.rejects(h.ensure(), { code: "ERR_HOST_FORBIDDEN" });
  assert.equal(h.state, "disconnected");
});

test("host exits mid-request, next request reconnects", async () => {
  let kill = true;
  const b = fakeBrowser((p, m) => {
    if (m.command === "authenticate" && kill) {
      kill = false;
      b.lastError = "Native host has exited.";
      p.drop();
      return;
    }
    b.lastError = undefined;
    goodHost(p, m);
  });
  const h = hostFor(b);
  await assert.rejects(h.request("authenticate", {}), { code: "ERR_HOST_EXITED" });
  assert.equal(h.state, "disconnected");
  await assert.rejects(h.request("authenticate", {}), { code: "ERR_UNKNOWN_COMMAND" });
  assert.equal(b.ports.length, 2, "a new host process");
  assert.equal(h.state, "ready");
});

test("silent disconnect counts as exited", async () => {
  const b = fakeBrowser((p, m) => (m.command === "hello" ? goodHost(p, m) : p.drop()));
  await assert.rejects(hostFor(b).request("sign", {}), { code: "ERR_HOST_EXITED" });
});

test("timeout recycles a stuck host", async () => {
  const b = fakeBrowser((p, m) => (m.command === "hello" ? goodHost(p, m) : undefined));
  const h = hostFor(b);
  await assert.rejects(h.request("sign", {}, 30), { code: "ERR_HOST_TIMEOUT" });
  assert.equal(h.state, "disconnected");
  assert.ok(b.ports[0].disconnected, "port closed");
  assert.equal(h.pending.size, 0);
});

test("protocol version mismatch", async () => {
  const b = fakeBrowser((p, m) => p.deliver({ id: m.id, result: { version: "9", protocol: 2 } }));
  const h = hostFor(b);
  await assert.rejects(h.request("list-certificates"), { code: "ERR_VERSION_MISMATCH" });
  assert.equal(h.state, "disconnected");
});

test("malformed messages from the host", async () => {
  for (const bad of [null, "text", { result: 1 }, { id: 7 }]) {
    const b = fakeBrowser((p, m) => (m.command === "hello" ? goodHost(p, m) : p.deliver(bad)));
    await assert.rejects(hostFor(b).request("list-certificates"), { code: "ERR_HOST_BAD_MESSAGE" }, JSON.stringify(bad));
  }
  const b = fakeBrowser((p, m) => (m.command === "hello" ? goodHost(p, m) : p.deliver({ id: m.id })));
  await assert.rejects(hostFor(b).request("list-certificates"), { code: "ERR_HOST_BAD_MESSAGE" });
});

test("late answers to timed-out requests are ignored; concurrent requests are matched by id", async () => {
  /** @type {any[]} */
  const held = [];
  const b = fakeBrowser((p, m) => (m.command === "hello" ? goodHost(p, m) : held.push([p, m])));
  const h = hostFor(b);
  const a = h.request("list-certificates", { n: 1 });
  const c = h.request("list-certificates", { n: 2 });
  await sleep(5);
  assert.equal(held.length, 2);
  // Answer in reverse order.
  held[1][0].deliver({ id: held[1][1].id, result: "second" });
  held[0][0].deliver({ id: held[0][1].id, result: "first" });
  assert.equal(await a, "first");
  assert.equal(await c, "second");
  held[0][0].deliver({ id: "999", result: "stray" }); // no throw, no effect
  assert.equal(h.state, "ready");
});

test("idle connection closes, holds keep it open", async () => {
  const b = fakeBrowser(goodHost);
  const h = hostFor(b, { idleMs: 20 });
  const release = h.hold();
  await h.request("list-certificates");
  await sleep(40);
  assert.equal(h.state, "ready", "held open");
  release();
  release(); // idempotent
  assert.equal(h.holds, 0);
  await sleep(40);
  assert.equal(h.state, "disconnected");
  assert.ok(b.ports[0].disconnected);
});

test("a connection opened only for hello (status) closes when idle; lastFailure remembers a failed start", async () => {
  const b = fakeBrowser(goodHost);
  const h = hostFor(b, { idleMs: 20 });
  await h.ensure();
  assert.equal(h.state, "ready");
  assert.equal(h.lastFailure, "");
  await sleep(50);
  assert.equal(h.state, "disconnected", "status() through ensure() arms the idle timer");

  const missing = fakeBrowser((p) => {
    missing.lastError = "Specified native messaging host not found.";
    p.drop();
  });
  const m = hostFor(missing);
  await assert.rejects(m.ensure(), { code: "ERR_HOST_NOT_FOUND" });
  assert.equal(m.lastFailure, "ERR_HOST_NOT_FOUND");
});
