// @ts-check
// When the consent window shows the checkbox "Entiendo que es el último
// intento de PIN…": only after the host answered ERR_PIN_FINAL_TRY for a
// token certificate (source "pkcs11"), and only while that certificate stays
// chosen. A file certificate (.cer/.key, .pfx) has a password, not a PIN
// with a retry counter: it never gets the checkbox.
//
// Free of DOM and chrome.* so that node tests can drive it; consent.js keeps
// the state and shows the block by setting its `hidden` property.

/** The protocol source of token certificates (protocol.SourcePKCS11). */
export const TOKEN_SOURCE = "pkcs11";

/**
 * The certificate the final-try confirmation is for after an answer: the
 * chosen certificate's id when the host said ERR_PIN_FINAL_TRY for it and it
 * is a token's; "" otherwise (any other answer clears the confirmation).
 * @param {string | undefined} code  the error code of the answer ("" or undefined on success)
 * @param {{id?: unknown, source?: unknown} | undefined} cert  the certificate that was tried
 * @returns {string}
 */
export function finalTryFor(code, cert) {
  if (code !== "ERR_PIN_FINAL_TRY" || !cert || cert.source !== TOKEN_SOURCE || typeof cert.id !== "string") return "";
  return cert.id;
}

/**
 * Whether the checkbox is shown now.
 * @param {string} confirmFor  what finalTryFor returned last
 * @param {string | undefined} chosenId  the certificate chosen now
 * @returns {boolean}
 */
export function showFinalTry(confirmFor, chosenId) {
  return confirmFor !== "" && confirmFor === chosenId;
}
