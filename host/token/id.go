package token

import (
	"encoding/hex"
	"strings"

	"github.com/efirma/conector/i18n"
)

// Config configures the pkcs11 source.
type Config struct {
	// Modules are the module paths to look in, in order (usually the result
	// of ModulesFromEnv).
	Modules []string
	// Lang is the language of warnings and reasons (Spanish by default).
	Lang i18n.Lang
}

// URI returns the RFC 7512 URI of a certificate object.
func URI(tokenLabel, serial string, id []byte) string {
	var b strings.Builder
	b.WriteString("pkcs11:token=")
	b.WriteString(pctEncode([]byte(tokenLabel)))
	if serial != "" {
		b.WriteString(";serial=")
		b.WriteString(pctEncode([]byte(serial)))
	}
	if len(id) > 0 {
		b.WriteString(";id=")
		for _, c := range id {
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	b.WriteString(";type=cert")
	return b.String()
}

// pctEncode percent-encodes every byte but the RFC 3986 unreserved ones,
// which is valid in any RFC 7512 path attribute value.
func pctEncode(v []byte) string {
	var b strings.Builder
	for _, c := range v {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%")
		b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
