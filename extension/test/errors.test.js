// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { ALL_CODES, CodedError, mapBrowserError, toWire } from "../shared/errors.js";

test("browser native-messaging errors map to codes", () => {
  /** @type {Array<[string, string]>} */
  const cases = [
    ["Specified native messaging host not found.", "ERR_HOST_NOT_FOUND"],
    ["Invalid native messaging host name specified.", "ERR_HOST_NOT_FOUND"],
    ["Access to the specified native messaging host is forbidden.", "ERR_HOST_FORBIDDEN"],
    ["Access to the native messaging host was disabled by the system administrator.", "ERR_HOST_BLOCKED"],
    ["Native messaging host mx.efirma.conector is blocked by policy", "ERR_HOST_BLOCKED"],
    ["Failed to start native messaging host.", "ERR_HOST_START_FAILED"],
    ["Native host has exited.", "ERR_HOST_EXITED"],
    ["Error when communicating with the native messaging host.", "ERR_HOST_BAD_MESSAGE"],
    ["something new", "ERR_HOST_UNAVAILABLE"],
    ["", "ERR_HOST_UNAVAILABLE"],
  ];
  for (const [text, code] of cases) assert.equal(mapBrowserError(text), code, text);
  assert.equal(mapBrowserError(undefined), "ERR_HOST_UNAVAILABLE");
});

test("toWire keeps the closed list and localizes", () => {
  const t = (/** @type {string} */ k) => ({ err_ERR_WRONG_PASSWORD: "Contraseña mal", hint_ERR_WRONG_PASSWORD: "Otra vez" })[k] || "";
  assert.deepEqual(toWire(new CodedError("ERR_WRONG_PASSWORD", "host text", "host hint"), t), {
    code: "ERR_WRONG_PASSWORD", message: "Contraseña mal", hint: "Otra vez",
  });
  // Without a translation the host's text stays.
  assert.deepEqual(toWire(new CodedError("ERR_PIN_LOCKED", "locked", "unlock", { a: 1 }), () => ""), {
    code: "ERR_PIN_LOCKED", message: "locked", hint: "unlock", details: { a: 1 },
  });
  // Invented codes and plain errors become ERR_INTERNAL without their text.
  assert.deepEqual(toWire(new CodedError("ERR_MADE_UP", "secret path /home/x")), { code: "ERR_INTERNAL", message: "ERR_INTERNAL" });
  assert.deepEqual(toWire(new TypeError("x is undefined")), { code: "ERR_INTERNAL", message: "ERR_INTERNAL" });
  assert.equal(toWire(null).code, "ERR_INTERNAL");
  assert.equal(new Set(ALL_CODES).size, ALL_CODES.length, "codes are unique");
});
