package sat_test

import "github.com/efirma/conector/internal/testenv"

// The shared file helpers (ReadFile, CredPath, GenCert, SATDir, SeedFiles)
// live in internal/testenv, used by sat/keyfile's tests too.

// testdata is the generated test credentials and CAs, relative to this package.
const testdata = "../testdata"

const password = testenv.Password
