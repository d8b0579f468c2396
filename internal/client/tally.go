package client

import (
	"context"
	"sync/atomic"
	"time"
)

// WaitTally adds up how long the requests made with a context waited before sending, so
// that a caller can say "this operation spent 45s waiting on rate limits, 10s on retries
// and 20s for the request budget". Waits of concurrent requests add up (it is time spent by requests, not wall
// time). Safe for concurrent use; a nil *WaitTally reads as zero.
type WaitTally struct {
	rateLimited atomic.Int64 // nanoseconds
	retrying    atomic.Int64 // nanoseconds
	budget      atomic.Int64 // nanoseconds
	retries     atomic.Int64
	parent      *WaitTally
}

type tallyKey struct{}

// WithWaitTally returns a context whose requests add their waits to the returned tally.
// A tally already on ctx keeps counting too.
func WithWaitTally(ctx context.Context) (context.Context, *WaitTally) {
	t := &WaitTally{parent: tallyFrom(ctx)}
	return context.WithValue(ctx, tallyKey{}, t), t
}

func tallyFrom(ctx context.Context) *WaitTally {
	t, _ := ctx.Value(tallyKey{}).(*WaitTally)
	return t
}

// RateLimitWait is the time waited because of 429 answers: the backoff after one (its
// Retry-After, capped by RetryWaitMax) and the Client-wide pause another request's 429
// imposed.
func (t *WaitTally) RateLimitWait() time.Duration {
	if t == nil {
		return 0
	}
	return time.Duration(t.rateLimited.Load())
}

// RetryWait is the time waited before resending after other failures (502, 503, 504,
// connection errors, attempt timeouts).
func (t *WaitTally) RetryWait() time.Duration {
	if t == nil {
		return 0
	}
	return time.Duration(t.retrying.Load())
}

// BudgetWait is the time waited for a slot of the request budget
// (Config.MaxRequestsPerMinute).
func (t *WaitTally) BudgetWait() time.Duration {
	if t == nil {
		return 0
	}
	return time.Duration(t.budget.Load())
}

// Retries is the number of attempts made after the first of each request.
func (t *WaitTally) Retries() int {
	if t == nil {
		return 0
	}
	return int(t.retries.Load())
}

func (t *WaitTally) addRateLimitWait(d time.Duration) {
	t.add(d, func(t *WaitTally) *atomic.Int64 { return &t.rateLimited })
}

func (t *WaitTally) addRetryWait(d time.Duration) {
	t.add(d, func(t *WaitTally) *atomic.Int64 { return &t.retrying })
}

func (t *WaitTally) addBudgetWait(d time.Duration) {
	t.add(d, func(t *WaitTally) *atomic.Int64 { return &t.budget })
}

// add adds d to the counter of t and of every tally it nests in.
func (t *WaitTally) add(d time.Duration, counter func(*WaitTally) *atomic.Int64) {
	for ; t != nil && d > 0; t = t.parent {
		counter(t).Add(int64(d))
	}
}

func (t *WaitTally) addRetry() {
	for ; t != nil; t = t.parent {
		t.retries.Add(1)
	}
}
