package core

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/logging"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

// Sign signs one document (Data) or a batch (Documents) with the
// credential's own algorithm. Documents are checked before any lookup:
// none empty, none starting with the reserved login prefix (a document
// signature can never be a login), at most protocol.MaxBatchDocuments,
// and an answer that fits the 1 MiB frame.
func (c *Core) Sign(ctx context.Context, p protocol.SignParams) (protocol.SignResult, error) {
	if err := protocol.ValidateOrigin(p.Origin, c.opt.DevOrigins); err != nil {
		return protocol.SignResult{}, keys.Coded(protocol.ErrOriginInvalid, nil, err)
	}
	var docs [][]byte
	batch := len(p.Documents) > 0
	switch {
	case batch && p.Data != "":
		return protocol.SignResult{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("give data or documents, not both"))
	case batch:
		if len(p.Documents) > protocol.MaxBatchDocuments {
			return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxBatchDocuments": protocol.MaxBatchDocuments}, errors.New("too many documents"))
		}
		for i, d := range p.Documents {
			b, err := DecodeBytes(fmt.Sprintf("documents[%d].data", i), d.Data)
			if err != nil {
				return protocol.SignResult{}, err
			}
			docs = append(docs, b)
		}
	case p.Data != "":
		b, err := DecodeBytes("data", p.Data)
		if err != nil {
			return protocol.SignResult{}, err
		}
		docs = [][]byte{b}
	default:
		return protocol.SignResult{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("nothing to sign"))
	}
	for i, d := range docs {
		if len(d) == 0 {
			return protocol.SignResult{}, keys.Coded(protocol.ErrBadRequest, nil, fmt.Errorf("document %d is empty", i))
		}
		if strings.HasPrefix(string(d), protocol.ReservedPrefix) {
			return protocol.SignResult{}, keys.Coded(protocol.ErrDataReserved, nil, fmt.Errorf("document %d starts with the reserved prefix", i))
		}
	}
	cred, err := c.Find(ctx, p.CertificateID)
	if err != nil {
		return protocol.SignResult{}, err
	}
	info := Info(cred, c.opt.Now())
	if err := CheckValidity(info); err != nil {
		return protocol.SignResult{}, err
	}
	// Refuse a batch whose answer cannot fit Chrome's 1 MiB before any
	// unlock or signature (a 4096-bit key makes 684-character signatures).
	if est := EstimateSignResult(cred.Certificate(), len(docs)); est > protocol.MaxResponseBytes {
		return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxBatchDocuments": len(docs) * protocol.MaxResponseBytes / est}, fmt.Errorf("answer would be about %d bytes", est))
	}
	signer, release, err := c.Unlock(ctx, cred, p.Password, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.SignResult{}, err
	}
	defer release()
	log := c.log(ctx)
	alg := signing.Algorithm(signer.Public())
	res := protocol.SignResult{Algorithm: alg, Certificate: info.Certificate}
	for _, d := range docs {
		sig, err := signing.Sign(signer, alg, d)
		if err != nil {
			return protocol.SignResult{}, signError(err)
		}
		enc := base64.StdEncoding.EncodeToString(sig)
		if batch {
			res.Signatures = append(res.Signatures, enc)
		} else {
			res.Signature = enc
		}
		log.Debug().Str("dataSHA256", logging.DataHash(d)).Msg("signed")
	}
	log.Info().Str("origin", p.Origin).Str("certificate", cred.ID()).Int("documents", len(docs)).Msg("signed")
	return res, nil
}

// EstimateSignResult bounds the size of a sign answer: each signature is
// at most the key's size (RSA modulus, or r||s), base64 and quoted; plus
// the certificate and the envelope.
func EstimateSignResult(cert *x509.Certificate, n int) int {
	sigBytes := 512
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		sigBytes = k.Size()
	case *ecdsa.PublicKey:
		sigBytes = 2 * ((k.Curve.Params().BitSize + 7) / 8)
	}
	perSig := base64.StdEncoding.EncodedLen(sigBytes) + 3
	return n*perSig + base64.StdEncoding.EncodedLen(len(cert.Raw)) + 256
}
