// @ts-check
// The content script on the development hosts (http://localhost and
// http://127.0.0.1, any port) exists only while the developer switch is on.
// The manifest does not declare it there: a local page must not learn, with
// the switch off, that the extension is installed nor the switch's state
// (issue 11, F-06). The service worker registers content.js for those hosts
// with chrome.scripting.registerContentScripts when the effective switch
// (local switch, or IT's managed developerMode) is on, and unregisters it
// when it goes off. The host permissions for the two hosts stay in the
// manifest (host_permissions) so that registering needs no prompt.
// This file is free of chrome.* globals: background.js passes the APIs in,
// node tests pass fakes.

/** ID of the dynamically registered development content script. */
export const DEV_SCRIPT_ID = "efirma-dev-localhost";

/** Where the development content script runs (any port). */
export const DEV_MATCHES = Object.freeze(["http://localhost/*", "http://127.0.0.1/*"]);

/**
 * @typedef {object} DevScriptApis
 * @property {() => Promise<boolean>} developerMode  the effective switch
 * @property {(ids: string[]) => Promise<Array<{id: string}>>} registered  chrome.scripting.getRegisteredContentScripts({ids})
 * @property {(scripts: object[]) => Promise<void>} register    chrome.scripting.registerContentScripts
 * @property {(ids: string[]) => Promise<void>} unregister      chrome.scripting.unregisterContentScripts({ids})
 */

/**
 * Makes the development content script registered exactly when the
 * switch is on. Returns whether it is registered afterwards.
 * @param {DevScriptApis} api
 */
export async function syncDevScript(api) {
  const on = await api.developerMode();
  const have = (await api.registered([DEV_SCRIPT_ID]).catch(() => [])).some((s) => s.id === DEV_SCRIPT_ID);
  if (on && !have) {
    await api.register([
      {
        id: DEV_SCRIPT_ID,
        matches: [...DEV_MATCHES],
        js: ["content.js"],
        runAt: "document_start",
        allFrames: false,
        persistAcrossSessions: true,
      },
    ]);
  } else if (!on && have) {
    await api.unregister([DEV_SCRIPT_ID]);
  }
  return on;
}
