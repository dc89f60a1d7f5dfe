// @ts-check
// Produces the store build of the extension: the same files without the
// development "key" (the Chrome Web Store and Edge Add-ons assign their own
// IDs), as a folder and as the zip to upload.
//
//   node extension/tools/build.mjs [out-dir]     (default: dist)
//   → <out-dir>/extension/ and <out-dir>/efirma-extension-<version>.zip

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const extensionRoot = path.resolve(here, "..");

/** Folders and files that are not part of the extension. */
const SKIP = new Set(["test", "tools", "node_modules"]);
const SKIP_EXT = [".go", ".md"];

/**
 * Lists the extension's files, relative paths with "/", sorted.
 * @param {string} root
 */
export function extensionFiles(root) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ rel) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
      const r = rel ? rel + "/" + e.name : e.name;
      if (e.isDirectory()) walk(r);
      else if (!SKIP_EXT.some((x) => e.name.endsWith(x))) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/** @type {Uint32Array | null} */
let crcTable = null;
/** @param {Uint8Array} buf */
export function crc32(buf) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Builds a zip (deflate, fixed 1980-01-01 timestamps so builds are
 * reproducible).
 * @param {Array<{name: string, data: Uint8Array}>} entries
 */
export function zip(entries) {
  /** @type {Buffer[]} */
  const parts = [];
  /** @type {Buffer[]} */
  const central = [];
  let offset = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, "utf8");
    const comp = zlib.deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(DOS_DATE, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, nameBuf);
    parts.push(local, nameBuf, comp);
    offset += local.length + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/**
 * Writes the store build into outDir and returns the zip's path.
 * @param {string} root  the extension folder
 * @param {string} outDir
 */
export function buildStore(root, outDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8"));
  delete manifest.key;
  const unpacked = path.join(outDir, "extension");
  fs.rmSync(unpacked, { recursive: true, force: true });
  /** @type {Array<{name: string, data: Uint8Array}>} */
  const entries = [];
  for (const rel of extensionFiles(root)) {
    const data = rel === "manifest.json" ? Buffer.from(JSON.stringify(manifest, null, 2) + "\n") : fs.readFileSync(path.join(root, rel));
    entries.push({ name: rel, data });
    fs.mkdirSync(path.dirname(path.join(unpacked, rel)), { recursive: true });
    fs.writeFileSync(path.join(unpacked, rel), data);
  }
  const zipPath = path.join(outDir, `efirma-extension-${manifest.version}.zip`);
  fs.writeFileSync(zipPath, zip(entries));
  return zipPath;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] || "dist");
  fs.mkdirSync(out, { recursive: true });
  console.log(buildStore(extensionRoot, out));
}
