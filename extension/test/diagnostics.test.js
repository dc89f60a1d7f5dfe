// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  answer, shortList, trustBrowser,
  MIN_BROWSER_VERSION, browserCheck, buildReport, compareVersions, hostChecks, hostDiagnose, initials, mask,
  maskSerial, maskText, portalsCheck, siteCheck, versionCheck, worst,
} from "../shared/diagnostics.js";
import { detectBrowser } from "../page/efirma.js";
import { root, translator } from "./helpers.js";

const t = translator("es");
const DEV_ID = "fclncbohcajgdancohmfmgoidklhkbce";

/** @param {string} name @param {number} version @param {string} [platform] */
const br = (name, version, platform = "Linux") => /** @type {any} */ ({ name, version, platform, mobile: false, headless: false });

test("mask mirrors host/doctor.Mask", () => {
  // The same table as the Go side: first four and last two kept.
  assert.equal(mask("EKU9003173C9"), "EKU9******C9");
  assert.equal(mask("XEXX010101HNEXXXA4"), "XEXX************A4");
  assert.equal(mask("ABCDEF"), "******");
  assert.equal(mask("ABC"), "***");
  assert.equal(mask(""), "");
  assert.equal(mask("ÑAÑO800101AB1"), "ÑAÑO*******B1");
  assert.equal(maskSerial("30001000000500003415"), "3000************3415");
  assert.equal(initials("ESCUELA KEMPER URGATE SA DE CV"), "E. K. U. S. D. C.");
  assert.equal(initials("  josé   Ñúñez "), "J. Ñ.");
});

test("maskText hides RFC, CURP, names, numbers, bytes, e-mails and home folders", () => {
  const cert = "MIIF" + "A".repeat(1200) + "==";
  const text = [
    "EKU9003173C9 (FIEL, 30001000000500003415)",
    "RFC representante MAPJ800101AB1, CURP MAPJ800101HDFRRN09",
    "Titular: Juan  Martínez Pérez, ESCUELA KEMPER URGATE SA DE CV",
    "subject CN=MARIA LOPEZ GARCIA, O=ACME",
    "archivo /home/juanperez/.config/efirma/x y C:\\Users\\jperez\\AppData",
    "correo juan.perez@example.com",
    "certificado " + cert,
    "token serial 0123456789abcdef0123",
  ].join("\n");
  const out = maskText(text, ["JUAN MARTÍNEZ PÉREZ", "ESCUELA KEMPER URGATE SA DE CV"]);
  for (const secret of ["EKU9003173C9", "30001000000500003415", "MAPJ800101AB1", "MAPJ800101HDFRRN09", "Martínez", "KEMPER", "MARIA LOPEZ", "juanperez", "jperez", "juan.perez@", cert.slice(0, 100), "0123456789abcdef0123"]) {
    assert.ok(!out.includes(secret), `${secret} leaked:\n${out}`);
  }
  for (const kept of ["EKU9******C9", "3000************3415", "MAPJ*******B1", "MAPJ************09", "J. M. P.", "E. K. U. S. D. C.", "CN=M. L. G.", "/home/***/.config/efirma", "j***@example.com", "[datos omitidos]"]) {
    assert.ok(out.includes(kept), `${kept} missing:\n${out}`);
  }
});

test("statuses rank like the host's", () => {
  assert.equal(worst([]), "ok");
  assert.equal(worst([{ status: "ok" }, { status: "not-checked" }]), "not-checked");
  assert.equal(worst([{ status: "warning" }, { status: "not-checked" }]), "warning");
  assert.equal(worst([{ status: "warning" }, { status: "error" }, { status: "ok" }]), "error");
  assert.equal(worst([{ status: "bogus" }]), "not-checked");
});

