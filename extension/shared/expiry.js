// @ts-check
// Expiry warnings. The service worker asks the host for its certificates on
// start and once a day (chrome.alarms) and, 30, 7 and 1 days before an
// e.firma expires, shows a notification once per threshold per certificate
// (remembered in chrome.storage.local) with the renewal steps. The badge on
// the toolbar button shows the days left (or "!" once expired) for as long as
// that lasts.
//
// A renewed certificate replaces the old one: per RFC and type only the one
// that expires last counts, so importing the renewal silences the old
// warnings, and a new certificate starts with no threshold fired. Memory of
// certificates no longer listed is dropped.
//
// Free of chrome.* globals; background.js passes the APIs in.

/** Days before expiry at which a notification is shown. */
export const THRESHOLDS = Object.freeze([30, 7, 1]);
/** chrome.storage.local key of the thresholds already notified. */
export const STATE_KEY = "expiryNotified";
/** chrome.alarms name of the daily check. */
export const ALARM = "efirma-expiry";
/** Minutes between checks. */
export const PERIOD_MINUTES = 24 * 60;
/** Prefix of the notification IDs. */
export const NOTIFICATION_PREFIX = "efirma-expiry:";

export const BADGE_WARN = "#8a5a00";
export const BADGE_URGENT = "#b71c1c";

/**
 * @typedef {object} Cert  the fields of protocol CertInfo used here
 * @property {string} [id]
 * @property {string} [serial]
 * @property {string} [rfc]
 * @property {string} [type]
 * @property {string} [status]
 * @property {number} [daysLeft]
 * @property {string} [notAfter]
 */

/** @typedef {Record<string, Array<number|"expired">>} State  certificate key → what was notified */

/**
 * @typedef {object} Notice
 * @property {string} key
 * @property {Cert} cert
 * @property {number|"expired"} kind
 */

/** @param {Cert} c */
export function certKey(c) {
  return String(c.serial || c.id || "");
}

/**
 * The certificates that count: per RFC and type, the one that expires last
 * (a renewal replaces the old certificate). Not-yet-valid ones are left out.
 * @param {Cert[]} certs
 * @returns {Cert[]}
 */
export function current(certs) {
  /** @type {Map<string, Cert>} */
  const best = new Map();
  for (const c of certs) {
    if (!c || typeof c !== "object" || !certKey(c) || typeof c.daysLeft !== "number" || c.status === "not-yet-valid") continue;
    const g = `${c.rfc || ""}|${c.type || ""}`;
    const b = best.get(g);
    if (!b || /** @type {number} */ (c.daysLeft) > /** @type {number} */ (b.daysLeft)) best.set(g, c);
  }
  return [...best.values()];
}

/** @param {Cert} c */
function isExpired(c) {
  return c.status === "expired" || /** @type {number} */ (c.daysLeft) < 0;
}

/**
 * Decides which notifications to show now and the state to remember.
 * @param {Cert[]} certs  from list-certificates
 * @param {State} state   from storage (may be anything)
 * @returns {{notices: Notice[], state: State}}
 */
export function planExpiry(certs, state) {
  const prev = state && typeof state === "object" ? state : {};
  /** @type {State} */
  const next = {};
  /** @type {Notice[]} */
  const notices = [];
  for (const c of current(certs)) {
    const key = certKey(c);
    const fired = Array.isArray(prev[key]) ? [...prev[key]] : [];
    const d = /** @type {number} */ (c.daysLeft);
    if (isExpired(c)) {
      if (!fired.includes("expired")) {
        notices.push({ key, cert: c, kind: "expired" });
        fired.push("expired", ...THRESHOLDS.filter((x) => !fired.includes(x)));
      }
    } else {
      const crossed = THRESHOLDS.filter((x) => d <= x);
      if (crossed.length) {
        const kind = Math.min(...crossed);
        if (!fired.includes(kind)) {
          notices.push({ key, cert: c, kind });
          for (const x of crossed) if (!fired.includes(x)) fired.push(x);
        }
      }
    }
    if (fired.length) next[key] = fired;
  }
  return { notices, state: next };
}

/**
 * The badge for the certificates: the fewest days left within 30 days, or
 * "!" when one has expired; empty otherwise.
 * @param {Cert[]} certs
 * @param {(key: string, subs?: string[]) => string} t
 * @returns {{text: string, color: string, title: string}}
 */
export function badgeFor(certs, t) {
  const list = current(certs);
  const expired = list.filter(isExpired);
  if (expired.length) {
    return { text: "!", color: BADGE_URGENT, title: t("expiry_badge_expired", [expired.map((c) => c.rfc || "").join(", ")]) };
  }
  const soon = list.filter((c) => /** @type {number} */ (c.daysLeft) <= THRESHOLDS[0]).sort((a, b) => /** @type {number} */ (a.daysLeft) - /** @type {number} */ (b.daysLeft));
  if (!soon.length) return { text: "", color: BADGE_WARN, title: t("ext_name") };
  const d = /** @type {number} */ (soon[0].daysLeft);
  return {
    text: `${d}d`,
    color: d <= 7 ? BADGE_URGENT : BADGE_WARN,
    title: t("expiry_badge_soon", [soon[0].rfc || "", String(d)]),
  };
}

