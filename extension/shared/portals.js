// @ts-check
// Content script for the portals an IT department lists in managed storage
// (allowedPortals). The manifest declares the content script only for SAT,
// IMSS and localhost; any other portal needs, least privilege first:
//   1. IT lists it in allowedPortals (the origin check in the service worker
//      already honours that list);
//   2. the person grants the extension that one site (an optional host
//      permission, asked on a click in the Diagnóstico page or the popup;
//      Chrome has no policy that grants an optional permission silently);
//   3. the service worker registers content.js for exactly the listed and
//      granted patterns (chrome.scripting.registerContentScripts), and
//      re-syncs when the policy or the permissions change.
// This file is free of chrome.* globals: the service worker and the pages
// pass the APIs in, and node tests pass fakes.

import { DEFAULT_PORTALS, patternMatches, wildcardTooBroad } from "./origins.js";

/** ID of the dynamically registered content script. */
export const MANAGED_SCRIPT_ID = "efirma-managed-portals";

const PORTAL_RE = /^https:\/\/(\*\.)?([a-z0-9.-]+)(?::(\d{1,5}))?\/?$/;

/**
 * Turns an allowedPortals entry ("https://host", "https://host:port",
 * "https://*.domain") into a Chrome match pattern ("https://host:port/*"),
 * or null when the entry is not of that form or is a wildcard directly under
 * a public suffix ("https://*.com.mx").
 * @param {unknown} portal
 * @returns {string | null}
 */
export function toMatchPattern(portal) {
  if (typeof portal !== "string") return null;
  const m = PORTAL_RE.exec(portal.trim().toLowerCase());
  if (!m) return null;
  const [, wildcard, domain, port] = m;
  if (!domain || domain.startsWith(".") || domain.endsWith(".") || domain.includes("..") || !domain.includes(".")) return null;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  if (wildcard && wildcardTooBroad(domain)) return null;
  return `https://${wildcard || ""}${domain}${port ? ":" + port : ""}/*`;
}

/**
 * Reports whether a match pattern is already covered by the manifest's
 * content script (the default portals).
 * @param {string} pattern  from toMatchPattern
 */
export function coveredByDefaults(pattern) {
  const m = /^https:\/\/(\*\.)?([^/:]+)(?::\d+)?\/\*$/.exec(pattern);
  if (!m) return false;
  const [, wildcard, domain] = m;
  return DEFAULT_PORTALS.some((p) => {
    const u = new URL("https://" + domain);
    // A wildcard pattern is covered only if its whole domain is.
    return patternMatches(p, u) && (!wildcard || patternMatches(p, new URL("https://x." + domain)));
  });
}

/**
 * Splits IT's list into the match patterns that need a registered content
 * script and the entries that are invalid.
 * @param {string[]} managedPortals
 * @returns {{patterns: string[], invalid: string[]}}
 */
export function managedPatterns(managedPortals) {
  /** @type {string[]} */
  const patterns = [];
  /** @type {string[]} */
  const invalid = [];
  for (const p of managedPortals) {
    const m = toMatchPattern(p);
    if (!m) invalid.push(String(p));
    else if (!coveredByDefaults(m) && !patterns.includes(m)) patterns.push(m);
  }
  return { patterns, invalid };
}

/**
 * @typedef {object} PortalApis
 * @property {() => Promise<string[]>} managedPortals  the effective allowedPortals
 * @property {(origins: string[]) => Promise<boolean>} hasPermission  chrome.permissions.contains({origins})
 * @property {(ids: string[]) => Promise<Array<{id: string, matches?: string[]}>>} registered  chrome.scripting.getRegisteredContentScripts({ids})
 * @property {(scripts: object[]) => Promise<void>} register    chrome.scripting.registerContentScripts
 * @property {(ids: string[]) => Promise<void>} unregister      chrome.scripting.unregisterContentScripts({ids})
 */

/**
 * The managed patterns that have the permission, and those still missing it.
 * @param {string[]} managedPortals
 * @param {(origins: string[]) => Promise<boolean>} hasPermission
 */
export async function permissionState(managedPortals, hasPermission) {
  const { patterns, invalid } = managedPatterns(managedPortals);
  /** @type {string[]} */
  const granted = [];
  /** @type {string[]} */
  const missing = [];
  for (const p of patterns) {
    let ok = false;
    try {
      ok = await hasPermission([p]);
    } catch {
      ok = false;
    }
    (ok ? granted : missing).push(p);
  }
  return { granted, missing, invalid };
}

/**
 * Makes the registered content script match exactly the managed patterns
 * that are granted: registers, re-registers with the new list, or removes
 * it. Returns what is registered afterwards.
 * @param {PortalApis} api
 * @returns {Promise<string[]>}
 */
export async function syncManagedScript(api) {
  const { granted } = await permissionState(await api.managedPortals(), api.hasPermission);
  const current = (await api.registered([MANAGED_SCRIPT_ID]).catch(() => [])).find((s) => s.id === MANAGED_SCRIPT_ID);
  const have = current?.matches ? [...current.matches].sort() : null;
  const want = [...granted].sort();
  if (have && want.length && have.join("\n") === want.join("\n")) return want;
  if (have) await api.unregister([MANAGED_SCRIPT_ID]);
  if (want.length === 0) return [];
  await api.register([
    {
      id: MANAGED_SCRIPT_ID,
      matches: want,
      js: ["content.js"],
      runAt: "document_start",
      allFrames: false,
      persistAcrossSessions: true,
    },
  ]);
  return want;
}

/**
 * The match pattern to ask permission for so that one site works, when IT
 * listed it and it is not a default portal; null otherwise.
 * @param {string} origin
 * @param {string[]} managedPortals
 */
export function patternForSite(origin, managedPortals) {
  let u;
  try {
    u = new URL(origin);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" || DEFAULT_PORTALS.some((p) => patternMatches(p, u))) return null;
  for (const p of managedPortals) {
    const m = toMatchPattern(p);
    if (m && patternMatches(p, u)) return m;
  }
  return null;
}
