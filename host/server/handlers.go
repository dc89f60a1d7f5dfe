package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/logging"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/rs/zerolog"
)

func (s *Server) hello() protocol.HelloResult {
	names := make([]string, 0, len(s.sources)+1)
	for _, src := range s.sources {
		names = append(names, src.Name())
		if src.Name() == protocol.SourceFile {
			names = append(names, protocol.SourcePKCS12)
		}
	}
	return protocol.HelloResult{
		Version:  s.opt.Version,
		Protocol: protocol.Version,
		Sources:  names,
		Limits: protocol.Limits{
			MaxRequestBytes:   protocol.MaxRequestBytes,
			MaxResponseBytes:  protocol.MaxResponseBytes,
			MaxBatchDocuments: protocol.MaxBatchDocuments,
		},
	}
}

// Info builds the CertInfo of a credential at time now.
func Info(c keys.Credential, now time.Time) protocol.CertInfo {
	info := InfoOf(c.Certificate(), now)
	info.ID = c.ID()
	info.Source = c.Source()
	c.Decorate(&info)
	return info
}

// InfoOf builds the certificate part of a CertInfo (no id, source or key state).
func InfoOf(cert *x509.Certificate, now time.Time) protocol.CertInfo {
	f := sat.FactsOf(cert)
	status, days := sat.Status(cert, now)
	return protocol.CertInfo{
		Type:               f.Type,
		RFC:                f.RFC,
		RFCRepresentative:  f.RFCRepresentative,
		CURP:               f.CURP,
		CURPRepresentative: f.CURPRepresentative,
		Name:               f.Name,
		Serial:             f.Serial,
		Issuer:             f.Issuer,
		NotBefore:          cert.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:           cert.NotAfter.UTC().Format(time.RFC3339),
		Status:             status,
		DaysLeft:           days,
		Certificate:        base64.StdEncoding.EncodeToString(cert.Raw),
	}
}

// credentials lists every source; a failing source is a warning.
func (s *Server) credentials(ctx context.Context, log zerolog.Logger) ([]keys.Credential, []string) {
	var all []keys.Credential
	var warnings []string
	for _, src := range s.sources {
		creds, warns, err := src.List(ctx)
		if err != nil {
			log.Warn().Err(err).Str("source", src.Name()).Msg("source failed")
			warns = append(warns, err.Error())
		}
		for _, w := range warns {
			log.Warn().Str("source", src.Name()).Msg(w)
		}
		// Details (paths, library errors) stay in the log; the browser
		// learns which source had a problem, in Spanish.
		if len(warns) > 0 {
			warnings = append(warnings, i18n.T(i18n.ES, "warning.source."+src.Name()))
		}
		all = append(all, creds...)
	}
	return all, warnings
}

func (s *Server) list(ctx context.Context, log zerolog.Logger) (protocol.ListResult, error) {
	creds, warnings := s.credentials(ctx, log)
	now := s.opt.Now()
	out := protocol.ListResult{Certificates: make([]protocol.CertInfo, 0, len(creds)), Warnings: warnings}
	for _, c := range creds {
		out.Certificates = append(out.Certificates, Info(c, now))
	}
	sortInfos(out.Certificates)
	return out, nil
}

// sortInfos puts usable FIELs first, then by expiry, latest first.
func sortInfos(l []protocol.CertInfo) {
	rank := func(i protocol.CertInfo) int {
		r := 0
		if i.Type != protocol.TypeFIEL {
			r += 2
		}
		if i.Status != protocol.StatusValid || !i.Usable {
			r += 4
		}
		return r
	}
	sort.SliceStable(l, func(a, b int) bool {
		ra, rb := rank(l[a]), rank(l[b])
		if ra != rb {
			return ra < rb
		}
		return l[a].NotAfter > l[b].NotAfter
	})
}

func (s *Server) find(ctx context.Context, log zerolog.Logger, id string) (keys.Credential, error) {
	if id == "" {
		return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("missing certificateId"))
	}
	// Stored credentials are found without asking the token modules, so a
	// slow or hung token cannot delay signing with a .key or .pfx.
	if s.opt.Store != nil && (strings.HasPrefix(id, protocol.SourceFile+"-") || strings.HasPrefix(id, protocol.SourcePKCS12+"-")) {
		c, err := s.opt.Store.Get(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, keys.Coded(protocol.ErrCertNotFound, nil, fmt.Errorf("no credential %q", id))
		}
		return c, err
	}
	for _, src := range s.sources {
		if src == keys.Source(s.opt.Store) {
			continue
		}
		creds, _, err := src.List(ctx)
		if err != nil {
			log.Warn().Err(err).Str("source", src.Name()).Msg("source failed")
			continue
		}
		for _, c := range creds {
			if c.ID() == id {
				return c, nil
			}
		}
	}
	return nil, keys.Coded(protocol.ErrCertNotFound, nil, fmt.Errorf("no credential %q", id))
}

