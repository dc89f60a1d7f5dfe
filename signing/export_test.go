package signing

// Internals the external tests (package signing_test, which may import the
// test kit without an import cycle) build malformed CMS structures with.
var (
	Assemble           = assemble
	SignatureAlgorithm = signatureAlgorithm
)

// SignatureOf is a parsed CMS's signature value.
func SignatureOf(c *CMS) []byte { return c.signature }
