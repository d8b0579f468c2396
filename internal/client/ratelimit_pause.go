package client

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// rateLimitPause is one backoff for every request of a Client: a 429 with Retry-After to
// any of them pauses all of them until it has passed, instead of each finding the limit with a
// 429 of its own. The API's limit is per token, and a Client has one.
type rateLimitPause struct {
	mu    sync.Mutex
	until time.Time
}

// holdFor pauses for d from now (never shortening an earlier, longer hold).
func (p *rateLimitPause) holdFor(d time.Duration) {
	if d <= 0 {
		return
	}
	until := time.Now().Add(d)
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.until) {
		p.until = until
	}
}

// remaining is how long the pause lasts.
func (p *rateLimitPause) remaining() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Until(p.until)
}

// wait blocks until the pause is over (a hold extended meanwhile is waited for too) or ctx
// ends, and returns how long it waited.
func (p *rateLimitPause) wait(ctx context.Context) (time.Duration, error) {
	return waitUntil(ctx, p.remaining)
}

// rateLimitTransport is the outermost layer, so it sees every attempt: it adds the waits
// before an attempt to the context's WaitTally, waits out the Client's rate-limit pause
// before it, and after a 429 with Retry-After pauses every request of the Client.
type rateLimitTransport struct {
	layer
	pause   *rateLimitPause
	waitMax time.Duration // cap on a pause, as on any wait
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	ex := exchangeFrom(ctx)
	tally := tallyFrom(ctx)
	// A redirect hop (req.Response set) continues an attempt; anything else after a first
	// attempt is a retry, and the time since the last one was its backoff.
	if req.Response == nil && !ex.lastEnd.IsZero() {
		tally.addRetry()
		if waited := time.Since(ex.lastEnd); ex.lastRateLimited {
			tally.addRateLimitWait(waited)
		} else {
			tally.addRetryWait(waited)
		}
	}
	waited, err := t.pause.wait(ctx)
	tally.addRateLimitWait(waited)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	ex.lastEnd = time.Now()
	ex.lastRateLimited = err == nil && resp.StatusCode == http.StatusTooManyRequests
	if ex.lastRateLimited {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			t.pause.holdFor(min(d, t.waitMax))
		}
	}
	return resp, err
}

// waitUntil calls next until it returns no wait (0 or less), sleeping for each wait it
// returns, or until ctx ends (ctx's error; next is not called once it has). It returns how
// long it waited.
func waitUntil(ctx context.Context, next func() time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return time.Since(start), err
		}
		d := next()
		if d <= 0 {
			return time.Since(start), nil
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
	}
}
