// Package extension carries the browser extension's files that Go code serves
// or checks: the page library that portals include (page/efirma.js) and the
// extension's copy of the protocol constants (shared/protocol.js).
package extension

import _ "embed"

// PageLibrary is the page library ES module (page/efirma.js) that portals
// serve to their pages; the demo portal serves it at /efirma.js.
//
//go:embed page/efirma.js
var PageLibrary []byte