// decodeFile accepts what a credential file field may hold: base64 (of DER
// or PEM) or PEM text itself.
func decodeFile(field, v string) ([]byte, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "-----BEGIN ") {
		return []byte(v), nil
	}
	return decodeBytes(field, v)
}

// decodeBytes accepts standard or URL base64, padded or not, and nothing else.
func decodeBytes(field, v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b, nil
		}
	}
	return nil, keys.Coded(protocol.ErrBadRequest, nil, fmt.Errorf("%s is not base64", field))
}

func (s *Server) importCredential(log zerolog.Logger, p protocol.ImportParams) (protocol.CertInfo, error) {
	if s.opt.Store == nil {
		return protocol.CertInfo{}, errors.New("no store configured")
	}
	var cred keys.Credential
	switch {
	case p.PFX != "" && p.Certificate == "" && p.PrivateKey == "":
		pfx, err := decodeFile("pfx", p.PFX)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		cred, err = s.opt.Store.ImportPFX(pfx, []byte(p.Password))
		if err != nil {
			return protocol.CertInfo{}, err
		}
	case p.PFX == "" && p.Certificate != "" && p.PrivateKey != "":
		cer, err := decodeFile("certificate", p.Certificate)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		key, err := decodeFile("privateKey", p.PrivateKey)
		if err != nil {
			return protocol.CertInfo{}, err
		}
		cred, err = s.opt.Store.ImportSAT(cer, key, []byte(p.Password))
		if err != nil {
			return protocol.CertInfo{}, err
		}
	default:
		return protocol.CertInfo{}, keys.Coded(protocol.ErrBadRequest, nil, errors.New("give certificate and privateKey, or pfx"))
	}
	log.Info().Str("certificate", cred.ID()).Msg("credential imported")
	return Info(cred, s.opt.Now()), nil
}

func (s *Server) remove(log zerolog.Logger, p protocol.RemoveParams) (map[string]any, error) {
	if s.opt.Store == nil {
		return nil, errors.New("no store configured")
	}
	if p.CertificateID == "" {
		return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.New("missing certificateId"))
	}
	if err := s.opt.Store.Remove(p.CertificateID); err != nil {
		return nil, err
	}
	log.Info().Str("certificate", p.CertificateID).Msg("credential removed")
	return map[string]any{"removed": p.CertificateID}, nil
}

