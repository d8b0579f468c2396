package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
)

// silentServer accepts requests over memnet and never answers them (until the client gives
// up or the test ends); its transport is for a client of memnet.URL in a synctest bubble.
func silentServer(t *testing.T) *http.Transport {
	t.Helper()
	release := make(chan struct{})
	tr := memnet.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release) }) // runs before memnet's: the server closes last
	return tr
}

// memnetClient is an http.Client over tr.
func memnetClient(tr http.RoundTripper) *http.Client { return &http.Client{Transport: tr} }

// methodCounter counts the attempts a client makes, by method (on the client side: a
// server may not see an attempt that timed out early).
type methodCounter struct {
	mu     sync.Mutex
	counts map[string]int
	base   http.RoundTripper
}

func (m *methodCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	if m.counts == nil {
		m.counts = map[string]int{}
	}
	m.counts[r.Method]++
	m.mu.Unlock()
	return m.base.RoundTrip(r)
}

func (m *methodCounter) count(method string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[method]
}

// TestAttemptTimeout: a server that never answers holds each attempt only for the attempt
// timeout; its expiry is retried like a dropped connection (GET), and resolved like one
// (POST: looked up, resent once).
func TestAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		silent := silentServer(t)
		counts := &methodCounter{base: silent}
		const limit = 150 * time.Millisecond
		c := newTestClient(t, memnet.URL, func(c *Config) {
			c.AttemptTimeout, c.MaxRetries, c.HTTPClient = limit, 2, memnetClient(counts)
		})

		start := time.Now()
		_, err := c.GetStore(context.Background(), acct, testStore)
		var te *attemptTimeoutError
		if !errors.As(err, &te) || !te.sent || !strings.Contains(err.Error(), "attempt timeout (150ms)") {
			t.Fatalf("err %v", err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("an attempt timeout reads as the caller's deadline: %v", err)
		}
		if n := counts.count("GET"); n != 3 {
			t.Errorf("GET: %d attempts, want 3", n)
		}
		// Three attempts of exactly the limit, and two backoffs between them (1-1.5ms, then
		// 2-3ms: doubling from the minimum, jittered up to +50%).
		if took := time.Since(start) - 3*limit; took < 3*time.Millisecond || took > 4500*time.Microsecond {
			t.Errorf("three attempts took 3x150ms and %s, want 3-4.5ms of backoffs", took)
		}

		c.transport.maxRetries = 0 // the lookups' GETs: one attempt each
		_, err = c.CreateStore(context.Background(), acct, CreateStoreRequest{Name: "s"})
		if !errors.As(err, &te) {
			t.Fatalf("POST: err %v", err)
		}
		if n := counts.count("POST"); n != 2 {
			t.Errorf("POST: %d attempts, want 2 (the first, and one resend after a lookup)", n)
		}

		// A body that stalls midway times out too, and is retried.
		var stalls atomic.Int32
		stall := memnet.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if stalls.Add(1) == 1 {
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"success":true,"result":`))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				return
			}
			_, _ = w.Write([]byte(`{"success":true,"result":` + storeJSON + `}`))
		}))
		c = newTestClient(t, memnet.URL, func(c *Config) { c.AttemptTimeout, c.HTTPClient = limit, memnetClient(stall) })
		if _, err := c.GetStore(context.Background(), acct, testStore); err != nil || stalls.Load() != 2 {
			t.Errorf("stalled body: err %v after %d attempts", err, stalls.Load())
		}
	})

	layers := newTestClient(t, "https://api.test", nil).transport.httpClient.Transport.(*rateLimitTransport)
	if d := layers.next.(*attemptTransport).timeout; d != 30*time.Second {
		t.Errorf("default attempt timeout %s", d)
	}
}

// dnsFailOnce fails the first request with a DNS error (before anything is sent), then
// passes requests on.
type dnsFailOnce struct {
	failed atomic.Bool
	base   http.RoundTripper
}

func (d *dnsFailOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if !d.failed.Swap(true) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsTemporary: true}}
	}
	return d.base.RoundTrip(r)
}

// TestCreateAfterDNSFailure: a create whose first attempt failed to resolve the host was
// never sent, so it is resent as is, with no lookup.
func TestCreateAfterDNSFailure(t *testing.T) {
	s, srv := serveStub(t, ok(storeJSON))
	c := newTestClient(t, srv.URL, func(c *Config) { c.HTTPClient = &http.Client{Transport: &dnsFailOnce{base: http.DefaultTransport}} })
	st, err := c.CreateStore(context.Background(), acct, CreateStoreRequest{Name: "default_secrets_store"})
	if err != nil || st.ID != testStore {
		t.Fatalf("%+v, %v", st, err)
	}
	if r := s.requests(); len(r) != 1 || r[0].method != "POST" {
		t.Errorf("requests %v, want one POST", r)
	}
}

// TestContextEndWrapsCause: the caller can tell its own deadline (a cause it set) from an
// interrupt.
func TestContextEndWrapsCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = memnetClient(silentServer(t)) })
		ownTimeout := errors.New("the operation's timeout")
		ctx, cancel := context.WithTimeoutCause(context.Background(), 20*time.Millisecond, ownTimeout)
		defer cancel()
		_, err := c.GetStore(ctx, acct, testStore)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ownTimeout) || !strings.Contains(err.Error(), "the operation's timeout") {
			t.Fatalf("err %v", err)
		}

		// Interrupted while the create waits for its answer.
		interrupt := errors.New("interrupted")
		ctx, cancelCause := context.WithCancelCause(context.Background())
		done := make(chan error)
		go func() {
			_, err := c.CreateStore(ctx, acct, CreateStoreRequest{Name: "s"})
			done <- err
		}()
		synctest.Wait()
		cancelCause(interrupt)
		if err := <-done; !errors.Is(err, context.Canceled) || !errors.Is(err, interrupt) || errors.Is(err, ownTimeout) {
			t.Fatalf("err %v", err)
		}

		// Without a cause, the plain error alone.
		ctx, plainCancel := context.WithCancel(context.Background())
		plainCancel()
		_, err = c.GetStore(ctx, acct, testStore)
		if !errors.Is(err, context.Canceled) || !strings.HasSuffix(err.Error(), testStore+": context canceled") {
			t.Fatalf("err %v", err)
		}
	})
}

// TestRateLimitSharedByAllRequests: a 429 with Retry-After to one request pauses every
// request of the Client, so the others do not each get a 429 of their own, and all of them
// go on when the Retry-After has passed.
func TestRateLimitSharedByAllRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu         sync.Mutex
			windowEnd  time.Time
			limited    int
			lateServed int
		)
		api := memnet.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			now := time.Now()
			first := windowEnd.IsZero()
			if first {
				windowEnd = now.Add(time.Second)
			}
			inWindow := now.Before(windowEnd)
			if inWindow {
				limited++
			} else {
				lateServed++
			}
			mu.Unlock()
			if inWindow {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}]}`))
				return
			}
			_, _ = w.Write([]byte(`{"success":true,"result":` + storeJSON + `}`))
		}))
		c := newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = memnetClient(api); c.RetryWaitMax = 5 * time.Second })

		ctx, tally := WithWaitTally(context.Background())
		start := time.Now()
		errs := make(chan error, 8)
		go func() { _, err := c.GetStore(ctx, acct, testStore); errs <- err }()
		// The first request has its 429 and waits in its backoff: the pause holds all of it.
		synctest.Wait()
		if d := c.transport.rateLimitPause.remaining(); d != time.Second {
			t.Fatalf("pause %s after a 429 with Retry-After 1, want 1s", d)
		}
		for range 5 {
			go func() { _, err := c.GetStore(ctx, acct, testStore); errs <- err }()
		}
		for range 6 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("the six requests took %s, want the Retry-After of 1s", took)
		}
		mu.Lock()
		defer mu.Unlock()
		if limited != 1 || lateServed != 6 {
			t.Errorf("%d answers of 429 and %d served; want 1 and 6", limited, lateServed)
		}
		// The first request waited its Retry-After in its backoff, the five others as long in
		// the pause; one retry in all.
		if w := tally.RateLimitWait(); w != 6*time.Second || tally.Retries() != 1 || tally.RetryWait() != 0 {
			t.Errorf("tally: rate limit %s (want 6s), retry %s, %d retries", w, tally.RetryWait(), tally.Retries())
		}
	})
}

func TestRateGateHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &rateLimitPause{}
		g.holdFor(time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if waited, err := waitUntil(ctx, g.remaining); !errors.Is(err, context.DeadlineExceeded) || waited != 10*time.Millisecond {
			t.Errorf("wait = %s, %v; want the deadline's error at 10ms", waited, err)
		}
		g.holdFor(time.Millisecond) // a shorter hold never shortens a longer one
		if d := g.remaining(); d != time.Hour-10*time.Millisecond {
			t.Errorf("hold shortened to %s", d)
		}
	})
}

// TestWaitTally: waits after 5xx and connection errors count as retry waits, waits after a
// 429 as rate-limit waits; tallies nest and are safe for concurrent use.
func TestWaitTally(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, hc := serveStubInBubble(t,
			answer{status: 503},
			answer{status: 429, header: map[string]string{"Retry-After": "0.05"}},
			answer{status: 502},
			ok(storeJSON))
		c := newTestClient(t, memnet.URL, func(c *Config) {
			c.HTTPClient, c.RetryWaitMin, c.RetryWaitMax = hc, 20*time.Millisecond, time.Second
		})
		outer, outerTally := WithWaitTally(context.Background())
		ctx, tally := WithWaitTally(outer)
		if _, err := c.GetStore(ctx, acct, testStore); err != nil {
			t.Fatal(err)
		}
		// Backoffs: 20-30ms after the 503, 50ms (Retry-After) after the 429, 80-120ms after
		// the 502 (doubling from the minimum, jittered up to +50%).
		if r := tally.Retries(); r != 3 {
			t.Errorf("%d retries, want 3", r)
		}
		if w := tally.RateLimitWait(); w != 50*time.Millisecond {
			t.Errorf("rate-limit wait %s, want the Retry-After of 50ms", w)
		}
		if w := tally.RetryWait(); w < 100*time.Millisecond || w > 150*time.Millisecond {
			t.Errorf("retry wait %s, want 100-150ms", w)
		}
		if outerTally.Retries() != 3 || outerTally.RateLimitWait() != tally.RateLimitWait() || outerTally.RetryWait() != tally.RetryWait() {
			t.Errorf("outer tally %d %s %s", outerTally.Retries(), outerTally.RateLimitWait(), outerTally.RetryWait())
		}
		var none *WaitTally
		if none.Retries() != 0 || none.RateLimitWait() != 0 || none.RetryWait() != 0 {
			t.Errorf("nil tally")
		}

		// A wait in the pause (started by another request's 429) is a rate-limit wait.
		_, hc = serveStubInBubble(t, ok(storeJSON))
		c = newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = hc })
		ctx, tally = WithWaitTally(context.Background())
		c.transport.rateLimitPause.holdFor(50 * time.Millisecond)
		if _, err := c.GetStore(ctx, acct, testStore); err != nil {
			t.Fatal(err)
		}
		if w := tally.RateLimitWait(); w != 50*time.Millisecond || tally.Retries() != 0 {
			t.Errorf("pause counted as %s, %d retries; want 50ms, 0", w, tally.Retries())
		}

		// Concurrent requests add up into one tally.
		_, hc = serveStubInBubble(t, answer{status: 503}, ok(storeJSON))
		c = newTestClient(t, memnet.URL, func(c *Config) { c.HTTPClient = hc })
		ctx, tally = WithWaitTally(context.Background())
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { _, _ = c.GetStore(ctx, acct, testStore) })
		}
		wg.Wait()
		if tally.Retries() != 1 {
			t.Errorf("%d retries among concurrent requests, want 1", tally.Retries())
		}
	})
}

