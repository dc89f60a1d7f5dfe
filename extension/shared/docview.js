// @ts-check
// What the consent window shows of what will be signed, in full (issue 11,
// F-02/F-03). The host signs only what the person could read there:
//  - a text (sign with data) and every text of a batch, whole: no "only
//    the beginning", no "the first of N";
//  - a document (sign with format "cms"): its file name, type, size and
//    SHA-256, and the content itself when its bytes are text (XML, TXT);
//    a binary document (PDF) cannot be shown here, and the host signs a
//    CMS structure it builds over that SHA-256.
// Runs of spaces, tabs and line breaks are shown as visible markers
// ("␣×3990") so that they cannot push text out of sight, and invisible
// characters (no-break and zero-width spaces, bidi controls) as
// "⟦U+200B⟧". The accept button waits until the end of the last document
// has been in view (renderDocuments' gate).
// Too large to show, refused before any window opens (validate in
// messages.js, the same limits in the host): a text over
// LIMITS.MAX_TEXT_BYTES, a batch whose texts pass LIMITS.MAX_BATCH_TEXT_BYTES
// together, a document over LIMITS.MAX_DOCUMENT_BYTES.
// The first half of this file is pure (node tests); renderDocuments takes the
// document and a translate function.

import { CodedError } from "./errors.js";
import { LIMITS } from "./protocol.js";

/** Shortest runs shown as a marker instead of as themselves. */
export const RUN_MARKER = Object.freeze({ spaces: 4, tabs: 2, newlines: 3 });

/**
 * Characters a person cannot see, shown as ⟦U+XXXX⟧: no-break and other
 * Unicode spaces, zero-width characters, bidi controls, soft hyphen,
 * fillers, variation selectors and tag characters.
 */
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00A0\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]|[\u{E0100}-\u{E01EF}]/u;

/**
 * Reports whether bytes are what "sign" signs as data (protocol.IsText):
 * valid UTF-8, no control character other than tab, CR and LF.
 * @param {Uint8Array} bytes
 */
export function isText(bytes) {
  return decodeText(bytes) !== null;
}

/**
 * Decodes bytes as text by the rule of isText, or returns null.
 * @param {Uint8Array} bytes
 * @returns {string | null}
 */
export function decodeText(bytes) {
  let s;
  try {
    s = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(s) ? null : s;
}

/** @param {string} b64 */
export function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * @typedef {{kind: "text", text: string} | {kind: "spaces"|"tabs"|"newlines", count: number} | {kind: "invisible", code: string, count: number}} Segment
 */

/**
 * Splits text into what is shown as it is and what is shown as a marker.
 * A line break is CRLF, CR or LF; short runs stay text (a run of
 * newlines keeps one line break before its marker and one after).
 * @param {string} text
 * @returns {Segment[]}
 */
export function segments(text) {
  /** @type {Segment[]} */
  const out = [];
  let plain = "";
  const flush = () => {
    if (plain) out.push({ kind: "text", text: plain });
    plain = "";
  };
  const chars = [...text];
  for (let i = 0; i < chars.length; ) {
    const c = chars[i];
    if (c === " " || c === "\t") {
      let j = i;
      while (j < chars.length && chars[j] === c) j++;
      const n = j - i;
      const kind = c === " " ? "spaces" : "tabs";
      if (n >= RUN_MARKER[kind]) {
        flush();
        out.push({ kind, count: n });
      } else {
        plain += c.repeat(n);
      }
      i = j;
      continue;
    }
    if (c === "\r" || c === "\n") {
      let j = i;
      let n = 0;
      while (j < chars.length && (chars[j] === "\r" || chars[j] === "\n")) {
        if (chars[j] === "\r" && chars[j + 1] === "\n") j++;
        j++;
        n++;
      }
      if (n >= RUN_MARKER.newlines) {
        plain += "\n";
        flush();
        out.push({ kind: "newlines", count: n });
        plain = "\n";
      } else {
        plain += "\n".repeat(n);
      }
      i = j;
      continue;
    }
    if (INVISIBLE.test(c)) {
      let j = i;
      while (j < chars.length && chars[j] === c) j++;
      flush();
      out.push({ kind: "invisible", code: "U+" + (c.codePointAt(0) || 0).toString(16).toUpperCase().padStart(4, "0"), count: j - i });
      i = j;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

/**
 * The marker text of a segment that is not plain text.
 * @param {Segment} s
 */
export function markerText(s) {
  switch (s.kind) {
    case "spaces":
      return `␣×${s.count}`;
    case "tabs":
      return `⇥×${s.count}`;
    case "newlines":
      return `↵×${s.count}`;
    case "invisible":
      return s.count > 1 ? `⟦${s.code} ×${s.count}⟧` : `⟦${s.code}⟧`;
  }
  return "";
}

/**
 * @typedef {object} Item
 * @property {number} n          1-based position
 * @property {string} [name]     file name (documents only)
 * @property {string} [mediaType]
 * @property {number} bytes
 * @property {string} sha256     hex
 * @property {string | null} text  the whole content when it is text
 */

/** @param {Uint8Array} bytes */
async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What the consent window shows for a validated sign request: one item per
 * text or document, each whole.
 * @param {{data?: string, documents?: string[], document?: {name: string, mediaType: string, data: string}}} req
 * @returns {Promise<Item[]>}
 */
export async function describeItems(req) {
  /** @type {Item[]} */
  const items = [];
  if (req.document) {
    const bytes = fromBase64(req.document.data);
    items.push({ n: 1, name: req.document.name, mediaType: req.document.mediaType, bytes: bytes.length, sha256: await sha256Hex(bytes), text: decodeText(bytes) });
    return items;
  }
  const list = req.documents || (req.data !== undefined ? [req.data] : []);
  for (const [i, b64] of list.entries()) {
    const bytes = fromBase64(b64);
    items.push({ n: i + 1, bytes: bytes.length, sha256: await sha256Hex(bytes), text: decodeText(bytes) });
  }
  return items;
}

/**
 * Refuses what cannot be signed as text or cannot be shown whole. texts
 * are the decoded bytes of data or of each batch document.
 * @param {Uint8Array[]} texts
 */
export function checkTexts(texts) {
  let total = 0;
  for (const b of texts) {
    if (!isText(b)) throw new CodedError("ERR_DATA_NOT_TEXT");
    if (b.length > LIMITS.MAX_TEXT_BYTES) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxTextBytes: LIMITS.MAX_TEXT_BYTES });
    total += b.length;
  }
  if (total > LIMITS.MAX_BATCH_TEXT_BYTES) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxBatchTextBytes: LIMITS.MAX_BATCH_TEXT_BYTES });
}

