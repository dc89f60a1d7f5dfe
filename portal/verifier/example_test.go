package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
	"github.com/efirma/conector/sat/keyfile"
	"github.com/efirma/conector/signing"
)

// The whole login, as a portal does it. The token the browser would send is
// made here with the module's generated test e.firma (testdata/, made by
// testdata/gen), standing in for the extension.
func Example() {
	ctx := context.Background()
	testdata := "../../testdata/"

	// At start-up: trust anchors and the portal's own origin.
	anchors, err := sat.LoadAnchors(testdata + "ca")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := verifier.New(verifier.Config{
		Origin:  "https://tramites.example.gob.mx",
		Anchors: anchors,
		// A fixed clock only so that this example does not age.
		Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) },
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
	body := browserToken(testdata+"creds/fiel-moral/", "https://tramites.example.gob.mx", challenge)

	// 3. The portal checks it.
	tok, err := verifier.ParseToken(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	who, err := v.Authenticate(ctx, session, challenge, tok)
	if err != nil {
		msg, hint := verifier.Message("es-MX", err) // for the page, in its language
		fmt.Println(msg, hint)
		return
	}
	fmt.Println(who.RFC, who.Name)
	fmt.Println("representante:", who.RFCRepresentative, who.CURPRepresentative)
	fmt.Println("certificado:", who.Serial, "vigente hasta", who.NotAfter.Format("2006-01-02"))

	// The same token again is a replay.
	_, err = v.Authenticate(ctx, session, challenge, tok)
	msg, _ := verifier.Message("es-MX", err)
	fmt.Println(verifier.CodeOf(err)+":", msg)

	// Output:
	// TCE010101AB2 TALLERES DEL CENTRO SA DE CV
	// representante: GOAM800101AB1 GOAM800101MDFMRR09
	// certificado: 30001000000900000002 vigente hasta 2029-01-01
	// challenge-replayed: Esta solicitud de acceso ya se utilizó.
}

// browserToken does what the extension and the host do: sign
// protocol.AuthMessage(origin, challenge) with the e.firma (package
// signing, the host's own code).
func browserToken(dir, origin, challenge string) []byte {
	cer, _ := os.ReadFile(dir + "certificate.cer")
	keyFile, _ := os.ReadFile(dir + "private_key.key")
	key, err := keyfile.DecryptKey(keyFile, []byte("12345678a"))
	if err != nil {
		panic(err)
	}
	alg, sig, err := signing.SignAuth(key, origin, challenge)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(protocol.AuthToken{
		Format:      protocol.AuthFormat,
		Certificate: base64.StdEncoding.EncodeToString(cer),
		Algorithm:   alg,
		Signature:   base64.StdEncoding.EncodeToString(sig),
	})
	return out
}
