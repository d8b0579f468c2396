package client

import (
	"context"
	"sync"
	"time"
)

// rateGate is one backoff for every request of a Client: a 429 with Retry-After to any of
// them pauses all of them until it has passed, instead of each finding the limit with a
// 429 of its own. The API's limit is per token, and a Client has one.
type rateGate struct {
	mu    sync.Mutex
	until time.Time
}

// holdFor closes the gate for d from now (never shortening an earlier, longer hold).
func (g *rateGate) holdFor(d time.Duration) {
	if d <= 0 {
		return
	}
	until := time.Now().Add(d)
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.until) {
		g.until = until
	}
}

// remaining is how long the gate stays closed.
func (g *rateGate) remaining() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return time.Until(g.until)
}

// wait blocks until the gate is open (a hold extended meanwhile is waited for too) or ctx
// ends, and returns how long it waited.
func (g *rateGate) wait(ctx context.Context) (time.Duration, error) {
	return waitUntil(ctx, g.remaining)
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
