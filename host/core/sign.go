package core

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/logging"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/signing"
)

// Sign signs one text (Data) or a batch of texts (Documents) with the
// credential's own algorithm, or, with Format "cms", builds a detached CMS
// over Document (signCMS). Texts are checked before any lookup: each one
// text by protocol.IsText (anything else is ERR_DATA_NOT_TEXT: the host
// signs only what the consent window could show, never opaque bytes such
// as the DER of another signature's attributes), none empty, none over
// protocol.MaxTextBytes nor together over MaxBatchTextBytes (what a person
// cannot read whole is refused, not signed unseen), none starting with the
// reserved login prefix (a document signature can never be a login), at
// most protocol.MaxBatchDocuments, and an answer that fits the 1 MiB frame.
func (c *Core) Sign(ctx context.Context, p protocol.SignParams) (protocol.SignResult, error) {
	if err := protocol.ValidateOrigin(p.Origin, c.opt.DevOrigins); err != nil {
		return protocol.SignResult{}, keys.Coded(protocol.ErrOriginInvalid, nil, err)
	}
	if p.Format != "" || p.Document != nil {
		if p.Format != protocol.FormatCMS || p.Document == nil || p.Data != "" || len(p.Documents) > 0 {
			return protocol.SignResult{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New(`format "cms" takes a document and nothing else`))
		}
		return c.signCMS(ctx, p)
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
	total := 0
	for i, d := range docs {
		if len(d) == 0 {
			return protocol.SignResult{}, keys.Coded(protocol.ErrBadRequest, nil, fmt.Errorf("document %d is empty", i))
		}
		if strings.HasPrefix(string(d), protocol.ReservedPrefix) {
			return protocol.SignResult{}, keys.Coded(protocol.ErrDataReserved, nil, fmt.Errorf("document %d starts with the reserved prefix", i))
		}
		if len(d) > protocol.MaxTextBytes {
			return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxTextBytes": protocol.MaxTextBytes}, fmt.Errorf("document %d has %d bytes, more than can be shown", i, len(d)))
		}
		if !protocol.IsText(d) {
			return protocol.SignResult{}, keys.Coded(protocol.ErrDataNotText, nil, fmt.Errorf("document %d is not text", i))
		}
		total += len(d)
	}
	if total > protocol.MaxBatchTextBytes {
		return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxBatchTextBytes": protocol.MaxBatchTextBytes}, fmt.Errorf("batch has %d bytes of text, more than can be shown", total))
	}
	cred, err := c.Find(ctx, p.CertificateID)
	if err != nil {
		return protocol.SignResult{}, err
	}
	info := Info(cred, c.opt.Now())
	if err := CheckValidity(info); err != nil {
		return protocol.SignResult{}, unusable(cred, err)
	}
	// Refuse a batch whose answer cannot fit Chrome's 1 MiB before any
	// unlock or signature (a 4096-bit key makes 684-character signatures).
	if est := EstimateSignResult(cred.Certificate(), len(docs)); est > protocol.MaxResponseBytes {
		return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxBatchDocuments": len(docs) * protocol.MaxResponseBytes / est}, fmt.Errorf("answer would be about %d bytes", est))
	}
	pw := protocol.SecretOf(p.Password, p.PasswordBytes)
	defer clear(pw)
	signer, release, err := c.Unlock(ctx, cred, pw, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
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

// CMSAlgorithm names the signature inside a CMS the host builds: always
// over SHA-256, RSASSA-PKCS1-v1_5 (RS256) or ECDSA (ES256).
func CMSAlgorithm(pub crypto.PublicKey) string {
	if _, ok := pub.(*ecdsa.PublicKey); ok {
		return protocol.AlgES256
	}
	return protocol.AlgRS256
}

// checkDocument validates a "cms" document and returns its bytes: a name
// and a media type to show, at most protocol.MaxDocumentBytes, and when its
// bytes are text at most protocol.MaxTextBytes (the consent window shows
// text whole; a binary document by name, type, size and SHA-256).
func checkDocument(d *protocol.SignDocument) ([]byte, error) {
	bad := func(msg string) error { return keys.Coded(protocol.ErrBadRequest, nil, errors.New(msg)) }
	if d.Name == "" || len(d.Name) > protocol.MaxDocumentNameBytes || !protocol.IsText([]byte(d.Name)) || strings.ContainsAny(d.Name, "\t\r\n") {
		return nil, bad("document.name must be a short file name")
	}
	typ, sub, ok := strings.Cut(d.MediaType, "/")
	if !ok || typ == "" || sub == "" || len(d.MediaType) > protocol.MaxMediaTypeBytes || strings.ContainsFunc(d.MediaType, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$&^_.+-/", r))
	}) || strings.Count(d.MediaType, "/") != 1 {
		return nil, bad("document.mediaType must be type/subtype")
	}
	if len(d.Data) > base64.StdEncoding.EncodedLen(protocol.MaxDocumentBytes) {
		return nil, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxDocumentBytes": protocol.MaxDocumentBytes}, errors.New("document too large"))
	}
	b, err := DecodeBytes("document.data", d.Data)
	if err != nil {
		return nil, err
	}
	switch {
	case len(b) == 0:
		return nil, bad("document is empty")
	case len(b) > protocol.MaxDocumentBytes:
		return nil, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxDocumentBytes": protocol.MaxDocumentBytes}, errors.New("document too large"))
	case len(b) > protocol.MaxTextBytes && protocol.IsText(b):
		return nil, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxTextBytes": protocol.MaxTextBytes}, errors.New("text document too long to show"))
	}
	return b, nil
}

// signCMS builds and signs a detached CMS (signing.SignCMS) over the
// document's SHA-256: the key signs only the signed attributes the host
// made (contentType, signingTime, messageDigest, signingCertificateV2).
func (c *Core) signCMS(ctx context.Context, p protocol.SignParams) (protocol.SignResult, error) {
	doc, err := checkDocument(p.Document)
	if err != nil {
		return protocol.SignResult{}, err
	}
	digest := sha256.Sum256(doc)
	cred, err := c.Find(ctx, p.CertificateID)
	if err != nil {
		return protocol.SignResult{}, err
	}
	info := Info(cred, c.opt.Now())
	if err := CheckValidity(info); err != nil {
		return protocol.SignResult{}, err
	}
	pw := protocol.SecretOf(p.Password, p.PasswordBytes)
	defer clear(pw)
	signer, release, err := c.Unlock(ctx, cred, pw, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.SignResult{}, err
	}
	defer release()
	der, err := signing.SignCMS(signer, cred.Certificate(), digest, c.opt.Now())
	if err != nil {
		return protocol.SignResult{}, signError(err)
	}
	log := c.log(ctx)
	log.Debug().Str("dataSHA256", hex.EncodeToString(digest[:])).Str("mediaType", p.Document.MediaType).Int("bytes", len(doc)).Msg("signed CMS")
	log.Info().Str("origin", p.Origin).Str("certificate", cred.ID()).Msg("signed document (cms)")
	return protocol.SignResult{CMS: base64.StdEncoding.EncodeToString(der), Algorithm: CMSAlgorithm(signer.Public()), Certificate: info.Certificate}, nil
}
