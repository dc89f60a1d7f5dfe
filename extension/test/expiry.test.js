// @ts-check
import test from "node:test";
import assert from "node:assert/strict";
import { ALARM, NOTIFICATION_PREFIX, PERIOD_MINUTES, STATE_KEY, badgeFor, planExpiry, runExpiryCheck, setupExpiry } from "../shared/expiry.js";
import { translator } from "./helpers.js";

const t = translator("es");

/** A FIEL with daysLeft days to go. @param {number} daysLeft @param {string} [serial] */
const fiel = (daysLeft, serial = "30001000000500003416") => ({
  id: "id-" + serial, serial, rfc: "MAPJ800101AB1", type: "FIEL", daysLeft,
  status: daysLeft < 0 ? "expired" : "valid", notAfter: "2025-07-01T05:59:59Z",
});

/** Fakes for chrome.storage.local, chrome.notifications and the badge. */
function fakes() {
  /** @type {Record<string, any>} */
  const store = {};
  /** @type {Array<{id: string, opts: any}>} */
  const shown = [];
  /** @type {any[]} */
  const badges = [];
  /** @type {any[]} */
  let certs = [];
  let hostMissing = false;
  const deps = {
    list: async () => {
      if (hostMissing) throw new Error("ERR_HOST_NOT_FOUND");
      return certs;
    },
    storage: {
      get: async (/** @type {string} */ k) => (k in store ? { [k]: structuredClone(store[k]) } : {}),
      set: async (/** @type {Record<string, any>} */ items) => void Object.assign(store, structuredClone(items)),
    },
    notify: async (/** @type {string} */ id, /** @type {any} */ opts) => void shown.push({ id, opts }),
    badge: async (/** @type {any} */ b) => void badges.push(b),
    t,
    iconUrl: "chrome-extension://x/icons/icon-128.png",
  };
  return {
    deps, store, shown, badges,
    /** @param {any[]} c */ setCerts: (c) => void (certs = c),
    /** @param {boolean} v */ setHostMissing: (v) => void (hostMissing = v),
  };
}

test("each threshold fires once, in order, as days pass", async () => {
  const f = fakes();
  /** @type {Array<[number, string[]]>} */
  const days = [[45, []], [30, ["30"]], [29, []], [20, []], [7, ["7"]], [6, []], [2, []], [1, ["1"]], [1, []], [0, []]];
  for (const [d, want] of days) {
    f.setCerts([fiel(d)]);
    const before = f.shown.length;
    await runExpiryCheck(f.deps);
    const got = f.shown.slice(before).map((s) => s.id.split(":").pop());
    assert.deepEqual(got, want, `day ${d}`);
  }
  assert.equal(f.shown.length, 3);
  const [n30, n7, n1] = f.shown;
  assert.equal(n30.id, NOTIFICATION_PREFIX + "30001000000500003416:30");
  assert.equal(n30.opts.title, "Su e.firma vence en 30 días");
  assert.equal(n7.opts.title, "Su e.firma vence en 7 días");
  assert.equal(n1.opts.title, "Su e.firma vence mañana");
  for (const n of f.shown) {
    assert.equal(n.opts.type, "basic");
    assert.equal(n.opts.iconUrl, "chrome-extension://x/icons/icon-128.png");
    assert.match(n.opts.message, /MAPJ800101AB1 \(e\.firma \(FIEL\)\) vence el 2025-07-01/);
    assert.match(n.opts.message, /SAT ID.*en persona con cita/);
  }
  assert.deepEqual(f.store[STATE_KEY], { "30001000000500003416": [30, 7, 1] });
});

test("a first check inside a threshold fires only that one, not the ones before", async () => {
  const f = fakes();
  f.setCerts([fiel(5)]);
  await runExpiryCheck(f.deps);
  assert.deepEqual(f.shown.map((s) => s.id.split(":").pop()), ["7"]);
  f.setCerts([fiel(4)]);
  await runExpiryCheck(f.deps);
  assert.equal(f.shown.length, 1, "30 is not shown late");
});

test("expired: one notification, badge !, shown as expired", async () => {
  const f = fakes();
  f.setCerts([fiel(-3)]);
  await runExpiryCheck(f.deps);
  await runExpiryCheck(f.deps);
  assert.equal(f.shown.length, 1);
  assert.equal(f.shown[0].id, NOTIFICATION_PREFIX + "30001000000500003416:expired");
  assert.equal(f.shown[0].opts.title, "Su e.firma venció");
  assert.match(f.shown[0].opts.message, /venció el 2025-07-01.*SAT ID/);
  assert.deepEqual(f.badges.at(-1), { text: "!", color: "#b71c1c", title: "e.firma vencida: MAPJ800101AB1" });
});

