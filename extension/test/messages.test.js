// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cannotSignIn, downloadUrl, hostParams, isBase64, isChallenge, selectable, startsReserved, validatePageRequest } from "../shared/messages.js";
import { LIMITS } from "../shared/protocol.js";

const ch = "A".repeat(43);
const b64 = (/** @type {string} */ s) => Buffer.from(s, "utf8").toString("base64");

test("valid requests", () => {
  assert.deepEqual(validatePageRequest({ id: "1", action: "status" }), { id: "1", action: "status", timeoutMs: 120000 });
  assert.deepEqual(validatePageRequest({ id: "1", action: "authenticate", params: { challenge: ch, timeout: 5000 } }), {
    id: "1", action: "authenticate", timeoutMs: 5000, challenge: ch,
  });
  const s = validatePageRequest({ id: "x", action: "sign", params: { data: b64("hola"), description: "d".repeat(900) } });
  assert.equal(s.data, b64("hola"));
  assert.equal(s.description?.length, 500);
  const d = validatePageRequest({ id: "x", action: "sign", params: { documents: [{ data: b64("a") }, { data: b64("b") }] } });
  assert.deepEqual(d.documents, [b64("a"), b64("b")]);
  assert.equal(validatePageRequest({ id: "1", action: "status", params: { timeout: 1 } }).timeoutMs, 1000);
  assert.equal(validatePageRequest({ id: "1", action: "status", params: { timeout: 1e12 } }).timeoutMs, 600000);
});

test("bad requests get named errors", () => {
  /** @type {Array<[any, string]>} */
  const cases = [
    [null, "ERR_BAD_REQUEST"],
    ["status", "ERR_BAD_REQUEST"],
    [{ action: "status" }, "ERR_BAD_REQUEST"],
    [{ id: "x".repeat(65), action: "status" }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "diagnose" }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "status", params: [] }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "status", params: { timeout: "5" } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "status", params: { timeout: NaN } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "authenticate", params: {} }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "authenticate", params: { challenge: "short" } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "authenticate", params: { challenge: ch + "=" } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: {} }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { data: b64("a"), documents: [{ data: b64("a") }] } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { data: "not base64!" } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { data: "" } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { documents: [] } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { documents: [{ data: 5 }] } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { documents: [null] } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { data: b64("a"), description: 5 } }, "ERR_BAD_REQUEST"],
    [{ id: "1", action: "sign", params: { data: b64("efirma-auth:1\u0000xyz") } }, "ERR_DATA_RESERVED"],
    [{ id: "1", action: "sign", params: { documents: [{ data: b64("ok") }, { data: b64("efirma-auth:zz") }] } }, "ERR_DATA_RESERVED"],
    [{ id: "1", action: "sign", params: { documents: Array.from({ length: 1001 }, () => ({ data: b64("a") })) } }, "ERR_MESSAGE_TOO_LARGE"],
    [{ id: "1", action: "sign", params: { data: "A".repeat(16 * 1024 * 1024) } }, "ERR_MESSAGE_TOO_LARGE"],
  ];
  for (const [msg, code] of cases) {
    assert.throws(() => validatePageRequest(msg), { code }, JSON.stringify(msg)?.slice(0, 120));
  }
});

test("helpers", () => {
  assert.ok(isBase64("aG9sYQ=="));
  assert.ok(!isBase64("aG9sYQ="));
  assert.ok(!isBase64("aG9s YQ=="));
  assert.ok(isChallenge("a-_".repeat(11)));
  assert.ok(!isChallenge("a".repeat(129)));
  assert.ok(startsReserved(b64("efirma-auth:")));
  assert.ok(!startsReserved(b64("efirma-aut")));
  assert.deepEqual(hostParams({ id: "1", action: "authenticate", timeoutMs: 1, challenge: ch }, "https://a.sat.gob.mx", "c1", "pw"), {
    origin: "https://a.sat.gob.mx", challenge: ch, certificateId: "c1", password: "pw",
  });
  assert.deepEqual(hostParams({ id: "1", action: "sign", timeoutMs: 1, documents: ["QQ=="] }, "https://o", "c", "p"), {
    origin: "https://o", certificateId: "c", password: "p", documents: [{ data: "QQ==" }],
  });
  assert.deepEqual(hostParams({ id: "1", action: "sign", timeoutMs: 1, data: "QQ==" }, "https://o", "c", "p").data, "QQ==");
});

test("which certificates may be chosen", () => {
  const fiel = { status: "valid", type: "FIEL", usable: true };
  assert.deepEqual(selectable(fiel, "authenticate"), { selectable: true });
  assert.deepEqual(selectable({ ...fiel, status: "expired" }, "authenticate"), { selectable: false, why: "cert_why_expired" });
  assert.deepEqual(selectable({ ...fiel, status: "not-yet-valid" }, "sign"), { selectable: false, why: "cert_why_not_yet_valid" });
  assert.deepEqual(selectable({ ...fiel, status: "revoked" }, "sign"), { selectable: false, why: "cert_why_unknown_status" });
  assert.deepEqual(selectable({ ...fiel, type: "CSD" }, "authenticate"), { selectable: false, why: "cert_why_csd" });
  assert.deepEqual(selectable({ ...fiel, type: "CSD" }, "sign"), { selectable: true });
  assert.deepEqual(selectable({ ...fiel, type: "OTHER" }, "authenticate"), { selectable: false, why: "cert_why_not_fiel" });
  assert.deepEqual(selectable({ ...fiel, usable: false }, "sign"), { selectable: false, why: "cert_why_unusable" });
});