test("browser detection from brands and user agents", () => {
  const brands = (/** @type {string[][]} */ l) => ({ userAgent: "", userAgentData: { brands: l.map(([brand, version]) => ({ brand, version })), platform: "Windows", mobile: false } });
  assert.deepEqual(detectBrowser(brands([["Not_A Brand", "8"], ["Chromium", "120"], ["Google Chrome", "120"]])), { name: "Chrome", version: 120, platform: "Windows", mobile: false, headless: false });
  assert.equal(detectBrowser(brands([["Microsoft Edge", "121"], ["Chromium", "121"], ["Not A(Brand", "99"]])).name, "Edge");
  assert.equal(detectBrowser(brands([["Chromium", "119"], ["Not?A_Brand", "24"]])).name, "Chromium");
  assert.equal(detectBrowser(brands([["Brave", "120"], ["Chromium", "120"]])).name, "Brave");
  const ua = (/** @type {string} */ s) => detectBrowser({ userAgent: s });
  assert.deepEqual(
    ua("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36"),
    { name: "Chromium", version: 120, platform: "Linux", mobile: false, headless: true },
  );
  assert.equal(ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91").name, "Edge");
  assert.equal(ua("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0").name, "Firefox");
  assert.equal(ua("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15").name, "Safari");
  assert.equal(detectBrowser(undefined).name, "unknown");
});

test("browser check: Chrome/Edge ok, Chromium ok for development, old or other browsers not", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8"));
  assert.equal(String(MIN_BROWSER_VERSION), manifest.minimum_chrome_version);
  assert.equal(browserCheck(br("Chrome", 120), t).status, "ok");
  assert.equal(browserCheck(br("Edge", 120), t).status, "ok");
  const chromium = browserCheck(br("Chromium", 120), t);
  assert.equal(chromium.status, "ok");
  assert.match(chromium.reason, /Chromium 120 \(Linux\).*desarrollo/);
  const old = browserCheck(br("Chrome", 100), t);
  assert.equal(old.status, "error");
  assert.match(old.reason, /100.*116/);
  assert.ok(old.fix);
  assert.equal(browserCheck(br("Brave", 120), t).status, "warning");
  assert.equal(browserCheck(br("Firefox", 121), t).status, "error");
  assert.match(browserCheck(br("Firefox", 121), t).fix || "", /Chrome.*Edge/);
});

test("host checks map the browser's native-messaging errors", () => {
  const ok = hostChecks({ ok: true, result: { version: "1.2.0", protocol: 1 } }, br("Chrome", 120), DEV_ID, t);
  assert.deepEqual(ok.map((c) => [c.id, c.status]), [["host-installed", "ok"], ["host-allowed", "ok"], ["versions", "ok"]]);

  const notFound = hostChecks({ ok: false, error: { code: "ERR_HOST_NOT_FOUND" } }, br("Chromium", 120, "Linux"), DEV_ID, t);
  assert.deepEqual(notFound.map((c) => [c.id, c.status]), [["host-installed", "error"], ["host-allowed", "not-checked"], ["versions", "not-checked"]]);
  assert.match(notFound[0].fix || "", /efirma install/);
  assert.match(notFound[0].fix || "", /snap/, "Chromium on Linux hears about snap");
  const notFoundWin = hostChecks({ ok: false, error: { code: "ERR_HOST_NOT_FOUND" } }, br("Chrome", 120, "Windows"), DEV_ID, t);
  assert.doesNotMatch(notFoundWin[0].fix || "", /snap/);

  const forbidden = hostChecks({ ok: false, error: { code: "ERR_HOST_FORBIDDEN" } }, br("Chrome", 120), DEV_ID, t);
  assert.deepEqual(forbidden.map((c) => c.status), ["ok", "error", "not-checked"]);
  assert.ok(forbidden[1].reason.includes(DEV_ID) && (forbidden[1].fix || "").includes("--extension-id " + DEV_ID));

  const blocked = hostChecks({ ok: false, error: { code: "ERR_HOST_BLOCKED" } }, br("Edge", 120), DEV_ID, t);
  assert.deepEqual(blocked.map((c) => c.status), ["not-checked", "error", "not-checked"]);
  assert.match(blocked[1].fix || "", /NativeMessagingAllowlist/);

  const mismatch = hostChecks({ ok: false, error: { code: "ERR_VERSION_MISMATCH", details: { host: 2, extension: 1 } } }, br("Chrome", 120), DEV_ID, t);
  assert.equal(mismatch[2].status, "error");
  assert.match(mismatch[2].reason, /protocolo 2.*el 1/);

  const exited = hostChecks({ ok: false, error: { code: "ERR_HOST_START_FAILED", message: "No se pudo iniciar", hint: "Reinstale" } }, br("Chrome", 120), DEV_ID, t);
  assert.equal(exited[0].status, "error");
  assert.match(exited[0].reason, /ERR_HOST_START_FAILED/);
  assert.equal(exited[0].fix, "Reinstale");
});

