// Package protocol is the one definition of the Conector e.firma protocol v1:
// command names, request and response shapes, the closed list of error codes,
// the size limits and the exact bytes an authentication signature covers.
//
// The host (host/...), the portal verifier (portal/...) and the extension's
// copy (extension/shared/protocol.js, checked by a test) all follow this file.
// It imports nothing heavier than the standard library's hashing so that the
// host's start-up stays lean.
package protocol

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HostName is the native-messaging host name registered with the browsers.
const HostName = "mx.efirma.conector"

// Version is the protocol version spoken by this build.
const Version = 1

// Size limits. The extension enforces the same numbers (a test compares them).
const (
	// MaxRequestBytes is the largest request frame the host accepts.
	// Chrome allows up to 64 MiB towards the host; we refuse more than 16 MiB
	// without allocating it.
	MaxRequestBytes = 16 << 20
	// MaxResponseBytes is Chrome's limit for a message from the host (1 MiB).
	MaxResponseBytes = 1 << 20
	// MaxBatchDocuments bounds the documents in one batch sign request.
	MaxBatchDocuments = 1000
	// MaxCredentialFileBytes bounds a .cer, .key or .pfx given to import.
	MaxCredentialFileBytes = 64 << 10
	// MaxPasswordBytes bounds a password or PIN.
	MaxPasswordBytes = 256
	// MinChallengeLen and MaxChallengeLen bound the challenge string.
	MinChallengeLen = 32
	MaxChallengeLen = 128
	// MaxTextBytes bounds one text the consent window shows in full: the
	// data of "sign", each document of a batch, and a "cms" document whose
	// bytes are text (about 100 printed pages). Beyond it a person would
	// not read it all, so it is refused rather than signed unseen.
	MaxTextBytes = 256 << 10
	// MaxBatchTextBytes bounds the texts of one batch together.
	MaxBatchTextBytes = 1 << 20
	// MaxDocumentBytes bounds a "cms" document (its base64 fits in a
	// request frame). A binary document is shown by name, type, size and
	// SHA-256; the host signs its own structure over that digest.
	MaxDocumentBytes = 8 << 20
	// MaxDocumentNameBytes and MaxMediaTypeBytes bound a document's name
	// and media type.
	MaxDocumentNameBytes = 255
	MaxMediaTypeBytes    = 127
	// MaxSATGUIDLen bounds the guid of SAT's e.firma login page ("sat-login").
	MaxSATGUIDLen = 128
)

// Command names.
const (
	CmdHello            = "hello"
	CmdListCertificates = "list-certificates"
	CmdImportCredential = "import-credential"
	CmdRemoveCredential = "remove-credential"
	CmdAuthenticate     = "authenticate"
	CmdSign             = "sign"
	CmdDiagnose         = "diagnose"
	CmdOCSPRequest      = "ocsp-request"
	CmdOCSPCheck        = "ocsp-check"
	CmdSATLogin         = "sat-login"
)

// Commands lists every command of protocol v1, in documentation order.
var Commands = []string{CmdHello, CmdListCertificates, CmdImportCredential, CmdRemoveCredential, CmdAuthenticate, CmdSign, CmdDiagnose, CmdOCSPRequest, CmdOCSPCheck, CmdSATLogin}

// Code is one of the closed list of error codes that cross to the browser.
type Code string