func TestNewBaseURL(t *testing.T) {
	for _, base := range []string{
		"https://user:PW-s3cret@api.example.com/client/v4",
		"https://user:PW-s3cret/x@api.example.com",
		"https://:PW-s3cret@api.example.com",
		"https://api.example.com:PW-s3cret/",
		"http://api.example.com/?token=PW-s3cret",
		"http://api.example.com/#PW-s3cret",
		"ftp://api.example.com/PW?x=PW-s3cret",
		"%zzPW-s3cret",
	} {
		_, err := New(Config{BaseURL: base, APIToken: "t"})
		if err == nil {
			t.Errorf("New(%q) succeeded", base)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("New(%q) error echoes it: %v", base, err)
		}
	}
	_, err := New(Config{BaseURL: "https://u:p@api.example.com", APIToken: "t"})
	if err == nil || !strings.Contains(err.Error(), "user info") {
		t.Errorf("userinfo error %v", err)
	}
	if _, err := New(Config{BaseURL: "https://api.example.com/client/v4/", APIToken: "t"}); err != nil {
		t.Errorf("a plain base URL: %v", err)
	}
}

// Example of the wait accounting a caller reports.
func ExampleWithWaitTally() {
	ctx, tally := WithWaitTally(context.Background())
	_ = ctx // ... calls to the Client with ctx ...
	fmt.Printf("waited %s on rate limits and %s on retries (%d retries)\n", tally.RateLimitWait(), tally.RetryWait(), tally.Retries())
	// Output: waited 0s on rate limits and 0s on retries (0 retries)
}

