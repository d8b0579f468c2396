package coalesce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const (
	testToken    = "acct-token-1234"
	testSvcToken = "svc-token-abcd"
	testInternal = int64(4242)

	acctBase = "/accounts/{account_id}/secrets_store"
	sysBase  = "/system/accounts/{account_tag}"

	// Route suffixes below a family's base, as the mock names them.
	rStore   = "/stores/{store_id}"
	rSecrets = "/stores/{store_id}/secrets"
	rSecret  = "/stores/{store_id}/secrets/{secret_id}"
)

var (
	acctOwner = client.Owner{Family: client.FamilyAccount, Account: mockserver.DefaultAccount}
	sysOwner  = client.Owner{Family: client.FamilySystem, Account: mockserver.DefaultAccount}
)

// harness is a mock server, a client for one family, a Gateway over it and a store to work in.
// The mock is served over an in-memory network (memnet), so a test run in a testing/synctest
// bubble owns the clock of all three: every wait, batch timer and poll is on the bubble's time,
// and time.Sleep or synctest.Wait orders the steps, never the machine's speed.
type harness struct {
	t         testing.TB
	srv       *mockserver.Server
	cl        *client.Client
	co        *Gateway
	owner     client.Owner
	storeID   string
	base      string         // the family's route base
	url       string         // the mock's base URL
	transport *holdTransport // the client's transport, to hold requests in flight
}

type harnessConfig struct {
	mock   mockserver.Options
	opts   Options
	system bool
}

func newHarness(t testing.TB, cfg harnessConfig) *harness {
	t.Helper()
	m := cfg.mock
	if m.ActivationDelay == 0 {
		m.ActivationDelay = -1 // active at once unless a test says otherwise
	}
	if m.SecretQuota == 0 {
		m.SecretQuota = 1000
	}
	m.Token = testToken
	m.Services = map[string]string{"svc": testSvcToken}
	srv := mockserver.New(m)
	h := &harness{t: t, srv: srv, owner: acctOwner, base: acctBase, url: memnet.URL + "/client/v4",
		transport: &holdTransport{base: memnet.Serve(t, srv)}}
	token := testToken
	if cfg.system {
		h.owner, h.base, token = sysOwner, sysBase, testSvcToken
	}
	cl, err := client.New(client.Config{
		BaseURL: h.url, APIToken: token, MaxRetries: 3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		HTTPClient: &http.Client{Transport: h.transport},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.cl = cl
	if cfg.system {
		n := testInternal
		st, err := cl.CreateStore(context.Background(), sysOwner, client.CreateStoreRequest{Name: "svc_store", AccountInternalID: &n})
		if err != nil {
			t.Fatal(err)
		}
		h.storeID = st.ID
	} else {
		h.storeID = srv.Stores()[0].ID
	}
	h.co = h.newGateway(cfg.opts)
	srv.ResetRequests()
	return h
}

// newGateway returns a fresh Gateway over the harness's client; cleanup proves that its
// background goroutines all end.
func (h *harness) newGateway(opts Options) *Gateway {
	co := New(h.cl, opts)
	h.t.Cleanup(func() { waitBackground(h.t, co) })
	return co
}

// waitBackground fails the test if co's background goroutines do not all end soon.
func waitBackground(t testing.TB, co *Gateway) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		co.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // in a bubble: once nothing else can happen
		t.Error("background goroutines still running 10s after the test")
	}
	co.mu.Lock()
	defer co.mu.Unlock()
	if len(co.pollers) != 0 {
		t.Errorf("%d pollers left", len(co.pollers))
	}
}

func (h *harness) route(method, suffix string) string { return method + " " + h.base + suffix }

// count is the number of requests to one route since the last reset.
func (h *harness) count(method, suffix string) int {
	return len(h.srv.RequestsTo(h.route(method, suffix)))
}

func (h *harness) total() int { return len(h.srv.Requests()) }

// seed creates n secrets named prefix0000… directly through the client, then returns the
// store's secrets in the API's order and forgets the requests.
func (h *harness) seed(prefix string, n int) []client.Secret {
	h.t.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 100 {
		var in []client.SecretInput
		for i := start; i < min(start+100, n); i++ {
			in = append(in, client.SecretInput{Name: fmt.Sprintf("%s%04d", prefix, i), Value: "v", Scopes: []string{"workers"}})
		}
		if _, err := h.cl.CreateSecrets(ctx, h.owner, h.storeID, in); err != nil {
			h.t.Fatal(err)
		}
	}
	all, err := h.cl.ListSecrets(ctx, h.owner, h.storeID, client.ListSecretsOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv.ResetRequests()
	return all
}

// parallel runs f(i) for i in [0,n) on workers goroutines, each taking the next index.
// gather holds the store's create and delete queues for d as a batch in flight would, so that
// the items submitted meanwhile share a batch (a full one still goes at once): the order of
// events is the test's, not the scheduler's. In a bubble, d passes once every caller waits.
func (h *harness) gather(d time.Duration) {
	holdSlot(h.co.createQueue(h.owner, h.storeID), d)
	holdSlot(h.co.deleteQueue(h.owner, h.storeID), d)
}

func holdSlot[I, O any](q *queue[I, O], d time.Duration) {
	q.mu.Lock()
	q.inFlight++
	q.mu.Unlock()
	time.AfterFunc(d, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.inFlight--
		q.startDue()
	})
}

func parallel(n, workers int, f func(i int)) {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// holdTransport is the client's transport in the tests. Requests it matches announce themselves on sent and wait
// for release (or their own context's end) before going out.
type holdTransport struct {
	base *http.Transport

	mu      sync.Mutex
	match   func(*http.Request) bool
	sent    chan struct{}
	release chan struct{}
}

// hold makes requests with method whose path ends in suffix wait; it returns the channel
// they announce themselves on and the function that lets them all through.
func (g *holdTransport) hold(method, suffix string) (sent <-chan struct{}, release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.match = func(r *http.Request) bool { return r.Method == method && strings.HasSuffix(r.URL.Path, suffix) }
	g.sent = make(chan struct{}, 100)
	g.release = make(chan struct{})
	var once sync.Once
	rel := g.release
	return g.sent, func() { once.Do(func() { close(rel) }) }
}

// interruptedInFlight runs call with its request (method, path ending in suffix) held in
// flight, cancels call's context once the request is sent, then lets the request through. It
// returns the (ended) context and call's outcome.
func interruptedInFlight[T any](h *harness, method, suffix string, call func(context.Context) (T, error)) (context.Context, T, error) {
	sent, release := h.transport.hold(method, suffix)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		v, err := call(ctx)
		done <- outcome{v, err}
	}()
	<-sent
	cancel()
	synctest.Wait() // the caller has seen its context end while in flight
	release()
	got := <-done
	return ctx, got.v, got.err
}

func (g *holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	match, sent, release := g.match, g.sent, g.release
	g.mu.Unlock()
	if match != nil && match(r) {
		sent <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return g.base.RoundTrip(r)
}

// apiReason is the reason of err's first API error item, "" when err is no *client.APIError.
func apiStatus(err error) int {
	var e *client.APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

func apiReason(err error) string {
	var e *client.APIError
	if errors.As(err, &e) && len(e.Errors) > 0 {
		return e.Errors[0].Reason()
	}
	return ""
}

const unknownID = "0123456789abcdef0123456789abcdef"