test("sign: data and batch documents are text only, whole; a document goes as a CMS", () => {
  const bin = (/** @type {number[]} */ b) => Buffer.from(b).toString("base64");
  /** @type {Array<[any, string]>} */
  const refused = [
    // The 231-byte SignedAttributes of the attack: DER, not text.
    [{ data: bin([0x31, 0x81, 0xe4, 0x30, 0x18]) }, "ERR_DATA_NOT_TEXT"],
    [{ data: b64("a\u0000b") }, "ERR_DATA_NOT_TEXT"],
    [{ data: b64("a\u0085b") }, "ERR_DATA_NOT_TEXT"],
    [{ data: bin([0xff, 0xfe, 0x41, 0x00]) }, "ERR_DATA_NOT_TEXT"],
    [{ documents: [{ data: b64("ok") }, { data: bin([0x30, 0x82]) }] }, "ERR_DATA_NOT_TEXT"],
    [{ data: b64("x".repeat(LIMITS.MAX_TEXT_BYTES + 1)) }, "ERR_MESSAGE_TOO_LARGE"],
    [{ documents: Array.from({ length: 5 }, () => ({ data: b64("x".repeat(LIMITS.MAX_BATCH_TEXT_BYTES / 4)) })) }, "ERR_MESSAGE_TOO_LARGE"],
    [{ format: "cms", document: { name: "a.xml", mediaType: "text/xml", data: b64("<a>" + "x".repeat(LIMITS.MAX_TEXT_BYTES) + "</a>") } }, "ERR_MESSAGE_TOO_LARGE"],
    [{ format: "cms", document: { name: "", mediaType: "application/pdf", data: bin([1]) } }, "ERR_BAD_REQUEST"],
    [{ format: "cms", document: { name: "a\nb.pdf", mediaType: "application/pdf", data: bin([1]) } }, "ERR_BAD_REQUEST"],
    [{ format: "cms", document: { name: "a.pdf", mediaType: "pdf", data: bin([1]) } }, "ERR_BAD_REQUEST"],
    [{ format: "cms", document: { name: "a.pdf", mediaType: "application/pdf", data: "" } }, "ERR_BAD_REQUEST"],
    [{ format: "cms", document: { name: "a.pdf", mediaType: "application/pdf", data: bin([1]) }, data: b64("x") }, "ERR_BAD_REQUEST"],
    [{ format: "raw", document: { name: "a.pdf", mediaType: "application/pdf", data: bin([1]) } }, "ERR_BAD_REQUEST"],
    [{ format: "cms" }, "ERR_BAD_REQUEST"],
  ];
  for (const [params, code] of refused) {
    assert.throws(() => validatePageRequest({ id: "1", action: "sign", params }), (/** @type {any} */ e) => e.code === code, JSON.stringify(params).slice(0, 80));
  }
  // Text with tabs, CR, LF, accents and invisible characters is text (the
  // window shows the invisible ones as markers).
  assert.ok(validatePageRequest({ id: "1", action: "sign", params: { data: b64("ñandú\t1\r\n2\u200b") } }).data);
  const pdf = bin([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
  const r = validatePageRequest({ id: "1", action: "sign", params: { format: "cms", document: { name: "contrato.pdf", mediaType: "application/pdf", data: pdf } } });
  assert.deepEqual(r.document, { name: "contrato.pdf", mediaType: "application/pdf", data: pdf });
  assert.deepEqual(hostParams(r, "https://o", "c", "p"), { origin: "https://o", certificateId: "c", password: "p", format: "cms", document: { name: "contrato.pdf", mediaType: "application/pdf", data: pdf } });
});

test("cannotSignIn: the consent window's reason, or empty for a valid FIEL", () => {
  const fiel = { type: "FIEL", status: "valid", usable: true };
  assert.equal(cannotSignIn(fiel), "");
  assert.equal(cannotSignIn({ ...fiel, type: "CSD" }), "cert_why_csd");
  assert.equal(cannotSignIn({ ...fiel, type: "OTHER" }), "cert_why_not_fiel");
  assert.equal(cannotSignIn({ ...fiel, status: "expired" }), "cert_why_expired");
  assert.equal(cannotSignIn({ ...fiel, status: "not-yet-valid" }), "cert_why_not_yet_valid");
  assert.equal(cannotSignIn({ ...fiel, usable: false }), "cert_why_unusable");
});

test("downloadUrl: only an https address from the policy", () => {
  assert.equal(downloadUrl("https://ti.example.gob.mx/efirma/"), "https://ti.example.gob.mx/efirma/");
  for (const bad of ["http://ti.example.gob.mx/", "javascript:alert(1)", "file:///C:/efirma.msi", "no es url", 42, undefined, "https://" + "a".repeat(2100)]) {
    assert.equal(downloadUrl(bad), "", String(bad));
  }
  const long = "https://ti.example.gob.mx/";
  assert.notEqual(downloadUrl(long + "a".repeat(2048 - long.length)), "", "2048 long");
  assert.equal(downloadUrl(long + "a".repeat(2049 - long.length)), "", "2049 long");
});

test("downloadUrl: the vectors efirma policy --download-url is tested with", () => {
  const v = JSON.parse(readFileSync(new URL("./download-urls.json", import.meta.url), "utf8"));
  for (const ok of v.accept) assert.notEqual(downloadUrl(ok), "", ok);
  for (const bad of v.reject) assert.equal(downloadUrl(bad), "", bad);
});
