package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// tlsClient trusts only dir/ca.pem.
func tlsClient(t *testing.T, dir string) (*http.Client, *x509.CertPool) {
	t.Helper()
	pemBytes, err := os.ReadFile(filepath.Join(dir, caFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("ca.pem holds no certificate")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, pool
}

func healthOver(t *testing.T, c *http.Client, base string) error {
	t.Helper()
	resp, err := c.Get(base + "/__mock/health")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health over TLS: %d", resp.StatusCode)
	}
	return nil
}

// handshake dials the loopback address and verifies the server's certificate for serverName:
// a name other than localhost is proven without ever reaching it.
func handshake(addr, serverName string, pool *x509.CertPool) error {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
		&tls.Config{ServerName: serverName, RootCAs: pool})
	if err != nil {
		return err
	}
	return conn.Close()
}

func readLeaf(t *testing.T, dir string) (*x509.Certificate, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(b, mustRead(t, filepath.Join(dir, keyFile)))
	if err != nil {
		t.Fatal(err)
	}
	return cert.Leaf, b
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTLSDirGeneratesACertificateForLoopbackAndNames(t *testing.T) {
	dir := t.TempDir()
	m := start(t, "-tls-dir", dir, "-tls-host", "mockserver.test", "-tls-host", "10.11.12.13")
	if !strings.HasPrefix(m.base, "https://127.0.0.1:") {
		t.Fatalf("listening on %s", m.base)
	}
	u, _ := url.Parse(m.base)
	addr := u.Host
	client, pool := tlsClient(t, dir)
	if err := healthOver(t, client, m.base); err != nil {
		t.Fatal(err)
	}
	if err := healthOver(t, client, "https://localhost:"+u.Port()); err != nil {
		t.Fatalf("localhost: %v", err)
	}
	hostname, _ := os.Hostname()
	for _, name := range []string{"mockserver.test", hostname, "localhost"} {
		if name == "" {
			continue
		}
		if err := handshake(addr, name, pool); err != nil {
			t.Errorf("the certificate does not verify for %q: %v", name, err)
		}
	}
	if err := handshake(addr, "elsewhere.test", pool); err == nil {
		t.Error("the certificate verifies for a name it was not made for")
	}
	if _, err := http.Get(m.base + "/__mock/health"); err == nil {
		t.Error("a client that does not trust ca.pem connected")
	}

	leaf, _ := readLeaf(t, dir)
	wantDNS := []string{"localhost", "mockserver.test"}
	if hostname != "" && net.ParseIP(hostname) == nil && hostname != "localhost" {
		wantDNS = append(wantDNS, hostname)
	}
	for _, n := range wantDNS {
		if !slices.Contains(leaf.DNSNames, n) {
			t.Errorf("SANs %v lack %q", leaf.DNSNames, n)
		}
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if strings.Join(ips, ",") != "127.0.0.1,::1,10.11.12.13" {
		t.Errorf("SANs %v %v", leaf.DNSNames, ips)
	}
	for name, want := range map[string]os.FileMode{caFile: 0o644, certFile: 0o644, keyFile: 0o600} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %v", name, fi, err, want)
		}
	}
	if !strings.Contains(m.stderr.String(), "clients trust "+filepath.Join(dir, caFile)) {
		t.Errorf("stderr: %s", m.stderr)
	}
}

func TestTLSDirReusesItsCertificate(t *testing.T) {
	dir := t.TempDir()
	first := start(t, "-tls-dir", dir, "-tls-host", "mockserver.test")
	_, before := readLeaf(t, dir)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	again := start(t, "-tls-dir", dir, "-tls-host", "mockserver.test")
	client, _ := tlsClient(t, dir)
	if err := healthOver(t, client, again.base); err != nil {
		t.Fatalf("the restarted mock does not serve the certificate ca.pem signed: %v", err)
	}
	if _, after := readLeaf(t, dir); !bytes.Equal(before, after) {
		t.Fatal("cert.pem was made again")
	}
	if !strings.Contains(again.stderr.String(), "(found)") {
		t.Errorf("stderr: %s", again.stderr)
	}
	_ = again.stop()

	err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-tls-dir", dir, "-tls-host", "new.test"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, certFile)+" does not cover -tls-host new.test") {
		t.Fatalf("a reused certificate lacking a name: %v", err)
	}
}

func TestTLSDirServesAGivenPair(t *testing.T) {
	made := t.TempDir()
	if _, err := generate(made, []string{"127.0.0.1", "given.test"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{certFile, keyFile} {
		if err := os.WriteFile(filepath.Join(dir, f), mustRead(t, filepath.Join(made, f)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := start(t, "-tls-dir", dir)
	client, pool := tlsClient(t, made)
	if err := healthOver(t, client, m.base); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(m.base)
	if err := handshake(u.Host, "given.test", pool); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, caFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ca.pem written beside a given pair: %v", err)
	}
}

func TestTLSDirRefusals(t *testing.T) {
	half := t.TempDir()
	if err := os.WriteFile(filepath.Join(half, certFile), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	expired := t.TempDir()
	if _, err := generate(expired, []string{"localhost"}, time.Now().Add(-2*certLifetime)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls-dir", half}, "go together"},
		{[]string{"-tls-dir", expired}, filepath.Join(expired, certFile) + " expired on"},
		{[]string{"-tls-dir", filepath.Join(half, "missing")}, "no such file or directory"},
		{[]string{"-tls-host", "x.test"}, "-tls-host needs -tls-dir"},
		{[]string{"-tls-dir", half, "-tls-host", "a b"}, "want a host name or an IP address"},
	} {
		err := run(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, tc.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestCertNames(t *testing.T) {
	got := certNames("box", []string{"mockserver", "LOCALHOST", "box", "10.0.0.1"})
	if strings.Join(got, ",") != "localhost,127.0.0.1,::1,box,mockserver,10.0.0.1" {
		t.Fatalf("%v", got)
	}
	if got := certNames("", nil); len(got) != 3 {
		t.Fatalf("no host name: %v", got)
	}
}
