//go:build cgo

package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"

	"github.com/miekg/pkcs11"

	"github.com/efirma/conector/signing"
)

// Errors of Sign that are the caller's mistake.
var (
	ErrUnsupportedHash = errors.New("unsupported hash for a token signature")
	ErrReleased        = errors.New("token signer already released")
	ErrBadSignature    = errors.New("token returned a malformed signature")
)

// signer is the crypto.Signer of a token private key, valid until release.
type signer struct {
	mod        *module
	cred       *credential
	slot       uint
	sh         pkcs11.SessionHandle
	key        pkcs11.ObjectHandle
	pub        crypto.PublicKey
	alwaysAuth bool
	protected  bool

	mu       sync.Mutex // one operation at a time on the session
	pin      []byte     // only for CKA_ALWAYS_AUTHENTICATE keys without a PIN pad
	released bool
}

func (s *signer) Public() crypto.PublicKey { return s.pub }

// digestInfoPrefix is the DER DigestInfo header of PKCS#1 v1.5 signatures
// (RFC 8017, section 9.2, note 1), which CKM_RSA_PKCS expects us to add.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
	// SHA-1 only for SAT's e.firma login (opts signing.SATLoginSHA1).
	crypto.SHA1: {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
}

// Sign signs digest: RSA PKCS#1 v1.5 (SHA-256/384/512) with CKM_RSA_PKCS, or
// ECDSA with CKM_ECDSA, returning the ASN.1 DER form crypto.Signer promises.
func (s *signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h := opts.HashFunc()
	var mech uint
	var input []byte
	switch s.pub.(type) {
	case *rsa.PublicKey:
		if _, pss := opts.(*rsa.PSSOptions); pss {
			return nil, fmt.Errorf("%w: RSA-PSS", ErrUnsupportedHash)
		}
		prefix, ok := digestInfoPrefix[h]
		if _, satLogin := opts.(signing.SATLoginSHA1); h == crypto.SHA1 && !satLogin {
			ok = false // SHA-1 is for the SAT login format and nothing else
		}
		if !ok || len(digest) != h.Size() {
			return nil, fmt.Errorf("%w: %v with a %d-byte digest", ErrUnsupportedHash, h, len(digest))
		}
		mech = pkcs11.CKM_RSA_PKCS
		input = append(append(make([]byte, 0, len(prefix)+len(digest)), prefix...), digest...)
	case *ecdsa.PublicKey:
		if h == 0 || len(digest) != h.Size() || len(digest) == 0 {
			return nil, fmt.Errorf("%w: %v with a %d-byte digest", ErrUnsupportedHash, h, len(digest))
		}
		mech = pkcs11.CKM_ECDSA
		input = digest
	default:
		return nil, errors.New("internal error: token signer with an unsupported key")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil, ErrReleased
	}
	ctx := s.mod.ctx
	if err := ctx.SignInit(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, s.key); err != nil {
		return nil, s.failed("C_SignInit", err)
	}
	if s.alwaysAuth {
		// The context-specific login belongs between C_SignInit and C_Sign.
		if err := s.cred.login(s.mod, s.sh, s.slot, pkcs11.CKU_CONTEXT_SPECIFIC, s.pin, s.protected); err != nil {
			// The operation stays active; end it so the session can be reused.
			_, _ = ctx.Sign(s.sh, nil)
			return nil, err
		}
	}
	raw, err := ctx.Sign(s.sh, input)
	if err != nil {
		return nil, s.failed("C_Sign", err)
	}
	if pub, ok := s.pub.(*ecdsa.PublicKey); ok {
		return ecdsaDER(raw, pub.Curve)
	}
	return raw, nil
}

// failed maps an error of a signing call. Besides the return values that
// say the token is gone, a module may answer for a vanished token with a
// handle error (SoftHSM2 says CKR_OBJECT_HANDLE_INVALID), so any failure is
// followed by a look for the token: when it is no longer present the
// answer is ERR_TOKEN_NOT_PRESENT.
func (s *signer) failed(op string, err error) error {
	if !gone(err) {
		if _, ferr := s.mod.findToken(s.slot, s.cred.serial, s.cred.label); errors.Is(ferr, errNoSlot) {
			return notPresent(fmt.Errorf("%s: %w (token no longer present)", op, err))
		}
	}
	return opError(op, err)
}

// release logs out, closes the session, zeroes the PIN copy and frees the
// token's login lock. It is safe to call twice.
func (s *signer) release(unlockSlot func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return
	}
	s.released = true
	_ = s.mod.ctx.Logout(s.sh)
	_ = s.mod.ctx.CloseSession(s.sh)
	clear(s.pin)
	s.pin = nil
	unlockSlot()
}

// ecdsaDER converts a PKCS#11 ECDSA signature (r || s, each the size of the
// curve's order, big-endian) to the ASN.1 DER ECDSA-Sig-Value that
// crypto.Signer returns. It is the one place raw token signatures are
// converted.
func ecdsaDER(raw []byte, curve elliptic.Curve) ([]byte, error) {
	n := (curve.Params().N.BitLen() + 7) / 8
	if len(raw) != 2*n {
		return nil, fmt.Errorf("%w: %d bytes for a %d-byte curve", ErrBadSignature, len(raw), n)
	}
	r := new(big.Int).SetBytes(raw[:n])
	sv := new(big.Int).SetBytes(raw[n:])
	if r.Sign() == 0 || sv.Sign() == 0 || r.Cmp(curve.Params().N) >= 0 || sv.Cmp(curve.Params().N) >= 0 {
		return nil, fmt.Errorf("%w: r or s out of range", ErrBadSignature)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{r, sv})
}
