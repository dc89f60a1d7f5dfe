// @ts-check
// Service worker: wires shared/service.js to the browser. The origin of a page
// request is always the browser's (port.sender.origin), never the page's.

import { syncDevScript } from "./shared/devscript.js";
import { runExpiryCheck, setupExpiry } from "./shared/expiry.js";
import { cachedPolicy, readPolicy } from "./shared/origins.js";
import { NativeHost } from "./shared/native.js";
import { syncManagedScript } from "./shared/portals.js";
import { COMMANDS } from "./shared/protocol.js";
import { SAT_LOGIN_PORT } from "./shared/satlogin.js";
import { createService } from "./shared/service.js";

const host = new NativeHost({
  connect: (name) => chrome.runtime.connectNative(name),
  lastError: () => chrome.runtime.lastError?.message,
});

/** The effective origin policy (local developer switch + IT's managed
 * settings), remembered until either changes (onChanged below). */
const policy = cachedPolicy(() => readPolicy(chrome.storage));
/** @returns {Promise<import("./shared/origins.js").Policy>} */
const currentPolicy = () => policy.get();

/** @param {string} key @param {string[]} [subs] */
const t = (key, subs) => chrome.i18n.getMessage(key, subs);

const service = createService({
  host,
  openWindow: async (path) => {
    const win = await chrome.windows.create({
      type: "popup",
      url: chrome.runtime.getURL(path),
      width: 480,
      height: 680,
      focused: true,
    });
    return { id: win?.id };
  },
  closeWindow: async (id) => {
    await chrome.windows.remove(id);
  },
  policy: currentPolicy,
  t: (key) => t(key),
  version: chrome.runtime.getManifest().version,
  newId: () => crypto.randomUUID(),
  windowReplyAfterSuccessMs: 150,
  closeAfterSuccessMs: 400,
});

/**
 * The origin the browser reports for a content-script sender.
 * @param {chrome.runtime.MessageSender | undefined} sender
 */
function senderOrigin(sender) {
  if (!sender) return "";
  if (sender.origin) return sender.origin;
  try {
    return sender.url ? new URL(sender.url).origin : "";
  } catch {
    return "";
  }
}

/** @param {chrome.runtime.MessageSender} sender */
function fromExtensionPage(sender, page = "") {
  return sender.id === chrome.runtime.id && typeof sender.url === "string" && sender.url.startsWith(chrome.runtime.getURL(page));
}

// One port per page request, opened by the content script. When the page goes
// away the port disconnects and the request is cancelled.
chrome.runtime.onConnect.addListener((port) => {
  if (port.name === SAT_LOGIN_PORT) {
    onSatLoginPort(port);
    return;
  }
  if (port.name === "efirma-consent") {
    onConsentPort(port);
    return;
  }
  if (port.name !== "efirma-page" || !port.sender?.tab || port.sender.id !== chrome.runtime.id) {
    port.disconnect();
    return;
  }
  const origin = senderOrigin(port.sender);
  const tabId = port.sender.tab.id ?? -1;
  const abort = new AbortController();
  let answered = false;
  port.onDisconnect.addListener(() => abort.abort());
  port.onMessage.addListener(async (msg) => {
    if (answered) return;
    answered = true;
    const out = await service.handlePage(msg, { origin, tabId, signal: abort.signal });
    if (!abort.signal.aborted) {
      try {
        port.postMessage(out);
      } catch {
        // the page left meanwhile
      }
    }
  });
});

/**
 * One port per click on «Ingresar con el Conector e.firma» (sat-login.js on
 * SAT's login page): the same consent session as a page request, for the
 * origin the browser reports. Closing the tab cancels it.
 * @param {chrome.runtime.Port} port
 */
function onSatLoginPort(port) {
  if (!port.sender?.tab || port.sender.id !== chrome.runtime.id || port.sender.frameId !== 0) {
    port.disconnect();
    return;
  }
  const from = { origin: senderOrigin(port.sender), tabId: port.sender.tab.id ?? -1 };
  const abort = new AbortController();
  let answered = false;
  port.onDisconnect.addListener(() => abort.abort());
  port.onMessage.addListener(async (msg) => {
    if (answered) return;
    answered = true;
    const out = await service.handleSatLogin(msg, { ...from, signal: abort.signal });
    if (!abort.signal.aborted) {
      try {
        port.postMessage(out);
      } catch {
        // the page left meanwhile
      }
    }
  });
}

