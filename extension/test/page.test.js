// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { CODES, EfirmaError, createClient, makeError } from "../page/efirma.js";
import { ALL_CODES } from "../shared/errors.js";
import { FakePort, FakeWindow, loadContentScript, sleep } from "./helpers.js";

const installRelay = loadContentScript();
const ch = "Z".repeat(43);

/**
 * A page with the content script installed; the runtime answers with handler.
 * @param {(msg: any) => Promise<any> | any} handler  plays the service worker
 */
function pageWithExtension(handler, origin = "http://localhost:8080") {
  const win = new FakeWindow(origin);
  /** @type {FakePort[]} */
  const ports = [];
  const runtime = {
    connect: (/** @type {{name: string}} */ info) => {
      assert.equal(info.name, "efirma-page");
      const p = new FakePort();
      p.onPost = async (m) => {
        const out = await handler(m);
        if (out === "drop") p.drop();
        else if (out !== "never") p.deliver(out);
      };
      ports.push(p);
      return p;
    },
  };
  const uninstall = installRelay(win, runtime);
  return { win, ports, client: createClient(/** @type {any} */ (win)), uninstall };
}

test("authenticate round trip through the content script", async () => {
  /** @type {any[]} */
  const seen = [];
  const token = { format: "efirma-auth:1", certificate: "C", algorithm: "RS256", signature: "S" };
  const { client, win, ports } = pageWithExtension((m) => {
    seen.push(m);
    return { ok: true, result: token };
  });
  assert.deepEqual(await client.authenticate({ challenge: ch, timeout: 5000 }), token);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].action, "authenticate");
  assert.deepEqual(seen[0].params, { challenge: ch, timeout: 5000 });
  assert.equal("origin" in seen[0], false, "the page's view of the origin is not forwarded");
  assert.ok(ports[0].disconnected, "port closed after the answer");
  assert.deepEqual(win.posted, [], "the synchronous channel: nothing went by postMessage");
});

test("the request reaches the service worker in the caller's own task (the event channel), answers come as events", async () => {
  const token = { format: "efirma-auth:1", certificate: "C", algorithm: "RS256", signature: "S" };
  const { client, win, ports } = pageWithExtension(() => ({ ok: true, result: token }));
  /** @type {any[]} */
  const replies = [];
  win.addEventListener("efirma:reply", (/** @type {any} */ e) => replies.push(JSON.parse(e.detail)));
  const pending = client.authenticate({ challenge: ch });
  // No await yet: the content script took the event and opened its port.
  assert.equal(ports.length, 1, "connected before the caller's task ended");
  assert.equal(ports[0].sent[0].action, "authenticate");
  assert.deepEqual(await pending, token);
  assert.deepEqual(replies.map((r) => r.type), ["efirma:ack", "efirma:response"]);
});

test("an older extension (postMessage only): the library falls back to postMessage; an older library is still served, replies only to its origin", async () => {
  // Older extension: a relay that knows only window messages.
  const win = new FakeWindow("https://www.imss.gob.mx");
  win.addEventListener("message", (/** @type {any} */ e) => {
    const d = e.data;
    if (e.source !== win || d?.type !== "efirma:request") return;
    win.postMessage({ type: "efirma:ack", id: d.id, protocol: 1 }, e.origin);
    win.postMessage({ type: "efirma:response", id: d.id, ok: true, result: { extension: { version: "0.0.9" }, host: { available: true } } }, e.origin);
  });
  const r = await createClient(/** @type {any} */ (win)).status();
  assert.equal(r.extension.version, "0.0.9");
  assert.equal(win.posted[0].data.type, "efirma:request");
  // Older library: a postMessage request to today's content script.
  const { win: w2 } = pageWithExtension(() => ({ ok: true, result: 7 }));
  w2.postMessage({ type: "efirma:request", v: 1, id: "old-1", action: "status" }, "*");
  await sleep(20);
  const replies = w2.posted.filter((p) => p.data.type !== "efirma:request");
  assert.deepEqual(replies.map((p) => [p.data.type, p.target, p.data.result]), [["efirma:ack", "http://localhost:8080", undefined], ["efirma:response", "http://localhost:8080", 7]]);
});

