package app

import (
	"context"
	"fmt"
	"io"

	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
)

// tokenSources builds the PKCS#11 source (wired when host/token lands).
func tokenSources(cfg *config.Config) []keys.Source { return nil }

func tokenDoctor(cfg *config.Config) func(ctx context.Context, lang i18n.Lang) []doctor.Check {
	return nil
}

func installerCommand(stdout, stderr io.Writer, lang i18n.Lang) func(string, []string) int {
	return func(name string, args []string) int {
		fmt.Fprintln(stderr, "error: installer not wired yet")
		return 1
	}
}