/**
 * The text of one notification (Spanish first), with the renewal steps.
 * @param {Notice} n
 * @param {(key: string, subs?: string[]) => string} t
 * @returns {{title: string, message: string}}
 */
export function noticeText(n, t) {
  const c = n.cert;
  const what = `${c.rfc || ""} (${t("cert_type_" + (c.type === "FIEL" || c.type === "CSD" ? c.type : "OTHER"))})`;
  const date = typeof c.notAfter === "string" ? c.notAfter.slice(0, 10) : "";
  if (n.kind === "expired") {
    return { title: t("expiry_title_expired"), message: t("expiry_message_expired", [what, date]) };
  }
  const d = /** @type {number} */ (c.daysLeft);
  const title = d <= 0 ? t("expiry_title_today") : d === 1 ? t("expiry_title_tomorrow") : t("expiry_title_days", [String(d)]);
  return { title, message: t("expiry_message", [what, date]) };
}

/**
 * @typedef {object} ExpiryDeps
 * @property {() => Promise<Cert[]>} list  the host's certificates (throws when the host is missing)
 * @property {{get: (key: string) => Promise<Record<string, any>>, set: (items: Record<string, any>) => Promise<void>}} storage  chrome.storage.local
 * @property {(id: string, opts: {type: "basic", iconUrl: string, title: string, message: string, priority?: number, requireInteraction?: boolean}) => Promise<unknown>} notify  chrome.notifications.create
 * @property {(b: {text: string, color: string, title: string}) => Promise<void>} badge  sets text, colour and title on chrome.action
 * @property {(key: string, subs?: string[]) => string} t
 * @property {string} iconUrl
 */

/**
 * One check: list, notify what is due, remember, set the badge. A missing
 * host is not an error here (the popup and Diagnóstico say so); the badge
 * and the memory are left as they were.
 * @param {ExpiryDeps} deps
 * @returns {Promise<{notices: Notice[]} | null>}  null when the host could not be asked
 */
export async function runExpiryCheck(deps) {
  /** @type {Cert[]} */
  let certs;
  try {
    const got = await deps.list();
    certs = Array.isArray(got) ? got : [];
  } catch {
    return null;
  }
  const stored = await deps.storage.get(STATE_KEY);
  const { notices, state } = planExpiry(certs, stored?.[STATE_KEY]);
  for (const n of notices) {
    const { title, message } = noticeText(n, deps.t);
    await deps.notify(NOTIFICATION_PREFIX + n.key + ":" + n.kind, {
      type: "basic",
      iconUrl: deps.iconUrl,
      title,
      message,
      priority: n.kind === "expired" || (typeof n.kind === "number" && n.kind <= 7) ? 2 : 1,
      requireInteraction: n.kind !== 30,
    });
  }
  await deps.storage.set({ [STATE_KEY]: state });
  await deps.badge(badgeFor(certs, deps.t));
  return { notices };
}

/**
 * @typedef {object} ChromeLike  the parts of chrome.* the wiring uses
 * @property {{onStartup: {addListener: (fn: () => void) => void}, onInstalled: {addListener: (fn: (d?: any) => void) => void}}} runtime
 * @property {{create: (name: string, info: {periodInMinutes: number, delayInMinutes?: number}) => unknown, get: (name: string) => Promise<any>, onAlarm: {addListener: (fn: (a: {name: string}) => void) => void}}} alarms
 * @property {{onClicked: {addListener: (fn: (id: string) => void) => void}, clear: (id: string) => unknown}} notifications
 */

/**
 * Wires the checks: on browser start, on install or update (which also
 * creates the daily alarm), on the alarm; a click on a notification opens
 * the given page. Returns the check function (for tests and re-runs).
 * @param {ChromeLike} chrome
 * @param {() => Promise<unknown>} check
 * @param {() => void} openPage
 */
export function setupExpiry(chrome, check, openPage) {
  const ensureAlarm = async () => {
    const have = await Promise.resolve(chrome.alarms.get(ALARM)).catch(() => null);
    if (!have) await chrome.alarms.create(ALARM, { periodInMinutes: PERIOD_MINUTES, delayInMinutes: PERIOD_MINUTES });
  };
  chrome.runtime.onStartup.addListener(() => {
    ensureAlarm();
    check();
  });
  chrome.runtime.onInstalled.addListener(() => {
    ensureAlarm();
    check();
  });
  chrome.alarms.onAlarm.addListener((a) => {
    if (a && a.name === ALARM) check();
  });
  chrome.notifications.onClicked.addListener((id) => {
    if (typeof id !== "string" || !id.startsWith(NOTIFICATION_PREFIX)) return;
    chrome.notifications.clear(id);
    openPage();
  });
  return check;
}
