// @ts-check
// The Diagnóstico page's logic, free of chrome.* globals so that node tests
// can drive it: the browser-side checks (browser, extension, host found and
// allowed, versions, allowed portals, one site), the merge with the host's
// "diagnose" checks, and the plain-text report for a help desk with personal
// data masked.
//
// Statuses rank like the host's (host/doctor): ok < not-checked < warning <
// error. A check that could not run says not-checked and why, never ok.
// Texts come from _locales through the t function given by the caller.

import { PROTOCOL_VERSION } from "./protocol.js";
import { DEFAULT_PORTALS, DEV_HOSTS, checkOrigin, parseOrigin } from "./origins.js";

/** Oldest Chrome/Edge major version supported; equals manifest.json's minimum_chrome_version (a test checks). */
export const MIN_BROWSER_VERSION = 116;

/** Oldest host (efirma) version this extension works with. */
export const MIN_HOST_VERSION = "0.1.0";

/** @typedef {"ok"|"not-checked"|"warning"|"error"} Status */

/**
 * @typedef {object} Check
 * @property {string} id
 * @property {Status} status
 * @property {string} title
 * @property {string} reason
 * @property {string} [fix]
 * @property {string} [certificate]
 * @property {"browser"|"host"} from  who ran it
 */

/** @typedef {(key: string, subs?: string[]) => string} Translate */

/** @typedef {import("../page/efirma.js").BrowserInfo} BrowserInfo */

export const STATUSES = Object.freeze(["ok", "not-checked", "warning", "error"]);

/** @param {unknown} s @returns {Status} */
export function normStatus(s) {
  return /** @type {Status} */ (STATUSES.includes(/** @type {string} */ (s)) ? s : "not-checked");
}

/**
 * The worst status of checks ("ok" for none).
 * @param {Array<{status: string}>} checks
 * @returns {Status}
 */
export function worst(checks) {
  let w = 0;
  for (const c of checks) w = Math.max(w, STATUSES.indexOf(normStatus(c.status)));
  return /** @type {Status} */ (STATUSES[w]);
}

/** @param {BrowserInfo} b */
export function browserLabel(b) {
  const names = { Chrome: "Google Chrome", Edge: "Microsoft Edge" };
  const name = /** @type {Record<string, string>} */ (names)[b.name] || (b.name === "unknown" ? "?" : b.name);
  return `${name}${b.version ? " " + b.version : ""}${b.platform ? " (" + b.platform + ")" : ""}${b.headless ? " headless" : ""}`;
}

/**
 * Check 1: the browser is Chrome or Edge (Chromium for development), recent
 * enough.
 * @param {BrowserInfo} b
 * @param {Translate} t
 * @returns {Check}
 */
export function browserCheck(b, t) {
  const label = browserLabel(b);
  const min = String(MIN_BROWSER_VERSION);
  const base = { id: "browser", title: t("diag_browser_title"), from: /** @type {const} */ ("browser") };
  const chromiumFamily = ["Chrome", "Edge", "Chromium"].includes(b.name);
  if (chromiumFamily && b.version > 0 && b.version < MIN_BROWSER_VERSION) {
    return { ...base, status: "error", reason: t("diag_browser_old", [label, min]), fix: t("diag_browser_old_fix") };
  }
  if (b.name === "Chrome" || b.name === "Edge") {
    return { ...base, status: "ok", reason: t("diag_browser_ok", [label, min]) };
  }
  if (b.name === "Chromium") {
    return { ...base, status: "ok", reason: t("diag_browser_chromium", [label, min]) };
  }
  if (["Opera", "Brave", "Vivaldi"].includes(b.name)) {
    return { ...base, status: "warning", reason: t("diag_browser_other_chromium", [label]), fix: t("diag_browser_fix") };
  }
  return { ...base, status: "error", reason: t("diag_browser_unsupported", [label]), fix: t("diag_browser_fix") };
}

