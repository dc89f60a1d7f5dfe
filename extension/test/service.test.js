// @ts-check
import test, { afterEach } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { CodedError } from "../shared/errors.js";
import { createService, noUsable } from "../shared/service.js";
import { sleep } from "./helpers.js";

const ch = "c".repeat(43);
const FIEL = { id: "fiel1", type: "FIEL", status: "valid", usable: true, rfc: "EKU9003173C9", name: "ESCUELA KEMPER URGATE", daysLeft: 500 };
const CSD = { ...FIEL, id: "csd1", type: "CSD" };
const OLD = { ...FIEL, id: "old1", status: "expired", daysLeft: -700 };

/**
 * Services a test left with a request still waiting (a window the person
 * never closed): afterEach closes their windows, which ends the requests
 * and their timers (each would otherwise keep node alive for its full
 * timeout, two minutes).
 * @type {Array<{svc: ReturnType<typeof createService>, windows: Array<{id: number, open: boolean}>}>}
 */
let live = [];
afterEach(() => {
  for (const { svc, windows } of live) for (const w of windows) if (w.open) svc.onWindowRemoved(w.id);
  live = [];
});

/** @param {{password?: string, hostMissing?: boolean, policy?: any, onAuth?: (p: any) => any, onSign?: (p: any) => any, list?: any[], lastFailure?: string, slowClose?: boolean, closeAfterSuccessMs?: number, windowReplyAfterSuccessMs?: number}} [o] */
function setup(o = {}) {
  const calls = /** @type {any[]} */ ([]);
  let held = 0;
  const host = {
    lastFailure: o.lastFailure || "",
    ensure: async () => {
      if (o.hostMissing) throw new CodedError("ERR_HOST_NOT_FOUND");
      return { version: "1.0.0", protocol: 1 };
    },
    request: async (/** @type {string} */ command, /** @type {any} */ params) => {
      calls.push({ command, params });
      if (command === "list-certificates") return { certificates: o.list ?? [FIEL, CSD, OLD] };
      if (o.onAuth) return o.onAuth(params);
      if (params.password !== (o.password ?? "12345678a")) throw new CodedError("ERR_WRONG_PASSWORD", "mal");
      if (command === "authenticate") return { format: "efirma-auth:1", certificate: "CERT", algorithm: "RS256", signature: "SIG", extra: "dropped" };
      if (o.onSign) return o.onSign(params);
      return { signature: "S", algorithm: "RS256", certificate: "CERT" };
    },
    hold: () => {
      held++;
      return () => held--;
    },
  };
  /** @type {Array<{id: number, url: string, open: boolean}>} */
  const windows = [];
  let n = 0;
  const svc = createService({
    // @ts-ignore -- a partial NativeHost is enough
    host,
    openWindow: async (url) => {
      const w = { id: ++n, url, open: true };
      windows.push(w);
      return { id: w.id };
    },
    closeWindow: async (id) => {
      if (o.slowClose) await new Promise((r) => setTimeout(r, 50));
      const w = windows.find((x) => x.id === id);
      if (w) w.open = false;
    },
    policy: async () => o.policy ?? { developerMode: true, managedPortals: [] },
    t: (k) => (k === "err_ERR_USER_CANCELLED" ? "Se canceló el uso de la e.firma." : ""),
    version: "0.1.0",
    newId: () => "s" + ++n,
    closeAfterSuccessMs: o.closeAfterSuccessMs,
    windowReplyAfterSuccessMs: o.windowReplyAfterSuccessMs,
  });
  live.push({ svc, windows });
  const sessionOf = (/** @type {{url: string}} */ w) => new URL("chrome-extension://x/" + w.url).searchParams.get("s");
  return { svc, calls, windows, sessionOf, held: () => held };
}

const page = { origin: "http://localhost:8080", tabId: 7 };

test("status", async () => {
  const { svc } = setup();
  assert.deepEqual(await svc.handlePage({ id: "1", action: "status" }, page), {
    ok: true, result: { extension: { version: "0.1.0" }, host: { available: true, version: "1.0.0", protocol: 1 } },
  });
  const missing = await setup({ hostMissing: true }).svc.handlePage({ id: "1", action: "status" }, page);
  assert.equal(missing.ok && missing.result.host.available, false);
  assert.equal(missing.ok && missing.result.host.error.code, "ERR_HOST_NOT_FOUND");
});

