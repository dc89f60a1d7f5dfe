package keyfile

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// pfxTimeout bounds decoding a .pfx whose nested bags ask for more work
// than checkPFXWork can see.
const pfxTimeout = 10 * time.Second

// DecodePFX opens a PKCS#12 file (modern PBES2/AES or legacy 3DES/RC2,
// pkcs12.go) with password and returns its key and the certificate that
// matches it (a file may hold the chain), checked to belong together.
// The password is never made a Go string; every buffer derived from it is
// zeroed. The work it may ask for is bounded before any key derivation
// (checkPFXWork). An empty password is allowed: some .pfx files have none.
// Errors: sat.ErrBadPFX, sat.ErrWrongPassword, sat.ErrPasswordTooLong, sat.ErrKeyMismatch.
func DecodePFX(pfx, password []byte) (crypto.Signer, *x509.Certificate, error) {
	if len(pfx) == 0 || len(pfx) > protocol.MaxCredentialFileBytes {
		return nil, nil, sat.ErrBadPFX
	}
	if len(password) > protocol.MaxPasswordBytes {
		return nil, nil, sat.ErrPasswordTooLong
	}
	if err := checkPFXWork(pfx); err != nil {
		return nil, nil, err
	}
	// The decoding runs on a copy of the password that it zeroes when it
	// ends, so the caller may zero its own as soon as we return, even
	// after a timeout.
	pw := bytes.Clone(password)
	type decoded struct {
		key  crypto.Signer
		cert *x509.Certificate
		err  error
	}
	done := make(chan decoded, 1)
	go func() {
		defer clear(pw)
		k, cert, err := decodePFX(pfx, pw)
		done <- decoded{k, cert, err}
	}()
	select {
	case d := <-done:
		if d.err != nil {
			return nil, nil, d.err
		}
		return d.key, d.cert, nil
	case <-time.After(pfxTimeout):
		// Work hidden inside an encrypted SafeContents: give up; the
		// goroutine ends on its own.
		return nil, nil, fmt.Errorf("%w: decoding took longer than %s", sat.ErrBadPFX, pfxTimeout)
	}
}

// checkPFXWork bounds the key-derivation work a .pfx may ask for before
// any is done: it requires a MAC (integrity: an unauthenticated file would
// otherwise be decrypted with whatever password is given) and walks every
// AlgorithmIdentifier visible without decrypting — the MAC's, each
// encrypted SafeContents', each shrouded key bag's — refusing iteration
// counts above MaxPBKDF2Iterations and unsupported schemes. Bags nested
// inside an encrypted SafeContents are checked by decodePFX before each
// decryption, and the whole decoding is bounded by pfxTimeout.
func checkPFXWork(pfx []byte) error {
	var p pfxPDU
	if rest, err := asn1.Unmarshal(pfx, &p); err != nil || len(rest) != 0 {
		return badPFX("not a PKCS#12 structure")
	}
	if len(p.MacData.Mac.Digest) == 0 {
		return badPFX("no MAC (integrity) in the file")
	}
	if !p.MacData.Mac.Algorithm.Algorithm.Equal(oidSHA1) && !p.MacData.Mac.Algorithm.Algorithm.Equal(oidSHA256) {
		return badPFX("unsupported MAC algorithm %v", p.MacData.Mac.Algorithm.Algorithm)
	}
	if p.MacData.Iterations < 1 || p.MacData.Iterations > MaxPBKDF2Iterations || len(p.MacData.Salt) > 64 {
		return badPFX("MAC iterations %d out of bounds", p.MacData.Iterations)
	}
	if !p.AuthSafe.ContentType.Equal(oidData) {
		return badPFX("authenticated safe is not plain data")
	}
	var safeDER []byte
	if _, err := asn1.Unmarshal(p.AuthSafe.Content.Bytes, &safeDER); err != nil {
		return badPFX("bad authenticated safe")
	}
	var safe []pfxContentInfo
	if _, err := asn1.Unmarshal(safeDER, &safe); err != nil {
		return badPFX("bad authenticated safe")
	}
	for _, ci := range safe {
		switch {
		case ci.ContentType.Equal(oidData):
			var bagsDER []byte
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &bagsDER); err != nil {
				return badPFX("bad safe contents")
			}
			var bags []safeBag
			if _, err := asn1.Unmarshal(bagsDER, &bags); err != nil {
				return badPFX("bad safe bags")
			}
			for _, b := range bags {
				if !b.ID.Equal(oidShroudedKeyBag) {
					continue
				}
				var epki sat.EncryptedKeyInfo
				if _, err := asn1.Unmarshal(b.Value.Bytes, &epki); err != nil {
					return badPFX("bad shrouded key bag")
				}
				if err := checkPBEWork(epki.Algo); err != nil {
					return badPFX("key bag: %v", err)
				}
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed pfxEncryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil {
				return badPFX("bad encrypted safe contents")
			}
			if err := checkPBEWork(ed.Info.Algo); err != nil {
				return badPFX("encrypted safe contents: %v", err)
			}
		default:
			return badPFX("unsupported content type %v", ci.ContentType)
		}
	}
	return nil
}

var (
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidPKCS12PBE      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1} // pbeWithSHAAnd… (legacy)
	oidSHA1           = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// checkPBEWork bounds one password-based encryption AlgorithmIdentifier:
// legacy PKCS#12 PBE {salt, iterations} or PBES2 with PBKDF2 (the bound
// sat applies to .key files).
func checkPBEWork(a pkix.AlgorithmIdentifier) error {
	switch {
	case len(a.Algorithm) == len(oidPKCS12PBE)+1 && a.Algorithm[:len(oidPKCS12PBE)].Equal(oidPKCS12PBE):
		var pbe pkcs12PBEParams
		if _, err := asn1.Unmarshal(a.Parameters.FullBytes, &pbe); err != nil {
			return errors.New("bad PBE parameters")
		}
		if pbe.Iterations < 1 || pbe.Iterations > MaxPBKDF2Iterations {
			return fmt.Errorf("%d iterations out of bounds", pbe.Iterations)
		}
		return nil
	case a.Algorithm.Equal(oidPBES2):
		var params struct {
			KDF pkix.AlgorithmIdentifier
			Enc pkix.AlgorithmIdentifier
		}
		if _, err := asn1.Unmarshal(a.Parameters.FullBytes, &params); err != nil || !params.KDF.Algorithm.Equal(oidPBKDF2) {
			return errors.New("unsupported PBES2 parameters")
		}
		return CheckPBKDF2Work(params.KDF.Parameters.FullBytes)
	}
	return fmt.Errorf("unsupported encryption %v", a.Algorithm)
}