test("a renewed certificate replaces the old one: old warnings stop, new one starts fresh", async () => {
  const f = fakes();
  f.setCerts([fiel(6, "OLD")]);
  await runExpiryCheck(f.deps);
  assert.deepEqual(f.shown.map((s) => s.id), [NOTIFICATION_PREFIX + "OLD:7"]);
  assert.equal(f.badges.at(-1).text, "6d");
  // The person imports the renewal (4 years) and keeps the old one for a while.
  f.setCerts([fiel(6, "OLD"), fiel(1460, "NEW")]);
  await runExpiryCheck(f.deps);
  f.setCerts([fiel(0, "OLD"), fiel(1454, "NEW")]);
  await runExpiryCheck(f.deps);
  f.setCerts([fiel(-1, "OLD"), fiel(1453, "NEW")]);
  await runExpiryCheck(f.deps);
  assert.equal(f.shown.length, 1, "no more warnings for the replaced certificate");
  assert.equal(f.badges.at(-1).text, "", "badge cleared");
  assert.deepEqual(f.store[STATE_KEY], {}, "the old certificate's memory is gone");
  // Years later the renewal nears its own expiry: its thresholds fire.
  f.setCerts([fiel(30, "NEW")]);
  await runExpiryCheck(f.deps);
  assert.deepEqual(f.shown.slice(1).map((s) => s.id), [NOTIFICATION_PREFIX + "NEW:30"]);
});

test("certificates of different RFCs or types are tracked apart", async () => {
  const f = fakes();
  const csd = { ...fiel(20, "CSD1"), type: "CSD" };
  const other = { ...fiel(3, "P2"), rfc: "EKU9003173C9" };
  f.setCerts([fiel(500), csd, other, { ...fiel(10, "NYV"), status: "not-yet-valid" }]);
  await runExpiryCheck(f.deps);
  assert.deepEqual(f.shown.map((s) => s.id.slice(NOTIFICATION_PREFIX.length)).sort(), ["CSD1:30", "P2:7"]);
  assert.equal(f.badges.at(-1).text, "3d");
  assert.equal(f.badges.at(-1).color, "#b71c1c");
});

test("host missing: nothing shown, memory and badge untouched", async () => {
  const f = fakes();
  f.setCerts([fiel(7)]);
  await runExpiryCheck(f.deps);
  f.setHostMissing(true);
  assert.equal(await runExpiryCheck(f.deps), null);
  assert.equal(f.badges.length, 1);
  assert.deepEqual(f.store[STATE_KEY], { "30001000000500003416": [30, 7] });
});

test("planExpiry ignores junk in storage and in the list", () => {
  // @ts-ignore
  const { notices, state } = planExpiry([null, { id: "x" }, fiel(8)], "junk");
  assert.deepEqual(notices.map((n) => n.kind), [30]);
  assert.deepEqual(state, { "30001000000500003416": [30] });
  assert.equal(badgeFor([], t).text, "");
});

test("wiring: checks on start, on install and on the daily alarm; a click opens the page", async () => {
  /** @type {Record<string, Function[]>} */
  const listeners = {};
  const on = (/** @type {string} */ name) => ({ addListener: (/** @type {Function} */ fn) => (listeners[name] ||= []).push(fn) });
  /** @type {Record<string, any>} */
  const alarms = {};
  /** @type {string[]} */
  const cleared = [];
  const chrome = {
    runtime: { onStartup: on("startup"), onInstalled: on("installed") },
    alarms: {
      create: (/** @type {string} */ name, /** @type {any} */ info) => void (alarms[name] = info),
      get: async (/** @type {string} */ name) => alarms[name],
      onAlarm: on("alarm"),
    },
    notifications: { onClicked: on("clicked"), clear: (/** @type {string} */ id) => void cleared.push(id) },
  };
  let checks = 0;
  let opened = 0;
  setupExpiry(chrome, async () => void checks++, () => void opened++);
  listeners.installed[0]({ reason: "install" });
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(alarms[ALARM], { periodInMinutes: PERIOD_MINUTES, delayInMinutes: PERIOD_MINUTES });
  assert.equal(checks, 1);
  listeners.startup[0]();
  listeners.alarm[0]({ name: ALARM });
  listeners.alarm[0]({ name: "other" });
  assert.equal(checks, 3);
  listeners.clicked[0]("other-extension-thing");
  listeners.clicked[0](NOTIFICATION_PREFIX + "S:7");
  assert.equal(opened, 1);
  assert.deepEqual(cleared, [NOTIFICATION_PREFIX + "S:7"]);
});
