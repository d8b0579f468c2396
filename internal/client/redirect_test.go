package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestRedirectToAnotherOriginRefused: a 307 to another server would resend the body (the
// secret value) and the credential headers there. The client refuses, naming the target
// host but not its query, and the other server receives nothing.
func TestRedirectToAnotherOriginRefused(t *testing.T) {
	other, otherSrv := serveStub(t, ok(`[`+secretJSON(testSecret, "A")+`]`))
	target := otherSrv.URL + "/steal?token=QUERY-SECRET"
	first, firstSrv := serveStub(t, answer{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": target}})
	c := newTestClient(t, firstSrv.URL, nil)

	_, err := c.CreateSecrets(context.Background(), acct, testStore, []SecretInput{{Name: "A", Value: canary, Scopes: []string{"workers"}}})
	var re *redirectError
	if !errors.As(err, &re) {
		t.Fatalf("err %v, want a refused redirect", err)
	}
	otherHost := strings.TrimPrefix(otherSrv.URL, "http://")
	if msg := err.Error(); !strings.Contains(msg, otherHost) || strings.Contains(msg, "QUERY-SECRET") || strings.Contains(msg, "/steal") {
		t.Errorf("error %q: want the target host %s, without its path or query", msg, otherHost)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
	// Refusing is final: no retry, and no lookup (nothing ambiguous happened).
	if n := len(first.requests()); n != 1 {
		t.Errorf("the API got %d requests, want 1", n)
	}

	// A GET is refused too (Go would forward X-Auth-Key to another host).
	_, err = c.GetSecret(context.Background(), acct, testStore, testSecret)
	if !errors.As(err, &re) || len(other.requests()) != 0 {
		t.Errorf("GET: err %v, other server got %d requests", err, len(other.requests()))
	}
}

func TestRedirectWithinOriginFollowed(t *testing.T) {
	var (
		mu   sync.Mutex
		hits []string
	)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if !strings.HasPrefix(r.URL.Path, "/moved") {
			http.Redirect(w, r, "/moved"+r.URL.Path, http.StatusPermanentRedirect)
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"result":` + storeJSON + `}`))
	})
	c := newTestClient(t, srv.URL, nil)
	if _, err := c.GetStore(context.Background(), acct, testStore); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(hits) != 2 {
		t.Errorf("requests %v", hits)
	}
	mu.Unlock()

	// A loop stops after maxRedirects.
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	}))
	t.Cleanup(loop.Close)
	_, err := newTestClient(t, loop.URL, nil).GetStore(context.Background(), acct, testStore)
	var re *redirectError
	if !errors.As(err, &re) || !re.tooMany {
		t.Errorf("redirect loop: %v", err)
	}
}

func TestSameOrigin(t *testing.T) {
	u := func(s string) *url.URL {
		p, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	same := [][2]string{
		{"https://api.example.com/a", "https://API.example.com:443/b?c"},
		{"http://127.0.0.1:8787/a", "http://127.0.0.1:8787/z"},
	}
	different := [][2]string{
		{"https://api.example.com/", "http://api.example.com/"},
		{"https://api.example.com/", "https://api.example.com:8443/"},
		{"https://api.example.com/", "https://evil.example.com/"},
		{"https://api.example.com/", "https://api.example.com.evil.net/"},
	}
	for _, p := range same {
		if !sameOrigin(u(p[0]), u(p[1])) {
			t.Errorf("%s and %s: not the same origin", p[0], p[1])
		}
	}
	for _, p := range different {
		if sameOrigin(u(p[0]), u(p[1])) {
			t.Errorf("%s and %s: the same origin", p[0], p[1])
		}
	}
}
