// Package signing owns the signature schemes of Conector e.firma, for the
// host that signs and the portal that verifies: which algorithm a key
// signs with (RS256, ES256, ES384), how a message is signed with a
// crypto.Signer (the one place where an ECDSA ASN.1 signature becomes the
// fixed-size r||s the protocol carries), how such a signature is verified,
// and the authentication message a login signs.
//
// Other signature formats built over the same keys live here too, one file
// each (for example a SAT login token or a CMS detached signature), so that
// the host and every verifier share one definition of each.
//
// Rules: only the standard library and package protocol; nothing here
// logs, keeps keys or touches the network; a verifier never learns the
// algorithm from what the browser says without checking it against the key.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/efirma/conector/protocol"
)

// Errors of Sign and Verify.
var (
	// ErrUnsupportedKey: the key is not RSA, P-256 or P-384.
	ErrUnsupportedKey = errors.New("unsupported key algorithm")
	// ErrAlgorithm: the algorithm named does not match the key.
	ErrAlgorithm = errors.New("algorithm does not match the key")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("signature does not verify")
)

// Algorithm returns the protocol algorithm name for a public key, or "" when
// the key type is not supported.
func Algorithm(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return protocol.AlgRS256
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return protocol.AlgES256
		case 384:
			return protocol.AlgES384
		}
	case ed25519.PublicKey:
		return ""
	}
	return ""
}

// digest hashes msg for alg.
func digest(alg string, msg []byte) ([]byte, crypto.Hash, bool) {
	switch alg {
	case protocol.AlgRS256, protocol.AlgES256:
		h := sha256.Sum256(msg)
		return h[:], crypto.SHA256, true
	case protocol.AlgES384:
		h := sha512.Sum384(msg)
		return h[:], crypto.SHA384, true
	}
	return nil, 0, false
}

// Sign signs msg with the protocol algorithm: RSASSA-PKCS1-v1_5 with
// SHA-256 (RS256) or ECDSA with SHA-256/384 (ES256/ES384) as r||s.
func Sign(signer crypto.Signer, alg string, msg []byte) ([]byte, error) {
	h, hash, ok := digest(alg, msg)
	if !ok {
		return nil, ErrUnsupportedKey
	}
	sig, err := signer.Sign(rand.Reader, h, hash)
	if err != nil || alg == protocol.AlgRS256 {
		return sig, err
	}
	if alg == protocol.AlgES256 {
		return ECDSAToRaw(sig, 32)
	}
	return ECDSAToRaw(sig, 48)
}

// ECDSAToRaw converts an ASN.1 ECDSA signature to fixed-size r||s, size
// bytes each.
func ECDSAToRaw(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return nil, fmt.Errorf("bad ECDSA signature from signer: %w", err)
	}
	if sig.R.BitLen() > size*8 || sig.S.BitLen() > size*8 {
		return nil, errors.New("ECDSA signature too large for curve")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

// Verify checks sig over msg with pub for alg: RSASSA-PKCS1-v1_5 with
// SHA-256 for RS256, ECDSA r||s with SHA-256 (ES256, P-256) or SHA-384
// (ES384, P-384). alg must be the key's own algorithm (ErrAlgorithm).
func Verify(pub crypto.PublicKey, alg string, msg, sig []byte) error {
	if want := Algorithm(pub); want != alg {
		if want == "" {
			return fmt.Errorf("%w: unsupported key type %T", ErrAlgorithm, pub)
		}
		return fmt.Errorf("%w: token says %s, key is %s", ErrAlgorithm, alg, want)
	}
	h, hash, _ := digest(alg, msg)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, hash, h, sig); err != nil {
			return ErrBadSignature
		}
		return nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return fmt.Errorf("%w: r||s has %d bytes, want %d", ErrBadSignature, len(sig), 2*size)
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(k, h, r, s) {
			return ErrBadSignature
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported key type %T", ErrAlgorithm, pub)
}

// AuthMessage is the message a login signs: "efirma-auth:1", a zero byte,
// SHA-256(origin) and SHA-256(challenge) (protocol.AuthMessage, documented
// in docs/PROTOCOL.md).
func AuthMessage(origin, challenge string) []byte {
	return protocol.AuthMessage(origin, challenge)
}

// SignAuth signs the authentication message for origin and challenge with
// the key's own algorithm and returns the algorithm and the signature.
func SignAuth(signer crypto.Signer, origin, challenge string) (alg string, sig []byte, err error) {
	alg = Algorithm(signer.Public())
	sig, err = Sign(signer, alg, AuthMessage(origin, challenge))
	return alg, sig, err
}
