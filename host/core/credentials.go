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
func (c *Core) Import(ctx context.Context, p protocol.ImportParams) (protocol.CertInfo, error) {
	if c.opt.Store == nil {
		return protocol.CertInfo{}, errNoStore
	}
	switch {
	case p.PFX != "" && p.Certificate == "" && p.PrivateKey == "":
		pfx, err := DecodeFile("pfx", p.PFX)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		pw := protocol.SecretOf(p.Password, p.PasswordBytes)
		defer clear(pw)
		return c.ImportPFX(ctx, pfx, pw)
	case p.PFX == "" && p.Certificate != "" && p.PrivateKey != "":
		cer, err := DecodeFile("certificate", p.Certificate)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		key, err := DecodeFile("privateKey", p.PrivateKey)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		pw := protocol.SecretOf(p.Password, p.PasswordBytes)
		defer clear(pw)
		return c.ImportSAT(ctx, cer, key, pw)
	}
	return protocol.CertInfo{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("give certificate and privateKey, or pfx"))
}

// ImportSAT checks and stores a .cer/.key pair.
func (c *Core) ImportSAT(ctx context.Context, cer, key, password []byte) (protocol.CertInfo, error) {
	if c.opt.Store == nil {
		return protocol.CertInfo{}, errNoStore
	}
	cred, err := c.opt.Store.ImportSAT(cer, key, password)
	return c.imported(ctx, cred, err)
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
