//go:build cgo

package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
)

// credential is one certificate object of a token.
type credential struct {
	mod    *module
	id     string
	slot   uint
	label  string // token label
	serial string // token serial
	ckaID  []byte
	cert   *x509.Certificate
	usable bool
	reason string
}

var _ keys.Credential = (*credential)(nil)

func newCredential(m *module, t tokenDesc, o certObject, lang i18n.Lang) *credential {
	c := &credential{
		mod:    m,
		id:     credentialID(t.info.SerialNumber, o.id, o.cert),
		slot:   t.slot,
		label:  t.info.Label,
		serial: t.info.SerialNumber,
		ckaID:  o.id,
		cert:   o.cert,
		usable: true,
	}
	switch {
	case !supportedKey(o.cert):
		c.usable, c.reason = false, i18n.T(lang, "token.reason.unsupported_key")
	case len(o.id) == 0:
		// Without a CKA_ID the key cannot be found, before or after login.
		c.usable, c.reason = false, i18n.T(lang, "token.reason.no_id")
	case !o.hasKey:
		// Hidden until login (CKA_PRIVATE, no public key object): usable;
		// Unlock looks for it after login and only then can say it is
		// missing (ERR_KEY_UNUSABLE).
		c.reason = i18n.T(lang, "token.reason.key_after_pin")
	}
	return c
}

func (c *credential) ID() string                     { return c.id }
func (c *credential) Source() string                 { return protocol.SourcePKCS11 }
func (c *credential) Certificate() *x509.Certificate { return c.cert }

// Decorate fills the token fields, Usable and Reason.
func (c *credential) Decorate(info *protocol.CertInfo) {
	info.Source = protocol.SourcePKCS11
	info.TokenLabel = c.label
	slot := c.slot
	info.Slot = &slot
	info.URI = URI(c.label, c.serial, c.ckaID)
	info.Usable = c.usable
	info.Reason = c.reason
}

// pinDecision is the decision taken on the token flags before a login:
// a locked PIN is refused, and so is a final try that the person has not
// confirmed. It returns nil when the login may be tried.
func pinDecision(flags uint, confirmFinalTry bool) error {
	if flags&pkcs11.CKF_USER_PIN_LOCKED != 0 {
		return keys.Coded(protocol.ErrPINLocked, nil, errors.New("token reports the user PIN locked"))
	}
	if flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0 && !confirmFinalTry {
		return keys.Coded(protocol.ErrPINFinalTry, nil, errors.New("token reports the final PIN try and it was not confirmed"))
	}
	return nil
}

// loginError maps a failed C_Login. flagsAfter are the token flags read
// after the failure (0 when unreadable).
func loginError(err error, flagsAfter uint) error {
	switch {
	case gone(err):
		return keys.Coded(protocol.ErrTokenNotPresent, nil, fmt.Errorf("C_Login: %w", err))
	case hasCode(err, pkcs11.CKR_PIN_LOCKED) || flagsAfter&pkcs11.CKF_USER_PIN_LOCKED != 0:
		return keys.Coded(protocol.ErrPINLocked, nil, fmt.Errorf("C_Login: %w", err))
	case hasCode(err, pkcs11.CKR_PIN_INCORRECT), hasCode(err, pkcs11.CKR_PIN_INVALID), hasCode(err, pkcs11.CKR_PIN_LEN_RANGE):
		return incorrectPIN(fmt.Errorf("C_Login: %w", err), flagsAfter)
	}
	return fmt.Errorf("C_Login: %w", err)
}

// incorrectPIN is ERR_PIN_INCORRECT with details {"triesLow": bool}.
func incorrectPIN(err error, flags uint) error {
	low := flags&(pkcs11.CKF_USER_PIN_COUNT_LOW|pkcs11.CKF_USER_PIN_FINAL_TRY) != 0
	return keys.Coded(protocol.ErrPINIncorrect, map[string]any{"triesLow": low}, err)
}

// notPresent wraps err as ERR_TOKEN_NOT_PRESENT.
func notPresent(err error) error {
	return keys.Coded(protocol.ErrTokenNotPresent, nil, err)
}

// opError maps an error of a token call: token gone or internal.
func opError(op string, err error) error {
	err = fmt.Errorf("%s: %w", op, err)
	if gone(err) {
		return notPresent(err)
	}
	return err
}

