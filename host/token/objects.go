//go:build cgo

package token

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/protocol"
)

// Bounds on what a token may hand us.
const (
	maxTokens      = 64  // tokens read per module
	maxCertObjects = 256 // certificate objects read per token
	maxIDBytes     = 256 // CKA_ID length
	maxLabelBytes  = 256 // CKA_LABEL length
)

// tokenDesc is one token present in a slot.
type tokenDesc struct {
	slot uint
	info pkcs11.TokenInfo
}

// certObject is one X.509 certificate object found on a token.
type certObject struct {
	cert  *x509.Certificate
	id    []byte // CKA_ID
	label string // CKA_LABEL
	// hasKey: a private (or public) key object with the same CKA_ID is
	// visible before login. When false the key may still be there, hidden
	// until login (CKA_PRIVATE): Unlock finds it by CKA_ID after login.
	hasKey bool
}

// presentTokens lists the tokens present in the module's slots.
func (m *module) presentTokens() ([]tokenDesc, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("C_GetSlotList: %w", err)
	}
	if len(slots) > maxTokens {
		slots = slots[:maxTokens]
	}
	out := make([]tokenDesc, 0, len(slots))
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err != nil {
			// Removed between the two calls, or not recognised: not there.
			continue
		}
		out = append(out, tokenDesc{slot: s, info: ti})
	}
	return out, nil
}

// certificates reads the X.509 certificate objects of the token in slot,
// in a public (not logged in) read-only session. Objects that are not
// parseable certificates are skipped and counted in skipped.
func (m *module) certificates(slot uint) (certs []certObject, skipped int, err error) {
	sh, err := m.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, 0, fmt.Errorf("C_OpenSession: %w", err)
	}
	defer func() { _ = m.ctx.CloseSession(sh) }()

	handles, err := m.find(sh, maxCertObjects,
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509))
	if err != nil {
		return nil, 0, err
	}
	for _, h := range handles {
		attrs, err := m.ctx.GetAttributeValue(sh, h, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil),
			pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil),
		})
		if err != nil {
			if gone(err) {
				return nil, 0, fmt.Errorf("C_GetAttributeValue: %w", err)
			}
			skipped++
			continue
		}
		der, id, label := attrs[0].Value, attrs[1].Value, attrs[2].Value
		if len(der) == 0 || len(der) > protocol.MaxCredentialFileBytes || len(id) > maxIDBytes {
			skipped++
			continue
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			skipped++
			continue
		}
		if len(label) > maxLabelBytes {
			label = label[:maxLabelBytes]
		}
		co := certObject{cert: c, id: append([]byte(nil), id...), label: string(label)}
		if len(id) > 0 {
			co.hasKey, err = m.hasKey(sh, id)
			if err != nil {
				return nil, 0, err
			}
		}
		certs = append(certs, co)
	}
	return certs, skipped, nil
}

// hasKey reports whether a private key with CKA_ID id is visible, or, as
// most tokens hide private keys until login, a public key with that id.
// False is not "no key": a token loaded without public key objects (as
// pkcs11-tool --write-object --type privkey does) shows nothing until login.
func (m *module) hasKey(sh pkcs11.SessionHandle, id []byte) (bool, error) {
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
		hs, err := m.find(sh, 1,
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id))
		if err != nil {
			return false, err
		}
		if len(hs) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// find runs one C_FindObjects search, returning at most limit handles.
func (m *module) find(sh pkcs11.SessionHandle, limit int, tmpl ...*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := m.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, fmt.Errorf("C_FindObjectsInit: %w", err)
	}
	var out []pkcs11.ObjectHandle
	var ferr error
	for len(out) < limit {
		n := min(limit-len(out), 32)
		hs, _, err := m.ctx.FindObjects(sh, n)
		if err != nil {
			ferr = fmt.Errorf("C_FindObjects: %w", err)
			break
		}
		if len(hs) == 0 {
			break
		}
		out = append(out, hs...)
	}
	if err := m.ctx.FindObjectsFinal(sh); err != nil && ferr == nil {
		ferr = fmt.Errorf("C_FindObjectsFinal: %w", err)
	}
	if ferr != nil {
		return nil, ferr
	}
	return out, nil
}

// supportedKey reports whether the certificate's key is one we sign with:
// RSA, or EC on P-256 or P-384.
func supportedKey(c *x509.Certificate) bool {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return true
	case *ecdsa.PublicKey:
		bits := k.Curve.Params().BitSize
		return bits == 256 || bits == 384
	}
	return false
}

// errNoSlot is returned when no present token has the credential's serial.
var errNoSlot = errors.New("token not present in any slot")

// findToken returns the slot now holding the token with serial (and, when
// the serial is empty, label), trying the slot it was seen in first.
func (m *module) findToken(slot uint, serial, label string) (tokenDesc, error) {
	match := func(ti pkcs11.TokenInfo) bool {
		if serial != "" {
			return ti.SerialNumber == serial
		}
		return ti.Label == label
	}
	if ti, err := m.ctx.GetTokenInfo(slot); err == nil && match(ti) {
		return tokenDesc{slot: slot, info: ti}, nil
	}
	toks, err := m.presentTokens()
	if err != nil {
		if gone(err) {
			return tokenDesc{}, errNoSlot
		}
		return tokenDesc{}, err
	}
	for _, t := range toks {
		if match(t.info) {
			return t, nil
		}
	}
	return tokenDesc{}, errNoSlot
}
