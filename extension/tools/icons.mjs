// @ts-check
// Draws the extension's icons (icons/icon-<size>.png): a guinda rounded
// square with a white check mark, anti-aliased. Checked in beside its
// output so the PNGs can be regenerated:
//
//   node extension/tools/icons.mjs

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { crc32 } from "./build.mjs";

export const SIZES = Object.freeze([16, 32, 48, 128]);

/**
 * Encodes RGBA pixels as a PNG.
 * @param {number} w
 * @param {number} h
 * @param {Uint8Array} rgba
 */
export function png(w, h, rgba) {
  const chunk = (/** @type {string} */ type, /** @type {Uint8Array} */ data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "ascii");
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(h * (1 + w * 4));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + w * 4)] = 0; // filter: none
    Buffer.from(rgba.subarray(y * w * 4, (y + 1) * w * 4)).copy(raw, y * (1 + w * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Distance from p to segment ab. */
function segDist(/** @type {number[]} */ p, /** @type {number[]} */ a, /** @type {number[]} */ b) {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const k = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - k * dx, py - ay - k * dy);
}

/**
 * Draws the icon at size s (coordinates on a unit square, 4×4 supersampled).
 * @param {number} s
 */
export function drawIcon(s) {
  const px = new Uint8Array(s * s * 4);
  const guinda = [0x69, 0x1c, 0x32];
  const n = 4;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      let cover = 0;
      let white = 0;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const u = (x + (i + 0.5) / n) / s;
          const v = (y + (j + 0.5) / n) / s;
          // Rounded square, radius 0.2.
          const r = 0.2;
          const cx = Math.min(Math.max(u, r), 1 - r);
          const cy = Math.min(Math.max(v, r), 1 - r);
          if (Math.hypot(u - cx, v - cy) > r) continue;
          cover++;
          const d = Math.min(segDist([u, v], [0.24, 0.52], [0.43, 0.71]), segDist([u, v], [0.43, 0.71], [0.78, 0.31]));
          if (d < 0.075) white++;
        }
      }
      const o = (y * s + x) * 4;
      const a = cover / (n * n);
      const w = cover ? white / cover : 0;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(guinda[c] * (1 - w) + 255 * w);
      px[o + 3] = Math.round(a * 255);
    }
  }
  return png(s, s, px);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "icons");
  fs.mkdirSync(dir, { recursive: true });
  for (const s of SIZES) fs.writeFileSync(path.join(dir, `icon-${s}.png`), drawIcon(s));
}