/**
 * Refuses a document too large to sign, or whose text is too long to show.
 * @param {Uint8Array} bytes
 */
export function checkDocument(bytes) {
  if (bytes.length > LIMITS.MAX_DOCUMENT_BYTES) throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxDocumentBytes: LIMITS.MAX_DOCUMENT_BYTES });
  if (bytes.length > LIMITS.MAX_TEXT_BYTES && isText(bytes)) {
    throw new CodedError("ERR_MESSAGE_TOO_LARGE", undefined, undefined, { maxTextBytes: LIMITS.MAX_TEXT_BYTES });
  }
}

/**
 * @typedef {object} ReadGate
 * @property {() => boolean} read  the end of the last document has been in view
 */

/**
 * Shows every item whole in container (a scrollable box the caller made
 * part of the page): for several, a numbered list first; each item with
 * its number, facts and content; an end mark last. onRead runs once, when
 * the end mark has been in view.
 * @param {Document} doc
 * @param {HTMLElement} container
 * @param {Item[]} items
 * @param {(key: string, subs?: string[]) => string} t
 * @param {() => void} onRead
 * @returns {ReadGate}
 */
export function renderDocuments(doc, container, items, t, onRead) {
  const el = (/** @type {string} */ tag, /** @type {string} */ cls = "", /** @type {string} */ text = "") => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  };
  container.textContent = "";
  container.classList.add("docview");
  container.tabIndex = 0; // scrollable with the keyboard
  const total = String(items.length);
  if (items.length > 1) {
    container.append(el("p", "docview-count", t("docview_documents", [total])));
    const index = el("ol", "docview-index");
    for (const it of items) {
      const li = el("li");
      const a = /** @type {HTMLAnchorElement} */ (el("a", "", t("docview_document_n", [String(it.n), total]) + " · " + t("docview_bytes", [String(it.bytes)])));
      a.href = "#documento-" + it.n;
      li.append(a);
      index.append(li);
    }
    container.append(index);
  }
  container.append(el("p", "docview-legend", t("docview_markers")));
  for (const it of items) {
    const section = el("section", "docview-item");
    section.id = "documento-" + it.n;
    section.dataset.n = String(it.n);
    section.append(el("h2", "", t("docview_document_n", [String(it.n), total])));
    const facts = el("dl", "docview-facts");
    /** @param {string} k @param {string} v */
    const fact = (k, v) => {
      facts.append(el("dt", "", k), el("dd", "", v));
    };
    if (it.name !== undefined) fact(t("docview_name"), it.name);
    if (it.mediaType !== undefined) fact(t("docview_type"), it.mediaType);
    fact(t("docview_size"), t("docview_bytes", [String(it.bytes)]));
    fact(t("docview_sha256"), it.sha256);
    section.append(facts);
    if (it.text === null) {
      section.append(el("p", "docview-binary", t("docview_binary")));
    } else {
      const pre = el("pre", "docview-text");
      for (const s of segments(it.text)) {
        if (s.kind === "text") pre.append(doc.createTextNode(s.text));
        else pre.append(el("span", "docview-marker docview-" + s.kind, markerText(s)));
      }
      section.append(pre);
    }
    container.append(section);
  }
  const end = el("p", "docview-end", t("docview_end"));
  container.append(end);
  let read = false;
  const done = () => {
    if (read) return;
    read = true;
    onRead();
  };
  // The end mark must be in view within the page and the box (the
  // viewport is the root, so the box's own clipping counts). Without
  // IntersectionObserver the box's scroll position decides.
  container.style.maxHeight = "45vh";
  container.style.overflowY = "auto";
  const view = doc.defaultView;
  if (view && "IntersectionObserver" in view) {
    const io = new view.IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          done();
        }
      },
      { threshold: 1.0 },
    );
    io.observe(end);
  } else {
    const check = () => {
      if (container.scrollTop + container.clientHeight >= container.scrollHeight - 2) done();
    };
    container.addEventListener("scroll", check);
    check();
  }
  return { read: () => read };
}