// TestAttemptBoundFollowsOperation: against an API slower than the attempt timeout, an
// operation the user gave more time (WithOperationDeadline) succeeds, detached from its
// caller's cancellation too (as a create awaited past its caller's end is); a request
// without one, or under a deadline that is not the operation's, keeps the attempt timeout
// and fails with its error.
func TestAttemptBoundFollowsOperation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &fakeAPI{latency: 400 * time.Millisecond}
		c := newTestClient(t, "https://api.test", func(c *Config) {
			c.HTTPClient, c.AttemptTimeout, c.MaxRetries = &http.Client{Transport: api}, 200*time.Millisecond, 1
		})
		operation, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for name, ctx := range map[string]context.Context{
			"operation":          WithOperationDeadline(operation),
			"detached operation": context.WithoutCancel(WithOperationDeadline(operation)),
		} {
			if _, err := c.GetStore(ctx, acct, testStore); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		for name, ctx := range map[string]context.Context{
			"no deadline":            context.Background(),
			"a deadline of its own":  operation,
			"an operation with none": WithOperationDeadline(context.Background()),
		} {
			_, err := c.GetStore(ctx, acct, testStore)
			var te *attemptTimeoutError
			if !errors.As(err, &te) || te.limit != 200*time.Millisecond || !strings.Contains(err.Error(), "attempt timeout (200ms)") {
				t.Errorf("%s: err %v, want the attempt timeout (200ms)", name, err)
			}
		}

		// Once the operation's deadline has passed (a create awaited in its grace), the
		// attempt timeout applies again.
		time.Sleep(time.Minute)
		_, err := c.GetStore(context.WithoutCancel(WithOperationDeadline(operation)), acct, testStore)
		var te *attemptTimeoutError
		if !errors.As(err, &te) || te.limit != 200*time.Millisecond {
			t.Errorf("past the operation's deadline: err %v", err)
		}
	})
}
