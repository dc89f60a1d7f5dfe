// Package server is the host's protocol adapter: it reads native-messaging
// frames, decodes requests, runs one handler per command and writes
// responses. Each command is one file (cmd_*.go) holding its handler, which
// decodes its params (a protocol type) and calls package core; the table in
// commands.go registers them. It knows nothing about UI; the browser's
// extension owns that.
//
// Rules: stdout carries only frames; a malformed request gets ERR_BAD_REQUEST
// and the host keeps serving; a claimed length above the request cap is
// answered with ERR_MESSAGE_TOO_LARGE and the stream is closed cleanly;
// errors that cross to the browser come from the closed list in package
// protocol, mapped in one place (keys.CodeOf) and written in errors.go;
// details go to the log only. A request's top-level keys and its params'
// keys must each appear once, spelled exactly.
// Requests on one connection may run concurrently (bounded); each response
// carries its request's id.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/efirma/conector/host/core"
	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/protocol"
	"github.com/rs/zerolog"
)

// Options configure a Server. Core, when set, is used as is and the fields
// that only configure a core (Store, Sources, DevOrigins, Now, Diagnose,
// OCSP) are ignored; otherwise New builds one from them.
type Options struct {
	Core       *core.Core
	Store      *store.Store
	Sources    []keys.Source // besides the store
	DevOrigins bool
	Log        zerolog.Logger
	Now        func() time.Time
	Version    string
	// Diagnose runs the host-side checks for the "diagnose" command; the
	// core adds what only it knows (wrong password tries this session).
	Diagnose func(ctx context.Context) doctor.Report
	// MaxConcurrent bounds requests handled at once on one connection.
	MaxConcurrent int
	// OCSP configures "ocsp-request" and "ocsp-check".
	OCSP core.OCSPConfig
}

// OCSPConfig is core.OCSPConfig.
type OCSPConfig = core.OCSPConfig

// Server handles protocol requests.
type Server struct {
	opt  Options
	core *core.Core
}

// New returns a Server.
func New(opt Options) *Server {
	if opt.MaxConcurrent <= 0 {
		opt.MaxConcurrent = 4
	}
	c := opt.Core
	if c == nil {
		c = core.New(core.Options{
			Store: opt.Store, Sources: opt.Sources, DevOrigins: opt.DevOrigins,
			Log: opt.Log, Now: opt.Now, OCSP: opt.OCSP, Diagnose: opt.Diagnose,
		})
	}
	return &Server{opt: opt, core: c}
}

// Serve reads requests from r and writes responses to w until EOF. It
// returns nil on a clean EOF and after refusing an oversized frame.
func (s *Server) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	var wmu sync.Mutex
	write := func(resp protocol.Response) {
		body := encode(resp)
		wmu.Lock()
		defer wmu.Unlock()
		if err := nativemsg.WriteFrame(w, body); err != nil {
			s.opt.Log.Error().Err(err).Str("id", resp.ID).Msg("failed to write response")
		}
	}
	sem := make(chan struct{}, s.opt.MaxConcurrent)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		body, err := nativemsg.ReadFrame(r, protocol.MaxRequestBytes)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			s.opt.Log.Debug().Msg("input closed")
			return nil
		case errors.Is(err, nativemsg.ErrTooLarge):
			s.opt.Log.Warn().Err(err).Msg("refused oversized frame")
			write(s.errorResponse("", protocol.ErrMessageTooLarge, nil))
			return nil
		case errors.Is(err, nativemsg.ErrEmpty):
			write(s.errorResponse("", protocol.ErrBadRequest, nil))
			continue
		default:
			s.opt.Log.Warn().Err(err).Msg("broken input stream")
			return err
		}
		// The passwords are cut out of the frame as bytes before anything
		// else reads it, and the frame is zeroed once decoded (secret.go).
		sec, serr := takeRequestSecrets(body)
		req, perr := decodeRequest(body)
		clear(body)
		if perr == nil && serr != nil {
			perr = serr
		}
		if perr != nil {
			sec.clear()
			s.opt.Log.Warn().Str("id", req.ID).Str("reason", perr.Error()).Msg("bad request")
			write(s.errorResponse(req.ID, protocol.ErrBadRequest, nil))
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rctx := ctx
			if sec != nil {
				rctx = withSecrets(ctx, sec)
				defer sec.clear()
			}
			write(s.Handle(rctx, req))
		}()
	}
}