test("refused origins open nothing and reach no host", async () => {
  for (const [origin, policy] of /** @type {Array<[string, any]>} */ ([
    ["http://localhost:8080", { developerMode: false, managedPortals: [] }],
    ["https://evil.example", { developerMode: true, managedPortals: [] }],
    ["", { developerMode: true, managedPortals: [] }],
  ])) {
    const { svc, windows, calls } = setup({ policy });
    const out = await svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, { origin, tabId: 1 });
    assert.equal(!out.ok && out.error.code, "ERR_ORIGIN_NOT_ALLOWED", origin);
    assert.equal(!out.ok && out.error.details, undefined, "a refused origin is not told why");
    assert.equal(windows.length, 0);
    assert.equal(calls.length, 0);
  }
});

test("host known missing fails before any window; a cold host starts while the window opens", async () => {
  const known = setup({ hostMissing: true, lastFailure: "ERR_HOST_NOT_FOUND" });
  const out = await known.svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  assert.equal(!out.ok && out.error.code, "ERR_HOST_NOT_FOUND");
  assert.equal(known.windows.length, 0);
  // Not known yet: the window opens at once and closes when the host fails.
  const cold = setup({ hostMissing: true });
  const c = await cold.svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  assert.equal(!c.ok && c.error.code, "ERR_HOST_NOT_FOUND");
  assert.equal(cold.windows.length, 1);
  await sleep(1);
  assert.equal(cold.windows[0].open, false, "closed");
  assert.equal(cold.svc.sessions.size, 0);
});

test("speed: the certificates are asked when the request arrives; the answer does not wait for the window to close", async () => {
  const { svc, windows, calls, sessionOf } = setup({ slowClose: true });
  const pending = svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  assert.deepEqual(calls.map((c) => c.command), ["list-certificates"], "asked before the window asked");
  const session = sessionOf(windows[0]);
  await svc.handleConsent({ type: "consent:get", session });
  assert.equal(calls.filter((c) => c.command === "list-certificates").length, 1, "the window used that answer");
  await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  const out = await pending;
  assert.ok(out.ok);
  assert.equal(windows[0].open, true, "the page has its answer while the window is still closing");
});

