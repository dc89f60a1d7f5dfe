// Command demo-portal runs the demo portal (package portal/demo): a
// government-style site in Spanish that signs people in with their e.firma
// and verifies a signed appointment request.
//
//	demo-portal -ca-dir ../shared/fixtures/sat/ca/test
//	demo-portal -addr 127.0.0.1:8080 -ca-dir DIR -redis 127.0.0.1:6379 \
//	    -ocsp-url https://cfdit.sat.gob.mx/edofiel -ocsp-cert DIR/ocsp.ac5_sat.cer
//
// It serves plain HTTP on loopback for development, and HTTPS when given
// -tls-cert and -tls-key. The origin it checks signatures for is -origin,
// by default the one it serves (http://ADDR or https://ADDR).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/efirma/conector/portal/demo"
	"github.com/efirma/conector/portal/verifier"
	"github.com/efirma/conector/portal/verifier/redisstore"
	"github.com/efirma/conector/sat"
	"github.com/redis/go-redis/v9"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		fmt.Fprintln(os.Stderr, "hint: demo-portal -h muestra las opciones; -ca-dir debe ser una carpeta con certificados de AC del SAT (.cer)")
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	caDir := flag.String("ca-dir", "", "folder of trust anchor CA certificates (SAT production or test CAs) (required)")
	flag.StringVar(caDir, "trust-dir", "", "same as -ca-dir")
	origin := flag.String("origin", "", "the portal's origin, checked in every signature (default: http://ADDR, or https://ADDR with -tls-cert)")
	redisAddr := flag.String("redis", "", "Redis address (host:port) for challenges shared by several instances; default in memory")
	ocspURL := flag.String("ocsp-url", "", "OCSP responder URL (SAT: "+verifier.SATOCSPURL+", test: "+verifier.SATTestOCSPURL+"); default no revocation check")
	ocspCert := flag.String("ocsp-cert", "", "OCSP responder certificate that signs the answers (default: the issuing CA or a responder it delegated)")
	ocspFailOpen := flag.Bool("ocsp-fail-open", false, "accept logins when the OCSP responder cannot be reached (default: refuse)")
	allowRFC := flag.String("allow-rfc", "", "comma-separated RFCs allowed to sign in (default: any)")
	tlsCert := flag.String("tls-cert", "", "TLS certificate (PEM) to serve HTTPS")
	tlsKey := flag.String("tls-key", "", "TLS private key (PEM) to serve HTTPS")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(flag.Args(), " "))
	}
	if *caDir == "" {
		return errors.New("-ca-dir is required")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if *origin == "" {
		scheme := "http"
		if *tlsCert != "" {
			scheme = "https"
		}
		*origin = originFor(scheme, *addr)
	}
	anchors, err := sat.LoadAnchors(*caDir)
	if err != nil {
		return err
	}
	cfg := verifier.Config{Origin: *origin, Anchors: anchors}
	if *allowRFC != "" {
		cfg.AllowedRFCs = strings.Split(*allowRFC, ",")
	}
	if *redisAddr != "" {
		client := redis.NewClient(redisstore.Options(*redisAddr))
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := client.Ping(ctx).Err()
		cancel()
		if err != nil {
			return fmt.Errorf("redis %s: %w", *redisAddr, err)
		}
		cfg.Store = redisstore.New(client, "")
	}
	if *ocspURL != "" {
		cfg.OCSP = &verifier.OCSP{URL: *ocspURL, FailOpen: *ocspFailOpen}
		if *ocspCert != "" {
			data, err := os.ReadFile(*ocspCert)
			if err != nil {
				return err
			}
			if cfg.OCSP.Responder, err = sat.ParseCertificate(data); err != nil {
				return fmt.Errorf("%s: %w", *ocspCert, err)
			}
		}
	}
	v, err := verifier.New(cfg)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, err := demo.New(demo.Config{Verifier: v, Logger: logger})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	revocation := "sin OCSP"
	if cfg.OCSP != nil {
		revocation = "OCSP " + cfg.OCSP.URL
	}
	store := "memoria"
	if *redisAddr != "" {
		store = "Redis " + *redisAddr
	}
	fmt.Fprintf(os.Stderr, "Portal de demostración en %s (origen %s; %d AC de confianza; retos en %s; %s)\n",
		"http"+map[bool]string{true: "s"}[*tlsCert != ""]+"://"+ln.Addr().String(), *origin, anchors.Len(), store, revocation)
	if *tlsCert != "" {
		err = srv.ServeTLS(ln, *tlsCert, *tlsKey)
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// originFor serializes the origin the browser will use for addr: the
// default port is left out, as browsers do.
func originFor(scheme, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}