// decodeRequest parses one request. On failure the returned Request still
// carries the id when it could be read.
func decodeRequest(body []byte) (protocol.Request, error) {
	var req protocol.Request
	if !utf8.Valid(body) {
		return req, errors.New("request is not valid UTF-8")
	}
	if !json.Valid(body) {
		return req, errors.New("request is not JSON")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return req, errors.New("request is not a JSON object")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		var idOnly struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(body, &idOnly) == nil {
			var id string
			if json.Unmarshal(idOnly.ID, &id) == nil && len(id) <= 128 {
				req.ID = id
			}
		}
		return req, errors.New("request fields have wrong types")
	}
	if err := protocol.CheckKeys(body, &req); err != nil {
		// A repeated or misspelled "id" leaves no id to answer with.
		var ke *protocol.KeyError
		if errors.As(err, &ke) && strings.EqualFold(ke.Key, "id") {
			req.ID = ""
		}
		return req, err
	}
	if len(req.ID) > 128 {
		req.ID = ""
		return req, errors.New("id too long")
	}
	if req.ID == "" {
		return req, errors.New("missing id")
	}
	if req.Command == "" || len(req.Command) > 64 {
		return req, errors.New("missing or overlong command")
	}
	if len(req.Params) > 0 {
		p := bytes.TrimSpace(req.Params)
		if p[0] != '{' && !bytes.Equal(p, []byte("null")) {
			return req, errors.New("params is not an object")
		}
	}
	return req, nil
}

// encode marshals a response; a result too large for Chrome becomes an
// ERR_MESSAGE_TOO_LARGE error so that every frame stays under 1 MiB.
func encode(resp protocol.Response) []byte {
	b, err := json.Marshal(resp)
	if err != nil || len(b) > protocol.MaxResponseBytes {
		code := protocol.ErrInternal
		if err == nil {
			code = protocol.ErrMessageTooLarge
		}
		b, _ = json.Marshal(protocol.Response{ID: resp.ID, Error: newError(code, nil)})
	}
	return b
}

// Handle runs one request and returns its response. A panic below (a bug,
// or a library that panics on input we did not foresee) becomes
// ERR_INTERNAL for this request; the host keeps serving.
func (s *Server) Handle(ctx context.Context, req protocol.Request) (resp protocol.Response) {
	start := time.Now()
	log := s.opt.Log.With().Str("id", req.ID).Str("command", req.Command).Logger()
	defer func() {
		if r := recover(); r != nil {
			log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("internal error: request handler panicked")
			resp = protocol.Response{ID: req.ID, Error: newError(protocol.ErrInternal, nil)}
		}
	}()
	ctx = log.WithContext(ctx)
	result, err := s.dispatch(ctx, req)
	if err != nil {
		perr := s.toProtocolError(err)
		log.Info().Str("code", string(perr.Code)).Err(err).Dur("took", time.Since(start)).Msg("request failed")
		return protocol.Response{ID: req.ID, Error: perr}
	}
	ev := log.Info()
	if req.Command == protocol.CmdHello {
		ev = log.Debug() // every status check of the extension says hello
	}
	ev.Dur("took", time.Since(start)).Msg("request done")
	return protocol.Response{ID: req.ID, Result: result}
}

// errBadParams marks params that do not decode.
var errBadParams = errors.New("bad params")

func decodeParams(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	if err := protocol.CheckKeys(raw, v); err != nil {
		return keys.Coded(protocol.ErrBadRequest, nil, errors.Join(errBadParams, err))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return keys.Coded(protocol.ErrBadRequest, nil, errors.Join(errBadParams, err))
	}
	return nil
}
