package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeAPI is a transport that answers in the test's bubble (testing/synctest), so the
// limiter and the attempt bound run on the test's clock: it records when each attempt was
// sent, holds it for latency (or until its context ends), then answers the next queued
// status, else 200 with a store.
type fakeAPI struct {
	latency time.Duration

	mu       sync.Mutex
	statuses []int
	sent     []time.Time
}

func (f *fakeAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.sent = append(f.sent, time.Now())
	status := http.StatusOK
	if len(f.statuses) > 0 {
		status, f.statuses = f.statuses[0], f.statuses[1:]
	}
	f.mu.Unlock()
	if f.latency > 0 {
		timer := time.NewTimer(f.latency)
		defer timer.Stop()
		select {
		case <-r.Context().Done():
			return nil, context.Cause(r.Context())
		case <-timer.C:
		}
	}
	body := `{"success":true,"errors":[],"messages":[],"result":` + storeJSON + `}`
	if status != http.StatusOK {
		body = `{"success":false,"errors":[{"code":10001,"message":"unavailable"}]}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func (f *fakeAPI) sendTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

// fakeClient is a Client whose requests go to api, with a budget of perMinute.
func fakeClient(t *testing.T, api *fakeAPI, perMinute int) *Client {
	return newTestClient(t, "https://api.test/client/v4", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: api}
		c.MaxRequestsPerMinute = perMinute
	})
}

// overBudget returns the first window of budgetWindow holding more than limit of the sorted
// times, as its first index, or -1.
func overBudget(times []time.Time, limit int) int {
	for i := 0; i+limit < len(times); i++ {
		if times[i+limit].Sub(times[i]) < budgetWindow {
			return i
		}
	}
	return -1
}

// TestRequestBudgetSlidingWindow: requests sent at once, in bursts and after quiet spells,
// never exceed the budget in any 60s window; those over it wait for a slot, and the wait
// is tallied.
func TestRequestBudgetSlidingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 5
		api := &fakeAPI{}
		c := fakeClient(t, api, limit)
		ctx, tally := WithWaitTally(context.Background())
		start := time.Now()

		// 23 at once: 5 now, then 5 a minute for four minutes.
		var wg sync.WaitGroup
		for range 23 {
			wg.Go(func() {
				if _, err := c.GetStore(ctx, acct, testStore); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := time.Since(start); got != 4*budgetWindow {
			t.Errorf("23 requests at 5 a minute took %s of the test's clock, want 4m", got)
		}
		// A quiet spell of 59s, then bursts: a token bucket would let a second burst
		// through early here.
		time.Sleep(59 * time.Second)
		for range 12 {
			wg.Go(func() { _, _ = c.GetStore(ctx, acct, testStore) })
			time.Sleep(7 * time.Second)
		}
		wg.Wait()

		sent := api.sendTimes()
		if len(sent) != 35 {
			t.Fatalf("%d requests sent, want 35", len(sent))
		}
		slices.SortFunc(sent, func(a, b time.Time) int { return a.Compare(b) })
		if i := overBudget(sent, limit); i >= 0 {
			t.Errorf("more than %d requests within 60s, from %s: %v", limit, sent[i].Sub(start), sent[i:i+limit+1])
		}
		// Of the 23, five waited 1 minute, five 2, five 3 and three 4: 42 minutes in all;
		// the bursts' waits add to that.
		if w, least := tally.BudgetWait(), 42*time.Minute; w < least || tally.RateLimitWait() != 0 || tally.RetryWait() != 0 {
			t.Errorf("tally: budget %s (want at least %s), rate limit %s, retry %s", w, least, tally.RateLimitWait(), tally.RetryWait())
		}
	})
}

// TestRequestBudgetCountsEveryAttempt: retries take slots like first attempts.
func TestRequestBudgetCountsEveryAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &fakeAPI{statuses: []int{503, 503}}
		c := fakeClient(t, api, 2)
		start := time.Now()
		if _, err := c.GetStore(context.Background(), acct, testStore); err != nil {
			t.Fatal(err)
		}
		sent := api.sendTimes()
		if len(sent) != 3 || sent[2].Sub(start) < budgetWindow {
			t.Errorf("the second retry went out %s after the first attempt, within the first minute (%d sends)", sent[len(sent)-1].Sub(start), len(sent))
		}
	})
}

// TestRequestBudgetWaitHonoursContext: a request whose context ends while it waits for a
// slot returns at once, sends nothing, and says which limit it was waiting for.
func TestRequestBudgetWaitHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &fakeAPI{}
		c := fakeClient(t, api, 2)
		for range 2 {
			if _, err := c.GetStore(context.Background(), acct, testStore); err != nil {
				t.Fatal(err)
			}
		}

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Second, cancel)
		start := time.Now()
		_, err := c.GetStore(ctx, acct, testStore)
		if took := time.Since(start); took != 10*time.Second {
			t.Errorf("returned %s after the wait began, want when the context ended (10s)", took)
		}
		if !errors.Is(err, context.Canceled) || !StoppedAtBudget(err) ||
			!strings.Contains(err.Error(), "while waiting for the request budget of 2 requests per minute; the request was not sent") {
			t.Errorf("err %v", err)
		}

		// A POST too: nothing sent, so nothing to look up.
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = c.CreateStore(ctx, acct, CreateStoreRequest{Name: "s"})
		if !errors.Is(err, context.DeadlineExceeded) || !StoppedAtBudget(err) {
			t.Errorf("POST: err %v", err)
		}
		if n := len(api.sendTimes()); n != 2 {
			t.Errorf("%d requests sent, want only the 2 within the budget", n)
		}
		// A request whose context has already ended takes no slot.
		time.Sleep(budgetWindow)
		ended, cancelNow := context.WithCancel(context.Background())
		cancelNow()
		if _, err := c.GetStore(ended, acct, testStore); !errors.Is(err, context.Canceled) {
			t.Errorf("ended context: err %v", err)
		}
		start = time.Now()
		for range 2 {
			if _, err := c.GetStore(context.Background(), acct, testStore); err != nil || time.Since(start) != 0 {
				t.Errorf("after a request that had ended: err %v, waited %s for a slot", err, time.Since(start))
			}
		}
		if StoppedAtBudget(context.Canceled) || StoppedAtBudget(nil) {
			t.Error("StoppedAtBudget of an error that is not the budget's")
		}
	})
}

// TestNoBudgetByDefault: without MaxRequestsPerMinute nothing waits.
func TestNoBudgetByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &fakeAPI{}
		c := fakeClient(t, api, 0)
		start := time.Now()
		for range 50 {
			if _, err := c.GetStore(context.Background(), acct, testStore); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took >= time.Second {
			t.Errorf("50 requests without a budget took %s of the test's clock", took)
		}
	})
}