test("versions: protocol must match, version at least the minimum, dev builds not compared", () => {
  assert.equal(compareVersions("v1.2.3", "1.2.3"), 0);
  assert.equal(compareVersions("0.9.9", "0.10.0"), -1);
  assert.equal(compareVersions("1.0.0-3-gabcdef", "0.1.0"), 1);
  assert.equal(compareVersions("dev", "0.1.0"), null);
  assert.equal(versionCheck({ version: "0.1.0", protocol: 1 }, t).status, "ok");
  assert.equal(versionCheck({ version: "0.0.9", protocol: 1 }, t).status, "error");
  assert.equal(versionCheck({ version: "1.0.0", protocol: 2 }, t).status, "error");
  const dev = versionCheck({ version: "dev", protocol: 1 }, t);
  assert.equal(dev.status, "not-checked");
  assert.match(dev.reason, /desarrollo/);
});

test("portals and site checks say who may add a site", () => {
  const policy = { developerMode: false, managedPortals: ["https://*.empresa.com.mx"] };
  const p = portalsCheck(policy, [], [], t);
  assert.equal(p.status, "ok");
  assert.ok(p.reason.includes("https://*.sat.gob.mx") && p.reason.includes("https://*.empresa.com.mx"));
  assert.equal(portalsCheck(policy, ["https://*.empresa.com.mx"], [], t).status, "warning");
  assert.equal(portalsCheck(policy, [], ["ftp://x"], t).status, "warning");

  assert.equal(siteCheck("https://portalsat.plataforma.sat.gob.mx/x?y", policy, true, t).status, "ok");
  assert.equal(siteCheck("https://rh.empresa.com.mx/login", policy, true, t).status, "ok");
  assert.equal(siteCheck("https://rh.empresa.com.mx/login", policy, false, t).status, "warning");
  const other = siteCheck("https://sat-gob-mx.example.com/", policy, false, t);
  assert.equal(other.status, "error");
  assert.match(other.title, /https:\/\/sat-gob-mx\.example\.com/);
  assert.match(other.fix || "", /TI.*allowedPortals/);
  assert.match(other.reason, /https:\/\/\*\.imss\.gob\.mx/);
  assert.equal(siteCheck("http://localhost:8080/", policy, true, t).status, "warning");
  assert.equal(siteCheck("http://localhost:8080/", { ...policy, developerMode: true }, true, t).status, "ok");
  // The site check asks the host: with development origins off there, a localhost portal fails.
  assert.equal(siteCheck("http://localhost:8080/", { ...policy, developerMode: true }, true, t, true).status, "ok");
  const refused = siteCheck("http://localhost:8080/", { ...policy, developerMode: true }, true, t, false);
  assert.equal(refused.status, "error");
  assert.ok(refused.fix);
  assert.equal(siteCheck("http://www.sat.gob.mx/", policy, true, t).status, "error");
  assert.equal(siteCheck("no es url", policy, true, t).status, "error");
});

test("host diagnose results are kept, unknown statuses become not-checked", () => {
  assert.deepEqual(hostDiagnose(null, t).map((c) => [c.id, c.status]), [["host-checks", "not-checked"]]);
  assert.deepEqual(hostDiagnose({ ok: false, error: { code: "ERR_UNKNOWN_COMMAND" } }, t).map((c) => c.status), ["not-checked"]);
  const got = hostDiagnose({ ok: true, result: { worst: "error", checks: [
    { id: "expired", status: "error", title: "T", reason: "R", fix: "F", certificate: "C" },
    { id: "clock", status: "weird", title: "T", reason: "R" },
    null,
  ] } }, t);
  assert.deepEqual(got, [
    { id: "expired", status: "error", title: "T", reason: "R", fix: "F", certificate: "C", from: "host" },
    { id: "clock", status: "not-checked", title: "T", reason: "R", from: "host" },
  ]);
});

/** A diagnose result as host/doctor builds it for the SAT test FIEL and a person's CSD. */
const SAMPLE = {
  worst: "error",
  checks: [
    { id: "clock", status: "ok", title: "Fecha y hora de la computadora", reason: "La hora coincide." },
    { id: "expired", status: "error", title: "Certificado MAPJ800101AB1 (FIEL, 30001000000500003416)", reason: "Venció el 2023-05-18.", fix: "Renueve su e.firma en el SAT.", certificate: "MAPJ800101AB1 (FIEL, 30001000000500003416)" },
    { id: "csd", status: "warning", title: "Certificado EKU9003173C9 (CSD, 30001000000500003415)", reason: "Es un sello digital.", fix: "Elija su e.firma.", certificate: "EKU9003173C9 (CSD, 30001000000500003415)" },
    { id: "pkcs11-token", status: "ok", title: "Token", reason: "Certificado CN=JUAN MARTINEZ PEREZ, SERIALNUMBER=MAPJ800101HDFRRN09 en el token." },
    { id: "source", status: "warning", title: "Archivos", reason: "no se pudo leer /home/jmartinez/.local/share/efirma/store" },
  ],
};

