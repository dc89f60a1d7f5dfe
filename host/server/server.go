// Package server is the host's controller: it reads native-messaging frames,
// decodes requests, runs one handler per command and writes responses. It
// knows nothing about UI; the browser's extension owns that.
//
// Rules: stdout carries only frames; a malformed request gets ERR_BAD_REQUEST
// and the host keeps serving; a claimed length above the request cap is
// answered with ERR_MESSAGE_TOO_LARGE and the stream is closed cleanly;
// errors that cross to the browser come from the closed list in package
// protocol, mapped in one place (errors.go); details go to the log only.
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
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/host/store"
	"github.com/efirma/conector/protocol"
	"github.com/rs/zerolog"
)

// Options configure a Server.
type Options struct {
	Store      *store.Store
	Sources    []keys.Source // besides the store
	DevOrigins bool
	Log        zerolog.Logger
	Now        func() time.Time
	Version    string
	// Diagnose runs the host-side checks for the "diagnose" command; the
	// server adds what only it knows (wrong password tries this session).
	Diagnose func(ctx context.Context) doctor.Report
	// MaxConcurrent bounds requests handled at once on one connection.
	MaxConcurrent int
	// OCSP configures "ocsp-request" and "ocsp-check".
	OCSP OCSPConfig
}

// Server handles protocol requests.
type Server struct {
	opt     Options
	sources []keys.Source

	mu       sync.Mutex
	failures map[string]int // wrong password attempts per certificate, this session
}

// New returns a Server.
func New(opt Options) *Server {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxConcurrent <= 0 {
		opt.MaxConcurrent = 4
	}
	s := &Server{opt: opt, failures: map[string]int{}}
	if opt.Store != nil {
		s.sources = append(s.sources, opt.Store)
	}
	s.sources = append(s.sources, opt.Sources...)
	return s
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
		req, perr := decodeRequest(body)
		if perr != nil {
			s.opt.Log.Warn().Str("id", req.ID).Str("reason", perr.Error()).Msg("bad request")
			write(s.errorResponse(req.ID, protocol.ErrBadRequest, nil))
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			write(s.Handle(ctx, req))
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
	result, err := s.dispatch(ctx, log, req)
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

func (s *Server) dispatch(ctx context.Context, log zerolog.Logger, req protocol.Request) (any, error) {
	switch req.Command {
	case protocol.CmdHello:
		return s.hello(), nil
	case protocol.CmdListCertificates:
		return s.list(ctx, log)
	case protocol.CmdImportCredential:
		var p protocol.ImportParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.importCredential(log, p)
	case protocol.CmdRemoveCredential:
		var p protocol.RemoveParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.remove(log, p)
	case protocol.CmdAuthenticate:
		var p protocol.AuthenticateParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.authenticate(ctx, log, p)
	case protocol.CmdSign:
		var p protocol.SignParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.sign(ctx, log, p)
	case protocol.CmdOCSPRequest:
		var p protocol.OCSPParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.ocspRequest(ctx, log, p)
	case protocol.CmdOCSPCheck:
		var p protocol.OCSPParams
		if err := decodeParams(req.Params, &p); err != nil {
			return nil, err
		}
		return s.ocspCheck(ctx, log, p)
	case protocol.CmdDiagnose:
		if s.opt.Diagnose == nil {
			return nil, keys.Coded(protocol.ErrUnknownCommand, nil, errors.New("diagnose not configured"))
		}
		return s.diagnose(ctx), nil
	}
	return nil, keys.Coded(protocol.ErrUnknownCommand, nil, errors.New("unknown command "+req.Command))
}

// errBadParams marks params that do not decode.
var errBadParams = errors.New("bad params")

func decodeParams(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	if err := checkKeys(raw, v); err != nil {
		return keys.Coded(protocol.ErrBadRequest, nil, errors.Join(errBadParams, err))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return keys.Coded(protocol.ErrBadRequest, nil, errors.Join(errBadParams, err))
	}
	return nil
}

// checkKeys refuses params whose keys are repeated or are not spelled
// exactly as a field of v: encoding/json matches keys case-insensitively
// and keeps the last duplicate, so {"origin": a, "ORIGIN": b} would be b.
// The extension builds params itself; this is defence in depth.
func checkKeys(raw json.RawMessage, v any) error {
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		known[name] = true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("params is not an object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("params key %q repeated", key)
		}
		seen[key] = true
		if !known[key] && foldMatch(known, key) {
			return fmt.Errorf("params key %q is not spelled as the protocol says", key)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// foldMatch reports whether key matches a known name only case-insensitively.
func foldMatch(known map[string]bool, key string) bool {
	for k := range known {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}
