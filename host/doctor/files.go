package doctor

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
)

// Files are .cer/.key files a person has not imported yet (on a USB stick,
// say), checked by `efirma doctor --cer … --key …`.
type Files struct {
	Cert, Key []byte
	// Password is nil when none was given: the key check is then not-checked.
	Password []byte
}

// FileChecks checks a certificate file and, when given, its key: that the
// certificate parses and what it is (the same checks as a stored one), then
// whether the password opens the key and whether the key belongs to it.
func FileChecks(f Files, env Env) []Check {
	t := func(k string, a ...any) string { return i18n.T(env.Lang, k, a...) }
	if env.Now == nil {
		env.Now = envNow
	}
	cert, err := sat.ParseCertificate(f.Cert)
	if err != nil {
		return []Check{{ID: "cer-file", Status: Error, Title: t("doctor.file.cer"), Reason: t("code.ERR_BAD_CREDENTIAL_FILE"), Fix: t("hint.ERR_BAD_CREDENTIAL_FILE")}}
	}
	out := credentialChecks(certOnly{cert}, env, env.Now())
	if f.Key == nil {
		return out
	}
	label := sat.FactsOf(cert).RFC
	title := t("doctor.file.key", label)
	if f.Password == nil {
		return append(out, Check{ID: "key-file", Status: NotChecked, Title: title, Reason: t("doctor.file.nopassword"), Fix: t("doctor.file.nopassword.fix")})
	}
	key, err := keyfile.DecryptKey(f.Key, f.Password)
	if err != nil {
		// The host's one mapping (keys.CodeOf) says whether it was the
		// password; anything else means the key file cannot be used.
		id, code := "key-file", protocol.ErrBadCredentialFile
		if c, _ := keys.CodeOf(err); c == protocol.ErrWrongPassword {
			id, code = "key-password", c
		}
		return append(out, Check{ID: id, Status: Error, Title: title, Reason: t("code." + string(code)), Fix: t("hint." + string(code))})
	}
	if err := sat.CheckPair(cert, key); err != nil {
		return append(out, Check{ID: "key-mismatch", Status: Error, Title: title, Reason: t("code.ERR_KEY_MISMATCH"), Fix: t("hint.ERR_KEY_MISMATCH")})
	}
	return append(out, Check{ID: "key-file", Status: OK, Title: title, Reason: t("doctor.file.keyok")})
}

// certOnly lets a bare certificate go through credentialChecks.
type certOnly struct{ c *x509.Certificate }

func (c certOnly) ID() string                       { return "" }
func (c certOnly) Source() string                   { return protocol.SourceFile }
func (c certOnly) Certificate() *x509.Certificate   { return c.c }
func (c certOnly) Decorate(info *protocol.CertInfo) { info.Usable = true }
func (c certOnly) Unlock(context.Context, []byte, keys.UnlockOptions) (crypto.Signer, func(), error) {
	return nil, nil, errors.New("certificate only")
}
