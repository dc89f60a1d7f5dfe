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
	// fileProblem is the message and hint for what is wrong with a file.
	fileProblem := func(err error) (string, string) {
		if v := sat.Problem(err); v != "" {
			return t("code.ERR_BAD_CREDENTIAL_FILE." + v), t("hint.ERR_BAD_CREDENTIAL_FILE." + v)
		}
		return t("code.ERR_BAD_CREDENTIAL_FILE"), t("hint.ERR_BAD_CREDENTIAL_FILE")
	}
	cert, err := sat.ParseCertificate(f.Cert)
	if err != nil {
		reason, fix := fileProblem(err)
		return []Check{{ID: "cer-file", Status: Error, Title: t("doctor.file.cer"), Reason: reason, Fix: fix}}
	}
	out := credentialChecks(certOnly{cert}, env, env.Now())
	if f.Key == nil {
		return out
	}
	label := sat.FactsOf(cert).RFC
	title := t("doctor.file.key", label)
	key, err := keyfile.DecryptKey(f.Key, f.Password)
	if errors.Is(err, sat.ErrUnencryptedKey) {
		// Readable with no password: check the pair; importing it will ask
		// for a new password.
		if plain, perr := keyfile.ParseUnencryptedKey(f.Key); perr == nil {
			if sat.CheckPair(cert, plain) != nil {
				return append(out, Check{ID: "key-mismatch", Status: Error, Title: title, Reason: t("code.ERR_KEY_MISMATCH"), Fix: t("hint.ERR_KEY_MISMATCH")})
			}
			reason, fix := fileProblem(err)
			return append(out, Check{ID: "key-file", Status: Warning, Title: title, Reason: reason, Fix: fix})
		}
	}
	if f.Password == nil && sat.Problem(err) == "" {
		return append(out, Check{ID: "key-file", Status: NotChecked, Title: title, Reason: t("doctor.file.nopassword"), Fix: t("doctor.file.nopassword.fix")})
	}
	if err != nil {
		// The host's one mapping (keys.CodeOf) says whether it was the
		// password; anything else means the key file cannot be used, and
		// sat.Problem says why when it can.
		if c, _ := keys.CodeOf(err); c == protocol.ErrWrongPassword {
			return append(out, Check{ID: "key-password", Status: Error, Title: title, Reason: t("code.ERR_WRONG_PASSWORD"), Fix: t("hint.ERR_WRONG_PASSWORD")})
		}
		reason, fix := fileProblem(err)
		return append(out, Check{ID: "key-file", Status: Error, Title: title, Reason: reason, Fix: fix})
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
