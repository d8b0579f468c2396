package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

var listening = regexp.MustCompile(`^mockserver listening on (http://127\.0\.0\.1:[0-9]+)\n$`)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return send(t, "GET", url, token, "")
}

func TestRunServesUntilContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "tok", "-service", "alpha=svc-tok",
			"-read-token", "ro", "-max-stores", "2"}, stdoutW, stderr)
		stdoutW.Close()
	}()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v (stderr %s)", err, stderr)
	}
	m := listening.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listening line %q", line)
	}
	base := m[1]
	if code, body := get(t, base+"/client/v4/accounts/"+mockserver.DefaultAccount+"/secrets_store/stores", "tok"); code != 200 ||
		!strings.Contains(body, "default_secrets_store") {
		t.Fatalf("GET stores: %d %s", code, body)
	}
	if code, _ := get(t, base+"/system/accounts/"+mockserver.DefaultAccount+"/stores", "svc-tok"); code != 200 {
		t.Fatalf("service token: %d", code)
	}
	if code, body := get(t, base+"/__mock/stats", ""); code != 200 || !strings.Contains(body, `"total":2`) {
		t.Fatalf("stats: %d %s", code, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	log := stderr.String()
	if !strings.Contains(log, "GET /accounts/"+mockserver.DefaultAccount+"/secrets_store/stores 200") ||
		strings.Contains(log, "tok") {
		t.Fatalf("stderr log:\n%s", log)
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	addr, opts := cfg.addr, cfg.opts
	if cfg.stateFile != "" || cfg.seedFile != "" || cfg.requestLog != "" || cfg.tlsDir != "" || len(cfg.tlsHosts) != 0 {
		t.Fatalf("files by default: %+v", cfg)
	}
	if addr != "127.0.0.1:8787" || opts.Account != mockserver.DefaultAccount || opts.Token != "dev-token" ||
		opts.ReadToken != "" || opts.Email != "" || len(opts.Services) != 0 || opts.MaxStores != 1 ||
		opts.SecretQuota != 100 || opts.ActivationDelay != 250*time.Millisecond || opts.Latency != 0 ||
		opts.FailRate != 0 || opts.RateLimit != 0 {
		t.Fatalf("defaults: %s %+v", addr, opts)
	}
}

func TestParseFlagsEveryFlag(t *testing.T) {
	acct := "0123456789abcdef0123456789abcdef"
	cfg, err := parseFlags([]string{
		"-account", acct, "-token", "w", "-read-token", "r", "-email", "e@x", "-key", "k",
		"-service", "a=1", "-service", "b=2", "-max-stores", "3", "-secret-quota", "7",
		"-activation-delay", "2s", "-latency", "5ms", "-fail-rate", "0.5", "-rate-limit", "9",
		"-state", "s.json", "-seed", "seed.json", "-log-requests", "r.jsonl", "-tls-dir", "certs",
		"-tls-host", "mockserver", "-tls-host", "10.0.0.2",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.opts
	if cfg.stateFile != "s.json" || cfg.seedFile != "seed.json" || cfg.requestLog != "r.jsonl" || cfg.tlsDir != "certs" ||
		strings.Join(cfg.tlsHosts, ",") != "mockserver,10.0.0.2" {
		t.Fatalf("config: %+v", cfg)
	}
	if opts.Account != acct || opts.Token != "w" || opts.ReadToken != "r" || opts.Email != "e@x" || opts.Key != "k" ||
		opts.Services["a"] != "1" || opts.Services["b"] != "2" || opts.MaxStores != 3 || opts.SecretQuota != 7 ||
		opts.ActivationDelay != 2*time.Second || opts.Latency != 5*time.Millisecond || opts.FailRate != 0.5 || opts.RateLimit != 9 {
		t.Fatalf("options: %+v", opts)
	}
}

// TestParseFlagsActivationDelayZeroIsImmediate: for people "-activation-delay 0" means no
// pending phase; in Options that is a negative delay (0 there means the default).
func TestParseFlagsActivationDelayZeroIsImmediate(t *testing.T) {
	cfg, err := parseFlags([]string{"-activation-delay", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.opts
	if opts.ActivationDelay >= 0 {
		t.Fatalf("-activation-delay 0 gave ActivationDelay %v, want a negative (immediate) delay", opts.ActivationDelay)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-service", "nameonly"}, {"-service", "=tok"}, {"-fail-rate", "1.5"}, {"-email", "e@x"},
		{"-max-stores", "x"}, {"-max-stores", "0"}, {"-secret-quota", "-1"}, {"-activation-delay", "-1s"},
		{"extra"}, {"-nope"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestRunFailsOnUnusableAddress(t *testing.T) {
	err := run(t.Context(), []string{"-addr", "256.0.0.1:1"}, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("no error for an unusable address")
	}
}

// TestHelperProcess is the command itself when re-executed by TestMainExitsCleanlyOnSignal.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("MOCKSERVER_HELPER") != "1" {
		t.Skip("helper for TestMainExitsCleanlyOnSignal")
	}
	os.Args = []string{"mockserver", "-addr", "127.0.0.1:0", "-activation-delay", "0"}
	main()
	os.Exit(0) // main returned: a clean exit, without the test framework's output
}

func TestMainExitsCleanlyOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), "MOCKSERVER_HELPER=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr := &syncBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			out := bufio.NewReader(stdout)
			line, err := out.ReadString('\n')
			m := listening.FindStringSubmatch(line)
			if err != nil || m == nil {
				t.Fatalf("listening line %q: %v (stderr %s)", line, err, stderr)
			}
			if code, _ := get(t, m[1]+"/accounts/"+mockserver.DefaultAccount+"/secrets_store/quota", "dev-token"); code != 200 {
				t.Fatalf("quota: %d", code)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(out)
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Fatalf("exit: %v (stderr %s)", err, stderr)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no exit after the signal")
			}
			if len(rest) != 0 {
				t.Fatalf("more than one line on stdout: %q", rest)
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-version"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A test binary is built from a checkout: no -ldflags, no module version.
	if out.String() != "mockserver dev\n" {
		t.Fatalf("-version printed %q", out.String())
	}
}

func TestVersionString(t *testing.T) {
	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	devel := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
	for _, tc := range []struct {
		ldflag string
		info   *debug.BuildInfo
		ok     bool
		want   string
	}{
		{"1.4.0", installed, true, "1.4.0"}, // a release: -ldflags wins
		{"", installed, true, "v1.2.3"},     // go install ...@v1.2.3
		{"", devel, true, "dev"},            // go build in a checkout
		{"", nil, false, "dev"},             // no build info
	} {
		if got := versionString(tc.ldflag, tc.info, tc.ok); got != tc.want {
			t.Errorf("versionString(%q, %+v, %v) = %q, want %q", tc.ldflag, tc.info, tc.ok, got, tc.want)
		}
	}
}