test("speed: after a success the window stays closeAfterSuccessMs, while the page uses the answer; any other end closes it at once", async () => {
  const ok = setup({ closeAfterSuccessMs: 60 });
  const pending = ok.svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const session = ok.sessionOf(ok.windows[0]);
  await ok.svc.handleConsent({ type: "consent:get", session });
  await ok.svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  assert.ok((await pending).ok);
  await sleep(20);
  assert.equal(ok.windows[0].open, true, "still up while the page works");
  assert.equal(ok.svc.sessions.size, 0, "the session is over: nothing more can be sent from the window");
  const late = await ok.svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  assert.equal(!late.ok && late.error.code, "ERR_TIMEOUT");
  await sleep(80);
  assert.equal(ok.windows[0].open, false, "closed after closeAfterSuccessMs");
  // A final error (not a success) closes the window at once.
  const bad = setup({ closeAfterSuccessMs: 10_000, onAuth: () => { throw new CodedError("ERR_PIN_LOCKED"); } });
  const failing = bad.svc.handlePage({ id: "2", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const s2 = bad.sessionOf(bad.windows[0]);
  await bad.svc.handleConsent({ type: "consent:get", session: s2 });
  await bad.svc.handleConsent({ type: "consent:submit", session: s2, certificateId: "fiel1", password: "x" });
  const out = await failing;
  assert.equal(!out.ok && out.error.code, "ERR_PIN_LOCKED");
  await sleep(5);
  assert.equal(bad.windows[0].open, false, "closed at once after a final error");
  // So does a host answer that is not a valid result.
  const odd = setup({ closeAfterSuccessMs: 10_000, onAuth: () => null });
  const oddPending = odd.svc.handlePage({ id: "3", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const s3 = odd.sessionOf(odd.windows[0]);
  await odd.svc.handleConsent({ type: "consent:get", session: s3 });
  await odd.svc.handleConsent({ type: "consent:submit", session: s3, certificateId: "fiel1", password: "12345678a" });
  const oddOut = await oddPending;
  assert.equal(!oddOut.ok && oddOut.error.code, "ERR_HOST_BAD_MESSAGE");
  await sleep(5);
  assert.equal(odd.windows[0].open, false);
});

test("speed: after a success the page has its answer first; the window hears of it windowReplyAfterSuccessMs later, a failure at once", async () => {
  const ok = setup({ windowReplyAfterSuccessMs: 50, closeAfterSuccessMs: 60 });
  const pending = ok.svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const session = ok.sessionOf(ok.windows[0]);
  await ok.svc.handleConsent({ type: "consent:get", session });
  /** @type {any} */
  let windowAnswer = null;
  const asked = ok.svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" }).then((a) => (windowAnswer = a));
  const out = await pending;
  assert.ok(out.ok && out.result.signature, "the page has its answer");
  await sleep(10);
  assert.equal(windowAnswer, null, "the window has not heard yet");
  await asked;
  assert.deepEqual(windowAnswer, { ok: true, result: null }, "then it hears of the success");
  // A wrong password is the window's business: it hears at once.
  const bad = setup({ password: "otra", windowReplyAfterSuccessMs: 10_000 });
  bad.svc.handlePage({ id: "2", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const s2 = bad.sessionOf(bad.windows[0]);
  await bad.svc.handleConsent({ type: "consent:get", session: s2 });
  const wrong = await Promise.race([
    bad.svc.handleConsent({ type: "consent:submit", session: s2, certificateId: "fiel1", password: "12345678a" }),
    sleep(1000).then(() => "late"),
  ]);
  assert.equal(wrong !== "late" && !wrong.ok && wrong.error.code, "ERR_WRONG_PASSWORD");
  bad.svc.onWindowRemoved(bad.windows[0].id); // the person closes it
});

test("login: wrong password, retry in the same window, then success", async () => {
  const { svc, windows, calls, sessionOf, held } = setup();
  const pending = svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  assert.equal(windows.length, 1);
  assert.match(windows[0].url, /^consent\.html\?s=/);
  assert.equal(held(), 1, "host held open while the window is up");
  const session = sessionOf(windows[0]);
  const d = await svc.handleConsent({ type: "consent:get", session });
  assert.ok(d.ok);
  const r = d.ok && /** @type {any} */ (d.result);
  assert.equal(r.origin, "http://localhost:8080");
  assert.equal(r.action, "authenticate");
  assert.deepEqual(r.certificates.map((/** @type {any} */ c) => [c.id, c.selectable, c.why]), [
    ["fiel1", true, undefined], ["csd1", false, "cert_why_csd"], ["old1", false, "cert_why_expired"],
  ]);
  // Not selectable certificates are refused even if the window is tampered with.
  const csd = await svc.handleConsent({ type: "consent:submit", session, certificateId: "csd1", password: "12345678a" });
  assert.equal(!csd.ok && csd.error.code, "ERR_NOT_FIEL");
  const unknown = await svc.handleConsent({ type: "consent:submit", session, certificateId: "zzz", password: "x" });
  assert.equal(!unknown.ok && unknown.error.code, "ERR_CERT_NOT_FOUND");
  const wrong = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "nope" });
  assert.equal(!wrong.ok && wrong.error.code, "ERR_WRONG_PASSWORD");
  assert.equal("final" in wrong, false, "another try allowed");
  assert.equal(windows[0].open, true);
  const right = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  assert.deepEqual(right, { ok: true, result: null });
  assert.deepEqual(await pending, { ok: true, result: { format: "efirma-auth:1", certificate: "CERT", algorithm: "RS256", signature: "SIG" } });
  await sleep(1);
  assert.equal(windows[0].open, false, "window closed");
  assert.equal(held(), 0);
  const auth = calls.filter((c) => c.command === "authenticate");
  assert.equal(auth.length, 2);
  assert.deepEqual(auth[1].params, { origin: "http://localhost:8080", challenge: ch, certificateId: "fiel1", password: "12345678a" });
  assert.equal(svc.sessions.size, 0);
  assert.equal(svc.byTab.size, 0);
});

test("closing the window cancels; one pending request per tab", async () => {
  const { svc, windows } = setup();
  const first = svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const second = await svc.handlePage({ id: "2", action: "authenticate", params: { challenge: ch } }, page);
  assert.equal(!second.ok && second.error.code, "ERR_REQUEST_PENDING");
  const otherTab = svc.handlePage({ id: "3", action: "sign", params: { data: "aG9sYQ==" } }, { ...page, tabId: 8 });
  await sleep(1);
  assert.equal(windows.length, 2, "another tab may ask");
  svc.onWindowRemoved(windows[0].id);
  assert.deepEqual(await first, { ok: false, error: { code: "ERR_USER_CANCELLED", message: "Se canceló el uso de la e.firma." } });
  const s2 = new URL("chrome-extension://x/" + windows[1].url).searchParams.get("s");
  await svc.handleConsent({ type: "consent:cancel", session: s2 });
  const o = await otherTab;
  assert.equal(!o.ok && o.error.code, "ERR_USER_CANCELLED");
  await sleep(1); // closed in the next task, after the answer went out
  assert.equal(windows[1].open, false);
  // After cancelling, the tab may ask again.
  const again = svc.handlePage({ id: "4", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  assert.equal(windows.length, 3);
  svc.onWindowRemoved(windows[2].id);
  assert.equal((await again).ok, false);
});

test("sign shows the whole text and returns the signature", async () => {
  const { svc, windows, calls, sessionOf } = setup();
  const text = "Solicitud de cita: 2025-03-04 10:00, ADSC Centro";
  const pending = svc.handlePage({ id: "1", action: "sign", params: { data: Buffer.from(text).toString("base64"), description: "Cita" } }, page);
  await sleep(1);
  const session = sessionOf(windows[0]);
  const d = /** @type {any} */ (await svc.handleConsent({ type: "consent:get", session }));
  assert.equal(d.result.items.length, 1);
  assert.equal(d.result.items[0].text, text);
  assert.equal(d.result.items[0].sha256, crypto.createHash("sha256").update(text).digest("hex"));
  assert.equal(d.result.description, "Cita");
  assert.deepEqual(d.result.certificates.map((/** @type {any} */ c) => c.selectable), [true, true, false], "CSD may sign");
  await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  assert.deepEqual(await pending, { ok: true, result: { algorithm: "RS256", certificate: "CERT", signature: "S" } });
  assert.equal(calls.at(-1).params.data, Buffer.from(text).toString("base64"));
  assert.equal(calls.at(-1).params.origin, "http://localhost:8080");
});

test("non-retryable host failure ends the request; page leaving cancels; timeout", async () => {
  const { svc, windows, sessionOf } = setup({ onAuth: () => { throw new CodedError("ERR_HOST_EXITED"); } });
  const pending = svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const session = sessionOf(windows[0]);
  await svc.handleConsent({ type: "consent:get", session });
  const r = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "x" });
  assert.equal(!r.ok && r.error.code, "ERR_HOST_EXITED");
  assert.equal("final" in r && r.final, true);
  const out = await pending;
  assert.equal(!out.ok && out.error.code, "ERR_HOST_EXITED");

  const abort = new AbortController();
  const left = svc.handlePage({ id: "2", action: "authenticate", params: { challenge: ch } }, { ...page, signal: abort.signal });
  await sleep(1);
  abort.abort();
  const l = await left;
  assert.equal(!l.ok && l.error.code, "ERR_USER_CANCELLED");
  await sleep(1);
  assert.equal(windows[1].open, false);

  const slow = await svc.handlePage({ id: "3", action: "authenticate", params: { challenge: ch, timeout: 1000 } }, page);
  assert.equal(!slow.ok && slow.error.code, "ERR_TIMEOUT");
  await sleep(1);
  assert.equal(windows[2].open, false);
  const stale = await svc.handleConsent({ type: "consent:get", session: sessionOf(windows[2]) });
  assert.equal(!stale.ok && stale.error.code, "ERR_TIMEOUT");
});

test("extension pages may use only the management commands", async () => {
  const { svc, calls } = setup();
  const list = await svc.handleExtension({ type: "host", command: "list-certificates" });
  assert.ok(list.ok);
  for (const command of ["authenticate", "sign", "rm -rf", undefined]) {
    const out = await svc.handleExtension({ type: "host", command, params: { origin: "https://x.sat.gob.mx" } });
    assert.equal(!out.ok && out.error.code, "ERR_UNKNOWN_COMMAND", String(command));
  }
  assert.deepEqual(calls.map((c) => c.command), ["list-certificates"]);
});

test("token final try: refused until confirmed, then confirmFinalTry reaches the host", async () => {
  const { svc, windows, calls, sessionOf } = setup({
    onAuth: (p) => {
      if (!p.confirmFinalTry) throw new CodedError("ERR_PIN_FINAL_TRY", "último");
      if (p.password !== "1234") throw new CodedError("ERR_PIN_INCORRECT", "mal", undefined, { triesLow: true });
      return { format: "efirma-auth:1", certificate: "C", algorithm: "RS256", signature: "S" };
    },
  });
  const pending = svc.handlePage({ id: "1", action: "authenticate", params: { challenge: ch } }, page);
  await sleep(1);
  const session = sessionOf(windows[0]);
  await svc.handleConsent({ type: "consent:get", session });
  const first = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "1234" });
  assert.equal(!first.ok && first.error.code, "ERR_PIN_FINAL_TRY");
  assert.equal(!first.ok && first.final, undefined, "the window stays open");
  assert.equal(calls.at(-1).params.confirmFinalTry, undefined, "not sent unless ticked");
  // Only a literal true counts.
  await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "1234", confirmFinalTry: "yes" });
  assert.equal(calls.at(-1).params.confirmFinalTry, undefined);
  const wrong = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "0000", confirmFinalTry: true });
  assert.deepEqual(!wrong.ok && wrong.error.details, { triesLow: true }, "details reach the consent window");
  const ok = await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "1234", confirmFinalTry: true });
  assert.ok(ok.ok);
  assert.equal(calls.at(-1).params.confirmFinalTry, true);
  assert.deepEqual(await pending, { ok: true, result: { format: "efirma-auth:1", certificate: "C", algorithm: "RS256", signature: "S" } });
});

