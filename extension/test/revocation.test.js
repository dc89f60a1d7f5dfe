// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { revocationChecks } from "../shared/diagnostics.js";

const t = (/** @type {string} */ k, /** @type {string[]} */ subs = []) => `${k}${subs.length ? ":" + subs.join(",") : ""}`;

const fiel = { id: "file-1", type: "FIEL", status: "valid", rfc: "GOAM800101AB1", serial: "30001000000900000001" };
const csd = { id: "file-2", type: "CSD", status: "valid", rfc: "TCE010101AB2", serial: "30001000000900000003" };
const expired = { id: "file-3", type: "FIEL", status: "expired", rfc: "ROLJ750505CD3", serial: "30001000000900000004" };

/** A fake host that answers ocsp-request and ocsp-check; records calls. */
function fakeHost(/** @type {any} */ check, reqError = "") {
  /** @type {any[]} */
  const calls = [];
  const host = async (/** @type {string} */ command, /** @type {any} */ params) => {
    calls.push({ command, params });
    if (command === "ocsp-request") {
      if (reqError) return { ok: false, error: { code: reqError } };
      return { ok: true, result: { url: "https://cfdi.sat.gob.mx/edofiel", request: btoa("REQ"), contentType: "application/ocsp-request" } };
    }
    if (command === "ocsp-check") return { ok: true, result: check };
    return { ok: false, error: { code: "ERR_UNKNOWN_COMMAND" } };
  };
  return { host, calls };
}

test("only valid FIELs are checked, and the browser carries the request and the answer", async () => {
  const { host, calls } = fakeHost({ status: "good" });
  /** @type {any[]} */
  const posted = [];
  const post = async (/** @type {string} */ url, /** @type {Uint8Array} */ body, /** @type {string} */ ct) => {
    posted.push({ url, body: new TextDecoder().decode(body), ct });
    return new TextEncoder().encode("ANSWER");
  };
  const out = await revocationChecks([fiel, csd, expired], host, post, t);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "ok");
  assert.deepEqual(posted, [{ url: "https://cfdi.sat.gob.mx/edofiel", body: "REQ", ct: "application/ocsp-request" }]);
  const checkCall = calls.find((c) => c.command === "ocsp-check");
  assert.equal(atob(checkCall.params.response), "ANSWER");
  assert.equal(checkCall.params.certificateId, "file-1");
});

test("each answer maps to its status; nothing unverified is ok", async () => {
  const post = async () => new Uint8Array([1, 2, 3]);
  const cases = [
    [{ status: "revoked", revokedAt: "2026-01-02T03:04:05Z" }, "error", "diag_revocation_revoked:2026-01-02"],
    [{ status: "unknown" }, "warning", "diag_revocation_unknown"],
    [{ status: "invalid" }, "warning", "diag_revocation_invalid"],
    [{ status: "unavailable" }, "not-checked", "diag_revocation_offline"],
  ];
  for (const [answer, status, reason] of cases) {
    const { host } = fakeHost(answer);
    const [c] = await revocationChecks([fiel], host, post, t);
    assert.equal(c.status, status, JSON.stringify(answer));
    assert.equal(c.reason, reason);
  }
});

test("offline, no CA folder and oversized answers are not ok", async () => {
  const offline = async () => { throw new Error("net::ERR_INTERNET_DISCONNECTED"); };
  let [c] = await revocationChecks([fiel], fakeHost({ status: "good" }).host, offline, t);
  assert.equal(c.status, "not-checked");
  assert.equal(c.reason, "diag_revocation_offline");
  [c] = await revocationChecks([fiel], fakeHost({ status: "good" }, "ERR_ISSUER_UNKNOWN").host, offline, t);
  assert.equal(c.status, "not-checked");
  assert.equal(c.reason, "diag_revocation_noissuer");
  const huge = async () => new Uint8Array(70000);
  [c] = await revocationChecks([fiel], fakeHost({ status: "good" }).host, huge, t);
  assert.equal(c.status, "warning");
});
