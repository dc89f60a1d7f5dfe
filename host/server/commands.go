package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// commands is the one table of the commands the host answers. Each handler
// lives in its own file (cmd_*.go).
var commands = map[string]handler{
	protocol.CmdHello:            noParams(hello),
	protocol.CmdListCertificates: noParams(listCertificates),
	protocol.CmdImportCredential: withParams(importCredential),
	protocol.CmdRemoveCredential: withParams(removeCredential),
	protocol.CmdAuthenticate:     withParams(authenticate),
	protocol.CmdSign:             withParams(sign),
	protocol.CmdOCSPRequest:      withParams(ocspRequest),
	protocol.CmdOCSPCheck:        withParams(ocspCheck),
	protocol.CmdDiagnose:         noParams(diagnose),
	protocol.CmdSATLogin:         withParams(satLogin),
}

// handler runs one command: it decodes the request's params and calls the
// core. The request's logger is in ctx (zerolog.Ctx).
type handler func(ctx context.Context, s *Server, params json.RawMessage) (any, error)

// withParams makes a handler that decodes params strictly into P (every
// key once, spelled exactly; unknown keys are ignored) before running f.
func withParams[P, R any](f func(ctx context.Context, s *Server, p P) (R, error)) handler {
	return func(ctx context.Context, s *Server, raw json.RawMessage) (any, error) {
		// The request's params are the host's own copy: zeroed when the
		// command is done, after the passwords were cut out of them as
		// bytes (secret.go).
		defer clear(raw)
		var p P
		sec, found := secretsFrom(ctx)
		var err error
		if !found {
			sec, err = takeSecrets(raw)
		}
		defer sec.clear()
		if err != nil {
			return nil, keys.Coded(protocol.ErrBadRequest, nil, errors.Join(errBadParams, err))
		}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		setSecrets(&p, sec) // a command without such a field: ignored, like any unknown key
		return f(ctx, s, p)
	}
}

// noParams makes a handler for a command that takes no params (any given
// are ignored).
func noParams[R any](f func(ctx context.Context, s *Server) (R, error)) handler {
	return func(ctx context.Context, s *Server, _ json.RawMessage) (any, error) {
		return f(ctx, s)
	}
}

func (s *Server) dispatch(ctx context.Context, req protocol.Request) (any, error) {
	h, ok := commands[req.Command]
	if !ok {
		return nil, keys.Coded(protocol.ErrUnknownCommand, nil, errors.New("unknown command "+req.Command))
	}
	return h(ctx, s, req.Params)
}
