package core

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// Authenticate signs the login message for an origin and a challenge with
// a FIEL: the origin and challenge are checked first, then the
// certificate (FIEL, valid now, usable), then the password opens the key.
func (c *Core) Authenticate(ctx context.Context, p protocol.AuthenticateParams) (protocol.AuthToken, error) {
	if err := protocol.ValidateOrigin(p.Origin, c.opt.DevOrigins); err != nil {
		return protocol.AuthToken{}, keys.Coded(protocol.ErrOriginInvalid, nil, err)
	}
	if err := protocol.ValidateChallenge(p.Challenge); err != nil {
		return protocol.AuthToken{}, keys.Coded(protocol.ErrBadRequest, nil, err)
	}
	cred, info, err := c.loginCredential(ctx, p.CertificateID, "authenticate")
	if err != nil {
		return protocol.AuthToken{}, err
	}
	pw := protocol.SecretOf(p.Password, p.PasswordBytes)
	defer clear(pw)
	signer, release, err := c.Unlock(ctx, cred, pw, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.AuthToken{}, err
	}
	defer release()
	alg, sig, err := signing.SignAuth(signer, p.Origin, p.Challenge)
	if err != nil {
		return protocol.AuthToken{}, signError(err)
	}
	c.log(ctx).Info().Str("origin", p.Origin).Str("certificate", cred.ID()).Msg("authenticated")
	return protocol.AuthToken{
		Format:      protocol.AuthFormat,
		Certificate: info.Certificate,
		Algorithm:   alg,
		Signature:   base64.StdEncoding.EncodeToString(sig),
	}, nil
}

// loginCredential finds the credential for a login (Authenticate,
// SATLogin): only a FIEL, valid now; a stored one that is damaged says so
// (unusable). what names the operation in the error.
func (c *Core) loginCredential(ctx context.Context, id, what string) (keys.Credential, protocol.CertInfo, error) {
	cred, err := c.Find(ctx, id)
	if err != nil {
		return nil, protocol.CertInfo{}, err
	}
	info := Info(cred, c.opt.Now())
	if info.Type != protocol.TypeFIEL {
		return nil, protocol.CertInfo{}, keys.Coded(protocol.ErrNotFIEL, map[string]any{"type": info.Type, "variant": info.Type}, fmt.Errorf("only a FIEL may %s", what))
	}
	if err := CheckValidity(info); err != nil {
		return nil, protocol.CertInfo{}, unusable(cred, err)
	}
	return cred, info, nil
}

// signError names a key the protocol cannot sign with.
func signError(err error) error {
	if errors.Is(err, signing.ErrUnsupportedKey) {
		return keys.Coded(protocol.ErrKeyUnusable, nil, err)
	}
	return err
}

// unusable prefers the source's own error for a credential it lists as
// not usable (keys.UnusableError: a damaged stored file says so) over the
// generic ERR_KEY_UNUSABLE of CheckValidity.
func unusable(cred keys.Credential, err error) error {
	var ce *keys.CodedError
	if errors.As(err, &ce) && ce.Code == protocol.ErrKeyUnusable {
		if u, ok := cred.(keys.UnusableError); ok {
			if uerr := u.UnusableError(); uerr != nil {
				return uerr
			}
		}
	}
	return err
}

// CheckValidity refuses expired and not-yet-valid certificates, and keys
// their source reports unusable.
func CheckValidity(info protocol.CertInfo) error {
	switch info.Status {
	case protocol.StatusExpired:
		return keys.Coded(protocol.ErrCertExpired, map[string]any{"notAfter": info.NotAfter}, errors.New("certificate expired"))
	case protocol.StatusNotYetValid:
		return keys.Coded(protocol.ErrCertNotYetValid, map[string]any{"notBefore": info.NotBefore}, errors.New("certificate not yet valid"))
	}
	if !info.Usable {
		return keys.Coded(protocol.ErrKeyUnusable, nil, errors.New(info.Reason))
	}
	return nil
}

// Unlock opens a credential, counting wrong passwords for this session.
// The caller must call release when done.
func (c *Core) Unlock(ctx context.Context, cred keys.Credential, password []byte, opts keys.UnlockOptions) (signer crypto.Signer, release func(), err error) {
	signer, release, err = cred.Unlock(ctx, password, opts)
	if err != nil {
		if errors.Is(err, sat.ErrWrongPassword) || errors.Is(err, sat.ErrEmptyPassword) {
			c.mu.Lock()
			c.failures[cred.ID()]++
			n := c.failures[cred.ID()]
			c.mu.Unlock()
			return nil, nil, keys.Coded(protocol.ErrWrongPassword, map[string]any{"attempts": n, "variant": cred.Source()}, err)
		}
		return nil, nil, err
	}
	c.mu.Lock()
	delete(c.failures, cred.ID())
	c.mu.Unlock()
	return signer, release, nil
}

// WrongPasswordTries is the number of wrong passwords given in this
// session, over every credential.
func (c *Core) WrongPasswordTries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	tries := 0
	for _, n := range c.failures {
		tries += n
	}
	return tries
}
