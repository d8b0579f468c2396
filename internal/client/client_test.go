package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
)

const (
	testAccount = "023e105f4ecef8ad9ca31a8372d0c353"
	testStore   = "9a7806061c88ada191ed06f989cc3dac"
	testSecret  = "3fd85f74b32742f1bff64a85009dda07"
	testToken   = "test-token-0123456789"
)

var acct = Owner{Family: FamilyAccount, Account: testAccount}

// newTestClient makes a client for url with fast retries; mod adjusts the config.
func newTestClient(t testing.TB, url string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      url,
		APIToken:     testToken,
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		UserAgent:    "client-test/1",
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// stub serves canned answers in order (the last one repeats) and records requests.
type stub struct {
	mu      sync.Mutex
	answers []answer
	reqs    []recorded
}

type answer struct {
	status int
	body   string
	header map[string]string
	drop   bool // hijack and close without answering
}

type recorded struct {
	method, path, query, body string
	header                    http.Header
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Clone()})
	a := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	s.mu.Unlock()
	if a.drop {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.status == 0 {
		a.status = 200
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (s *stub) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func serveStub(t *testing.T, answers ...answer) (*stub, *httptest.Server) {
	t.Helper()
	s := &stub{answers: answers}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// serveStubInBubble serves a stub over memnet, for a test in a testing/synctest bubble: its
// waits (backoffs, the 429 pause, deadlines) run on the bubble's clock, so they can be
// asserted exactly. The client's base URL is memnet.URL.
func serveStubInBubble(t *testing.T, answers ...answer) (*stub, *http.Client) {
	t.Helper()
	s := &stub{answers: answers}
	return s, &http.Client{Transport: memnet.Serve(t, s)}
}

// secretsPage is a list page of the secrets hexID(id), named "N"+id.
func secretsPage(ids ...int) answer {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = secretJSON(hexID(id), fmt.Sprint("N", id))
	}
	return ok(`[` + strings.Join(items, ",") + `]`)
}

// hexID is a valid id (32 lowercase hex) made from n.
func hexID(n int) string { return fmt.Sprintf("%032x", n) }

func ok(result string) answer {
	return answer{status: 200, body: `{"success":true,"errors":[],"messages":[],"result":` + result + `}`}
}

func fail(status int, code int, msg string) answer {
	return answer{status: status, body: fmt.Sprintf(`{"success":false,"errors":[{"code":%d,"message":%q}],"messages":[],"result":null}`, code, msg)}
}

const storeJSON = `{"id":"` + testStore + `","name":"default_secrets_store","account_id":"` + testAccount + `","created":"2026-09-21T18:56:32.624632Z","modified":"2026-09-21T18:56:32.624632Z"}`

func secretJSON(id, name string) string {
	return `{"id":"` + id + `","store_id":"` + testStore + `","name":"` + name + `","comment":null,"scopes":["workers"],"status":"pending","created":"2026-09-21T18:56:32Z","modified":"2026-09-21T18:56:32Z"}`
}

func TestNewValidates(t *testing.T) {
	bad := []Config{
		{},
		{BaseURL: "ftp://x", APIToken: "t"},
		{BaseURL: "http://x"},
		{BaseURL: "http://x", APIEmail: "e"},
		{BaseURL: "http://x", APIToken: "t", APIKey: "k"},
		{BaseURL: "http://x?y=1", APIToken: "t"},
		{BaseURL: "/relative", APIToken: "t"},
	}
	for _, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	c, err := New(Config{BaseURL: "https://api.example.com/client/v4/", APIEmail: "e", APIKey: "k", PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	if tr := c.transport; tr.baseURL != "https://api.example.com/client/v4" || c.pageSize != 100 || tr.waitMin != time.Second ||
		tr.waitMax != 30*time.Second || tr.maxRetries != 0 || tr.header.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("defaults not applied: %+v, %+v", c, tr)
	}
}

func TestPaths(t *testing.T) {
	sys := Owner{Family: FamilySystem, Account: testAccount}
	cases := []struct {
		got  func() (string, error)
		want string
	}{
		{func() (string, error) { return acct.path("stores") }, "/accounts/" + testAccount + "/secrets_store/stores"},
		{func() (string, error) { return sys.path("stores") }, "/system/accounts/" + testAccount + "/stores"},
		{func() (string, error) { return sys.path("stores", "s/1", "secrets", "x y") }, "/system/accounts/" + testAccount + "/stores/s%2F1/secrets/x%20y"},
		{func() (string, error) { return acct.path("stores", "s", "secrets", "x", "duplicate") },
			"/accounts/" + testAccount + "/secrets_store/stores/s/secrets/x/duplicate"},
		{func() (string, error) { return Owner{Account: "a"}.path("stores", "s") }, "/accounts/a/secrets_store/stores/s"},
	}
	for _, c := range cases {
		got, err := c.got()
		if err != nil || got != c.want {
			t.Errorf("path = %q, %v; want %q", got, err, c.want)
		}
	}
	for _, f := range []func() (string, error){
		func() (string, error) { return acct.path("stores", "") },
		func() (string, error) { return acct.path("stores", testStore, "secrets", "") },
		func() (string, error) { return Owner{Family: FamilyAccount}.path("stores") },
		func() (string, error) { return Owner{Family: "other", Account: "a"}.path("stores") },
	} {
		if p, err := f(); err == nil {
			t.Errorf("path %q built without error", p)
		}
	}
}

func TestRequestShape(t *testing.T) {
	s, srv := serveStub(t, ok(storeJSON))
	c := newTestClient(t, srv.URL+"/client/v4/", nil)
	if _, err := c.GetStore(context.Background(), acct, testStore); err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	if r.path != "/client/v4/accounts/"+testAccount+"/secrets_store/stores/"+testStore {
		t.Errorf("path %q", r.path)
	}
	if r.header.Get("Authorization") != "Bearer "+testToken || r.header.Get("User-Agent") != "client-test/1" {
		t.Errorf("headers %v", r.header)
	}

	s2, srv2 := serveStub(t, ok(`null`))
	legacy := newTestClient(t, srv2.URL, func(c *Config) { c.APIToken, c.APIEmail, c.APIKey = "", "me@example.com", "key123" })
	if err := legacy.DeleteStore(context.Background(), acct, testStore, true); err != nil {
		t.Fatal(err)
	}
	r = s2.requests()[0]
	if r.header.Get("X-Auth-Email") != "me@example.com" || r.header.Get("X-Auth-Key") != "key123" || r.header.Get("Authorization") != "" {
		t.Errorf("legacy headers %v", r.header)
	}
	if r.method != "DELETE" || r.query != "force=true" {
		t.Errorf("delete store %s ?%s", r.method, r.query)
	}
}

func TestRequestBodies(t *testing.T) {
	comment := "c"
	value := "v1"
	sys := Owner{Family: FamilySystem, Account: testAccount}
	id := int64(42)
	cases := []struct {
		name string
		run  func(c *Client) error
		want string
	}{
		{"create store account", func(c *Client) error {
			_, err := c.CreateStore(context.Background(), acct, CreateStoreRequest{Name: "s", AccountInternalID: &id})
			return err
		}, `{"name":"s"}`},
		{"create store system", func(c *Client) error {
			_, err := c.CreateStore(context.Background(), sys, CreateStoreRequest{Name: "s", AccountInternalID: &id})
			return err
		}, `{"account_id":42,"name":"s"}`},
		{"create secrets", func(c *Client) error {
			_, err := c.CreateSecrets(context.Background(), acct, testStore, []SecretInput{
				{Name: "A", Value: "x", Scopes: []string{"workers"}}, {Name: "B", Value: "y", Scopes: []string{"dex"}, Comment: &comment}})
			return err
		}, `[{"name":"A","value":"x","scopes":["workers"]},{"name":"B","value":"y","scopes":["dex"],"comment":"c"}]`},
		{"patch all", func(c *Client) error {
			_, err := c.PatchSecret(context.Background(), acct, testStore, testSecret, PatchSecretRequest{Value: &value, Scopes: []string{"workers"}, Comment: &comment})
			return err
		}, `{"comment":"c","scopes":["workers"],"value":"v1"}`},
		{"patch clear comment", func(c *Client) error {
			_, err := c.PatchSecret(context.Background(), acct, testStore, testSecret, PatchSecretRequest{ClearComment: true})
			return err
		}, `{"comment":null}`},
		{"patch nothing", func(c *Client) error {
			_, err := c.PatchSecret(context.Background(), acct, testStore, testSecret, PatchSecretRequest{})
			return err
		}, `{}`},
		{"duplicate", func(c *Client) error {
			_, err := c.DuplicateSecret(context.Background(), acct, testStore, testSecret, DuplicateSecretRequest{Name: "N", Scopes: []string{"workers"}})
			return err
		}, `{"name":"N","scopes":["workers"]}`},
		{"bulk delete", func(c *Client) error {
			_, err := c.DeleteSecrets(context.Background(), acct, testStore, []string{"a", "b"})
			return err
		}, `{"ids":["a","b"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			result := storeJSON
			if strings.Contains(tc.name, "secret") || strings.Contains(tc.name, "patch") || tc.name == "duplicate" || tc.name == "bulk delete" {
				result = `[` + secretJSON(testSecret, "A") + `,` + secretJSON(testStore, "B") + `]`
			}
			s, srv := serveStub(t, ok(result))
			if err := tc.run(newTestClient(t, srv.URL, nil)); err != nil {
				t.Fatal(err)
			}
			r := s.requests()[0]
			if r.body != tc.want {
				t.Errorf("body\n got %s\nwant %s", r.body, tc.want)
			}
			if r.header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
		})
	}
	// No ids: nothing to send.
	if got, err := newTestClient(t, "http://127.0.0.1:1", nil).DeleteSecrets(context.Background(), acct, testStore, nil); err != nil || got != nil {
		t.Errorf("DeleteSecrets(nil) = %v, %v", got, err)
	}
}

func TestTolerantDecoding(t *testing.T) {
	ctx := context.Background()
	t.Run("create store array of one", func(t *testing.T) {
		_, srv := serveStub(t, ok(`[`+storeJSON+`]`))
		st, err := newTestClient(t, srv.URL, nil).CreateStore(ctx, acct, CreateStoreRequest{Name: "default_secrets_store"})
		if err != nil || st.ID != testStore || st.Created.IsZero() {
			t.Fatalf("CreateStore = %+v, %v", st, err)
		}
	})
	t.Run("store object, unknown fields, no account_id, odd times", func(t *testing.T) {
		_, srv := serveStub(t, ok(`{"id":"`+testStore+`","name":"n","created":"2026-09-21T18:56:32","modified":null,"extra":{"x":[1]}}`))
		st, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
		if err != nil || st.Name != "n" || st.AccountID != "" || st.Created.IsZero() || !st.Modified.IsZero() {
			t.Fatalf("GetStore = %+v, %v", st, err)
		}
	})
	t.Run("store account_id not an id is dropped", func(t *testing.T) {
		for _, account := range []string{`42`, `"acct-1"`, `"` + strings.ToUpper(testAccount) + `"`, `{"id":"x"}`} {
			_, srv := serveStub(t, ok(`{"id":"`+testStore+`","name":"n","account_id":`+account+`}`))
			st, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
			if err != nil || st.ID != testStore || st.AccountID != "" {
				t.Errorf("account_id %s: GetStore = %+v, %v", account, st, err)
			}
		}
		_, srv := serveStub(t, ok(storeJSON))
		if st, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore); err != nil || st.AccountID != testAccount {
			t.Errorf("a 32-hex account_id is kept: GetStore = %+v, %v", st, err)
		}
	})
	t.Run("secret comment null, absent, string; scopes string", func(t *testing.T) {
		_, srv := serveStub(t, ok(`[`+secretJSON(hexID(1), "A")+`,{"id":"`+hexID(2)+`","name":"B","scopes":"workers, dex"},{"id":"`+hexID(3)+`","name":"C","comment":"hi","future":true}]`))
		list, err := newTestClient(t, srv.URL, nil).ListSecrets(ctx, acct, testStore, ListSecretsOptions{})
		if err != nil || len(list) != 3 {
			t.Fatalf("ListSecrets = %+v, %v", list, err)
		}
		if list[0].Comment != nil || list[1].Comment != nil || list[2].Comment == nil || *list[2].Comment != "hi" {
			t.Errorf("comments %v %v %v", list[0].Comment, list[1].Comment, list[2].Comment)
		}
		if strings.Join(list[1].Scopes, ",") != "workers,dex" {
			t.Errorf("scopes %v", list[1].Scopes)
		}
	})
	t.Run("delete secret result null or object", func(t *testing.T) {
		for _, res := range []string{`null`, secretJSON(testSecret, "A"), `{}`} {
			_, srv := serveStub(t, ok(res))
			if err := newTestClient(t, srv.URL, nil).DeleteSecret(ctx, acct, testStore, testSecret); err != nil {
				t.Errorf("result %s: %v", res, err)
			}
		}
	})
	t.Run("failure result {} or null, code as string", func(t *testing.T) {
		for _, body := range []string{
			`{"success":false,"errors":[{"code":1001,"message":"store_not_found"}],"messages":[],"result":{}}`,
			`{"success":false,"errors":[{"code":"1001","message":"store_not_found","source":{"pointer":"/x"}}],"result":null}`,
		} {
			_, srv := serveStub(t, answer{status: 404, body: body})
			_, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
			var e *APIError
			if !errors.As(err, &e) || !IsNotFound(err) || !e.HasCode(1001) || !e.HasReason("store_not_found") || e.Body != "" {
				t.Errorf("body %s: err %#v", body, err)
			}
		}
	})
	t.Run("HTML 502", func(t *testing.T) {
		html := "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center>" + strings.Repeat(" pad", 200) + "</body></html>"
		s, srv := serveStub(t, answer{status: 502, body: html, header: map[string]string{"Content-Type": "text/html"}})
		_, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
		e := asAPIError(err)
		if e == nil || e.StatusCode != 502 || !strings.Contains(e.Body, "502 Bad Gateway") || len(e.Errors) != 0 ||
			!strings.HasPrefix(e.Body, "<html> <head>") || !strings.HasSuffix(e.Body, fmt.Sprintf("…[cut from %d bytes]", len(html))) ||
			len(e.Body) > bodyExcerptLen+len("…[cut from 1000 bytes]") {
			t.Fatalf("err %#v", err)
		}
		if n := len(s.requests()); n != 4 {
			t.Errorf("GET on 502 made %d attempts, want 4", n)
		}
		if !strings.Contains(e.Error(), "502") || !strings.Contains(e.Error(), "Bad Gateway") {
			t.Errorf("Error() = %q", e.Error())
		}
	})
	t.Run("empty body 500", func(t *testing.T) {
		s, srv := serveStub(t, answer{status: 500})
		_, err := newTestClient(t, srv.URL, nil).GetSecret(ctx, acct, testStore, testSecret)
		e := asAPIError(err)
		if e == nil || e.StatusCode != 500 || e.Body != "(empty body)" {
			t.Fatalf("err %#v", err)
		}
		if n := len(s.requests()); n != 1 {
			t.Errorf("GET on 500 made %d attempts, want 1", n)
		}
	})
	t.Run("200 with success false", func(t *testing.T) {
		_, srv := serveStub(t, answer{status: 200, body: `{"success":false,"errors":[{"code":7,"message":"weird"}],"result":null}`})
		_, err := newTestClient(t, srv.URL, nil).GetQuota(ctx, testAccount)
		if e := asAPIError(err); e == nil || !e.HasCode(7) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("200 with garbage", func(t *testing.T) {
		for _, body := range []string{`<html>ok</html>`, ``, `{"success":true,"result":`, `{"success":true,"result":42}`, `{"success":true,"result":null}`, `{"errors":"x"}`} {
			_, srv := serveStub(t, answer{status: 200, body: body})
			if _, err := newTestClient(t, srv.URL, nil).GetSecret(ctx, acct, testStore, testSecret); err == nil {
				t.Errorf("body %q decoded without error", body)
			}
		}
	})
	t.Run("quota nested and flat", func(t *testing.T) {
		for _, res := range []string{`{"secrets":{"quota":100,"usage":3}}`, `{"quota":"100","usage":3}`} {
			_, srv := serveStub(t, ok(res))
			q, err := newTestClient(t, srv.URL, nil).GetQuota(ctx, testAccount)
			if err != nil || q.Quota != 100 || q.Usage != 3 {
				t.Errorf("%s: %+v, %v", res, q, err)
			}
		}
	})
}

func TestAPIError(t *testing.T) {
	e := &APIError{Method: "POST", Path: "/accounts/a/secrets_store/stores/s/secrets", StatusCode: 409,
		Errors: []Message{{Code: 1003, Message: "secret_name_already_exists: API_KEY"}}}
	wrapped := fmt.Errorf("creating: %w", e)
	if !hasStatus(wrapped, 409) || IsNotFound(wrapped) || !e.HasReason("secret_name_already_exists") || e.HasReason("API_KEY") || !e.HasCode(1003) || e.HasCode(1001) {
		t.Errorf("helpers wrong for %v", e)
	}
	want := "POST /accounts/a/secrets_store/stores/s/secrets: HTTP 409 Conflict: error 1003: secret_name_already_exists: API_KEY"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant %q", e.Error(), want)
	}
	wrong := &APIError{StatusCode: 403, Errors: []Message{{Code: 10000, Message: "Authentication error"}}}
	if !IsWrongTokenKind(wrong) {
		t.Errorf("403/10000 is not the wrong kind of token")
	}
	for _, notWrong := range []error{
		&APIError{StatusCode: 403, Errors: []Message{{Code: 9109}}},
		&APIError{StatusCode: 401, Errors: []Message{{Code: 10000}}},
		errors.New("x"),
	} {
		if IsWrongTokenKind(notWrong) {
			t.Errorf("IsWrongTokenKind(%v) is too broad", notWrong)
		}
	}
}

func TestRetryPolicyTable(t *testing.T) {
	ctx := context.Background()
	refused := &net.OpError{Op: "dial", Err: errors.New("connect: connection refused")}
	reset := errors.New("read tcp: connection reset by peer")
	dns := &url.Error{Op: "Post", URL: "https://api.example.invalid/x", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}}}
	dialTimeout := &url.Error{Op: "Get", URL: "u", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("i/o timeout")}}
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code, Header: http.Header{}} }
	type row struct {
		resp *http.Response
		err  error
	}
	rows := map[string]row{
		"429": {resp(429), nil}, "500": {resp(500), nil}, "502": {resp(502), nil}, "503": {resp(503), nil},
		"504": {resp(504), nil}, "404": {resp(404), nil}, "409": {resp(409), nil}, "200": {resp(200), nil},
		"refused": {nil, refused}, "reset": {nil, reset}, "dns": {nil, dns}, "dial timeout": {nil, dialTimeout},
		"attempt timeout before a connection":    {nil, &url.Error{Op: "Post", URL: "u", Err: &attemptTimeoutError{sent: false}}},
		"attempt timeout waiting for the answer": {nil, &url.Error{Op: "Post", URL: "u", Err: &attemptTimeoutError{sent: true}}},
		"redirect refused":                       {nil, &url.Error{Op: "Post", URL: "u", Err: &redirectError{from: "a", to: "b"}}},
	}
	all := []string{"429", "502", "503", "504", "refused", "reset", "dns", "dial timeout",
		"attempt timeout before a connection", "attempt timeout waiting for the answer"}
	want := map[string][]string{
		"GET":    all,
		"PATCH":  all,
		"DELETE": all,
		// Nothing was sent: even a create is safely resent.
		"POST": {"429", "refused", "dns", "dial timeout", "attempt timeout before a connection"},
	}
	for method, retried := range want {
		policy := retryPolicy(method)
		for name, r := range rows {
			got, _ := policy(ctx, r.resp, r.err)
			exp := false
			for _, n := range retried {
				exp = exp || n == name
			}
			if got != exp {
				t.Errorf("%s on %s: retry=%v, want %v", method, name, got, exp)
			}
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if retry, err := retryPolicy("GET")(cancelled, resp(503), nil); retry || err == nil {
		t.Errorf("retried after the context ended")
	}
}

func TestBackoff(t *testing.T) {
	minW, maxW := 10*time.Millisecond, 100*time.Millisecond
	for attempt := 0; attempt < 70; attempt++ {
		w := backoff(minW, maxW, attempt, nil)
		lo := min(minW<<min(attempt, 20), maxW)
		if w < lo || w > maxW {
			t.Errorf("attempt %d: wait %s outside [%s, %s]", attempt, w, lo, maxW)
		}
	}
	ra := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	if w := backoff(minW, maxW, 0, ra("0.05")); w != 50*time.Millisecond {
		t.Errorf("Retry-After 0.05 waited %s", w)
	}
	if w := backoff(minW, maxW, 0, ra("3")); w != maxW {
		t.Errorf("Retry-After 3 not capped: %s", w)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if d, ok := parseRetryAfter(now.Add(2*time.Second).Format(http.TimeFormat), now); !ok || d != 2*time.Second {
		t.Errorf("HTTP date: %s %v", d, ok)
	}
	for _, v := range []string{"", "soon"} {
		if _, ok := parseRetryAfter(v, now); ok {
			t.Errorf("parsed %q", v)
		}
	}
	if d, ok := parseRetryAfter("-5", now); !ok || d != 0 {
		t.Errorf("negative: %s %v", d, ok)
	}
}

// countingTransport counts attempts on the client side (for failures no server sees).
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	for _, method := range []string{"POST", "GET"} {
		ct := &countingTransport{base: http.DefaultTransport}
		c := newTestClient(t, "http://"+addr, func(c *Config) { c.MaxRetries = 2; c.HTTPClient = &http.Client{Transport: ct} })
		if method == "POST" {
			_, err = c.CreateStore(context.Background(), acct, CreateStoreRequest{Name: "x"})
		} else {
			_, err = c.GetStore(context.Background(), acct, testStore)
		}
		if err == nil || asAPIError(err) != nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: err %v", method, err)
		}
		// POST on refused: nothing was sent, so it is retried, and no lookup follows.
		if n := ct.n.Load(); n != 3 {
			t.Errorf("%s: %d attempts, want 3", method, n)
		}
	}
}

// TestContextCancelStopsRetries: the caller's deadline ends a backoff (here a Retry-After of
// 10s) when it comes, not after it.
func TestContextCancelStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, hc := serveStubInBubble(t, answer{status: 503, header: map[string]string{"Retry-After": "10"}})
		c := newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = hc; c.RetryWaitMax = time.Minute; c.MaxRetries = 5 })
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GetStore(ctx, acct, testStore)
		if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took != 100*time.Millisecond {
			t.Fatalf("err %v after %s, want the deadline's error at 100ms", err, took)
		}
	})
}

func TestPagingStub(t *testing.T) {
	s, srv := serveStub(t, secretsPage(1, 2), secretsPage(3, 4), secretsPage(5))
	c := newTestClient(t, srv.URL, func(c *Config) { c.PageSize = 2 })
	list, err := c.ListSecrets(context.Background(), acct, testStore, ListSecretsOptions{Search: "n", Scopes: []string{"workers", "dex"}, Order: "name", Direction: "desc"})
	if err != nil || len(list) != 5 {
		t.Fatalf("list %v, %v", list, err)
	}
	reqs := s.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	want := "direction=desc&order=name&page=3&per_page=2&scopes=workers&scopes=dex&search=n"
	if reqs[2].query != want {
		t.Errorf("query %q, want %q", reqs[2].query, want)
	}

	// Exactly full last page: one more, empty, page ends the walk.
	s, srv = serveStub(t, secretsPage(1, 2), ok(`[]`))
	list, err = newTestClient(t, srv.URL, func(c *Config) { c.PageSize = 2 }).ListSecrets(context.Background(), acct, testStore, ListSecretsOptions{})
	if err != nil || len(list) != 2 || len(s.requests()) != 2 {
		t.Errorf("full page then empty: %d items, %d requests, %v", len(list), len(s.requests()), err)
	}

	// A server that ignores page: error, not a loop.
	_, srv = serveStub(t, secretsPage(1, 2))
	if _, err := newTestClient(t, srv.URL, func(c *Config) { c.PageSize = 2 }).ListSecrets(context.Background(), acct, testStore, ListSecretsOptions{}); err == nil {
		t.Errorf("repeating pages accepted")
	}
}

func TestFindSecretByNameStub(t *testing.T) {
	_, srv := serveStub(t, ok(`[`+secretJSON(hexID(1), "API_KEY_2")+`,`+secretJSON(hexID(2), "api_key")+`]`))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.FindSecretByName(context.Background(), acct, testStore, "API_KEY")
	if !IsNotFound(err) || !asAPIError(err).HasReason("secret_not_found") {
		t.Fatalf("err %v", err)
	}
	s, err := c.FindSecretByName(context.Background(), acct, testStore, "api_key")
	if err != nil || s.ID != hexID(2) {
		t.Fatalf("found %+v, %v", s, err)
	}
}

// TestPostRecoveryStub covers the POST table with a stub: a 5xx leads to a lookup; a name
// found fails the create with a *NameExistsError, whenever the object was made; not found
// means one resend, whose 409 is looked up again.
func TestPostRecoveryStub(t *testing.T) {
	ctx := context.Background()
	methods := func(s *stub) string {
		var m []string
		for _, r := range s.requests() {
			m = append(m, r.method)
		}
		return strings.Join(m, " ")
	}
	for name, created := range map[string]string{
		// Created just now: by the POST that answered 502, or by another writer; no telling.
		"found after 502, created just now": time.Now().UTC().Format(time.RFC3339Nano),
		// Created long before the request: someone else's.
		"found after 502, created before the request": "2026-09-21T18:56:32.624632Z",
	} {
		t.Run(name, func(t *testing.T) {
			found := strings.ReplaceAll(storeJSON, "2026-09-21T18:56:32.624632Z", created)
			s, srv := serveStub(t, answer{status: 502, body: "bad gateway"}, ok(`[`+found+`]`))
			st, err := newTestClient(t, srv.URL, nil).CreateStore(ctx, acct, CreateStoreRequest{Name: "default_secrets_store"})
			var taken *NameExistsError
			if !errors.As(err, &taken) || st != nil || len(taken.Existing) != 1 || taken.Existing[0].ID != testStore ||
				taken.Resend != nil || !hasStatus(taken.Cause, 502) {
				t.Fatalf("%+v %v", st, err)
			}
			if before := taken.CreatedBeforeSend(taken.Existing[0]); before != strings.Contains(name, "before") {
				t.Errorf("CreatedBeforeSend = %v", before)
			}
			if got := methods(s); got != "POST GET" {
				t.Errorf("requests %s, want POST GET (no resend over a name that exists)", got)
			}
		})
	}
	t.Run("free, then taken before the resend", func(t *testing.T) {
		s, srv := serveStub(t, answer{status: 502, body: "bad gateway"}, ok(`[]`),
			fail(409, 1003, "store_name_already_exists"), ok(`[`+storeJSON+`]`))
		st, err := newTestClient(t, srv.URL, nil).CreateStore(ctx, acct, CreateStoreRequest{Name: "default_secrets_store"})
		var taken *NameExistsError
		if !errors.As(err, &taken) || st != nil || !hasStatus(taken.Resend, 409) || !hasStatus(taken.Cause, 502) {
			t.Fatalf("%+v %v", st, err)
		}
		if got := methods(s); got != "POST GET POST GET" {
			t.Errorf("requests %s", got)
		}
	})
	t.Run("not found, resent once", func(t *testing.T) {
		s, srv := serveStub(t, fail(500, 0, "internal"), ok(`[]`), fail(503, 0, "down"), ok(`[]`))
		_, err := newTestClient(t, srv.URL, nil).CreateStore(ctx, acct, CreateStoreRequest{Name: "x"})
		if e := asAPIError(err); e == nil || e.StatusCode != 503 {
			t.Fatalf("err %v", err)
		}
		var methods []string
		for _, r := range s.requests() {
			methods = append(methods, r.method)
		}
		if got := strings.Join(methods, " "); got != "POST GET POST GET" {
			t.Errorf("requests %s", got)
		}
	})
	t.Run("400 is final", func(t *testing.T) {
		s, srv := serveStub(t, fail(400, 1003, "maximum_stores_exceeded"))
		_, err := newTestClient(t, srv.URL, nil).CreateStore(ctx, acct, CreateStoreRequest{Name: "x"})
		if !asAPIError(err).HasReason("maximum_stores_exceeded") || len(s.requests()) != 1 {
			t.Errorf("err %v after %d requests", err, len(s.requests()))
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		s, srv := serveStub(t, answer{drop: true}, ok(`[]`), ok(`[`+secretJSON(testSecret, "A")+`]`))
		out, err := newTestClient(t, srv.URL, nil).CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: "v", Scopes: []string{"workers"}}})
		if err != nil || len(out) != 1 || out[0].Name != "A" {
			t.Fatalf("%+v %v", out, err)
		}
		if n := len(s.requests()); n != 3 {
			t.Errorf("%d requests, want POST GET POST", n)
		}
	})
}

func TestDelete404OnRetry(t *testing.T) {
	ctx := context.Background()
	s, srv := serveStub(t, answer{status: 503}, fail(404, 1001, "secret_not_found"))
	if err := newTestClient(t, srv.URL, nil).DeleteSecret(ctx, acct, testStore, testSecret); err != nil {
		t.Fatalf("404 after a retry: %v", err)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("%d requests", n)
	}
	_, srv = serveStub(t, fail(404, 1001, "secret_not_found"))
	if err := newTestClient(t, srv.URL, nil).DeleteSecret(ctx, acct, testStore, testSecret); !IsNotFound(err) {
		t.Fatalf("404 on the first attempt: %v", err)
	}
}

func TestRetryAfterCappedStub(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, hc := serveStubInBubble(t, answer{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"success":false,"errors":[{"code":971,"message":"Please wait"}]}`})
		c := newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = hc; c.MaxRetries = 2; c.RetryWaitMax = 20 * time.Millisecond })
		start := time.Now()
		_, err := c.CreateStore(context.Background(), acct, CreateStoreRequest{Name: "x"})
		took := time.Since(start)
		e := asAPIError(err)
		if e == nil || !hasStatus(err, 429) || !e.HasCode(971) || e.RetryAfter != 30*time.Second {
			t.Fatalf("err %#v", err)
		}
		if n := len(s.requests()); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
		// Two waits, each Retry-After 30s capped at 20ms.
		if took != 40*time.Millisecond {
			t.Errorf("three attempts took %s, want 40ms (two waits capped at 20ms)", took)
		}
	})
}