test("the report: Spanish, dated, every check, no full RFC/CURP/name/serial", () => {
  const checks = [
    browserCheck(br("Chrome", 120), t),
    ...hostChecks({ ok: true, result: { version: "1.0.0", protocol: 1 } }, br("Chrome", 120), DEV_ID, t),
    ...hostDiagnose({ ok: true, result: SAMPLE }, t),
  ];
  const report = buildReport({
    now: new Date(2025, 5, 1, 9, 30),
    browser: br("Chrome", 120),
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0",
    extension: { version: "0.1.0", id: DEV_ID },
    hello: { ok: true, result: { version: "1.0.0", protocol: 1 } },
    site: "https://portalsat.plataforma.sat.gob.mx",
    checks,
    names: ["JUAN MARTINEZ PEREZ", "ESCUELA KEMPER URGATE SA DE CV"],
  }, t);
  for (const line of ["Informe de diagnóstico — Conector e.firma", "Fecha: 2025-06-01 09:30", "Navegador: Google Chrome 120 (Linux)", `Extensión: 0.1.0 (ID ${DEV_ID})`,
    "Conector: versión 1.0.0, protocolo 1", "Resultado general: Error", "[Error] Certificado MAPJ*******B1 (FIEL, 3000************3416) (expired)",
    "Qué hacer: Renueve su e.firma en el SAT.", "[Advertencia]", "Sitio revisado: https://portalsat.plataforma.sat.gob.mx", "no incluye contraseñas"]) {
    assert.ok(report.includes(line), `missing ${JSON.stringify(line)} in:\n${report}`);
  }
  for (const secret of ["MAPJ800101AB1", "EKU9003173C9", "MAPJ800101HDFRRN09", "JUAN MARTINEZ", "30001000000500003415", "30001000000500003416", "jmartinez"]) {
    assert.ok(!report.includes(secret), `${secret} in:\n${report}`);
  }
  // One block per check.
  assert.equal((report.match(/^\[/gm) || []).length, checks.length);
});

test("the answer first: ready, or N problems and the first one's fix; a short checklist; trust what the browser saw", () => {
  const tt = (/** @type {string} */ k, /** @type {string[]} */ s = []) => k + (s.length ? ":" + s.join("|") : "");
  /** @type {import("../shared/diagnostics.js").Check[]} */
  const ok = [
    { id: "browser", status: "ok", title: "B", reason: "", from: "browser" },
    { id: "host-installed", status: "ok", title: "H", reason: "", from: "browser" },
    { id: "revocation", status: "not-checked", title: "R", reason: "offline", from: "host" },
  ];
  assert.deepEqual(answer(ok, tt), { ready: true, count: 0, text: "diag_ready" }, "not-checked is not a problem");
  const bad = [
    ...ok,
    { id: "csd", status: /** @type {const} */ ("warning"), title: "CSD", reason: "sello", fix: "elija", from: /** @type {const} */ ("host") },
    { id: "expired", status: /** @type {const} */ ("error"), title: "Vencida", reason: "venció", fix: "renueve", from: /** @type {const} */ ("host") },
  ];
  const a = answer(bad, tt);
  assert.equal(a.ready, false);
  assert.equal(a.text, "diag_problems:2");
  assert.equal(a.first?.id, "expired", "errors first");
  assert.equal(answer(bad.slice(0, 4), tt).text, "diag_problems_one");
  assert.deepEqual(shortList(bad, tt).map((g) => [g.group, g.status]), [["browser", "ok"], ["connector", "ok"], ["certificates", "error"]], "only groups with checks, worst status");
  const reg = [{ id: "host-registration", status: /** @type {const} */ ("error"), title: "Registro", reason: "no está registrado en ningún navegador", fix: "efirma install", from: /** @type {const} */ ("host") }];
  const trusted = trustBrowser(reg, true, tt);
  assert.equal(trusted[0].status, "ok");
  assert.equal(trusted[0].reason, "diag_registration_seen");
  assert.equal("fix" in trusted[0], false);
  assert.equal(trustBrowser(reg, false, tt)[0].status, "error", "not reached: the host's word stands");
});
