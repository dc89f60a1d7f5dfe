// @ts-check
// Origin policy: which web origins may ask for the e.firma. The service worker
// applies it to the origin the browser reports for the sender (never to what
// the page says), before anything is opened.

import { PUBLIC_SUFFIX_RULES } from "./psl.js";

/** Portals allowed by default: SAT and IMSS, any subdomain, https only. */
export const DEFAULT_PORTALS = Object.freeze(["https://*.sat.gob.mx", "https://*.imss.gob.mx"]);

/** Development hosts, allowed over http only with the developer switch on. */
export const DEV_HOSTS = Object.freeze(["localhost", "127.0.0.1"]);

/** Answers of wildcardTooBroad so far (the domains of portal patterns: few). */
const wildcardAnswers = new Map();

/** @param {string} rule */
const listed = (rule) => PUBLIC_SUFFIX_RULES.includes("\n" + rule + "\n");

/**
 * Reports whether domain is a public suffix by the Public Suffix List
 * (psl.js: both its ICANN and its private sections) and its algorithm: an
 * exception rule ("!www.ck") matching it makes it registrable; else it is a
 * suffix when it is a rule itself ("com.mx", "github.io"), when a wildcard
 * rule covers it ("*.ck"), or when it has one label (the default rule).
 * @param {string} domain  lowercase ASCII (punycode), no trailing dot
 */
export function isPublicSuffix(domain) {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length; i++) {
    if (listed("!" + labels.slice(i).join("."))) return false;
  }
  if (labels.length === 1 || listed(domain)) return true;
  return listed("*." + labels.slice(1).join("."));
}

/**
 * Reports whether a public suffix lies below domain: a rule that is not an
 * exception ends with "." + domain ("s3.amazonaws.com" below
 * "amazonaws.com"; "*.kawasaki.jp" below "kawasaki.jp").
 * @param {string} domain
 */
function suffixBelow(domain) {
  const tail = "." + domain + "\n";
  for (let i = PUBLIC_SUFFIX_RULES.indexOf(tail); i >= 0; i = PUBLIC_SUFFIX_RULES.indexOf(tail, i + 1)) {
    if (PUBLIC_SUFFIX_RULES[PUBLIC_SUFFIX_RULES.lastIndexOf("\n", i) + 1] !== "!") return true;
  }
  return false;
}

/**
 * Reports whether "https://*.<domain>" would allow sites registered by
 * others: domain is a public suffix ("gob.mx", "github.io"), or one lies
 * below it ("amazonaws.com"). The Go policy kit (internal/psl
 * WildcardTooBroad) reads the same list with the same rules; both are
 * tested with test/psl-vectors.json.
 * @param {string} domain  lowercase ASCII (punycode), no trailing dot
 */
export function wildcardTooBroad(domain) {
  let answer = wildcardAnswers.get(domain);
  if (answer === undefined) {
    answer = isPublicSuffix(domain) || suffixBelow(domain);
    if (wildcardAnswers.size < 256) wildcardAnswers.set(domain, answer);
  }
  return answer;
}

/**
 * @typedef {object} Policy
 * @property {boolean} developerMode   the effective developer switch
 * @property {string[]} managedPortals  patterns listed by IT (managed storage)
 */

/**
 * @typedef {object} Decision
 * @property {boolean} allowed
 * @property {"default"|"managed"|"developer"|"bad-origin"|"developer-off"|"not-listed"} reason
 */

/**
 * Parses a serialized origin strictly: it must be exactly what URL.origin
 * would produce (no path, no trailing slash, lowercase, default port omitted).
 * @param {unknown} origin
 * @returns {URL | null}
 */
export function parseOrigin(origin) {
  if (typeof origin !== "string" || origin.length === 0 || origin.length > 300) return null;
  let u;
  try {
    u = new URL(origin);
  } catch {
    return null;
  }
  if (u.origin !== origin || (u.protocol !== "https:" && u.protocol !== "http:")) return null;
  return u;
}