/**
 * The consent window's line (shared/ui.js openLine): the same questions as
 * its runtime messages, answered on the port; only from consent.html.
 * @param {chrome.runtime.Port} port
 */
function onConsentPort(port) {
  if (!port.sender || !fromExtensionPage(port.sender, "consent.html")) {
    port.disconnect();
    return;
  }
  port.onMessage.addListener(async (/** @type {any} */ m) => {
    if (!m || typeof m.rid !== "number" || !m.msg || typeof m.msg.type !== "string" || !m.msg.type.startsWith("consent:")) return;
    const out = await service.handleConsent(m.msg);
    try {
      port.postMessage({ rid: m.rid, out });
    } catch {
      // the window closed meanwhile
    }
  });
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || typeof msg.type !== "string") return false;
  /** @type {Promise<unknown> | null} */
  let p = null;
  if (msg.type.startsWith("consent:") && fromExtensionPage(sender, "consent.html")) {
    p = service.handleConsent(msg);
  } else if (msg.type === "host" && fromExtensionPage(sender)) {
    p = service.handleExtension(msg);
  }
  if (!p) return false;
  p.then(sendResponse);
  return true;
});

chrome.windows.onRemoved.addListener((windowId) => service.onWindowRemoved(windowId));

// Expiry warnings: on browser start, on install/update and once a day.
setupExpiry(
  /** @type {any} */ (chrome),
  () =>
    runExpiryCheck({
      list: async () => (await host.request(COMMANDS.LIST_CERTIFICATES, {}))?.certificates,
      storage: chrome.storage.local,
      notify: (id, opts) => chrome.notifications.create(id, opts),
      badge: async (b) => {
        await chrome.action.setBadgeBackgroundColor({ color: b.color });
        await chrome.action.setBadgeText({ text: b.text });
        await chrome.action.setTitle({ title: b.title });
      },
      t,
      iconUrl: chrome.runtime.getURL("icons/icon-128.png"),
    }).catch(() => null),
  () => chrome.tabs.create({ url: chrome.runtime.getURL("diagnostics.html") }),
);

// The content script for portals IT listed (allowedPortals) once the person
// granted the site: kept in step with the policy and the permissions.
const syncPortals = () =>
  syncManagedScript({
    managedPortals: async () => (await currentPolicy()).managedPortals,
    hasPermission: (origins) => chrome.permissions.contains({ origins }),
    registered: (ids) => chrome.scripting.getRegisteredContentScripts({ ids }),
    register: (scripts) => chrome.scripting.registerContentScripts(/** @type {any} */ (scripts)),
    unregister: (ids) => chrome.scripting.unregisterContentScripts({ ids }),
  }).catch(() => []);
chrome.runtime.onStartup.addListener(syncPortals);
chrome.runtime.onInstalled.addListener(syncPortals);
chrome.permissions.onAdded.addListener(syncPortals);
chrome.permissions.onRemoved.addListener(syncPortals);
chrome.storage.onChanged.addListener((changes, area) => {
  const policyChanged = area === "managed" || (area === "local" && "developerMode" in changes);
  if (policyChanged) policy.forget();
  if (area === "managed") syncPortals();
  if (policyChanged) syncDev();
});

// The content script on http://localhost and http://127.0.0.1 exists only
// while the developer switch is on (shared/devscript.js).
// Syncs run one after another, so that quick flips end in the last state.
/** @type {Promise<boolean>} */
let devSync = Promise.resolve(false);
const syncDev = () =>
  (devSync = devSync.then(() =>
    syncDevScript({
      developerMode: async () => (await currentPolicy()).developerMode,
      registered: (ids) => chrome.scripting.getRegisteredContentScripts({ ids }),
      register: (scripts) => chrome.scripting.registerContentScripts(/** @type {any} */ (scripts)),
      unregister: (ids) => chrome.scripting.unregisterContentScripts({ ids }),
    }).catch(() => false),
  ));
chrome.runtime.onStartup.addListener(syncDev);
chrome.runtime.onInstalled.addListener(syncDev);
