// Package config reads the host's configuration: the environment first, then
// $EFIRMA_HOME/config.json, then built-in defaults. It owns where the user's
// store lives and which optional behaviours (development origins, CA folder,
// PKCS#11 modules) are on.
//
// Rules: nothing here touches the disk until Load is called; a malformed
// config file is an error the CLI reports (the host logs it and runs on
// defaults so that the browser still gets answers).
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is the host's configuration.
type Config struct {
	// Home is $EFIRMA_HOME: the store, logs and config file live here.
	Home string `json:"-"`
	// CADir is a folder of CA certificates for the chain check (EFIRMA_CA_DIR).
	CADir string `json:"caDir,omitempty"`
	// DevOrigins allows http://localhost and http://127.0.0.1 origins
	// (EFIRMA_DEV_ORIGINS=1). Off by default.
	DevOrigins bool `json:"devOrigins,omitempty"`
	// PKCS11Modules lists PKCS#11 libraries to load (EFIRMA_PKCS11_MODULES
	// adds to it).
	PKCS11Modules []string `json:"pkcs11Modules,omitempty"`
	// LogLevel is debug, info, warn or error (EFIRMA_LOG_LEVEL).
	LogLevel string `json:"logLevel,omitempty"`
	// OCSPURL is the revocation responder; default SAT's production e.firma
	// service (https://cfdi.sat.gob.mx/edofiel). Needs CADir for the issuer.
	OCSPURL string `json:"ocspUrl,omitempty"`
	// OCSPResponderCert, when set, is the only certificate allowed to sign
	// OCSP answers (SAT publishes it beside its CAs).
	OCSPResponderCert string `json:"ocspResponderCert,omitempty"`
	// TimeServer is the NTP server ("host:port") the clock check asks;
	// default CENAM's cronos.cenam.mx:123.
	TimeServer string `json:"timeServer,omitempty"`
}

// ErrConfigFile wraps problems reading config.json.
var ErrConfigFile = errors.New("invalid config file")

// DefaultHome returns $EFIRMA_HOME or the OS user config folder + "efirma".
func DefaultHome() (string, error) {
	if h := os.Getenv("EFIRMA_HOME"); h != "" {
		return filepath.Abs(h)
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user config folder: %w", err)
	}
	return filepath.Join(d, "efirma"), nil
}

// Load reads the configuration. The returned Config is usable even when err
// is non-nil (defaults plus environment).
func Load() (*Config, error) {
	home, err := DefaultHome()
	if err != nil {
		return &Config{}, err
	}
	c := &Config{Home: home, LogLevel: "info"}
	var fileErr error
	data, err := os.ReadFile(filepath.Join(home, "config.json"))
	switch {
	case err == nil:
		// Decode into a copy: a file with a type error further down must
		// not be half applied (devOrigins on, say, before the bad field).
		fromFile := *c
		if err := json.Unmarshal(data, &fromFile); err != nil {
			fileErr = fmt.Errorf("%w: %s: %v", ErrConfigFile, filepath.Join(home, "config.json"), err)
		} else {
			*c = fromFile
		}
	case !errors.Is(err, os.ErrNotExist):
		fileErr = fmt.Errorf("%w: %v", ErrConfigFile, err)
	}
	c.Home = home
	if v := os.Getenv("EFIRMA_CA_DIR"); v != "" {
		c.CADir = v
	}
	if v := os.Getenv("EFIRMA_DEV_ORIGINS"); v != "" {
		c.DevOrigins = v == "1" || strings.EqualFold(v, "true")
	}
	if v := os.Getenv("EFIRMA_PKCS11_MODULES"); v != "" {
		c.PKCS11Modules = append(c.PKCS11Modules, filepath.SplitList(v)...)
	}
	if v := os.Getenv("EFIRMA_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	return c, fileErr
}

// StoreDir is where imported credentials live ("" without a home).
func (c *Config) StoreDir() string {
	if c.Home == "" {
		return ""
	}
	return filepath.Join(c.Home, "store")
}

// LogDir is where log files live ("" without a home: stderr only).
func (c *Config) LogDir() string {
	if c.Home == "" {
		return ""
	}
	return filepath.Join(c.Home, "logs")
}
