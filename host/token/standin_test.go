//go:build cgo

package token

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
)

func hasProtocolCode(err error, code protocol.Code) bool {
	c, _ := keys.CodeOf(err)
	return err != nil && c == code
}

// TestFailingGetFunctionList is issue 15 item 2: a module whose
// C_GetFunctionList fails used to crash the host (miekg/pkcs11 ignores that
// return value and calls through a NULL list). Now it is ErrNotPKCS11, a
// listing warns about it, and a working module next to it still loads.
// Runs on Linux (the stand-in built with cc) and under Wine (the mingw
// build from make windows-check).
func TestFailingGetFunctionList(t *testing.T) {
	failing := testenv.StandInModule(t, testenv.StandInFailing)
	noisy := testenv.StandInModule(t, testenv.StandInNoisy)
	_, err := loadModule(context.Background(), failing)
	if !errors.Is(err, ErrNotPKCS11) || !strings.Contains(err.Error(), "C_GetFunctionList returned 0x5") {
		t.Fatalf("failing module: %v", err)
	}
	// Asked again (the same file version): the same answer, no crash.
	if _, err := loadModule(context.Background(), failing); !errors.Is(err, ErrNotPKCS11) {
		t.Fatalf("failing module, second time: %v", err)
	}
	m, err := loadModule(context.Background(), noisy)
	if err != nil {
		t.Fatalf("working stand-in: %v", err)
	}
	if !strings.HasPrefix(string(m.info.ManufacturerID), "efirma test stand-in") {
		t.Fatalf("stand-in info %+v", m.info)
	}
	src := NewSource(Config{Modules: []string{failing, noisy}, Lang: i18n.ES}, zerolog.Nop())
	creds, warnings, err := src.List(context.Background())
	if err != nil || len(creds) != 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "failing") {
		t.Fatalf("List: %v %v %q", creds, err, warnings)
	}
	// A token id asked for while a driver is unusable: ERR_MODULE_UNAVAILABLE;
	// with only working drivers: not found.
	const id = "pkcs11:0123456789abcdef0123456789abcdef"
	if _, err := src.Find(context.Background(), id); !hasProtocolCode(err, protocol.ErrModuleUnavailable) {
		t.Fatalf("Find behind a failing driver: %v", err)
	}
	ok := NewSource(Config{Modules: []string{noisy}, Lang: i18n.ES}, zerolog.Nop())
	if _, err := ok.Find(context.Background(), id); !errors.Is(err, keys.ErrNotFound) {
		t.Fatalf("Find with working drivers: %v", err)
	}
	r := Doctor(context.Background(), []string{failing, noisy})
	if len(r.Modules) != 2 || r.Modules[0].State != ModuleBroken || r.Modules[1].State != ModuleLoaded {
		t.Fatalf("doctor %+v", r)
	}
}
