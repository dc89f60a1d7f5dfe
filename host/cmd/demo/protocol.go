package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/protocol"
)

// nativeConn is the demo's native-messaging connection to bin/efirma.
type nativeConn struct {
	in  io.WriteCloser
	out io.Reader
	seq int
}

func (d *nativeConn) call(command string, params any, out any) error {
	d.seq++
	raw, _ := json.Marshal(params)
	req, _ := json.Marshal(protocol.Request{ID: fmt.Sprint(d.seq), Command: command, Params: raw})
	if err := nativemsg.WriteFrame(d.in, req); err != nil {
		return err
	}
	b, err := nativemsg.ReadFrame(d.out, protocol.MaxResponseBytes)
	if err != nil {
		return fmt.Errorf("failed to read the host's answer: %w", err)
	}
	var resp struct {
		ID     string          `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *protocol.Error `json:"error"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return err
	}
	if resp.Error != nil {
		return fmt.Errorf("%s: %s (%s)", resp.Error.Code, resp.Error.Message, resp.Error.Hint)
	}
	return json.Unmarshal(resp.Result, out)
}

// protocolPhase imports the test e.firma into a throwaway EFIRMA_HOME and
// talks to bin/efirma over native-messaging framing exactly as Chrome does.
func (d *demo) protocolPhase(bin, creds, origin string) error {
	d.heading("demo.phase.protocol")
	home, err := os.MkdirTemp("", "efirma-demo-")
	if err != nil {
		return err
	}
	d.atExit(func() { removeAll(home) })
	env := append(os.Environ(), "EFIRMA_HOME="+home)
	conn := &nativeConn{}

	d.say("demo.home", home)
	imp := exec.Command(bin, "import", "--cer", filepath.Join(creds, "certificate.cer"), "--key", filepath.Join(creds, "private_key.key"), "--password-stdin", "--json")
	imp.Env = env
	imp.Stdin = bytes.NewBufferString("12345678a\n")
	imp.Stderr = os.Stderr
	if out, err := imp.Output(); err != nil {
		return fmt.Errorf("import failed: %v %s", err, out)
	}
	d.detail("demo.imported", creds)

	host := exec.Command(bin, "chrome-extension://demo/")
	host.Env = env
	host.Stderr = io.Discard
	conn.in, _ = host.StdinPipe()
	conn.out, _ = host.StdoutPipe()
	if err := host.Start(); err != nil {
		return err
	}
	d.say("demo.started", bin)

	var hello protocol.HelloResult
	if err := conn.call(protocol.CmdHello, nil, &hello); err != nil {
		return err
	}
	d.say("demo.hello", hello.Version, hello.Protocol, hello.Sources)

	var list protocol.ListResult
	if err := conn.call(protocol.CmdListCertificates, nil, &list); err != nil {
		return err
	}
	if len(list.Certificates) == 0 {
		return errors.New("no certificates listed")
	}
	c := list.Certificates[0]
	d.say("demo.list", len(list.Certificates))
	d.detail("demo.cert", c.Name, c.RFC, c.Type, c.Serial, c.NotAfter[:10], c.DaysLeft)

	chb := make([]byte, 32)
	rand.Read(chb)
	challenge := base64.RawURLEncoding.EncodeToString(chb)
	var tok protocol.AuthToken
	if err := conn.call(protocol.CmdAuthenticate, protocol.AuthenticateParams{Origin: origin, Challenge: challenge, CertificateID: c.ID, Password: "12345678a"}, &tok); err != nil {
		return err
	}
	d.say("demo.auth", origin, challenge)
	msg := protocol.AuthMessage(origin, challenge)
	if err := verify(tok.Certificate, msg, tok.Signature); err != nil {
		return fmt.Errorf("login signature does not verify: %w", err)
	}
	d.detail("demo.verified.go")
	if ok, err := verifyOpenSSL(tok.Certificate, msg, tok.Signature); err == nil && ok {
		d.detail("demo.verified.openssl")
	} else if err != nil {
		d.detail("demo.openssl.missing", err.Error())
	} else {
		return errors.New("openssl rejected the login signature")
	}

	cadena := "||3.3|A|1|2026-11-27T10:00:00|" + c.RFC + "|Solicitud de cita|IMSS||"
	var sr protocol.SignResult
	if err := conn.call(protocol.CmdSign, protocol.SignParams{Origin: origin, CertificateID: c.ID, Password: "12345678a", Data: base64.StdEncoding.EncodeToString([]byte(cadena))}, &sr); err != nil {
		return err
	}
	d.say("demo.sign", cadena)
	if err := verify(sr.Certificate, []byte(cadena), sr.Signature); err != nil {
		return fmt.Errorf("document signature does not verify: %w", err)
	}
	d.detail("demo.verified.go")
	if ok, err := verifyOpenSSL(sr.Certificate, []byte(cadena), sr.Signature); err == nil && ok {
		d.detail("demo.verified.openssl")
	} else if err == nil {
		return errors.New("openssl rejected the document signature")
	}

	// A page trying to pass a login off as a document is refused.
	var ignored protocol.SignResult
	err = conn.call(protocol.CmdSign, protocol.SignParams{Origin: origin, CertificateID: c.ID, Password: "12345678a", Data: base64.StdEncoding.EncodeToString(msg)}, &ignored)
	if err == nil {
		return errors.New("the host signed login bytes as a document")
	}
	d.say("demo.reserved", err.Error())

	conn.in.Close()
	if err := host.Wait(); err != nil {
		return fmt.Errorf("host did not exit cleanly: %w", err)
	}
	d.say("demo.done")
	return nil
}

func parse(certB64, sigB64 string) (*x509.Certificate, []byte, error) {
	der, err := base64.StdEncoding.DecodeString(certB64)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	return cert, sig, err
}

func verify(certB64string string, msg []byte, sigB64 string) error {
	cert, sig, err := parse(certB64string, sigB64)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("not an RSA certificate")
	}
	h := sha256.Sum256(msg)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig)
}

// verifyOpenSSL checks the signature with `openssl dgst -sha256 -verify`.
func verifyOpenSSL(certB64 string, msg []byte, sigB64 string) (bool, error) {
	if _, err := exec.LookPath("openssl"); err != nil {
		return false, err
	}
	cert, sig, err := parse(certB64, sigB64)
	if err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "efirma-demo-ssl-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	spki, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	pub := filepath.Join(dir, "pub.pem")
	os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}), 0o600)
	os.WriteFile(filepath.Join(dir, "sig"), sig, 0o600)
	os.WriteFile(filepath.Join(dir, "msg"), msg, 0o600)
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", pub, "-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "msg")).CombinedOutput()
	if err != nil {
		return false, nil
	}
	return bytes.Contains(out, []byte("Verified OK")), nil
}
