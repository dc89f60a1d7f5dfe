package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadPrecedence(t *testing.T) {
	home := t.TempDir()
	t.Setenv("EFIRMA_HOME", home)
	t.Setenv("EFIRMA_CA_DIR", "")
	t.Setenv("EFIRMA_DEV_ORIGINS", "")
	t.Setenv("EFIRMA_PKCS11_MODULES", "")
	t.Setenv("EFIRMA_LOG_LEVEL", "")
	c, err := Load()
	if err != nil || c.Home != home || c.DevOrigins || c.LogLevel != "info" || c.StoreDir() != filepath.Join(home, "store") {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"caDir":"/from/file","devOrigins":true,"pkcs11Modules":["/a.so"],"logLevel":"warn"}`), 0o600)
	c, err = Load()
	if err != nil || c.CADir != "/from/file" || !c.DevOrigins || c.LogLevel != "warn" || len(c.PKCS11Modules) != 1 {
		t.Fatalf("file: %+v %v", c, err)
	}
	t.Setenv("EFIRMA_CA_DIR", "/from/env")
	t.Setenv("EFIRMA_DEV_ORIGINS", "0")
	t.Setenv("EFIRMA_PKCS11_MODULES", "/b.so"+string(os.PathListSeparator)+"/c.so")
	c, err = Load()
	if err != nil || c.CADir != "/from/env" || c.DevOrigins || len(c.PKCS11Modules) != 3 {
		t.Fatalf("env over file: %+v %v", c, err)
	}
}

func TestBadConfigFileStillGivesDefaults(t *testing.T) {
	home := t.TempDir()
	t.Setenv("EFIRMA_HOME", home)
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"devOrigins": "yes"`), 0o600)
	c, err := Load()
	if !errors.Is(err, ErrConfigFile) {
		t.Fatalf("err = %v", err)
	}
	if c == nil || c.Home != home || c.StoreDir() == "" {
		t.Fatalf("config unusable after a bad file: %+v", c)
	}
}

func TestBadConfigFileIsNotHalfApplied(t *testing.T) {
	home := t.TempDir()
	t.Setenv("EFIRMA_HOME", home)
	t.Setenv("EFIRMA_DEV_ORIGINS", "")
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"devOrigins": true, "logLevel": 7}`), 0o600)
	c, err := Load()
	if !errors.Is(err, ErrConfigFile) || c.DevOrigins {
		t.Fatalf("a broken file turned on development origins: %+v %v", c, err)
	}
}