// The closed list of error codes. Spanish messages and hints for each live in
// the i18n catalogue; nothing else may invent a code.
const (
	ErrBadRequest        Code = "ERR_BAD_REQUEST"
	ErrUnknownCommand    Code = "ERR_UNKNOWN_COMMAND"
	ErrMessageTooLarge   Code = "ERR_MESSAGE_TOO_LARGE"
	ErrBadCredentialFile Code = "ERR_BAD_CREDENTIAL_FILE"
	ErrWrongPassword     Code = "ERR_WRONG_PASSWORD"
	ErrKeyMismatch       Code = "ERR_KEY_MISMATCH"
	ErrCertNotFound      Code = "ERR_CERT_NOT_FOUND"
	ErrCertExpired       Code = "ERR_CERT_EXPIRED"
	ErrCertNotYetValid   Code = "ERR_CERT_NOT_YET_VALID"
	ErrNotFIEL           Code = "ERR_NOT_FIEL"
	ErrOriginInvalid     Code = "ERR_ORIGIN_INVALID"
	ErrDataReserved      Code = "ERR_DATA_RESERVED"
	ErrDataNotText       Code = "ERR_DATA_NOT_TEXT"
	ErrTokenNotPresent   Code = "ERR_TOKEN_NOT_PRESENT"
	ErrPINIncorrect      Code = "ERR_PIN_INCORRECT"
	ErrPINLocked         Code = "ERR_PIN_LOCKED"
	ErrPINFinalTry       Code = "ERR_PIN_FINAL_TRY"
	ErrModuleUnavailable Code = "ERR_MODULE_UNAVAILABLE"
	ErrKeyUnusable       Code = "ERR_KEY_UNUSABLE"
	ErrIssuerUnknown     Code = "ERR_ISSUER_UNKNOWN"
	// ErrNoUsableCertificate: none of the stored certificates can do what
	// was asked, for different reasons (each one says its own). The
	// extension's consent window gives it when the person closes a window
	// that had nothing to choose; one shared reason gives that reason's
	// code instead (ERR_CERT_EXPIRED, ERR_NOT_FIEL, ...).
	ErrNoUsableCertificate Code = "ERR_NO_USABLE_CERTIFICATE"
	// ErrDiskFull and ErrStoreReadOnly: importing or removing a credential
	// failed because the disk is full, or because the store folder cannot
	// be written (a read-only file system, no permission).
	ErrDiskFull      Code = "ERR_DISK_FULL"
	ErrStoreReadOnly Code = "ERR_STORE_READ_ONLY"
	ErrInternal      Code = "ERR_INTERNAL"
)

// Codes is the closed list, in documentation order.
var Codes = []Code{
	ErrBadRequest, ErrUnknownCommand, ErrMessageTooLarge, ErrBadCredentialFile,
	ErrWrongPassword, ErrKeyMismatch, ErrCertNotFound, ErrCertExpired,
	ErrCertNotYetValid, ErrNotFIEL, ErrOriginInvalid, ErrDataReserved, ErrDataNotText,
	ErrTokenNotPresent, ErrPINIncorrect, ErrPINLocked, ErrPINFinalTry,
	ErrModuleUnavailable, ErrKeyUnusable, ErrIssuerUnknown, ErrNoUsableCertificate,
	ErrDiskFull, ErrStoreReadOnly, ErrInternal,
}