test("content script leaves request events that are not ours alone (not taken, no answer)", async () => {
  let calls = 0;
  const { win } = pageWithExtension(() => {
    calls++;
    return { ok: true, result: 1 };
  });
  /** @type {any[]} */
  const replies = [];
  win.addEventListener("efirma:reply", (/** @type {any} */ e) => replies.push(e.detail));
  for (const detail of [{ type: "efirma:request", v: 1, id: "obj", action: "status" }, "{not json", JSON.stringify({ type: "other", v: 1, id: "t", action: "status" }), JSON.stringify({ type: "efirma:request", v: 1, id: "", action: "status" }), JSON.stringify({ type: "efirma:request", v: 1, id: "x".repeat(65), action: "status" }), JSON.stringify(null)]) {
    const taken = !win.dispatchEvent(new CustomEvent("efirma:request", { detail, cancelable: true }));
    assert.equal(taken, false, `taken: ${JSON.stringify(detail)}`);
  }
  await sleep(20);
  assert.equal(calls, 0);
  assert.deepEqual(replies, []);
  // A version the extension does not speak: taken, and answered as such.
  const taken = !win.dispatchEvent(new CustomEvent("efirma:request", { detail: JSON.stringify({ type: "efirma:request", v: 2, id: "v2", action: "status" }), cancelable: true }));
  assert.equal(taken, true);
  assert.equal(JSON.parse(replies[1]).error.code, "ERR_VERSION_MISMATCH");
  assert.equal(calls, 0);
});

test("sign encodes strings as UTF-8 base64, bytes as base64, documents as a batch", async () => {
  /** @type {any[]} */
  const seen = [];
  const { client } = pageWithExtension((m) => {
    seen.push(m);
    return { ok: true, result: { signature: "S", algorithm: "RS256", certificate: "C" } };
  });
  await client.sign({ data: "Cita ñ", description: "Solicitar cita" });
  assert.equal(seen[0].params.data, Buffer.from("Cita ñ", "utf8").toString("base64"));
  assert.equal(seen[0].params.description, "Solicitar cita");
  await client.sign({ data: new Uint8Array([0, 1, 255]) });
  assert.equal(seen[1].params.data, "AAH/");
  await client.sign({ documents: ["a", new Uint8Array([98]), { data: "c" }] });
  assert.deepEqual(seen[2].params.documents, [{ data: "YQ==" }, { data: "Yg==" }, { data: "Yw==" }]);
  const big = new Uint8Array(100000).fill(65);
  await client.sign({ data: big });
  assert.equal(Buffer.from(seen[3].params.data, "base64").length, 100000);
});

test("signDocument sends the file as format cms with its name and type", async () => {
  /** @type {any[]} */
  const seen = [];
  const { client } = pageWithExtension((m) => {
    seen.push(m);
    return { ok: true, result: { cms: "MIIB", algorithm: "RS256", certificate: "C" } };
  });
  const out = await client.signDocument({ document: { name: "contrato.pdf", mediaType: "application/pdf", data: new Uint8Array([37, 80, 68, 70, 0, 255]) }, description: "Contrato" });
  assert.deepEqual(out, { cms: "MIIB", algorithm: "RS256", certificate: "C" });
  assert.equal(seen[0].action, "sign");
  assert.deepEqual(seen[0].params.document, { name: "contrato.pdf", mediaType: "application/pdf", data: "JVBERgD/" });
  assert.equal(seen[0].params.format, "cms");
  assert.equal(seen[0].params.description, "Contrato");
  await assert.rejects(client.signDocument({ document: { name: "", mediaType: "application/pdf", data: "x" } }), { code: "ERR_BAD_REQUEST" });
  await assert.rejects(client.signDocument(/** @type {any} */ ({})), { code: "ERR_BAD_REQUEST" });
});

