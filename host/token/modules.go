package token

import (
	"os"
	"path/filepath"
)

// EnvModules is the environment variable with extra module paths, separated
// like PATH (":" on Linux and macOS, ";" on Windows).
const EnvModules = "EFIRMA_PKCS11_MODULES"

// ModulesFromEnv returns the module paths to look in: configured first (the
// config file's list), then EFIRMA_PKCS11_MODULES, then the well-known paths
// of this OS (DefaultModules). Empty entries and repeats are dropped; the
// order is kept because the first module that shows a token names it.
func ModulesFromEnv(configured []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if p == "" {
			return
		}
		p = filepath.Clean(p)
		if seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	for _, p := range configured {
		add(p)
	}
	for _, p := range filepath.SplitList(os.Getenv(EnvModules)) {
		add(p)
	}
	for _, p := range DefaultModules() {
		add(p)
	}
	return out
}
