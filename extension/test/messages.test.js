// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { cannotSignIn, downloadUrl, hostParams, isBase64, isChallenge, previewText, selectable, startsReserved, validatePageRequest } from "../shared/messages.js";

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

test("preview shows text, hides binary and bidi tricks", () => {
  assert.deepEqual(previewText(b64("Cita: 2025-01-02\nSAT Centro")), { text: "Cita: 2025-01-02\nSAT Centro", bytes: 27, truncated: false });
  assert.deepEqual(previewText(b64("ñandú")), { text: "ñandú", bytes: 7, truncated: false });
  assert.deepEqual(previewText(Buffer.from([0xff, 0xfe, 0x00]).toString("base64")), { text: null, bytes: 3, truncated: false });
  assert.equal(previewText(b64("a\u0000b")).text, null);
  assert.equal(previewText(b64("pay \u202Eevil")).text, null);
  assert.deepEqual(previewText(b64("abcdef"), 3), { text: "abc", bytes: 6, truncated: true });
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
});