// checkValidity refuses expired and not-yet-valid certificates.
func checkValidity(info protocol.CertInfo) error {
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

func (s *Server) authenticate(ctx context.Context, log zerolog.Logger, p protocol.AuthenticateParams) (protocol.AuthToken, error) {
	if err := protocol.ValidateOrigin(p.Origin, s.opt.DevOrigins); err != nil {
		return protocol.AuthToken{}, keys.Coded(protocol.ErrOriginInvalid, nil, err)
	}
	if err := protocol.ValidateChallenge(p.Challenge); err != nil {
		return protocol.AuthToken{}, keys.Coded(protocol.ErrBadRequest, nil, err)
	}
	cred, err := s.find(ctx, log, p.CertificateID)
	if err != nil {
		return protocol.AuthToken{}, err
	}
	info := Info(cred, s.opt.Now())
	if info.Type != protocol.TypeFIEL {
		return protocol.AuthToken{}, keys.Coded(protocol.ErrNotFIEL, map[string]any{"type": info.Type, "variant": info.Type}, errors.New("only a FIEL may authenticate"))
	}
	if err := checkValidity(info); err != nil {
		return protocol.AuthToken{}, err
	}
	signer, release, err := s.unlock(ctx, cred, p.Password, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.AuthToken{}, err
	}
	defer release()
	alg := sat.Algorithm(signer.Public())
	sig, err := signMessage(signer, alg, protocol.AuthMessage(p.Origin, p.Challenge))
	if err != nil {
		return protocol.AuthToken{}, err
	}
	log.Info().Str("origin", p.Origin).Str("certificate", cred.ID()).Msg("authenticated")
	return protocol.AuthToken{
		Format:      protocol.AuthFormat,
		Certificate: info.Certificate,
		Algorithm:   alg,
		Signature:   base64.StdEncoding.EncodeToString(sig),
	}, nil
}

func (s *Server) sign(ctx context.Context, log zerolog.Logger, p protocol.SignParams) (protocol.SignResult, error) {
	if err := protocol.ValidateOrigin(p.Origin, s.opt.DevOrigins); err != nil {
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
			b, err := decodeBytes(fmt.Sprintf("documents[%d].data", i), d.Data)
			if err != nil {
				return protocol.SignResult{}, err
			}
			docs = append(docs, b)
		}
	case p.Data != "":
		b, err := decodeBytes("data", p.Data)
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
	cred, err := s.find(ctx, log, p.CertificateID)
	if err != nil {
		return protocol.SignResult{}, err
	}
	info := Info(cred, s.opt.Now())
	if err := checkValidity(info); err != nil {
		return protocol.SignResult{}, err
	}
	// Refuse a batch whose answer cannot fit Chrome's 1 MiB before any
	// unlock or signature (a 4096-bit key makes 684-character signatures).
	if est := estimateSignResult(cred.Certificate(), len(docs)); est > protocol.MaxResponseBytes {
		return protocol.SignResult{}, keys.Coded(protocol.ErrMessageTooLarge, map[string]any{"maxBatchDocuments": len(docs) * protocol.MaxResponseBytes / est}, fmt.Errorf("answer would be about %d bytes", est))
	}
	signer, release, err := s.unlock(ctx, cred, p.Password, keys.UnlockOptions{ConfirmFinalTry: p.ConfirmFinalTry})
	if err != nil {
		return protocol.SignResult{}, err
	}
	defer release()
	alg := sat.Algorithm(signer.Public())
	res := protocol.SignResult{Algorithm: alg, Certificate: info.Certificate}
	for _, d := range docs {
		sig, err := signMessage(signer, alg, d)
		if err != nil {
			return protocol.SignResult{}, err
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

// unlock opens a credential, counting wrong passwords for this session.
func (s *Server) unlock(ctx context.Context, c keys.Credential, password string, opts keys.UnlockOptions) (crypto.Signer, func(), error) {
	signer, release, err := c.Unlock(ctx, []byte(password), opts)
	if err != nil {
		if errors.Is(err, sat.ErrWrongPassword) || errors.Is(err, sat.ErrEmptyPassword) {
			s.mu.Lock()
			s.failures[c.ID()]++
			n := s.failures[c.ID()]
			s.mu.Unlock()
			return nil, nil, keys.Coded(protocol.ErrWrongPassword, map[string]any{"attempts": n, "variant": c.Source()}, err)
		}
		return nil, nil, err
	}
	s.mu.Lock()
	delete(s.failures, c.ID())
	s.mu.Unlock()
	return signer, release, nil
}

// signMessage signs msg with the protocol algorithm: RSASSA-PKCS1-v1_5 with
// SHA-256 (RS256) or ECDSA with SHA-256/384 (ES256/ES384) as r||s.
func signMessage(signer crypto.Signer, alg string, msg []byte) ([]byte, error) {
	switch alg {
	case protocol.AlgRS256:
		h := sha256.Sum256(msg)
		return signer.Sign(rand.Reader, h[:], crypto.SHA256)
	case protocol.AlgES256:
		h := sha256.Sum256(msg)
		der, err := signer.Sign(rand.Reader, h[:], crypto.SHA256)
		if err != nil {
			return nil, err
		}
		return ecdsaDERToRaw(der, 32)
	case protocol.AlgES384:
		h := sha512.Sum384(msg)
		der, err := signer.Sign(rand.Reader, h[:], crypto.SHA384)
		if err != nil {
			return nil, err
		}
		return ecdsaDERToRaw(der, 48)
	}
	return nil, keys.Coded(protocol.ErrKeyUnusable, nil, errors.New("unsupported key algorithm"))
}

// ecdsaDERToRaw converts an ASN.1 ECDSA signature to fixed-size r||s.
func ecdsaDERToRaw(der []byte, size int) ([]byte, error) {
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

// diagnose runs the configured checks and adds one for the wrong password
// tries made on this connection (never the passwords themselves).
func (s *Server) diagnose(ctx context.Context) doctor.Report {
	r := s.opt.Diagnose(ctx)
	s.mu.Lock()
	tries := 0
	for _, n := range s.failures {
		tries += n
	}
	s.mu.Unlock()
	c := doctor.Check{ID: "password", Status: doctor.OK, Title: i18n.T(i18n.ES, "doctor.password.title"), Reason: i18n.T(i18n.ES, "doctor.password.none")}
	if tries > 0 {
		c.Status = doctor.Warning
		c.Reason = i18n.T(i18n.ES, "doctor.password.tries", tries)
		c.Fix = i18n.T(i18n.ES, "hint.ERR_WRONG_PASSWORD")
	}
	r.Add(c)
	return r
}

// estimateSignResult bounds the size of a sign answer: each signature is at
// most the key's size (RSA modulus, or r||s), base64 and quoted; plus the
// certificate and the envelope.
func estimateSignResult(cert *x509.Certificate, n int) int {
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
