// Command mockserver runs the bundled Secrets Store mock API for people:
//
//	go run ./internal/cmd/mockserver [flags]
//
// It prints "mockserver listening on http://HOST:PORT" once listening, logs one line per request
// to stderr (never bodies or credentials) and shuts down gracefully on SIGINT or SIGTERM.
// Besides the API it serves its own routes: GET /__mock/health, GET and DELETE /__mock/stats,
// POST /__mock/reset and GET /__mock/secrets/{secret_id}/sha256. -state and -seed keep and seed
// its state, -tls-dir (with -tls-host) serves HTTPS, -log-requests writes a JSON line per
// request, and -version prints the version and exits. MOCK.md documents them all; releases ship
// this command as secretsstore-mock.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "mockserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, errVersion) {
		info, ok := debug.ReadBuildInfo()
		fmt.Fprintf(stdout, "mockserver %s\n", versionString(version, info, ok))
		return nil
	}
	if err != nil {
		return err
	}
	cfg.opts.Log = stderr
	if err := cfg.loadState(); err != nil {
		return err
	}
	if cfg.requestLog != "" {
		f, err := os.OpenFile(cfg.requestLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("-log-requests: %w", err)
		}
		defer f.Close()
		cfg.opts.RequestLog = f
	}
	handler, err := mockserver.Open(cfg.opts)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.tlsDir != "" {
		hostname, _ := os.Hostname()
		cert, note, err := serverCertificate(cfg.tlsDir, certNames(hostname, cfg.tlsHosts), cfg.tlsHosts, time.Now())
		if err != nil {
			_ = ln.Close()
			return err
		}
		fmt.Fprintln(stderr, "mockserver:", note)
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "mockserver listening on %s://%s\n", scheme, displayAddr(ln.Addr()))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// config is what the flags ask for.
type config struct {
	addr       string
	opts       mockserver.Options
	seedFile   string
	stateFile  string
	requestLog string
	tlsDir     string
	tlsHosts   hostsFlag
}

// loadState reads -seed, and -state when that file exists already: an existing state file wins
// over the seed, which then serves only POST /__mock/reset.
func (c *config) loadState() error {
	var err error
	if c.seedFile != "" {
		if c.opts.Seed, err = mockserver.ReadState(c.seedFile); err != nil {
			return fmt.Errorf("-seed: %w", err)
		}
	}
	if c.stateFile == "" {
		return nil
	}
	c.opts.StateFile = c.stateFile
	if _, err := os.Stat(c.stateFile); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if c.opts.Resume, err = mockserver.ReadState(c.stateFile); err != nil {
		return fmt.Errorf("-state: %w", err)
	}
	return nil
}

// errVersion is parseFlags' answer to -version: print the version, serve nothing.
var errVersion = errors.New("-version")

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	opts := &cfg.opts
	services := serviceFlag{}
	fs := flag.NewFlagSet("mockserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8787", "listen address (127.0.0.1:0 picks a free port)")
	fs.StringVar(&opts.Account, "account", mockserver.DefaultAccount, "the one account served")
	fs.StringVar(&opts.Token, "token", "dev-token", "account token with write permission")
	fs.StringVar(&opts.ReadToken, "read-token", "", "account token with read permission only")
	fs.StringVar(&opts.Email, "email", "", "legacy credentials: X-Auth-Email (with -key)")
	fs.StringVar(&opts.Key, "key", "", "legacy credentials: X-Auth-Key (with -email)")
	fs.Var(services, "service", "a calling service for the /system routes, NAME=TOKEN (repeatable)")
	fs.IntVar(&opts.MaxStores, "max-stores", 1, "stores per account (at least 1)")
	fs.IntVar(&opts.SecretQuota, "secret-quota", 100, "secrets per account (at least 1)")
	fs.DurationVar(&opts.ActivationDelay, "activation-delay", 250*time.Millisecond,
		"how long a new, rotated or duplicated secret stays pending (0: active at once)")
	fs.DurationVar(&opts.Latency, "latency", 0, "latency added to every request")
	fs.Float64Var(&opts.FailRate, "fail-rate", 0, "share of requests answered 503 (0 to 1)")
	fs.IntVar(&opts.RateLimit, "rate-limit", 0, "requests per minute per token before 429 (0: off)")
	fs.StringVar(&cfg.stateFile, "state", "", "keep the state in FILE across restarts (it holds values: mode 0600)")
	fs.StringVar(&cfg.seedFile, "seed", "", "start from FILE (the state file's form); POST /__mock/reset returns to it")
	fs.StringVar(&cfg.requestLog, "log-requests", "",
		"append one JSON line per request to FILE: route, status, ids (never a value or credential)")
	fs.StringVar(&cfg.tlsDir, "tls-dir", "",
		"serve HTTPS with DIR/cert.pem and DIR/key.pem, generated (with DIR/ca.pem) when absent")
	fs.Var(&cfg.tlsHosts, "tls-host", "one more name the generated certificate covers (repeatable; needs -tls-dir)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case *showVersion:
		return cfg, errVersion
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case opts.FailRate < 0 || opts.FailRate > 1:
		return cfg, fmt.Errorf("-fail-rate must be between 0 and 1")
	case (opts.Email == "") != (opts.Key == ""):
		return cfg, fmt.Errorf("-email and -key go together")
	case opts.MaxStores < 1 || opts.SecretQuota < 1:
		return cfg, fmt.Errorf("-max-stores and -secret-quota must be at least 1")
	case opts.ActivationDelay < 0:
		return cfg, fmt.Errorf("-activation-delay must not be negative")
	case len(cfg.tlsHosts) > 0 && cfg.tlsDir == "":
		return cfg, fmt.Errorf("-tls-host needs -tls-dir")
	}
	// In Options 0 means the default delay and a negative one means none.
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = -1
	}
	opts.Services = services
	return cfg, nil
}

// serviceFlag collects repeated -service NAME=TOKEN flags.
type serviceFlag map[string]string

func (f serviceFlag) String() string { return "" } // never print tokens

func (f serviceFlag) Set(v string) error {
	name, token, ok := strings.Cut(v, "=")
	if !ok || name == "" || token == "" {
		return fmt.Errorf("want NAME=TOKEN")
	}
	f[name] = token
	return nil
}

// displayAddr names a reachable address: a wildcard listener is reachable on loopback.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}