test("a document is shown by name, type, size and SHA-256, signed as a CMS", async () => {
  const { svc, windows, calls, sessionOf } = setup({ onSign: () => ({ algorithm: "RS256", certificate: "CERT", cms: "MIIB" }) });
  const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0xe2, 0xe3, 0xcf, 0xd3, 0x00]);
  const document = { name: "contrato.pdf", mediaType: "application/pdf", data: pdf.toString("base64") };
  const pending = svc.handlePage({ id: "1", action: "sign", params: { format: "cms", document } }, page);
  await sleep(1);
  const session = sessionOf(windows[0]);
  const d = /** @type {any} */ (await svc.handleConsent({ type: "consent:get", session }));
  assert.deepEqual(d.result.items, [{ n: 1, name: "contrato.pdf", mediaType: "application/pdf", bytes: pdf.length, sha256: crypto.createHash("sha256").update(pdf).digest("hex"), text: null }]);
  await svc.handleConsent({ type: "consent:submit", session, certificateId: "fiel1", password: "12345678a" });
  assert.deepEqual(await pending, { ok: true, result: { algorithm: "RS256", certificate: "CERT", cms: "MIIB" } });
  assert.deepEqual(calls.at(-1).params, { origin: "http://localhost:8080", certificateId: "fiel1", password: "12345678a", format: "cms", document });
});