test("errors carry code, Spanish text by default and English on request", async () => {
  const { client } = pageWithExtension(() => ({ ok: false, error: { code: "ERR_USER_CANCELLED", message: "x" } }));
  await assert.rejects(client.authenticate({ challenge: ch }), (/** @type {any} */ e) => {
    assert.ok(e instanceof EfirmaError);
    assert.equal(e.code, "ERR_USER_CANCELLED");
    assert.equal(e.message, "Se canceló el uso de la e.firma.");
    assert.ok(e.hint.length > 0);
    return true;
  });
  await assert.rejects(client.authenticate({ challenge: ch, lang: "en" }), { code: "ERR_USER_CANCELLED", message: "The use of the e.firma was cancelled." });
  // A code this library does not know keeps the text that came with it.
  const { client: c2 } = pageWithExtension(() => ({ ok: false, error: { code: "ERR_FUTURE", message: "m", hint: "h" } }));
  await assert.rejects(c2.status(), { code: "ERR_FUTURE", message: "m", hint: "h" });
});

test("bad arguments are refused in the page", async () => {
  const { client, win } = pageWithExtension(() => assert.fail("nothing may be sent"));
  await assert.rejects(client.authenticate({ challenge: "short" }), { code: "ERR_BAD_REQUEST" });
  // @ts-ignore
  await assert.rejects(client.authenticate(), { code: "ERR_BAD_REQUEST" });
  await assert.rejects(client.sign({}), { code: "ERR_BAD_REQUEST" });
  await assert.rejects(client.sign({ data: "a", documents: ["b"] }), { code: "ERR_BAD_REQUEST" });
  // @ts-ignore
  await assert.rejects(client.sign({ data: 5 }), { code: "ERR_BAD_REQUEST" });
  await assert.rejects(client.sign({ documents: [] }), { code: "ERR_BAD_REQUEST" });
  // @ts-ignore
  await assert.rejects(client.sign({ data: "a", description: 3 }), { code: "ERR_BAD_REQUEST" });
  assert.equal(win.posted.length, 0);
});

test("no extension: ERR_EXTENSION_UNAVAILABLE after about a second", async () => {
  const win = new FakeWindow("https://www.sat.gob.mx");
  const client = createClient(/** @type {any} */ (win));
  const t0 = Date.now();
  await assert.rejects(client.status(), { code: "ERR_EXTENSION_UNAVAILABLE" });
  const took = Date.now() - t0;
  assert.ok(took >= 950 && took < 2000, `took ${took} ms`);
});

test("the service worker going away mid-request", async () => {
  const { client } = pageWithExtension(() => "drop");
  await assert.rejects(client.authenticate({ challenge: ch }), { code: "ERR_EXTENSION_UNAVAILABLE" });
});

test("the page's own timeout is a backstop", async () => {
  const { client } = pageWithExtension(() => "never");
  const t0 = Date.now();
  await assert.rejects(client.authenticate({ challenge: ch, timeout: 100 }), { code: "ERR_TIMEOUT" });
  assert.ok(Date.now() - t0 < 3000);
});

test("content script ignores other sources, other types and bad ids", async () => {
  let calls = 0;
  const { win } = pageWithExtension(() => {
    calls++;
    return { ok: true, result: 1 };
  });
  const frame = new FakeWindow("https://evil.example");
  win.postMessage({ type: "efirma:request", v: 1, id: "a", action: "status" }, "*", { source: frame, origin: "https://evil.example" });
  win.postMessage({ type: "efirma:request", v: 1, id: "b", action: "status" }, "*", { source: null });
  win.postMessage({ type: "other:request", v: 1, id: "c", action: "status" }, "*");
  win.postMessage({ type: "efirma:request", v: 1, id: 5, action: "status" }, "*");
  win.postMessage({ type: "efirma:request", v: 1, id: "x".repeat(65), action: "status" }, "*");
  win.postMessage("efirma:request", "*");
  await sleep(20);
  assert.equal(calls, 0);
  assert.equal(win.posted.filter((p) => p.data?.type === "efirma:ack").length, 0, "no ack for ignored messages");
});

