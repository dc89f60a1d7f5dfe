// @ts-check
// The extension's copy of protocol v1 (protocol/protocol.go is the one
// definition). extension/protocol_test.go parses this file and checks that
// every name, code and limit below equals the Go side, so keep the literal
// form: one `NAME: value,` per line inside each frozen object.

/** Native-messaging host name registered with the browsers. */
export const HOST_NAME = "mx.efirma.conector";

/** Protocol version spoken by this extension. */
export const PROTOCOL_VERSION = 1;

/** Size limits, equal to the host's. */
export const LIMITS = Object.freeze({
  MAX_REQUEST_BYTES: 16777216,
  MAX_RESPONSE_BYTES: 1048576,
  MAX_BATCH_DOCUMENTS: 1000,
  MAX_CREDENTIAL_FILE_BYTES: 65536,
  MAX_PASSWORD_BYTES: 256,
  MIN_CHALLENGE_LEN: 32,
  MAX_CHALLENGE_LEN: 128,
  MAX_TEXT_BYTES: 262144,
  MAX_BATCH_TEXT_BYTES: 1048576,
  MAX_DOCUMENT_BYTES: 8388608,
  MAX_DOCUMENT_NAME_BYTES: 255,
  MAX_MEDIA_TYPE_BYTES: 127,
  MAX_SAT_GUID_LEN: 128,
});

/** Command names of protocol v1. */
export const COMMANDS = Object.freeze({
  HELLO: "hello",
  LIST_CERTIFICATES: "list-certificates",
  IMPORT_CREDENTIAL: "import-credential",
  REMOVE_CREDENTIAL: "remove-credential",
  AUTHENTICATE: "authenticate",
  SIGN: "sign",
  DIAGNOSE: "diagnose",
  OCSP_REQUEST: "ocsp-request",
  OCSP_CHECK: "ocsp-check",
  SAT_LOGIN: "sat-login",
});

/** The host's closed list of error codes. */
export const HOST_CODES = Object.freeze([
  "ERR_BAD_REQUEST",
  "ERR_UNKNOWN_COMMAND",
  "ERR_MESSAGE_TOO_LARGE",
  "ERR_BAD_CREDENTIAL_FILE",
  "ERR_WRONG_PASSWORD",
  "ERR_KEY_MISMATCH",
  "ERR_CERT_NOT_FOUND",
  "ERR_CERT_EXPIRED",
  "ERR_CERT_NOT_YET_VALID",
  "ERR_NOT_FIEL",
  "ERR_ORIGIN_INVALID",
  "ERR_DATA_RESERVED",
  "ERR_DATA_NOT_TEXT",
  "ERR_TOKEN_NOT_PRESENT",
  "ERR_PIN_INCORRECT",
  "ERR_PIN_LOCKED",
  "ERR_PIN_FINAL_TRY",
  "ERR_MODULE_UNAVAILABLE",
  "ERR_KEY_UNUSABLE",
  "ERR_ISSUER_UNKNOWN",
  "ERR_NO_USABLE_CERTIFICATE",
  "ERR_DISK_FULL",
  "ERR_STORE_READ_ONLY",
  "ERR_INTERNAL",
]);

/**
 * Codes the extension itself produces (never the host). Documented in
 * docs/PAGE-API.md.
 */
export const EXTENSION_CODES = Object.freeze([
  "ERR_EXTENSION_UNAVAILABLE",
  "ERR_HOST_NOT_FOUND",
  "ERR_HOST_FORBIDDEN",
  "ERR_HOST_BLOCKED",
  "ERR_HOST_START_FAILED",
  "ERR_HOST_EXITED",
  "ERR_HOST_BAD_MESSAGE",
  "ERR_HOST_TIMEOUT",
  "ERR_HOST_UNAVAILABLE",
  "ERR_VERSION_MISMATCH",
  "ERR_ORIGIN_NOT_ALLOWED",
  "ERR_REQUEST_PENDING",
  "ERR_USER_CANCELLED",
  "ERR_TIMEOUT",
]);

/** Authentication token format. */
export const AUTH_FORMAT = "efirma-auth:1";

/** The "sign" format of a document: a detached CMS the host builds. */
export const FORMAT_CMS = "cms";

/** Prefix no document to sign may start with. */
export const RESERVED_PREFIX = "efirma-auth:";

/** Certificate types and states, as the host reports them. */
export const CERT_TYPES = Object.freeze({ FIEL: "FIEL", CSD: "CSD", OTHER: "OTHER" });
export const CERT_STATUS = Object.freeze({
  VALID: "valid",
  EXPIRED: "expired",
  NOT_YET_VALID: "not-yet-valid",
});

/** Page ↔ content script message types (window.postMessage). */
export const PAGE_MESSAGE = Object.freeze({
  REQUEST: "efirma:request",
  ACK: "efirma:ack",
  RESPONSE: "efirma:response",
});

/** Actions a page may ask for. */
export const PAGE_ACTIONS = Object.freeze(["status", "authenticate", "sign"]);
