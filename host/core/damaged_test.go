package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/internal/testenv"
	"github.com/efirma/conector/protocol"
)

// TestLoginsNameADamagedStoredKey: a stored FIEL whose .key was deleted
// after the import is named as damaged (ERR_BAD_CREDENTIAL_FILE,
// storedDamaged, "vuelva a importar") by both logins, the portal one and
// the SAT one, never the generic ERR_KEY_UNUSABLE.
func TestLoginsNameADamagedStoredKey(t *testing.T) {
	st := store.New(filepath.Join(t.TempDir(), "store"))
	cer := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "certificate.cer"))
	key := testenv.ReadFile(t, testenv.CredPath(t, "fiel-fisica", "private_key.key"))
	cred, _, err := st.ImportKeyPair(cer, key, []byte(testenv.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(st.Dir(), cred.ID(), "private_key.key")); err != nil {
		t.Fatal(err)
	}
	c := core.New(core.Options{Store: st})
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		code, details := keys.CodeOf(err)
		if code != protocol.ErrBadCredentialFile || details["variant"] != "storedDamaged" || !errors.Is(err, store.ErrStoredDamaged) {
			t.Errorf("%s: %v (%s %v), want ERR_BAD_CREDENTIAL_FILE storedDamaged", what, err, code, details)
		}
	}
	_, err = c.Authenticate(ctx, protocol.AuthenticateParams{Origin: "https://www.sat.gob.mx", Challenge: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", CertificateID: cred.ID(), Password: testenv.Password})
	check("authenticate", err)
	_, err = c.SATLogin(ctx, protocol.SATLoginParams{Origin: "https://loginda.siat.sat.gob.mx", GUID: "0123abcd-0000-4000-8000-000000000000", CertificateID: cred.ID(), Password: testenv.Password})
	check("sat_login", err)
}
