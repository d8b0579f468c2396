package client

import (
	"context"
	"sync/atomic"
	"time"
)

// WaitTally adds up how long the requests made with a context waited before sending, so a
// caller can say where an operation's time went. Waits of concurrent requests add up. Safe
// for concurrent use; a nil *WaitTally reads as zero.
type WaitTally struct {
	counts [tallyKinds]atomic.Int64 // nanoseconds, and the retries' count
	parent *WaitTally
}

// What a tally counts.
const (
	rateLimitWait = iota
	retryWait
	budgetWait
	retries
	tallyKinds
)

type tallyKey struct{}

// WithWaitTally returns a context whose requests add their waits to the returned tally, and
// to any tally already on ctx.
func WithWaitTally(ctx context.Context) (context.Context, *WaitTally) {
	t := &WaitTally{parent: tallyFrom(ctx)}
	return context.WithValue(ctx, tallyKey{}, t), t
}

func tallyFrom(ctx context.Context) *WaitTally {
	t, _ := ctx.Value(tallyKey{}).(*WaitTally)
	return t
}

// RateLimitWait is the time waited because of 429 answers: the backoff after one and the
// Client-wide pause another request's 429 imposed.
func (t *WaitTally) RateLimitWait() time.Duration { return time.Duration(t.get(rateLimitWait)) }

// RetryWait is the time waited before resending after other failures.
func (t *WaitTally) RetryWait() time.Duration { return time.Duration(t.get(retryWait)) }

// BudgetWait is the time waited for the request budget (Config.MaxRequestsPerMinute).
func (t *WaitTally) BudgetWait() time.Duration { return time.Duration(t.get(budgetWait)) }

// Retries is the number of attempts made after the first of each request.
func (t *WaitTally) Retries() int { return int(t.get(retries)) }

func (t *WaitTally) get(kind int) int64 {
	if t == nil {
		return 0
	}
	return t.counts[kind].Load()
}

// add adds n (a duration, or a count) of kind to t and to every tally it nests in.
func (t *WaitTally) add(kind int, n time.Duration) {
	for ; t != nil && n > 0; t = t.parent {
		t.counts[kind].Add(int64(n))
	}
}