test("content script replies only to event.origin and reports version mismatch", async () => {
  let calls = 0;
  const { win } = pageWithExtension(() => {
    calls++;
    return { ok: true, result: 1 };
  });
  win.postMessage({ type: "efirma:request", v: 2, id: "v", action: "status" }, "*");
  await sleep(20);
  const resp = win.posted.find((p) => p.data.type === "efirma:response" && p.data.id === "v");
  assert.equal(resp?.data.error.code, "ERR_VERSION_MISMATCH");
  assert.equal(resp?.target, "http://localhost:8080");
  assert.equal(calls, 0);
});

test("version mismatch reported by the extension's ack", async () => {
  const win = new FakeWindow("http://localhost:1");
  win.addEventListener("message", (/** @type {any} */ e) => {
    if (e.data.type === "efirma:request") win.postMessage({ type: "efirma:ack", id: e.data.id, protocol: 2 }, e.origin);
  });
  await assert.rejects(createClient(/** @type {any} */ (win)).status(), { code: "ERR_VERSION_MISMATCH" });
});

test("the library knows every code in Spanish and English", () => {
  assert.deepEqual([...CODES].sort(), [...ALL_CODES].sort());
  for (const code of CODES) {
    const es = makeError(code);
    const en = makeError(code, "en-US");
    assert.ok(es.message && es.hint && en.message && en.hint, code);
    assert.notEqual(es.message, en.message, code);
  }
});

test("explanations use details: tries, dates, PIN warning, the store for this browser", async () => {
  const { explain } = await import("../page/efirma.js");
  const wrong = makeError("ERR_WRONG_PASSWORD", "es", { details: { attempts: 2 } });
  assert.equal(wrong.message, "La contraseña de la llave privada no es correcta. Intentos fallidos en esta sesión: 2.");
  assert.deepEqual(wrong.details, { attempts: 2 });
  assert.match(makeError("ERR_WRONG_PASSWORD", "en", { details: { attempts: 3 } }).message, /Failed tries in this session: 3\.$/);
  // Nonsense details change nothing.
  assert.equal(makeError("ERR_WRONG_PASSWORD", "es", { details: { attempts: "2; drop" } }).message, "La contraseña de la llave privada no es correcta.");

  const expired = makeError("ERR_CERT_EXPIRED", "es", { details: { notAfter: "2024-01-31T12:00:00Z" } });
  assert.equal(expired.message, "Su e.firma venció el 31 de enero de 2024.");
  assert.match(expired.hint, /SAT ID.*cita/);
  assert.equal(makeError("ERR_CERT_EXPIRED", "en", { details: { notAfter: "2024-01-31T12:00:00Z" } }).message, "Your e.firma expired on January 31, 2024.");
  assert.equal(makeError("ERR_CERT_EXPIRED", "es", { details: { notAfter: "ayer" } }).message, "Su e.firma venció.");
  assert.equal(makeError("ERR_CERT_NOT_YET_VALID", "es", { details: { notBefore: "2030-03-02T12:00:00Z" } }).message, "Su e.firma es válida a partir del 2 de marzo de 2030.");

  const low = makeError("ERR_PIN_INCORRECT", "es", { details: { triesLow: true } });
  assert.match(low.hint, /^Quedan pocos intentos antes de que el token se bloquee\. Escriba el PIN/);
  assert.doesNotMatch(makeError("ERR_PIN_INCORRECT", "es", { details: { triesLow: false } }).hint, /pocos/);

  const edge = makeError("ERR_EXTENSION_UNAVAILABLE", "es", { details: { install: { store: "edge", name: "Microsoft Edge Add-ons", url: "https://microsoftedge.microsoft.com/addons/detail/x" } } });
  assert.match(edge.hint, /Microsoft Edge Add-ons \(https:\/\/microsoftedge\.microsoft\.com\/addons\/detail\/x\)/);
  assert.match(makeError("ERR_EXTENSION_UNAVAILABLE", "es", { details: { install: { store: null } } }).hint, /Google Chrome o Microsoft Edge/);

  assert.equal(explain("ERR_NOPE", {}, "es"), null);
  assert.deepEqual(new EfirmaError("X", "m").details, {}, "details is always an object");
});