/**
 * Reports whether a portal pattern matches an https origin. A pattern is
 * "https://host", "https://host:port" or "https://*.domain" (which also
 * matches "domain" itself, like Chrome's match patterns). Patterns that are
 * not of this form, and wildcards too broad ("https://*.gob.mx",
 * "https://*.amazonaws.com": wildcardTooBroad), match nothing.
 * @param {string} pattern
 * @param {URL} u
 */
export function patternMatches(pattern, u) {
  if (typeof pattern !== "string") return false;
  const m = /^https:\/\/(\*\.)?([a-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(pattern.trim().toLowerCase());
  if (!m || u.protocol !== "https:") return false;
  const [, wildcard, domain, port] = m;
  if (domain.startsWith(".") || domain.endsWith(".") || domain.includes("..")) return false;
  if (port !== undefined && u.port !== port) return false;
  if (wildcard && wildcardTooBroad(domain)) return false;
  if (wildcard) return u.hostname === domain || u.hostname.endsWith("." + domain);
  return u.hostname === domain;
}

/**
 * Decides whether origin may use the e.firma.
 * @param {unknown} origin
 * @param {Policy} policy
 * @returns {Decision}
 */
export function checkOrigin(origin, policy) {
  const u = parseOrigin(origin);
  if (!u) return { allowed: false, reason: "bad-origin" };
  if (u.protocol === "http:") {
    if (!DEV_HOSTS.includes(u.hostname)) return { allowed: false, reason: "not-listed" };
    return policy.developerMode
      ? { allowed: true, reason: "developer" }
      : { allowed: false, reason: "developer-off" };
  }
  if (DEFAULT_PORTALS.some((p) => patternMatches(p, u))) return { allowed: true, reason: "default" };
  if ((policy.managedPortals || []).some((p) => patternMatches(p, u))) {
    return { allowed: true, reason: "managed" };
  }
  return { allowed: false, reason: "not-listed" };
}

/**
 * Combines the local developer switch with IT's managed settings: a managed
 * developerMode (true or false) wins over the local switch; managed
 * allowedPortals adds to the defaults. Malformed managed values are ignored.
 * @param {Record<string, unknown>} local    chrome.storage.local values
 * @param {Record<string, unknown>} managed  chrome.storage.managed values
 * @returns {Policy}
 */
export function effectivePolicy(local, managed) {
  let developerMode = local.developerMode === true;
  if (typeof managed.developerMode === "boolean") developerMode = managed.developerMode;
  const managedPortals = Array.isArray(managed.allowedPortals)
    ? managed.allowedPortals.filter((p) => typeof p === "string").slice(0, 200)
    : [];
  return { developerMode, managedPortals };
}

/**
 * Reads the local developer switch and IT's managed settings and combines
 * them (effectivePolicy). Managed storage is absent on some platforms.
 * @param {{local: {get(keys: string[]): Promise<Record<string, unknown>>}, managed: {get(keys: string[]): Promise<Record<string, unknown>>}}} storage  chrome.storage
 * @returns {Promise<Policy>}
 */
export async function readPolicy(storage) {
  // Both at once: this runs on every page request.
  const [local, managed] = await Promise.all([
    storage.local.get(["developerMode"]),
    Promise.resolve()
      .then(() => storage.managed.get(["allowedPortals", "developerMode"]))
      .catch(() => ({})), // no managed storage on this platform
  ]);
  return effectivePolicy(local, managed);
}

/**
 * Remembers the last policy read (read(): readPolicy over chrome.storage)
 * until forget() is called, which the service worker does on every change
 * of the developer switch or of IT's managed settings: every page request
 * asks for the policy, and two storage reads are milliseconds the person
 * waits for. A read that fails is not remembered; a read that started
 * before a forget() is not remembered either.
 * @param {() => Promise<Policy>} read
 */
export function cachedPolicy(read) {
  /** @type {Promise<Policy> | null} */
  let last = null;
  return {
    /** @returns {Promise<Policy>} */
    get() {
      if (!last) {
        const p = read();
        last = p;
        p.catch(() => {
          if (last === p) last = null;
        });
      }
      return last;
    },
    forget() {
      last = null;
    },
  };
}