/**
 * Check 2: the extension itself. On this page it is trivially there; the
 * page library reports ERR_EXTENSION_UNAVAILABLE when it is not.
 * @param {string} version
 * @param {string} id
 * @param {Translate} t
 * @returns {Check}
 */
export function extensionCheck(version, id, t) {
  return { id: "extension", from: "browser", status: "ok", title: t("diag_extension_title"), reason: t("diag_extension_ok", [version, id]) };
}

/**
 * Compares dotted versions ("v1.2.3", "1.2.3-4-gabc"): -1, 0, 1, or null
 * when either is not of that form (a development build such as "dev").
 * @param {string} a
 * @param {string} b
 * @returns {-1|0|1|null}
 */
export function compareVersions(a, b) {
  const parse = (/** @type {string} */ v) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(String(v).trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

/**
 * @typedef {{ok: true, result: {version?: unknown, protocol?: unknown}} |
 *           {ok: false, error?: {code: string, message?: string, hint?: string, details?: Record<string, unknown>}}} HelloOutcome
 */

/**
 * Checks 3, 4 and 5 from the answer to hello (or the browser's error when
 * the host could not be reached): host-installed, host-allowed, versions.
 * @param {HelloOutcome} hello
 * @param {BrowserInfo} b
 * @param {string} extensionId
 * @param {Translate} t
 * @returns {Check[]}
 */
export function hostChecks(hello, b, extensionId, t) {
  const from = /** @type {const} */ ("browser");
  const installed = { id: "host-installed", from, title: t("diag_host_title") };
  const allowed = { id: "host-allowed", from, title: t("diag_allowed_title") };
  const versions = { id: "versions", from, title: t("diag_versions_title") };
  const notReached = t("diag_not_reached");
  if (hello.ok) {
    const v = String(hello.result?.version ?? "");
    return [
      { ...installed, status: "ok", reason: t("diag_host_ok", [v]) },
      { ...allowed, status: "ok", reason: t("diag_allowed_ok") },
      versionCheck(hello.result, t),
    ];
  }
  const code = hello.error?.code || "ERR_HOST_UNAVAILABLE";
  const snap = b.platform === "Linux" && b.name === "Chromium" ? " " + t("diag_snap") : "";
  switch (code) {
    case "ERR_HOST_NOT_FOUND":
      return [
        { ...installed, status: "error", reason: t("diag_host_not_found", [browserLabel(b)]), fix: t("diag_host_not_found_fix") + snap },
        { ...allowed, status: "not-checked", reason: notReached },
        { ...versions, status: "not-checked", reason: notReached },
      ];
    case "ERR_HOST_FORBIDDEN":
      return [
        { ...installed, status: "ok", reason: t("diag_host_registered") },
        { ...allowed, status: "error", reason: t("diag_forbidden", [extensionId]), fix: t("diag_forbidden_fix", [extensionId]) },
        { ...versions, status: "not-checked", reason: notReached },
      ];
    case "ERR_HOST_BLOCKED":
      return [
        { ...installed, status: "not-checked", reason: t("diag_blocked_first") },
        { ...allowed, status: "error", reason: t("diag_blocked"), fix: t("diag_blocked_fix") },
        { ...versions, status: "not-checked", reason: notReached },
      ];
    case "ERR_VERSION_MISMATCH": {
      const hp = hello.error?.details?.host;
      return [
        { ...installed, status: "ok", reason: t("diag_host_answers") },
        { ...allowed, status: "ok", reason: t("diag_allowed_ok") },
        { ...versions, status: "error", reason: t("diag_protocol_mismatch", [String(hp ?? "?"), String(PROTOCOL_VERSION)]), fix: t("diag_versions_fix") },
      ];
    }
  }
  // The host was found but failed: say what the browser said.
  return [
    { ...installed, status: "error", reason: (hello.error?.message || code) + ` (${code})`, fix: hello.error?.hint || t("diag_host_not_found_fix") },
    { ...allowed, status: "not-checked", reason: notReached },
    { ...versions, status: "not-checked", reason: notReached },
  ];
}

/**
 * Check 5: the host's protocol equals ours and its version is at least
 * MIN_HOST_VERSION.
 * @param {{version?: unknown, protocol?: unknown}} hello
 * @param {Translate} t
 * @returns {Check}
 */
export function versionCheck(hello, t) {
  const base = { id: "versions", from: /** @type {const} */ ("browser"), title: t("diag_versions_title") };
  const v = String(hello?.version ?? "");
  if (hello?.protocol !== PROTOCOL_VERSION) {
    return { ...base, status: "error", reason: t("diag_protocol_mismatch", [String(hello?.protocol ?? "?"), String(PROTOCOL_VERSION)]), fix: t("diag_versions_fix") };
  }
  const c = compareVersions(v, MIN_HOST_VERSION);
  if (c === null) return { ...base, status: "not-checked", reason: t("diag_version_dev", [v, MIN_HOST_VERSION]) };
  if (c < 0) return { ...base, status: "error", reason: t("diag_version_old", [v, MIN_HOST_VERSION]), fix: t("diag_versions_fix") };
  return { ...base, status: "ok", reason: t("diag_versions_ok", [v, String(PROTOCOL_VERSION)]) };
}

/**
 * Check 14 (list): which portals may use the e.firma, and whether the
 * portals IT listed have the permission their content script needs.
 * @param {{developerMode: boolean, managedPortals: string[]}} policy
 * @param {string[]} missing  managed patterns without the site permission yet
 * @param {string[]} invalid  managed entries that are not valid patterns
 * @param {Translate} t
 * @returns {Check}
 */
export function portalsCheck(policy, missing, invalid, t) {
  const list = allowedList(policy);
  const base = { id: "portals", from: /** @type {const} */ ("browser"), title: t("diag_portals_title") };
  if (invalid.length) {
    return { ...base, status: "warning", reason: t("diag_portals_invalid", [invalid.join(", "), list.join(", ")]), fix: t("diag_portals_invalid_fix") };
  }
  if (missing.length) {
    return { ...base, status: "warning", reason: t("diag_portals_missing", [missing.join(", "), list.join(", ")]), fix: t("diag_portals_missing_fix") };
  }
  return { ...base, status: "ok", reason: t("diag_portals_ok", [list.join(", ")]) };
}

/**
 * The allowed list as shown: defaults, then IT's, then development hosts
 * when the developer switch is on.
 * @param {{developerMode: boolean, managedPortals: string[]}} policy
 */
export function allowedList(policy) {
  const out = [...DEFAULT_PORTALS, ...policy.managedPortals];
  if (policy.developerMode) out.push(...DEV_HOSTS.map((h) => `http://${h}`));
  return out;
}

/**
 * Check 14 (one site): may this site use the e.firma, and if not, who can
 * change that.
 * @param {string} site  a URL or origin (from ?site=)
 * @param {{developerMode: boolean, managedPortals: string[]}} policy
 * @param {boolean} permitted  the site has the permission its content script needs (always true for the defaults)
 * @param {Translate} t
 * @param {boolean} [hostDevOrigins]  what the host said in hello (undefined: not reached, or an older host)
 * @returns {Check}
 */
export function siteCheck(site, policy, permitted, t, hostDevOrigins) {
  let origin = "";
  try {
    origin = new URL(site).origin;
  } catch {
    origin = "";
  }
  const base = { id: "site", from: /** @type {const} */ ("browser"), title: t("diag_site_title", [origin || String(site).slice(0, 100)]) };
  if (!parseOrigin(origin)) return { ...base, status: "error", reason: t("diag_site_bad"), fix: t("diag_site_bad_fix") };
  const d = checkOrigin(origin, policy);
  switch (d.reason) {
    case "default":
      return { ...base, status: "ok", reason: t("diag_site_default") };
    case "managed":
      return permitted
        ? { ...base, status: "ok", reason: t("diag_site_managed") }
        : { ...base, status: "warning", reason: t("diag_site_managed_no_permission"), fix: t("diag_portals_missing_fix") };
    case "developer":
      // Ask the host too: it refuses development origins unless told.
      if (hostDevOrigins === false) return { ...base, status: "error", reason: t("diag_site_host_no_dev"), fix: t("diag_site_host_no_dev_fix") };
      return { ...base, status: "ok", reason: t("diag_site_developer") };
    case "developer-off":
      return { ...base, status: "warning", reason: t("diag_site_developer_off"), fix: t("diag_site_developer_off_fix") };
  }
  return { ...base, status: "error", reason: t("diag_site_not_listed", [allowedList(policy).join(", ")]), fix: t("diag_site_not_listed_fix") };
}

/**
 * The host's checks as this page shows them; a host that could not be asked
 * gives one not-checked item saying so.
 * @param {{ok: boolean, result?: any, error?: {code: string, message?: string}} | null} diagnose  null: host not reachable
 * @param {Translate} t
 * @returns {Check[]}
 */
export function hostDiagnose(diagnose, t) {
  const base = { id: "host-checks", from: /** @type {const} */ ("browser"), title: t("diag_host_checks_title") };
  if (!diagnose) return [{ ...base, status: "not-checked", reason: t("diag_host_checks_unreachable") }];
  if (!diagnose.ok) {
    const code = diagnose.error?.code || "ERR_INTERNAL";
    return [{ ...base, status: "not-checked", reason: t("diag_host_checks_failed", [code]), fix: t("diag_versions_fix") }];
  }
  const list = Array.isArray(diagnose.result?.checks) ? diagnose.result.checks : [];
  return list
    .filter((/** @type {any} */ c) => c && typeof c === "object")
    .map((/** @type {any} */ c) => {
      /** @type {Check} */
      const out = {
        id: typeof c.id === "string" ? c.id : "host",
        status: normStatus(c.status),
        title: typeof c.title === "string" ? c.title : "",
        reason: typeof c.reason === "string" ? c.reason : "",
        from: "host",
      };
      if (typeof c.fix === "string" && c.fix) out.fix = c.fix;
      if (typeof c.certificate === "string" && c.certificate) out.certificate = c.certificate;
      return out;
    });
}

// ---- The answer first ----------------------------------------------------

/**
 * The groups of the short checklist, in the order shown; a check whose id
 * is in none of them is about the person's certificates.
 * @type {ReadonlyArray<[string, ReadonlyArray<string>]>}
 */
export const GROUPS = Object.freeze([
  ["browser", ["browser", "extension"]],
  ["connector", ["host-installed", "host-allowed", "versions", "host-checks", "host-registration", "password"]],
  ["certificates", []],
  ["tokens", ["pkcs11-module", "pkcs11-token", "pin-locked", "pin-final-try", "pin-count-low"]],
  ["site", ["portals", "site"]],
  ["clock", ["clock"]],
]);

/** @param {string} id */
export function groupOf(id) {
  for (const [g, ids] of GROUPS) if (ids.includes(id)) return g;
  return "certificates";
}

/**
 * What the page says first: "ready" when no check is a warning or an
 * error, else how many problems there are and the first one (errors before
 * warnings, in checklist order) with its fix.
 * @param {Check[]} checks
 * @param {Translate} t
 * @returns {{ready: boolean, count: number, text: string, first?: Check}}
 */
export function answer(checks, t) {
  const problems = [...checks.filter((c) => c.status === "error"), ...checks.filter((c) => c.status === "warning")];
  if (problems.length === 0) return { ready: true, count: 0, text: t("diag_ready") };
  const n = problems.length;
  return { ready: false, count: n, text: n === 1 ? t("diag_problems_one") : t("diag_problems", [String(n)]), first: problems[0] };
}

/**
 * The short checklist: one line per group that has checks, with the worst
 * status of its checks.
 * @param {Check[]} checks
 * @param {Translate} t
 * @returns {Array<{group: string, status: Status, label: string}>}
 */
export function shortList(checks, t) {
  /** @type {Array<{group: string, status: Status, label: string}>} */
  const out = [];
  for (const [g] of GROUPS) {
    const mine = checks.filter((c) => groupOf(c.id) === g);
    if (mine.length) out.push({ group: g, status: worst(mine), label: t("diag_group_" + g) });
  }
  return out;
}

/**
 * Trusts what the browser has just seen: when the extension reached the
 * host, the host is registered for this browser, wherever the profile
 * lives — the host's own registration check (which looks only at the
 * default profile folders) cannot say otherwise.
 * @param {Check[]} checks
 * @param {boolean} reached  hello answered
 * @param {Translate} t
 * @returns {Check[]}
 */
export function trustBrowser(checks, reached, t) {
  if (!reached) return checks;
  return checks.map((c) => {
    if (c.id !== "host-registration" || c.status === "ok") return c;
    /** @type {Check} */
    const out = { ...c, status: "ok", reason: t("diag_registration_seen") };
    delete out.fix;
    return out;
  });
}

// ---- Masking -------------------------------------------------------------

/**
 * Hides most of an RFC or CURP: the first four and the last two characters
 * stay (the same rule as host/doctor.Mask).
 * @param {string} s
 */
export function mask(s) {
  const r = [...String(s)];
  if (r.length <= 6) return "*".repeat(r.length);
  return r.slice(0, 4).join("") + "*".repeat(r.length - 6) + r.slice(-2).join("");
}

/**
 * Hides the middle of a certificate number: the first and last four digits
 * stay.
 * @param {string} s
 */
export function maskSerial(s) {
  const r = [...String(s)];
  if (r.length <= 8) return "*".repeat(r.length);
  return r.slice(0, 4).join("") + "*".repeat(r.length - 8) + r.slice(-4).join("");
}

/**
 * A name reduced to initials: "JUAN PÉREZ LÓPEZ" → "J. P. L.".
 * @param {string} name
 */
export function initials(name) {
  return String(name)
    .split(/[\s,]+/)
    .filter((w) => /\p{L}/u.test(w))
    .map((w) => ([...w.replace(/^[^\p{L}]+/u, "")][0] || "").toUpperCase() + ".")
    .join(" ");
}

const L = "A-Za-zÑñ&";
// CURP: 4 letters, 6 digits, sex, 5 letters, 1 alphanumeric, 1 digit.
const CURP_RE = new RegExp(`(?<![${L}0-9])[${L}]{4}\\d{6}[HMXhmx][${L}]{5}[A-Za-z0-9]\\d(?![${L}0-9])`, "g");
// RFC: 3 (moral) or 4 (física) letters, 6 digits, 3 alphanumerics.
const RFC_RE = new RegExp(`(?<![${L}0-9])[${L}]{3,4}\\d{6}[A-Za-z0-9]{3}(?![${L}0-9])`, "g");
// Certificate numbers and other long digit runs (SAT's have 20 digits).
const SERIAL_RE = /(?<![0-9A-Za-z])\d{12,}(?![0-9A-Za-z])/g;
// Long hexadecimal identifiers (token serials, key ids, certificate ids).
const HEX_RE = /(?<![0-9A-Za-z])[0-9a-fA-F]{16,}(?![0-9A-Za-z])/g;
// Base64 runs long enough to be certificate bytes or keys.
const B64_RE = /[A-Za-z0-9+/]{80,}={0,2}/g;
// E-mail addresses.
const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// Home folders carry the account name.
const HOME_RE = /(\/home\/|\/Users\/|[A-Za-z]:\\Users\\)[^/\\\s"'<>]+/g;
// Subject common names in certificate text ("CN=JUAN PÉREZ, O=…").
const CN_RE = /\b(CN|OU|O|GN|SN)=([^,/\n]+)/g;

/** @param {string} s */
function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Masks personal data in free text: names (those given, and subject CN/O
 * values) to initials, CURP and RFC partly hidden, long numbers (certificate
 * numbers) partly hidden, long hex and base64 runs dropped, e-mails and home
 * folder names hidden.
 * @param {string} text
 * @param {string[]} [names]  people's and companies' names known to the caller
 */
export function maskText(text, names = []) {
  let s = String(text ?? "");
  const known = [...new Set(names.filter((n) => typeof n === "string" && n.trim().length >= 3).map((n) => n.trim()))].sort((a, b) => b.length - a.length);
  for (const n of known) {
    s = s.replace(new RegExp(escapeRe(n).replace(/\s+/g, "\\s+"), "giu"), initials(n));
  }
  s = s.replace(B64_RE, "[datos omitidos]");
  s = s.replace(CN_RE, (_, k, v) => `${k}=${initials(v)}`);
  s = s.replace(EMAIL_RE, (_, first, domain) => `${first}***@${domain}`);
  s = s.replace(HOME_RE, (_, root) => `${root}***`);
  s = s.replace(CURP_RE, (m) => mask(m));
  s = s.replace(RFC_RE, (m) => mask(m));
  s = s.replace(SERIAL_RE, (m) => maskSerial(m));
  s = s.replace(HEX_RE, (m) => maskSerial(m));
  return s;
}

// ---- Report --------------------------------------------------------------

/**
 * @typedef {object} ReportInput
 * @property {Date} now
 * @property {BrowserInfo} browser
 * @property {string} userAgent
 * @property {{version: string, id: string}} extension
 * @property {HelloOutcome} hello
 * @property {string} [site]
 * @property {Check[]} checks
 * @property {string[]} [names]  names to reduce to initials (from list-certificates)
 */

/**
 * The words for each status, in the UI language.
 * @param {Translate} t
 * @returns {Record<Status, string>}
 */
export function statusLabels(t) {
  return {
    ok: t("diag_status_ok"),
    "not-checked": t("diag_status_not_checked"),
    warning: t("diag_status_warning"),
    error: t("diag_status_error"),
  };
}

/** @param {number} n */
const two = (n) => String(n).padStart(2, "0");

/**
 * Builds the plain-text report for a help desk ("Copiar informe"). Every
 * line goes through maskText; nothing else is added, so passwords (which no
 * check carries) and certificate bytes never appear.
 * @param {ReportInput} r
 * @param {Translate} t
 */
export function buildReport(r, t) {
  const d = r.now;
  const offset = -d.getTimezoneOffset();
  const tz = `UTC${offset >= 0 ? "+" : "-"}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())} (${tz})`;
  const statusText = statusLabels(t);
  const host = r.hello.ok
    ? t("diag_report_host_ok", [String(r.hello.result?.version ?? "?"), String(r.hello.result?.protocol ?? "?")])
    : t("diag_report_host_missing", [r.hello.error?.code || "?"]);
  const lines = [
    t("diag_report_heading"),
    `${t("diag_report_date")}: ${date}`,
    `${t("diag_report_browser")}: ${browserLabel(r.browser)}`,
    `${t("diag_report_ua")}: ${r.userAgent}`,
    `${t("diag_report_extension")}: ${r.extension.version} (ID ${r.extension.id})`,
    `${t("diag_report_host")}: ${host}`,
  ];
  if (r.site) lines.push(`${t("diag_report_site")}: ${r.site}`);
  const w = worst(r.checks);
  lines.push(`${t("diag_report_overall")}: ${statusText[w]}`, "");
  for (const c of r.checks) {
    lines.push(`[${statusText[normStatus(c.status)]}] ${c.title} (${c.id})`);
    if (c.certificate) lines.push(`    ${t("diag_report_certificate")}: ${c.certificate}`);
    if (c.reason) lines.push(`    ${t("diag_report_reason")}: ${c.reason}`);
    if (c.fix) lines.push(`    ${t("diag_report_fix")}: ${c.fix}`);
  }
  lines.push("", t("diag_report_masked"));
  const names = r.names || [];
  // The extension ID and protocol lines carry no personal data but pass
  // through the same masking, which leaves them as they are.
  return lines.map((l) => maskText(l, names)).join("\n") + "\n";
}

// ---- Revocation (OCSP) ---------------------------------------------------

/** Bound for an OCSP answer (the host's protocol.MaxOCSPResponseBytes). */
export const MAX_OCSP_RESPONSE_BYTES = 65536;

/**
 * @typedef {(command: string, params?: object) => Promise<{ok: boolean, result?: any, error?: {code: string}}>} HostCall
 * @typedef {(url: string, body: Uint8Array, contentType: string) => Promise<Uint8Array>} Post
 */

/** @param {string} b64 */
function fromB64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** @param {Uint8Array} bytes */
function toB64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Revocation checks for the usable, valid FIELs: the host builds each OCSP
 * request, the browser POSTs it (with its own proxy settings; the host has
 * no network stack for this) and the host checks the answer. Offline, no
 * CA folder or a responder that says "try later" is not-checked, never ok.
 * @param {any[]} certs CertInfo list
 * @param {HostCall} host
 * @param {Post} post
 * @param {Translate} t
 * @returns {Promise<Check[]>}
 */
export async function revocationChecks(certs, host, post, t) {
  /** @type {Check[]} */
  const out = [];
  for (const c of certs) {
    if (!c || c.type !== "FIEL" || c.status !== "valid") continue;
    const label = `${c.rfc} (${c.serial})`;
    /** @type {Check} */
    const base = { id: "revocation", status: "not-checked", title: t("diag_revocation_title", [label]), reason: "", from: "host", certificate: label };
    const req = await host("ocsp-request", { certificateId: c.id });
    if (!req.ok) {
      // Not checked, and nothing a person can do about it here (no
      // "configure EFIRMA_CA_DIR" advice): the reason says why.
      out.push({ ...base, reason: req.error?.code === "ERR_ISSUER_UNKNOWN" ? t("diag_revocation_noissuer") : t("diag_revocation_offline") });
      continue;
    }
    /** @type {Uint8Array} */
    let answer;
    try {
      answer = await post(req.result.url, fromB64(req.result.request), req.result.contentType);
    } catch {
      out.push({ ...base, reason: t("diag_revocation_offline"), fix: t("diag_revocation_offline_fix") });
      continue;
    }
    if (answer.length === 0 || answer.length > MAX_OCSP_RESPONSE_BYTES) {
      out.push({ ...base, status: "warning", reason: t("diag_revocation_invalid"), fix: t("diag_revocation_offline_fix") });
      continue;
    }
    const chk = await host("ocsp-check", { certificateId: c.id, response: toB64(answer) });
    const st = chk.ok ? chk.result?.status : "";
    if (st === "good") out.push({ ...base, status: "ok", reason: t("diag_revocation_good") });
    else if (st === "revoked") out.push({ ...base, status: "error", reason: t("diag_revocation_revoked", [String(chk.result.revokedAt || "").slice(0, 10)]), fix: t("diag_revocation_revoked_fix") });
    else if (st === "unknown") out.push({ ...base, status: "warning", reason: t("diag_revocation_unknown"), fix: t("diag_revocation_unknown_fix") });
    else if (st === "invalid") out.push({ ...base, status: "warning", reason: t("diag_revocation_invalid"), fix: t("diag_revocation_offline_fix") });
    else out.push({ ...base, reason: t("diag_revocation_offline"), fix: t("diag_revocation_offline_fix") });
  }
  return out;
}

/**
 * POSTs an OCSP request with a timeout; the answer is read with a bound.
 * @type {Post}
 */
export async function postOCSP(url, body, contentType) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 8000);
  try {
    const resp = await fetch(url, { method: "POST", body, headers: { "Content-Type": contentType, Accept: "application/ocsp-response" }, signal: ctl.signal, credentials: "omit" });
    if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
    const buf = new Uint8Array(await resp.arrayBuffer());
    return buf;
  } finally {
    clearTimeout(timer);
  }
}
