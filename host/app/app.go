// Package app wires the efirma binary: it decides between host mode (the
// browser started us) and the CLI, loads the configuration, sets up logging
// and builds the key sources. Host mode writes nothing but frames to stdout.
package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/efirma/conector/host/cli"
	"github.com/efirma/conector/host/config"
	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/logging"
	"github.com/efirma/conector/host/server"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/host/version"
	"github.com/efirma/conector/i18n"
)

// IsHostMode reports whether the browser started us: Chrome passes the
// calling extension's origin first (and on Windows --parent-window=N after).
func IsHostMode(args []string) bool {
	return len(args) > 0 && strings.HasPrefix(args[0], "chrome-extension://")
}

// Main runs the binary and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, cfgErr := config.Load()
	if IsHostMode(args) {
		return serve(args, cfg, cfgErr, stdin, stdout, stderr)
	}
	lang := i18n.FromEnv()
	// A leading --log-level=LEVEL (or --log-level LEVEL) applies to any command.
	if len(args) > 0 && strings.HasPrefix(args[0], "--log-level") {
		if v, ok := strings.CutPrefix(args[0], "--log-level="); ok {
			cfg.LogLevel, args = v, args[1:]
		} else if len(args) > 1 {
			cfg.LogLevel, args = args[1], args[2:]
		}
	}
	if cfgErr != nil {
		fmt.Fprintf(stderr, "error: %v\n", cfgErr)
		return cli.ExitFailed
	}
	// CLI logs go to the log file only; the terminal gets the CLI's output.
	log, closer := logging.New(cfg.LogDir(), cfg.LogLevel, nil)
	defer closer.Close()
	return cli.Run(args, cli.Env{
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Lang: lang, Config: cfg,
		Sources:     func() []keys.Source { return tokenSources(cfg, log) },
		ExtraDoctor: extraDoctor(cfg),
		Installer:   installerCommand(stdout, stderr, lang),
	})
}

func serve(args []string, cfg *config.Config, cfgErr error, stdin io.Reader, stdout, stderr io.Writer) int {
	log, closer := logging.New(cfg.LogDir(), cfg.LogLevel, stderr)
	defer closer.Close()
	if cfgErr != nil {
		log.Error().Err(cfgErr).Msg("configuration problem; running on defaults")
	}
	if stdout == os.Stdout {
		if f, err := reserveStdout(); err == nil {
			stdout = f
			defer f.Close()
		} else {
			log.Debug().Err(err).Msg("stdout not reserved for frames")
		}
	}
	var st *store.Store
	if cfg.Home != "" {
		st = store.New(cfg.StoreDir())
	} else {
		// No user folder: serve what needs no store (hello, tokens) rather
		// than write credentials into the working directory.
		log.Error().Msg("no user folder (HOME/EFIRMA_HOME); the credential store is unavailable")
	}
	log.Debug().Str("caller", args[0]).Strs("args", args[1:]).Str("version", version.Version).Msg("host mode")
	c := core.New(core.Options{
		Store:      st,
		Sources:    tokenSources(cfg, log),
		DevOrigins: cfg.DevOrigins,
		Log:        log,
		OCSP:       ocspConfig(cfg),
		Doctor:     doctorConfig(cfg),
		Anchors:    sync.OnceValues(core.TrustAnchors(cfg.CADir)),
	})
	srv := server.New(server.Options{Core: c, Log: log, Version: version.Version})
	if err := srv.Serve(context.Background(), stdin, stdout); err != nil {
		log.Error().Err(err).Msg("host stopped")
		return 1
	}
	return 0
}