test("no extension: the error says which store to install from, for this browser", async () => {
  for (const [ua, store] of /** @type {Array<[string, string|null]>} */ ([
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", "edge"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "chrome"],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", null],
  ])) {
    const win = new FakeWindow("https://www.sat.gob.mx");
    /** @type {any} */ (win).navigator = { userAgent: ua };
    await assert.rejects(createClient(/** @type {any} */ (win)).status(), (/** @type {any} */ e) => {
      assert.equal(e.code, "ERR_EXTENSION_UNAVAILABLE");
      assert.equal(e.details.install.store, store);
      if (store === "edge") assert.match(e.hint, /Microsoft Edge Add-ons/);
      if (store === "chrome") assert.match(e.hint, /Chrome Web Store/);
      if (store === null) assert.match(e.hint, /abra esta página en Google Chrome o Microsoft Edge/);
      // The store IDs are placeholders until publication: no broken link.
      assert.equal(e.details.install.url, "", "no link to a placeholder store page");
      assert.doesNotMatch(e.hint, /aaaaaaaa|bbbbbbbb|https:/);
      return true;
    });
  }
});

test("status() explains the host's error with its details", async () => {
  const { client } = pageWithExtension(() => ({ ok: true, result: { extension: { version: "0.1.0" }, host: { available: false, error: { code: "ERR_HOST_NOT_FOUND", message: "x" } } } }));
  const s = await client.status();
  assert.equal(s.host.error.code, "ERR_HOST_NOT_FOUND");
  assert.equal(s.host.error.message, "El conector e.firma no está instalado en este equipo.");
  assert.ok(s.host.error.hint.length > 0);
  assert.deepEqual(s.host.error.details, {});
});

test("the page library and the extension's catalogue say the same thing", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { root } = await import("./helpers.js");
  for (const lang of ["es", "en"]) {
    const m = JSON.parse(fs.readFileSync(path.join(root, "_locales", lang, "messages.json"), "utf8"));
    for (const code of CODES) {
      const e = makeError(code, lang);
      assert.equal(e.message, m["err_" + code]?.message, `${lang} err_${code}`);
      assert.equal(e.hint, m["hint_" + code]?.message, `${lang} hint_${code}`);
    }
  }
});

test("extension pages show the library's explanation; their own messages stay", async () => {
  const { explainError } = await import("../shared/ui.js");
  assert.deepEqual(explainError({ code: "ERR_WRONG_PASSWORD", message: "host text", details: { attempts: 3 } }, "es"), {
    message: "La contraseña de la llave privada no es correcta. Intentos fallidos en esta sesión: 3.",
    hint: makeError("ERR_WRONG_PASSWORD", "es").hint,
  });
  assert.deepEqual(explainError({ code: "", message: "Elija un certificado." }, "es"), { message: "Elija un certificado.", hint: "" });
  assert.deepEqual(explainError({ code: "ERR_FUTURE", message: "m", hint: "h" }, "es"), { message: "m", hint: "h" });
  // Without chrome.i18n (node) the language falls back to Spanish.
  assert.match(explainError({ code: "ERR_TIMEOUT", message: "" }).message, /Se agotó/);
});
