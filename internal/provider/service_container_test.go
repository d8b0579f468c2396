package provider

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// A CI job reaches a mock server in a service container by host name: https://mockserver:8787
// with the mock's CA in SSL_CERT_FILE, or http://mockserver:8787 with allow_insecure_http. Tests
// send traffic only to loopback, so the name is served by hostProxy: a forward proxy on loopback
// that the provider process reaches through HTTPS_PROXY or HTTP_PROXY, and that sends every
// connection, whatever its host, to one loopback address. The provider still checks the mock's
// certificate against the name "mockserver".

var mockBinary = buildOnce("./internal/cmd/mockserver", "secretsstore-mock")

// hostProxy is a forward proxy on loopback standing in for the network of a CI job.
type hostProxy struct {
	*httptest.Server
	mu    sync.Mutex
	hosts []string // the host:port of every request or tunnel, in order
}

// startHostProxy tunnels CONNECT requests to the loopback address target and serves plain
// proxied requests with handler (nil: refuse them).
func startHostProxy(t *testing.T, target string, handler http.Handler) *hostProxy {
	t.Helper()
	p := &hostProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hosts = append(p.hosts, r.Host)
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			if handler == nil {
				http.Error(w, "no plain proxying here", http.StatusBadGateway)
				return
			}
			handler.ServeHTTP(w, r)
			return
		}
		upstream, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		client, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			_ = upstream.Close()
			return
		}
		go func() {
			_, _ = io.Copy(upstream, buf)
			_ = upstream.Close()
		}()
		_, _ = io.Copy(client, upstream)
		_ = client.Close()
	}))
	t.Cleanup(p.Close)
	return p
}

// seen returns the hosts the proxy was asked for.
func (p *hostProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}

// throughProxy points the CLI's processes (the provider among them) at the proxy for every
// host; Go never proxies loopback addresses, so only the host name goes through it.
func (c *cli) throughProxy(p *hostProxy) {
	c.env = append(c.env, "HTTPS_PROXY="+p.URL, "HTTP_PROXY="+p.URL, "https_proxy=", "http_proxy=", "NO_PROXY=", "no_proxy=")
}

// startTLSMock starts the mock binary with -tls-dir and -tls-host mockserver, and returns its
// loopback address and the CA file it wrote.
func startTLSMock(t *testing.T) (addr, caFile string) {
	t.Helper()
	dir, err := mockBinary()
	if err != nil {
		t.Fatal(err)
	}
	tlsDir := t.TempDir()
	cmd := exec.Command(filepath.Join(dir, "secretsstore-mock"), "-addr", "127.0.0.1:0", "-activation-delay", "0",
		"-tls-dir", tlsDir, "-tls-host", "mockserver")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if u, ok := strings.CutPrefix(s.Text(), "mockserver listening on https://"); ok {
				line <- u
			}
		}
	}()
	select {
	case addr = <-line:
	case <-time.After(time.Minute):
		t.Fatal("the mock did not say where it listens")
	}
	return addr, filepath.Join(tlsDir, "ca.pem")
}

// TestAccProviderTrustsMockCAFromSSLCertFile: the provider reaches the mock over TLS by the name
// its certificate was generated for (-tls-host mockserver) when SSL_CERT_FILE names the mock's
// CA, and refuses the certificate without it. No opt-in is needed: the token is encrypted.
func TestAccProviderTrustsMockCAFromSSLCertFile(t *testing.T) {
	skipWithoutTFAcc(t)
	addr, caFile := startTLSMock(t)
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startHostProxy(t, addr, nil)
	m := &testMock{URL: "https://mockserver:" + port + "/client/v4", Account: mockserver.DefaultAccount, Token: "dev-token"}
	c := newCLI(t, m)
	c.throughProxy(proxy)
	c.config("\ndata \"secretsstore_quota\" \"q\" {}\n\noutput \"usage\" {\n  value = data.secretsstore_quota.q.usage\n}\n")

	out, err := c.run("plan", "-input=false", "-no-color")
	if err == nil || !strings.Contains(out, "certificate signed by unknown authority") {
		t.Errorf("without SSL_CERT_FILE the mock's certificate was not refused (%v):\n%s", err, out)
	}

	c.env = append(c.env, "SSL_CERT_FILE="+caFile)
	out = c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	if !strings.Contains(out, "usage = 0") {
		t.Errorf("the apply did not read the mock's quota:\n%s", out)
	}
	for _, h := range proxy.seen() {
		if h != "mockserver:"+port {
			t.Errorf("the provider asked the proxy for %q, want only mockserver:%s", h, port)
		}
	}
	if len(proxy.seen()) == 0 {
		t.Error("the provider never asked for mockserver")
	}
}

// TestAccProviderInsecureHTTPOptIn: plain http to a host by name is refused before any request,
// naming the opt-in and the TLS way; with SECRETSSTORE_ALLOW_INSECURE_HTTP=true the provider
// sends its requests there.
func TestAccProviderInsecureHTTPOptIn(t *testing.T) {
	skipWithoutTFAcc(t)
	m := startMock(t, mockserver.Options{})
	proxy := startHostProxy(t, "", m.Server)
	c := newCLI(t, &testMock{URL: "http://mockserver:8787/client/v4", Account: m.Account, Token: m.Token})
	c.throughProxy(proxy)
	c.config("\ndata \"secretsstore_quota\" \"q\" {}\n")

	out, err := c.run("plan", "-input=false", "-no-color")
	for _, want := range []string{"Insecure base_url", "mockserver", "allow_insecure_http", "SECRETSSTORE_ALLOW_INSECURE_HTTP", "-tls-dir", "SSL_CERT_FILE"} {
		if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("the refusal (%v) lacks %q:\n%s", err, want, out)
		}
	}
	if got := proxy.seen(); len(got) != 0 {
		t.Fatalf("a refused base_url sent requests: %v", got)
	}

	c.env = append(c.env, "SECRETSSTORE_ALLOW_INSECURE_HTTP=true")
	c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	if got := proxy.seen(); len(got) == 0 || got[0] != "mockserver:8787" {
		t.Errorf("the provider asked the proxy for %v, want mockserver:8787", got)
	}
	if m.Stats().Total == 0 {
		t.Error("the mock received no request")
	}
}
