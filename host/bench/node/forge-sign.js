// Unlock a SAT .key (PBES2 / 3DES) and sign with SHA256withRSA using
// node-forge, N times; prints the median milliseconds per unlock+sign and
// every time (the Go bench interleaves several runs of this with its own).
'use strict';
const fs = require('fs');
const forge = require('node-forge');
const [keyPath, password, nStr] = process.argv.slice(2);
const n = Number(nStr || 20);
const der = fs.readFileSync(keyPath).toString('binary');
const times = [];
let sig;
for (let i = 0; i < n; i++) {
  const t0 = process.hrtime.bigint();
  const asn1 = forge.asn1.fromDer(der);
  const info = forge.pki.decryptPrivateKeyInfo(asn1, password);
  const key = forge.pki.privateKeyFromAsn1(info);
  const md = forge.md.sha256.create();
  md.update('||cadena|original|' + i + '||', 'utf8');
  sig = key.sign(md);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
if (!sig || sig.length !== 256) { throw new Error('bad signature'); }
console.log(JSON.stringify({ medianMs: times[Math.floor(times.length / 2)], times }));
