package testenv

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// SetSoftHSMTokenFlags ORs set and clears clear in the token flags SoftHSM2
// keeps in a token's token.object file (attribute CKA_OS_TOKENFLAGS,
// 0x8000534b, a big-endian unsigned long) and bumps the file's generation
// so that a running module re-reads it. SoftHSM2 never sets
// CKF_USER_PIN_LOCKED or CKF_USER_PIN_FINAL_TRY itself (it has no retry
// counter), so this is how tests put a real token in the PIN states a
// hardware token reports.
func SetSoftHSMTokenFlags(t testing.TB, tokenObject string, set, clear uint64) {
	t.Helper()
	b, err := os.ReadFile(tokenObject)
	if err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 16)
	binary.BigEndian.PutUint64(hdr[0:], 0x8000534b)
	binary.BigEndian.PutUint64(hdr[8:], 2) // unsigned long attribute
	i := strings.Index(string(b), string(hdr))
	if i < 0 || len(b) < i+24 {
		t.Fatal("CKA_OS_TOKENFLAGS not found in token.object")
	}
	v := binary.BigEndian.Uint64(b[i+16:])
	binary.BigEndian.PutUint64(b[i+16:], v&^clear|set)
	binary.BigEndian.PutUint64(b[0:], binary.BigEndian.Uint64(b[0:])+1)
	if err := os.WriteFile(tokenObject, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