// Request is one message from the extension.
type Request struct {
	ID      string          `json:"id"`
	Command string          `json:"command"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// Response is one message to the extension: exactly one of Result or Error.
type Response struct {
	ID     string `json:"id"`
	Result any    `json:"result,omitempty"`
	Error  *Error `json:"error,omitempty"`
}

// Error is the error object of a failed response.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Details carries machine-readable facts for some codes (for example
	// "triesLow" for ERR_PIN_INCORRECT, "notAfter" for ERR_CERT_EXPIRED).
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// HelloResult is the result of "hello".
type HelloResult struct {
	Version  string   `json:"version"`
	Protocol int      `json:"protocol"`
	Sources  []string `json:"sources"`
	Limits   Limits   `json:"limits"`
	// DevOrigins: the host accepts http://localhost and http://127.0.0.1
	// origins (EFIRMA_DEV_ORIGINS=1), so that the extension's site check
	// says what the host will do.
	DevOrigins bool `json:"devOrigins"`
}

// Limits tells the extension the host's limits.
type Limits struct {
	MaxRequestBytes   int `json:"maxRequestBytes"`
	MaxResponseBytes  int `json:"maxResponseBytes"`
	MaxBatchDocuments int `json:"maxBatchDocuments"`
}

// Certificate sources.
const (
	SourceFile   = "file"
	SourcePKCS12 = "pkcs12"
	SourcePKCS11 = "pkcs11"
)

// Certificate types.
const (
	TypeFIEL  = "FIEL"
	TypeCSD   = "CSD"
	TypeOther = "OTHER"
)

// Certificate states.
const (
	StatusValid       = "valid"
	StatusExpired     = "expired"
	StatusNotYetValid = "not-yet-valid"
)

// CertInfo describes one certificate the host can use.
type CertInfo struct {
	ID                 string `json:"id"`
	Source             string `json:"source"`
	Type               string `json:"type"`
	RFC                string `json:"rfc"`
	RFCRepresentative  string `json:"rfcRepresentative,omitempty"`
	CURP               string `json:"curp,omitempty"`
	CURPRepresentative string `json:"curpRepresentative,omitempty"`
	Name               string `json:"name"`
	Serial             string `json:"serial"`
	Issuer             string `json:"issuer"`
	NotBefore          string `json:"notBefore"`
	NotAfter           string `json:"notAfter"`
	Status             string `json:"status"`
	DaysLeft           int    `json:"daysLeft"`
	Certificate        string `json:"certificate"`
	// Usable is false when the host cannot sign with this certificate (for
	// example a token certificate whose key type is not supported); Reason
	// says why. A usable certificate may carry a Reason as a note: a token
	// key that is hidden until login is checked when the PIN is entered.
	Usable bool   `json:"usable"`
	Reason string `json:"reason,omitempty"`
	// IssuerCheck is the issuer check against the trust store — SAT's
	// production CAs built into the host, or the configured caDir:
	// IssuedBySAT ("sat", IssuerCA names SAT's CA, e.g. "AC5"),
	// IssuedByConfigured ("configured", a CA of the caDir folder) or
	// IssuedByUnknown ("unknown": not issued by any of them).
	IssuerCheck string `json:"issuerCheck,omitempty"`
	IssuerCA    string `json:"issuerCA,omitempty"`
	// Token fields, only for source "pkcs11".
	TokenLabel string `json:"tokenLabel,omitempty"`
	Slot       *uint  `json:"slot,omitempty"`
	URI        string `json:"uri,omitempty"`
}

// Values of CertInfo.IssuerCheck.
const (
	IssuedBySAT        = "sat"
	IssuedByConfigured = "configured"
	IssuedByUnknown    = "unknown"
)

// ListResult is the result of "list-certificates".
type ListResult struct {
	Certificates []CertInfo `json:"certificates"`
	// Warnings names sources that could not be read (a broken module, say).
	Warnings []string `json:"warnings,omitempty"`
}

// ImportParams are the params of "import-credential". Exactly one of
// (Certificate and PrivateKey) or PFX is given.
type ImportParams struct {
	Certificate string `json:"certificate,omitempty"`
	PrivateKey  string `json:"privateKey,omitempty"`
	PFX         string `json:"pfx,omitempty"`
	Password    string `json:"password"`
	// PasswordBytes is the password as the host decodes it from the
	// request (bytes it zeroes after use; see docs/SECURITY.md). It is
	// never sent: clients set Password.
	PasswordBytes []byte `json:"-"`
	// NewPassword is for a private key given unencrypted: the host stores
	// it encrypted with this password (the person typed it twice). Without
	// it such a key is refused with ERR_BAD_CREDENTIAL_FILE, variant
	// "unencryptedKey"; at least MinNewPasswordBytes.
	NewPassword string `json:"newPassword,omitempty"`
	// NewPasswordBytes is the new password as the host decodes it from the
	// request (bytes it zeroes after use, like PasswordBytes). It is never
	// sent: clients set NewPassword.
	NewPasswordBytes []byte `json:"-"`
}

// MinNewPasswordBytes is the shortest new password the host accepts for a
// key it encrypts (SAT asks at least 8 characters for an e.firma).
const MinNewPasswordBytes = 8

// ImportResult is the result of "import-credential": the stored
// certificate, and KeyEncrypted when the key arrived unencrypted and was
// stored encrypted with the new password.
type ImportResult struct {
	CertInfo
	KeyEncrypted bool `json:"keyEncrypted,omitempty"`
}

// RemoveParams are the params of "remove-credential".
type RemoveParams struct {
	CertificateID string `json:"certificateId"`
}

// AuthenticateParams are the params of "authenticate".
type AuthenticateParams struct {
	Origin        string `json:"origin"`
	Challenge     string `json:"challenge"`
	CertificateID string `json:"certificateId"`
	Password      string `json:"password"`
	// PasswordBytes is the password as the host decodes it from the
	// request (bytes it zeroes after use; see docs/SECURITY.md). It is
	// never sent: clients set Password.
	PasswordBytes []byte `json:"-"`
	// ConfirmFinalTry allows a PIN attempt when the token says it is the last.
	ConfirmFinalTry bool `json:"confirmFinalTry,omitempty"`
}

// Document is one item of a batch sign request: a text (see IsText).
type Document struct {
	Data string `json:"data"`
}

// FormatCMS is the "sign" format of a document: a detached CMS (CAdES-BES)
// the host builds itself (package signing).
const FormatCMS = "cms"

// SignDocument is the document of a "sign" request with format "cms".
type SignDocument struct {
	// Name is the file name shown in the consent window.
	Name string `json:"name"`
	// MediaType is what the page says the document is ("application/pdf").
	MediaType string `json:"mediaType"`
	// Data is the document, base64.
	Data string `json:"data"`
}

// SignParams are the params of "sign": exactly one of Data (a text),
// Documents (a batch of texts) or, with Format "cms", Document.
type SignParams struct {
	Origin        string `json:"origin"`
	CertificateID string `json:"certificateId"`
	Password      string `json:"password"`
	// PasswordBytes is the password as the host decodes it from the
	// request (bytes it zeroes after use; see docs/SECURITY.md). It is
	// never sent: clients set Password.
	PasswordBytes   []byte        `json:"-"`
	Data            string        `json:"data,omitempty"`
	Documents       []Document    `json:"documents,omitempty"`
	Format          string        `json:"format,omitempty"`
	Document        *SignDocument `json:"document,omitempty"`
	ConfirmFinalTry bool          `json:"confirmFinalTry,omitempty"`
}

// SignResult is the result of "sign": Signature for data, Signatures for a
// batch, CMS for format "cms" (base64 DER ContentInfo/SignedData, content
// detached; see package signing).
type SignResult struct {
	Signature   string   `json:"signature,omitempty"`
	Signatures  []string `json:"signatures,omitempty"`
	CMS         string   `json:"cms,omitempty"`
	Algorithm   string   `json:"algorithm"`
	Certificate string   `json:"certificate"`
}

// SATLoginParams are the params of "sat-login": sign in to SAT's own
// e.firma login page (form#certform). Origin is the page's, from the
// browser; GUID is the form's hidden guid. The host builds the signed text
// itself from the certificate (package signing, docs/SAT-LOGIN.md).
type SATLoginParams struct {
	Origin        string `json:"origin"`
	CertificateID string `json:"certificateId"`
	Password      string `json:"password"`
	// PasswordBytes is the password as the host decodes it from the
	// request (bytes it zeroes after use; see docs/SECURITY.md). It is
	// never sent: clients set Password.
	PasswordBytes []byte `json:"-"`
	GUID          string `json:"guid"`
	// ConfirmFinalTry allows a PIN attempt when the token says it is the last.
	ConfirmFinalTry bool `json:"confirmFinalTry,omitempty"`
}

// SATLoginResult is the result of "sat-login": the values of the form's
// "token" and "fert" fields.
type SATLoginResult struct {
	Token string `json:"token"`
	Fert  string `json:"fert"`
}

// OCSPParams are the params of "ocsp-request" and "ocsp-check". The host
// never goes to the network for revocation: it builds the OCSP request, the
// extension POSTs it to URL (with the browser's proxy settings) and hands
// the response back for checking.
type OCSPParams struct {
	CertificateID string `json:"certificateId"`
	// Response is the responder's base64 DER answer ("ocsp-check" only).
	Response string `json:"response,omitempty"`
}

// OCSPRequestResult is the result of "ocsp-request".
type OCSPRequestResult struct {
	URL         string `json:"url"`
	Request     string `json:"request"`
	ContentType string `json:"contentType"`
}

// OCSP states in OCSPCheckResult.
const (
	OCSPGood        = "good"
	OCSPRevoked     = "revoked"
	OCSPUnknown     = "unknown"
	OCSPUnavailable = "unavailable" // the responder said "try later"
	OCSPInvalid     = "invalid"     // the answer is not acceptable (signature, freshness)
)

// OCSPCheckResult is the result of "ocsp-check".
type OCSPCheckResult struct {
	Status     string `json:"status"`
	RevokedAt  string `json:"revokedAt,omitempty"`
	ThisUpdate string `json:"thisUpdate,omitempty"`
	NextUpdate string `json:"nextUpdate,omitempty"`
}

// MaxOCSPResponseBytes bounds an OCSP answer passed back to the host.
const MaxOCSPResponseBytes = 64 << 10

// AuthFormat names the authentication token format.
const AuthFormat = "efirma-auth:1"

// ReservedPrefix is the prefix no document may start with.
const ReservedPrefix = "efirma-auth:"

// AuthToken is the result of "authenticate".
type AuthToken struct {
	Format      string `json:"format"`
	Certificate string `json:"certificate"`
	Algorithm   string `json:"algorithm"`
	Signature   string `json:"signature"`
}

// Signature algorithms.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgES384 = "ES384"
)

// AuthMessage returns the exact bytes an authentication signature covers:
// "efirma-auth:1" || 0x00 || SHA-256(origin) || SHA-256(challenge).
// The signature is then computed over these bytes with the algorithm's hash
// (SHA-256 for RS256 and ES256, SHA-384 for ES384).
func AuthMessage(origin, challenge string) []byte {
	o := sha256.Sum256([]byte(origin))
	c := sha256.Sum256([]byte(challenge))
	msg := make([]byte, 0, len(AuthFormat)+1+64)
	msg = append(msg, AuthFormat...)
	msg = append(msg, 0)
	msg = append(msg, o[:]...)
	msg = append(msg, c[:]...)
	return msg
}

// Errors returned by ValidateOrigin and ValidateChallenge.
var (
	ErrOriginFormat    = errors.New("origin must be https://host[:port] with no path")
	ErrOriginDev       = errors.New("http origins are only allowed for localhost with development origins enabled")
	ErrChallengeFormat = errors.New("challenge must be 32 to 128 base64url characters")
)

// ValidLabel reports whether l is a lowercase DNS label (LDH, 1 to 63
// characters, no hyphen at either end).
func ValidLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidateOrigin checks that origin is a serialized web origin the host may
// sign for: "https://host[:port]" (lowercase, no path, no trailing slash), or
// "http://localhost[:port]" / "http://127.0.0.1[:port]" when allowDev is set.
func ValidateOrigin(origin string, allowDev bool) error {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || len(origin) > 300 {
		return ErrOriginFormat
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return ErrOriginFormat // also "https://host:" and "https://host:08"
		}
	}
	// Lowercase DNS labels only: no path, user, query, IPv6 literal or
	// uppercase can pass, because none of them is a label character.
	for _, l := range strings.Split(host, ".") {
		if !ValidLabel(l) {
			return ErrOriginFormat
		}
	}
	// A host whose last label is numeric must be a canonical dotted IPv4
	// address, as the browser serializes it (not 0x7f.0.0.1, 0177.0.0.1 or
	// 4294967295).
	if last := host[strings.LastIndexByte(host, '.')+1:]; last[0] >= '0' && last[0] <= '9' {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is4() || a.String() != host {
			return ErrOriginFormat
		}
	}
	switch scheme {
	case "https":
		if port == "443" {
			return ErrOriginFormat // the browser never serializes the default port
		}
		return nil
	case "http":
		if port == "80" {
			return ErrOriginFormat
		}
		if (host != "localhost" && host != "127.0.0.1") || !allowDev {
			return ErrOriginDev
		}
		return nil
	}
	return ErrOriginFormat
}

// IsText reports whether b is what "sign" signs as data: valid UTF-8 with
// no control character other than tab, CR and LF (no C0 control, DEL or C1
// control). Format characters (zero-width, bidi) are allowed; the consent
// window shows each of them as a visible marker.
func IsText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\r' && r != '\n' || r >= 0x7f && r <= 0x9f {
			return false
		}
	}
	return true
}

// ValidateChallenge checks the challenge string: 32 to 128 base64url
// characters, no padding.
func ValidateChallenge(ch string) error {
	if len(ch) < MinChallengeLen || len(ch) > MaxChallengeLen || !isBase64URL(ch) {
		return ErrChallengeFormat
	}
	return nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// SecretOf returns the password (or new password) of a request's params
// as bytes the caller owns and should zero after use: a copy of b when the
// host decoded it (PasswordBytes, NewPasswordBytes), otherwise of s
// (Password, NewPassword, set by in-process callers).
func SecretOf(s string, b []byte) []byte {
	if b != nil {
		return append([]byte(nil), b...)
	}
	return []byte(s)
}
