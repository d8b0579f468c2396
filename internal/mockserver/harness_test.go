package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
)

const (
	writeToken   = "dev-token"
	readToken    = "read-token"
	alphaToken   = "alpha-token"
	betaToken    = "beta-token"
	otherAccount = "0123456789abcdef0123456789abcdef"
	missingID    = "ffffffffffffffffffffffffffffffff"
	internalID   = 4242
)

// fam is a route family as the tests drive it: every store and secret rule is proven on both.
type fam struct {
	name   string
	token  string
	base   string
	system bool
}

var (
	accountFam = fam{name: "account", token: writeToken, base: "/accounts/" + DefaultAccount + "/secrets_store"}
	systemFam  = fam{name: "system", token: alphaToken, base: "/system/accounts/" + DefaultAccount, system: true}
	bothFams   = []fam{accountFam, systemFam}
)

type harness struct {
	t   *testing.T
	srv *Server
	url string
	log *syncBuffer
	tr  *http.Transport // reaches srv over memnet
	hc  *http.Client    // over tr
}

// newHarness serves New(opts) with a read token, two services and secrets active at once,
// unless opts says otherwise. It must run in a testing/synctest bubble (forBoth's tests do):
// the server is served over an in-memory network, and the bubble's clock is the server's, so
// time.Sleep in a test moves activation, the rate-limit window and latency, and nothing the
// machine's speed does can.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.ReadToken == "" {
		opts.ReadToken = readToken
	}
	if opts.Services == nil {
		opts.Services = map[string]string{"alpha": alphaToken, "beta": betaToken}
	}
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = -1
	}
	log := &syncBuffer{}
	if opts.Log == nil {
		opts.Log = log
	}
	srv := New(opts)
	// What the test makes comes after the default store, so it sorts first by created.
	time.Sleep(time.Second)
	return serve(t, srv, log)
}

// serve returns a harness for srv, served over memnet until the test ends.
func serve(t *testing.T, srv *Server, log *syncBuffer) *harness {
	tr := memnet.Serve(t, srv)
	return &harness{t: t, srv: srv, url: memnet.URL, log: log, tr: tr, hc: &http.Client{Transport: tr}}
}

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

type apiErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type response struct {
	t      *testing.T
	status int
	header http.Header
	raw    []byte
	env    struct {
		Success    *bool             `json:"success"`
		Errors     []apiErr          `json:"errors"`
		Messages   []json.RawMessage `json:"messages"`
		Result     json.RawMessage   `json:"result"`
		ResultInfo *resultInfo       `json:"result_info"`
	}
}

// req is one request: token "" sends no credentials; body is sent as is when string or []byte,
// else marshalled; nil sends no body.
type req struct {
	method, path, token string
	body                any
	header              map[string]string
}

func (h *harness) send(r req) *response {
	h.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(r.method, h.url+r.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := h.hc.Do(hr)
	if err != nil {
		h.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	out := &response{t: h.t, status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(out.raw, &out.env); err != nil {
		h.t.Fatalf("%s %s: body is not JSON: %v: %s", r.method, r.path, err, out.raw)
	}
	return out
}

func (h *harness) do(f fam, method, path string, body any) *response {
	h.t.Helper()
	return h.send(req{method: method, path: f.base + path, token: f.token, body: body})
}

// ok asserts a success envelope and decodes its result into v (when v is not nil).
func (r *response) ok(v any) *response {
	r.t.Helper()
	if r.status != http.StatusOK || r.env.Success == nil || !*r.env.Success {
		r.t.Fatalf("want 200 success, got %d: %s", r.status, r.raw)
	}
	if r.env.Errors == nil || r.env.Messages == nil || len(r.env.Errors) != 0 {
		r.t.Fatalf("success envelope needs empty errors and messages arrays: %s", r.raw)
	}
	if v != nil {
		if err := json.Unmarshal(r.env.Result, v); err != nil {
			r.t.Fatalf("decoding result: %v: %s", err, r.raw)
		}
	}
	return r
}

// fails asserts a failure envelope with one error of the given status, code and message.
func (r *response) fails(status, code int, message string) {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("want status %d, got %d: %s", status, r.status, r.raw)
	}
	if r.env.Success == nil || *r.env.Success || string(r.env.Result) != "null" {
		r.t.Fatalf("failure envelope needs success false and result null: %s", r.raw)
	}
	if len(r.env.Errors) != 1 || r.env.Errors[0].Code != code || r.env.Errors[0].Message != message {
		r.t.Fatalf("want error %d %q, got %s", code, message, r.raw)
	}
}

// storeJSON and secretJSON are the served shapes as a client decodes them.
type storeJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AccountID string    `json:"account_id"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
}

type secretJSON struct {
	ID       string    `json:"id"`
	StoreID  string    `json:"store_id"`
	Name     string    `json:"name"`
	Comment  *string   `json:"comment"`
	Scopes   []string  `json:"scopes"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// item is one create-secrets body item.
func item(name, value string, scopes ...string) map[string]any {
	if len(scopes) == 0 {
		scopes = []string{"workers"}
	}
	return map[string]any{"name": name, "value": value, "scopes": scopes}
}

func withComment(m map[string]any, c any) map[string]any {
	m["comment"] = c
	return m
}

// defaultStore is the id of the pre-made default_secrets_store.
func (h *harness) defaultStore() string {
	h.t.Helper()
	for _, st := range h.srv.Stores() {
		if st.Name == defaultStoreName {
			return st.ID
		}
	}
	h.t.Fatal("no default_secrets_store")
	return ""
}

func (h *harness) createStore(f fam, name string) storeJSON {
	h.t.Helper()
	body := map[string]any{"name": name}
	if f.system {
		body["account_id"] = internalID
	}
	var st storeJSON
	h.do(f, "POST", "/stores", body).ok(&st)
	return st
}

// store returns a store the family can use: the default store for the account, a new one for a
// service.
func (h *harness) store(f fam) string {
	h.t.Helper()
	if !f.system {
		return h.defaultStore()
	}
	return h.createStore(f, "svc_store_"+f.token[:4]).ID
}

func (h *harness) createSecrets(f fam, storeID string, items ...map[string]any) []secretJSON {
	h.t.Helper()
	var out []secretJSON
	h.do(f, "POST", "/stores/"+storeID+"/secrets", items).ok(&out)
	return out
}

func (h *harness) createSecret(f fam, storeID, name string) secretJSON {
	h.t.Helper()
	return h.createSecrets(f, storeID, item(name, "value-of-"+name))[0]
}

func secretPath(storeID, secretID string) string {
	return fmt.Sprintf("/stores/%s/secrets/%s", storeID, secretID)
}

// forBoth runs a test on a fresh server once per family.
func forBoth(t *testing.T, test func(t *testing.T, h *harness, f fam)) {
	t.Helper()
	forBothWith(t, Options{}, test)
}

func forBothWith(t *testing.T, opts Options, test func(t *testing.T, h *harness, f fam)) {
	t.Helper()
	for _, f := range bothFams {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { test(t, newHarness(t, opts), f) })
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