test("a batch shows every document whole, numbered", async () => {
  const { svc, windows, sessionOf } = setup();
  const docs = ["Acuse 1", "PODER NOTARIAL que otorgo a favor de…", "Acuse 3"];
  svc.handlePage({ id: "1", action: "sign", params: { documents: docs.map((x) => ({ data: Buffer.from(x).toString("base64") })) } }, page);
  await sleep(1);
  const d = /** @type {any} */ (await svc.handleConsent({ type: "consent:get", session: sessionOf(windows[0]) }));
  assert.deepEqual(d.result.items.map((/** @type {any} */ i) => [i.n, i.text]), docs.map((x, i) => [i + 1, x]));
});

test("no usable certificate: the reason, not ERR_USER_CANCELLED, when the window closes", async () => {
  const NEW = { ...FIEL, id: "new1", status: "not-yet-valid", notBefore: "2031-01-01T12:00:00Z" };
  const OLD2 = { ...OLD, id: "old2", notAfter: "2023-06-13T00:00:00Z" };
  /** @type {Array<[string, any[], "authenticate"|"sign", string | null, any]>} */
  const cases = [
    ["expired FIEL only", [OLD2], "authenticate", "ERR_CERT_EXPIRED", { notAfter: "2023-06-13T00:00:00Z" }],
    ["two expired: the newest date", [{ ...OLD, notAfter: "2021-01-01T00:00:00Z" }, OLD2], "authenticate", "ERR_CERT_EXPIRED", { notAfter: "2023-06-13T00:00:00Z" }],
    ["CSD only", [CSD], "authenticate", "ERR_NOT_FIEL", { type: "CSD" }],
    ["expired FIEL beside a CSD: renew", [CSD, OLD2], "authenticate", "ERR_CERT_EXPIRED", { notAfter: "2023-06-13T00:00:00Z" }],
    ["not valid yet", [NEW], "authenticate", "ERR_CERT_NOT_YET_VALID", { notBefore: "2031-01-01T12:00:00Z" }],
    ["different reasons", [OLD2, NEW, CSD], "authenticate", "ERR_NO_USABLE_CERTIFICATE", { reasons: ["ERR_CERT_EXPIRED", "ERR_CERT_NOT_YET_VALID"] }],
    ["no key on the token", [{ ...FIEL, usable: false }], "authenticate", "ERR_KEY_UNUSABLE", undefined],
    ["nothing stored", [], "authenticate", "ERR_CERT_NOT_FOUND", undefined],
    ["a CSD may sign", [CSD, OLD2], "sign", null, undefined],
    ["expired CSD cannot sign", [{ ...CSD, status: "expired", notAfter: "2023-06-13T00:00:00Z" }], "sign", "ERR_CERT_EXPIRED", { notAfter: "2023-06-13T00:00:00Z" }],
    ["one usable beside unusable ones", [FIEL, CSD, OLD2], "authenticate", null, undefined],
  ];
  for (const [name, certs, action, code, details] of cases) {
    const b = noUsable(certs, action);
    assert.equal(b ? b.code : null, code, name);
    assert.deepEqual(b ? b.details : undefined, details, name);
  }

  for (const how of ["close", "cancel", "timeout"]) {
    const { svc, windows, sessionOf, calls } = setup({ list: [CSD, OLD2] });
    const params = { challenge: ch, ...(how === "timeout" ? { timeout: 1000 } : {}) };
    const pending = svc.handlePage({ id: "1", action: "authenticate", params }, page);
    await sleep(1);
    const session = sessionOf(windows[0]);
    const d = /** @type {any} */ (await svc.handleConsent({ type: "consent:get", session }));
    assert.equal(d.result.blocked.code, "ERR_CERT_EXPIRED", how);
    assert.deepEqual(d.result.blocked.details, { notAfter: "2023-06-13T00:00:00Z" });
    assert.deepEqual(d.result.certificates.map((/** @type {any} */ c) => c.why), ["cert_why_csd", "cert_why_expired"], "each row says why");
    // A tampered window cannot send anyway, and gets the row's own reason.
    const sub = await svc.handleConsent({ type: "consent:submit", session, certificateId: "old2", password: "12345678a" });
    assert.equal(!sub.ok && sub.error.code, "ERR_CERT_EXPIRED");
    if (how === "close") svc.onWindowRemoved(windows[0].id);
    if (how === "cancel") await svc.handleConsent({ type: "consent:cancel", session });
    const out = await pending;
    assert.equal(!out.ok && out.error.code, "ERR_CERT_EXPIRED", how);
    assert.deepEqual(!out.ok && out.error.details, { notAfter: "2023-06-13T00:00:00Z" });
    assert.equal(calls.filter((c) => c.command === "authenticate").length, 0);
  }
});
