package keyfile_test

import "github.com/efirma/conector/internal/testenv"

// The shared file helpers (ReadFile, CredPath, GenCert, SATDir, SeedFiles)
// live in internal/testenv, used by package sat's tests too.

const password = testenv.Password
