package cli

import (
	"errors"
	"testing"

	"github.com/efirma/conector/i18n"
)

// TestAskNewPasswordTwice (issue 14 §4): the backup's new password is asked
// twice at the terminal; two different answers write nothing.
func TestAskNewPasswordTwice(t *testing.T) {
	env := Env{Lang: i18n.ES}
	answers := func(a ...string) (func(string) ([]byte, error), *[]string) {
		var prompts []string
		return func(p string) ([]byte, error) {
			prompts = append(prompts, p)
			if len(a) == 0 {
				return nil, errors.New("no more input")
			}
			s := a[0]
			a = a[1:]
			return []byte(s), nil
		}, &prompts
	}
	read, prompts := answers("respaldo-2026", "respaldo-2026")
	pw, err := askNewPassword(env, read)
	if err != nil || string(pw) != "respaldo-2026" {
		t.Fatalf("same twice: %q, %v", pw, err)
	}
	if len(*prompts) != 2 || (*prompts)[0] != i18n.T(i18n.ES, "cli.newpassword.prompt") || (*prompts)[1] != i18n.T(i18n.ES, "cli.newpassword.again") {
		t.Errorf("prompts %q", *prompts)
	}
	read, _ = answers("respaldo-2026", "respaldo-2025")
	if _, err := askNewPassword(env, read); !errors.Is(err, errMismatch) {
		t.Errorf("different: %v, want errMismatch", err)
	}
	read, _ = answers("respaldo-2026")
	if _, err := askNewPassword(env, read); err == nil || errors.Is(err, errMismatch) {
		t.Errorf("input ended: %v, want the read error", err)
	}
}
