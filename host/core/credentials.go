package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// errNoStore: there is no user folder, so nothing can be stored.
var errNoStore = errors.New("no store configured")

// Import checks and stores what a page sends: a .cer/.key pair or a .pfx,
// each as base64 (of DER or PEM) or PEM text.
func (c *Core) Import(ctx context.Context, p protocol.ImportParams) (protocol.ImportResult, error) {
	if c.opt.Store == nil {
		return protocol.ImportResult{}, errNoStore
	}
	switch {
	case p.PFX != "" && p.Certificate == "" && p.PrivateKey == "":
		pfx, err := DecodeFile("pfx", p.PFX)
		if err != nil {
			return protocol.ImportResult{}, err
		}
		pw := protocol.SecretOf(p.Password, p.PasswordBytes)
		defer clear(pw)
		info, err := c.ImportPFX(ctx, pfx, pw)
		return protocol.ImportResult{CertInfo: info}, err
	case p.PFX == "" && p.Certificate != "" && p.PrivateKey != "":
		cer, err := DecodeFile("certificate", p.Certificate)
		if err != nil {
			return protocol.ImportResult{}, err
		}
		key, err := DecodeFile("privateKey", p.PrivateKey)
		if err != nil {
			return protocol.ImportResult{}, err
		}
		pw := protocol.SecretOf(p.Password, p.PasswordBytes)
		defer clear(pw)
		newPw := protocol.SecretOf(p.NewPassword, p.NewPasswordBytes)
		defer clear(newPw)
		return c.ImportKeyPair(ctx, cer, key, pw, newPw)
	}
	return protocol.ImportResult{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("give certificate and privateKey, or pfx"))
}

// ImportSAT checks and stores a .cer/.key pair whose key is encrypted.
func (c *Core) ImportSAT(ctx context.Context, cer, key, password []byte) (protocol.CertInfo, error) {
	r, err := c.ImportKeyPair(ctx, cer, key, password, nil)
	return r.CertInfo, err
}

// ImportKeyPair checks and stores a .cer/.key pair. A key given
// unencrypted is stored encrypted with newPassword (at least
// protocol.MinNewPasswordBytes) and the result says so; without a new
// password it is ERR_BAD_CREDENTIAL_FILE "unencryptedKey".
func (c *Core) ImportKeyPair(ctx context.Context, cer, key, password, newPassword []byte) (protocol.ImportResult, error) {
	if c.opt.Store == nil {
		return protocol.ImportResult{}, errNoStore
	}
	if len(newPassword) > 0 && len(newPassword) < protocol.MinNewPasswordBytes {
		return protocol.ImportResult{}, keys.Coded(protocol.ErrBadRequest, map[string]any{"variant": "newPasswordShort", "minNewPasswordBytes": protocol.MinNewPasswordBytes}, errors.New("new password too short"))
	}
	cred, reencrypted, err := c.opt.Store.ImportKeyPair(cer, key, password, newPassword)
	info, err := c.imported(ctx, cred, err)
	if err == nil && reencrypted {
		c.log(ctx).Info().Str("certificate", cred.ID()).Msg("unencrypted key stored encrypted with the new password")
	}
	return protocol.ImportResult{CertInfo: info, KeyEncrypted: reencrypted}, err
}

// ImportPFX checks and stores a PKCS#12 file.
func (c *Core) ImportPFX(ctx context.Context, pfx, password []byte) (protocol.CertInfo, error) {
	if c.opt.Store == nil {
		return protocol.CertInfo{}, errNoStore
	}
	cred, err := c.opt.Store.ImportPFX(pfx, password)
	return c.imported(ctx, cred, err)
}

func (c *Core) imported(ctx context.Context, cred keys.Credential, err error) (protocol.CertInfo, error) {
	if err != nil {
		return protocol.CertInfo{}, err
	}
	c.log(ctx).Info().Str("certificate", cred.ID()).Msg("credential imported")
	return Info(cred, c.opt.Now()), nil
}

// Remove deletes a stored credential.
func (c *Core) Remove(ctx context.Context, id string) error {
	if c.opt.Store == nil {
		return errNoStore
	}
	if id == "" {
		return keys.Coded(protocol.ErrBadRequest, nil, errors.New("missing certificateId"))
	}
	if err := c.opt.Store.Remove(id); err != nil {
		return err
	}
	c.log(ctx).Info().Str("certificate", id).Msg("credential removed")
	return nil
}

// ExportPFX returns a stored credential as a PKCS#12 file protected with
// newPassword.
func (c *Core) ExportPFX(ctx context.Context, id string, password, newPassword []byte) ([]byte, error) {
	if c.opt.Store == nil {
		return nil, errNoStore
	}
	return c.opt.Store.ExportPFX(ctx, id, password, newPassword)
}

// DecodeFile accepts what a credential file field may hold: base64 (of DER
// or PEM) or PEM text itself.
func DecodeFile(field, v string) ([]byte, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "-----BEGIN ") {
		return []byte(v), nil
	}
	return DecodeBytes(field, v)
}

// DecodeBytes accepts standard or URL base64, padded or not, and nothing
// else; a failure is ERR_BAD_REQUEST naming field.
func DecodeBytes(field, v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b, nil
		}
	}
	return nil, keys.Coded(protocol.ErrBadRequest, nil, fmt.Errorf("%s is not base64", field))
}
