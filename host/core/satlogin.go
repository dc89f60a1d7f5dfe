package core

import (
	"context"
	"errors"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/signing"
)

// SATLogin signs in to SAT's own e.firma login page (form#certform): only
// for an https origin of sat.gob.mx (development origins do not count),
// only with a valid FIEL, over a text built here from the certificate's
// RFC and número and the page's guid (signing.SignSATLogin); the caller
// supplies neither. The result is the form's token and fert.
func (c *Core) SATLogin(ctx context.Context, p protocol.SATLoginParams) (protocol.SATLoginResult, error) {
	if err := signing.ValidateSATOrigin(p.Origin); err != nil {
		return protocol.SATLoginResult{}, keys.Coded(protocol.ErrOriginInvalid, nil, err)
	}
	if err := signing.ValidateSATGUID(p.GUID); err != nil {
		return protocol.SATLoginResult{}, keys.Coded(protocol.ErrBadRequest, nil, err)
	}
	cred, _, err := c.loginCredential(ctx, p.CertificateID, "sign in to SAT")
	if err != nil {
		return protocol.SATLoginResult{}, err
	}
	pw := protocol.SecretOf(p.Password, p.PasswordBytes)
	defer clear(pw)
	signer, release, err := c.Unlock(ctx, cred, pw, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.SATLoginResult{}, err
	}
	defer release()
	cert := cred.Certificate()
	f := sat.FactsOf(cert)
	l, err := signing.SignSATLogin(signer, signing.SATCertificate{Cert: cert, RFC: f.RFC, Numero: f.Serial}, p.GUID)
	switch {
	case errors.Is(err, signing.ErrSATKey), errors.Is(err, signing.ErrSATCert):
		return protocol.SATLoginResult{}, keys.Coded(protocol.ErrKeyUnusable, nil, err)
	case err != nil:
		return protocol.SATLoginResult{}, err
	}
	c.log(ctx).Info().Str("origin", p.Origin).Str("certificate", cred.ID()).Msg("signed in to SAT")
	return protocol.SATLoginResult{Token: l.Token, Fert: l.Fert}, nil
}