// Unlock logs in to the token with pin and returns a signer for the
// certificate's private key. See the package doc for the locking rules.
func (c *credential) Unlock(ctx context.Context, pin []byte, opts keys.UnlockOptions) (s crypto.Signer, release func(), err error) {
	if !supportedKey(c.cert) {
		return nil, nil, keys.Coded(protocol.ErrKeyUnusable, nil, errors.New("certificate key type not supported"))
	}
	if len(pin) > protocol.MaxPasswordBytes {
		return nil, nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("PIN too long"))
	}
	m := c.mod
	t, err := m.findToken(c.slot, c.serial, c.label)
	if err != nil {
		if errors.Is(err, errNoSlot) {
			return nil, nil, notPresent(err)
		}
		return nil, nil, opError("finding the token", err)
	}
	unlockSlot, err := m.lockSlot(ctx, t.slot)
	if err != nil {
		return nil, nil, err
	}
	done := false
	defer func() {
		if !done {
			unlockSlot()
		}
	}()
	// Read the flags again under the lock: another request may have just
	// spent a try.
	ti, err := m.ctx.GetTokenInfo(t.slot)
	if err != nil {
		return nil, nil, notPresent(fmt.Errorf("C_GetTokenInfo: %w", err))
	}
	if ti.SerialNumber != c.serial {
		return nil, nil, notPresent(errors.New("another token is in the slot"))
	}
	if err := pinDecision(ti.Flags, opts.ConfirmFinalTry); err != nil {
		return nil, nil, err
	}
	protected := ti.Flags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0
	if !protected && len(pin) == 0 {
		// An empty PIN would be sent as NULL, which is not a PIN try.
		return nil, nil, incorrectPIN(errors.New("empty PIN"), ti.Flags)
	}

	sh, err := m.ctx.OpenSession(t.slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, nil, opError("C_OpenSession", err)
	}
	loggedIn := false
	defer func() {
		if !done {
			if loggedIn {
				_ = m.ctx.Logout(sh)
			}
			_ = m.ctx.CloseSession(sh)
		}
	}()
	if err := c.login(m, sh, t.slot, pkcs11.CKU_USER, pin, protected); err != nil {
		return nil, nil, err
	}
	loggedIn = true

	key, alwaysAuth, err := c.privateKey(m, sh)
	if err != nil {
		return nil, nil, err
	}
	sg := &signer{mod: m, sh: sh, key: key, pub: c.cert.PublicKey, alwaysAuth: alwaysAuth, protected: protected, slot: t.slot, cred: c}
	if alwaysAuth && !protected {
		sg.pin = append([]byte(nil), pin...)
	}
	done = true
	return sg, func() { sg.release(unlockSlot) }, nil
}

// login runs C_Login for userType, mapping the failure with the flags read
// after it. A session already logged in (left over by a crash of a release)
// is logged out first so that this PIN is still checked.
func (c *credential) login(m *module, sh pkcs11.SessionHandle, slot uint, userType uint, pin []byte, protected bool) error {
	p := string(pin)
	if protected {
		p = "" // miekg/pkcs11 passes NULL for an empty PIN
	}
	err := m.ctx.Login(sh, userType, p)
	if err != nil && userType == pkcs11.CKU_USER && hasCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		_ = m.ctx.Logout(sh)
		err = m.ctx.Login(sh, userType, p)
	}
	if err == nil {
		return nil
	}
	var after uint
	if ti, terr := m.ctx.GetTokenInfo(slot); terr == nil {
		after = ti.Flags
	}
	return loginError(err, after)
}

// privateKey finds the private key with the certificate's CKA_ID in the
// logged-in session and checks it against the certificate.
func (c *credential) privateKey(m *module, sh pkcs11.SessionHandle) (pkcs11.ObjectHandle, bool, error) {
	if len(c.ckaID) == 0 {
		return 0, false, keys.Coded(protocol.ErrKeyUnusable, nil, errors.New("certificate object has no CKA_ID"))
	}
	hs, err := m.find(sh, 2,
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, c.ckaID))
	if err != nil {
		return 0, false, opError("finding the private key", err)
	}
	if len(hs) == 0 {
		return 0, false, keys.Coded(protocol.ErrKeyUnusable, nil, errors.New("no private key with the certificate's CKA_ID"))
	}
	key := hs[0]
	attrs, err := m.ctx.GetAttributeValue(sh, key, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil)})
	if err != nil {
		return 0, false, opError("reading CKA_KEY_TYPE", err)
	}
	kt := bytesToUint(attrs[0].Value)
	switch pub := c.cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if kt != pkcs11.CKK_RSA {
			return 0, false, keys.Coded(protocol.ErrKeyMismatch, nil, fmt.Errorf("private key type %#x for an RSA certificate", kt))
		}
		// The modulus is public on every token we know; when readable it
		// must be the certificate's.
		if a, err := m.ctx.GetAttributeValue(sh, key, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil)}); err == nil && len(a[0].Value) > 0 {
			if new(big.Int).SetBytes(a[0].Value).Cmp(pub.N) != 0 {
				return 0, false, keys.Coded(protocol.ErrKeyMismatch, nil, errors.New("private key modulus differs from the certificate's"))
			}
		}
	case *ecdsa.PublicKey:
		if kt != pkcs11.CKK_EC {
			return 0, false, keys.Coded(protocol.ErrKeyMismatch, nil, fmt.Errorf("private key type %#x for an EC certificate", kt))
		}
	}
	alwaysAuth := false
	if a, err := m.ctx.GetAttributeValue(sh, key, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, nil)}); err == nil && len(a[0].Value) > 0 {
		alwaysAuth = a[0].Value[0] != 0
	}
	return key, alwaysAuth, nil
}

// bytesToUint reads a CK_ULONG attribute, which modules return in host
// byte order.
func bytesToUint(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return ^uint(0)
}
