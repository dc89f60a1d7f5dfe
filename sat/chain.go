package sat

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotTrusted is returned when a certificate does not chain to the
// configured CA folder.
var ErrNotTrusted = errors.New("certificate does not chain to a trusted SAT CA")

// Anchors is the set of CA certificates read from a folder. Every CA in the
// folder is a trust anchor: SAT's published chains mix SHA-1 roots, expired
// roots and intermediates that outlive them, so a leaf is trusted when one
// of the folder's CAs issued it (subject match and a valid signature) and
// that CA was valid at the time of the check.
type Anchors struct {
	cas []*x509.Certificate
	// names are the CAs' short names (the file name without extension, or
	// "AC5" for SAT's embedded AC5_SAT.cer), by index in cas.
	names []string
	// responders are the OCSP responder certificates found beside the CAs
	// (not CAs, with the OCSP signing usage). They are not anchors: an
	// OCSP answer signed by one counts only when the certificate's own
	// issuer issued it (see CheckOCSPResponse).
	responders []*x509.Certificate
	// sat: these are SAT's production CAs embedded in the program.
	sat bool
}

// Len returns the number of CA certificates loaded.
func (a *Anchors) Len() int { return len(a.cas) }

// Responders returns the OCSP responder certificates loaded with the CAs.
func (a *Anchors) Responders() []*x509.Certificate {
	if a == nil {
		return nil
	}
	return a.responders
}

// SAT reports whether these are SAT's production CAs built into the program
// (ProductionAnchors), as opposed to a configured folder.
func (a *Anchors) SAT() bool { return a != nil && a.sat }

// Name returns the short name of one of the anchors (for example "AC5"),
// or "" when ca is not one of them.
func (a *Anchors) Name(ca *x509.Certificate) string {
	if a == nil || ca == nil {
		return ""
	}
	for i, c := range a.cas {
		if c == ca || bytes.Equal(c.Raw, ca.Raw) {
			return a.names[i]
		}
	}
	return ""
}

// add sorts one parsed certificate: a CA is an anchor, an OCSP responder
// certificate is a responder, anything else is skipped.
func (a *Anchors) add(c *x509.Certificate, name string) {
	if !c.IsCA {
		for _, u := range c.ExtKeyUsage {
			if u == x509.ExtKeyUsageOCSPSigning {
				a.responders = append(a.responders, c)
				return
			}
		}
	}
	if c.BasicConstraintsValid && !c.IsCA {
		return
	}
	a.cas = append(a.cas, c)
	a.names = append(a.names, name)
}

// LoadAnchors reads every .cer, .crt, .pem and .der CA certificate in dir.
// OCSP responder certificates there are kept as Responders; other files are
// skipped.
func LoadAnchors(dir string) (*Anchors, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("failed to read CA folder: %w", err)
	}
	a := &Anchors{}
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".cer", ".crt", ".pem", ".der":
		default:
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("failed to read CA certificate %s: %w", e.Name(), err)
		}
		c, err := ParseCertificate(data)
		if err != nil {
			continue
		}
		a.add(c, strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())))
	}
	if len(a.cas) == 0 {
		return nil, fmt.Errorf("no CA certificates in %s", dir)
	}
	return a, nil
}

// NewAnchors builds Anchors from certificates already parsed.
func NewAnchors(cas ...*x509.Certificate) *Anchors {
	a := &Anchors{}
	for _, c := range cas {
		a.cas = append(a.cas, c)
		a.names = append(a.names, c.Subject.CommonName)
	}
	return a
}

// Issuer returns the folder CA that issued c and was valid at t.
func (a *Anchors) Issuer(c *x509.Certificate, t time.Time) (*x509.Certificate, error) {
	if a == nil {
		return nil, ErrNotTrusted
	}
	var last error
	for _, ca := range a.cas {
		if !bytes.Equal(ca.RawSubject, c.RawIssuer) {
			continue
		}
		if err := c.CheckSignatureFrom(ca); err != nil {
			last = err
			continue
		}
		if t.Before(ca.NotBefore) || t.After(ca.NotAfter) {
			last = fmt.Errorf("issuing CA %q not valid at %s", ca.Subject.CommonName, t.Format(time.RFC3339))
			continue
		}
		return ca, nil
	}
	if last != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotTrusted, last)
	}
	return nil, fmt.Errorf("%w: issuer not in the CA folder", ErrNotTrusted)
}

// Verify checks that c was issued by one of the anchors, valid at t.
func (a *Anchors) Verify(c *x509.Certificate, t time.Time) error {
	_, err := a.Issuer(c, t)
	return err
}

// WithinValidity returns t moved inside the certificate's validity period.
// Checks that ask "was this issued by SAT?" rather than "is it valid now?"
// use it, so an expired e.firma is still recognised as SAT's.
func WithinValidity(c *x509.Certificate, t time.Time) time.Time {
	switch {
	case t.After(c.NotAfter):
		return c.NotBefore.Add(time.Minute) // issuance time: when the issuing CA had to be valid
	case t.Before(c.NotBefore):
		return c.NotBefore.Add(time.Minute)
	}
	return t
}
