// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { checkDocument, checkTexts, decodeText, markerText, segments } from "../shared/docview.js";
import { LIMITS } from "../shared/protocol.js";

const enc = (/** @type {string} */ s) => new TextEncoder().encode(s);

test("the text rule: UTF-8, no control characters but tab, CR and LF", () => {
  assert.equal(decodeText(enc("Acuse\tde\r\nrecibo ñ €")), "Acuse\tde\r\nrecibo ñ €");
  assert.equal(decodeText(enc("\ufeffcon BOM")), "\ufeffcon BOM", "the BOM is kept, and shown as a marker");
  for (const bad of [new Uint8Array([0xff]), new Uint8Array([0xc3]), enc("a\u0000"), enc("a\u001b[2J"), enc("a\u007f"), enc("a\u0085"), enc("\u000c")]) {
    assert.equal(decodeText(bad), null, JSON.stringify([...bad]));
  }
});

/** Renders segments the way the window does, as one string. */
const shown = (/** @type {string} */ s) => segments(s).map((x) => (x.kind === "text" ? x.text : markerText(x))).join("");

test("whitespace runs cannot push text out of sight", () => {
  // F-03: "AUTORIZO EL CARGO" after 3990 spaces, and after 300 line breaks.
  assert.equal(shown("Acuse de recibo." + " ".repeat(3990) + "AUTORIZO EL CARGO DE 50,000 MXN"), "Acuse de recibo.␣×3990AUTORIZO EL CARGO DE 50,000 MXN");
  assert.equal(shown("Acuse" + "\n".repeat(300) + "AUTORIZO"), "Acuse\n↵×300\nAUTORIZO");
  assert.equal(shown("Acuse" + "\r\n".repeat(5) + "X"), "Acuse\n↵×5\nX", "CRLF counts once");
  assert.equal(shown("a" + "\t".repeat(40) + "b"), "a⇥×40b");
  // Short runs stay as they are.
  assert.equal(shown("uno  dos   tres\n\nfin\tya"), "uno  dos   tres\n\nfin\tya");
});

test("invisible characters are shown by code point", () => {
  assert.equal(shown("pagar\u00a0100"), "pagar⟦U+00A0⟧100");
  assert.equal(shown("a\u200b\u200b\u200bb"), "a⟦U+200B ×3⟧b");
  assert.equal(shown("pay \u202eevil"), "pay ⟦U+202E⟧evil");
  assert.equal(shown("x\u{E0041}y"), "x⟦U+E0041⟧y");
  assert.equal(shown("\u2028"), "⟦U+2028⟧");
  // Ordinary text is untouched, including accents and emoji.
  assert.equal(shown("Señor Núñez 👍"), "Señor Núñez 👍");
});

test("too large to show is refused, not signed unseen", () => {
  const code = (/** @type {() => void} */ f) => {
    try {
      f();
      return "";
    } catch (e) {
      return /** @type {any} */ (e).code;
    }
  };
  assert.equal(code(() => checkTexts([new Uint8Array(LIMITS.MAX_TEXT_BYTES).fill(0x41)])), "");
  assert.equal(code(() => checkTexts([new Uint8Array(LIMITS.MAX_TEXT_BYTES + 1).fill(0x41)])), "ERR_MESSAGE_TOO_LARGE");
  const quarter = new Uint8Array(LIMITS.MAX_BATCH_TEXT_BYTES / 4).fill(0x41);
  assert.equal(code(() => checkTexts([quarter, quarter, quarter, quarter])), "");
  assert.equal(code(() => checkTexts([quarter, quarter, quarter, quarter, enc("x")])), "ERR_MESSAGE_TOO_LARGE");
  assert.equal(code(() => checkTexts([enc("ok"), new Uint8Array([0x30, 0x82])])), "ERR_DATA_NOT_TEXT");
  // A binary document may be large (shown by its facts); a text one may not.
  assert.equal(code(() => checkDocument(new Uint8Array(LIMITS.MAX_TEXT_BYTES + 1).fill(0xff))), "");
  assert.equal(code(() => checkDocument(new Uint8Array(LIMITS.MAX_TEXT_BYTES + 1).fill(0x41))), "ERR_MESSAGE_TOO_LARGE");
  assert.equal(code(() => checkDocument(new Uint8Array(LIMITS.MAX_DOCUMENT_BYTES + 1))), "ERR_MESSAGE_TOO_LARGE");
});
