package verifier_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// The whole login, as a portal does it. The token the browser would send is
// made here with SAT's test e.firma, standing in for the extension.
func Example() {
	ctx := context.Background()
	fixtures := "../../../shared/fixtures/sat/"

	// At start-up: trust anchors and the portal's own origin.
	anchors, err := sat.LoadAnchors(fixtures + "ca/test")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := verifier.New(verifier.Config{
		Origin:  "https://tramites.example.gob.mx",
		Anchors: anchors,
		// A fixed clock only so that this example does not age.
		Now: func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// 1. The page asks for a challenge; the portal binds it to the session.
	session := "cookie-value-of-this-visitor"
	challenge, err := v.Issue(ctx, session)
	if err != nil {
		fmt.Println(err)
		return
	}

	// 2. The page calls authenticate({challenge}) and posts the token back.
	body := browserToken(fixtures+"eku9003173c9-fiel/", "https://tramites.example.gob.mx", challenge)

	// 3. The portal checks it.
	tok, err := verifier.ParseToken(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	who, err := v.Authenticate(ctx, session, challenge, tok)
	if err != nil {
		msg, hint := verifier.Message(0, err) // Spanish, for the page
		fmt.Println(msg, hint)
		return
	}
	fmt.Println(who.RFC, who.Name)
	fmt.Println("representante:", who.RFCRepresentative, who.CURPRepresentative)
	fmt.Println("certificado:", who.Serial, "vigente hasta", who.NotAfter.Format("2006-01-02"))

	// The same token again is a replay.
	_, err = v.Authenticate(ctx, session, challenge, tok)
	msg, _ := verifier.Message(0, err)
	fmt.Println(verifier.CodeOf(err)+":", msg)

	// Output:
	// EKU9003173C9 ESCUELA KEMPER URGATE SA DE CV
	// representante: VADA800927DJ3 VADA800927HSRSRL05
	// certificado: 30001000000500003415 vigente hasta 2027-05-17
	// challenge-replayed: Esta solicitud de acceso ya se utilizó.
}

// browserToken does what the extension and the host do: sign
// protocol.AuthMessage(origin, challenge) with the e.firma.
func browserToken(dir, origin, challenge string) []byte {
	cer, _ := os.ReadFile(dir + "certificate.cer")
	keyFile, _ := os.ReadFile(dir + "private_key.key")
	key, err := sat.DecryptKey(keyFile, []byte("12345678a"))
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(protocol.AuthMessage(origin, challenge))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(protocol.AuthToken{
		Format:      protocol.AuthFormat,
		Certificate: base64.StdEncoding.EncodeToString(cer),
		Algorithm:   protocol.AlgRS256,
		Signature:   base64.StdEncoding.EncodeToString(sig),
	})
	return out
}
