package sat

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// prodCA holds SAT's public production CA certificates and OCSP responder
// certificates (provenance and SHA-256 in ca/prod/README.md).
//
//go:embed ca/prod/*.cer
var prodCA embed.FS

var prodAnchors = sync.OnceValue(func() *Anchors {
	a := &Anchors{sat: true}
	files, err := fs.Glob(prodCA, "ca/prod/*.cer")
	if err != nil {
		panic("internal error: embedded SAT CA bundle: " + err.Error())
	}
	for _, f := range files {
		data, err := prodCA.ReadFile(f)
		if err != nil {
			panic("internal error: embedded SAT CA bundle: " + err.Error())
		}
		c, err := ParseCertificate(data)
		if err != nil {
			panic(fmt.Sprintf("internal error: embedded SAT CA certificate %s: %v", f, err))
		}
		// "AC5_SAT.cer" -> "AC5", "ARC2_IES.cer" -> "ARC2".
		name, _, _ := strings.Cut(strings.TrimSuffix(path.Base(f), ".cer"), "_")
		a.add(c, name)
	}
	return a
})

// ProductionAnchors returns SAT's production trust store built into the
// program: AC0–AC5 of SAT and Banco de México's ARC roots as anchors, and
// SAT's OCSP responder certificates (AC4, AC5) as Responders. It is the
// default of every issuer and revocation check; a configured CA folder
// (LoadAnchors) replaces it. The result is shared: do not modify it.
func ProductionAnchors() *Anchors { return prodAnchors() }

// ProductionFiles returns the embedded files by name (for tests and for
// printing the bundle).
func ProductionFiles() map[string][]byte {
	out := map[string][]byte{}
	files, _ := fs.Glob(prodCA, "ca/prod/*.cer")
	for _, f := range files {
		data, _ := prodCA.ReadFile(f)
		out[path.Base(f)] = data
	}
	return out
}
