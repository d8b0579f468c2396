package client

// The waits before an attempt (the shared 429 pause, the request budget) and their tally.

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// rateLimitPause is one backoff for every request of a Client: a 429 with Retry-After to one
// pauses all, instead of each finding the limit (per token; a Client has one) on its own.
type rateLimitPause struct {
	mu    sync.Mutex
	until time.Time
}

// holdFor pauses for d from now, never shortening a longer hold.
func (p *rateLimitPause) holdFor(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.until) {
		p.until = until
	}
}

func (p *rateLimitPause) remaining() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Until(p.until)
}

// rateLimitTransport is the outermost layer, so it sees every attempt: it tallies the waits
// before an attempt, waits out the pause, and starts one after a 429 with Retry-After.
type rateLimitTransport struct {
	layer
	pause   *rateLimitPause
	waitMax time.Duration // cap on a pause, as on any wait
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	ex, tally := exchangeFrom(ctx), tallyFrom(ctx)
	// A redirect hop (req.Response set) continues an attempt; a later attempt is a retry, the
	// time since the last one its backoff.
	if req.Response == nil {
		if ex.attempts++; ex.attempts > 1 {
			waited, kind := time.Since(ex.lastEnd), retryWait
			if ex.lastRateLimited {
				kind = rateLimitWait
			}
			tally.add(retries, 1)
			tally.add(kind, waited)
			tflog.SubsystemWarn(ctx, logSubsystem, "retrying request", map[string]any{"http.method": req.Method,
				"http.url": loggableURL(req, ex.serverText), "attempt": ex.attempts, "waited": waited.String()})
		}
	}
	waited, err := waitUntil(ctx, t.pause.remaining) // the pause, however extended meanwhile
	tally.add(rateLimitWait, waited)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		tflog.SubsystemWarn(ctx, logSubsystem, "request failed", map[string]any{"http.method": req.Method,
			"http.url": loggableURL(req, ex.serverText), "error": ex.serverText.transportError(err, maxLoggedText)})
	}
	ex.lastEnd = time.Now()
	ex.lastRateLimited = err == nil && resp.StatusCode == http.StatusTooManyRequests
	if ex.lastRateLimited {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			t.pause.holdFor(min(d, t.waitMax))
		}
	}
	return resp, err
}

// waitUntil sleeps for each wait next returns until it returns none or ctx ends, and says how long it waited.
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
		select { // an unfired time.After is collected (Go 1.23+)
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
}

// budgetWindow is the span Config.MaxRequestsPerMinute counts over.
const budgetWindow = time.Minute

// budgetTransport holds a Client's attempts to at most limit in any window, taking a slot right
// before each: a sliding log of send times (a token bucket lets twice the limit through after a lull).
type budgetTransport struct {
	layer
	limit int
	mu    sync.Mutex
	sent  []time.Time // send times within the window, oldest first
}

// tryTake takes a slot now and returns 0, or how long until the oldest send leaves the window.
func (t *budgetTransport) tryTake() time.Duration {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.sent) > 0 && now.Sub(t.sent[0]) >= budgetWindow {
		t.sent = t.sent[1:]
	}
	if len(t.sent) < t.limit {
		t.sent = append(t.sent, now)
		return 0
	}
	return t.sent[0].Add(budgetWindow).Sub(now)
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	waited, err := waitUntil(ctx, t.tryTake)
	tallyFrom(ctx).add(budgetWait, waited)
	if waited > 0 {
		tflog.SubsystemDebug(ctx, logSubsystem, "Waited for the request budget", map[string]any{
			"waited": waited.String(), "requests_per_minute": t.limit})
	}
	if err != nil {
		exchangeFrom(ctx).budgetStop = t.limit
		return nil, fmt.Errorf("waiting for the request budget (%d requests per minute): %w", t.limit, err)
	}
	return t.next.RoundTrip(req)
}

// WaitTally adds up how long a context's requests waited before sending (concurrent waits add up), so a
// caller can say where an operation's time went. A nil one reads as zero.
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

// WithWaitTally returns a context whose requests add their waits to the tally, and to any already on ctx.
func WithWaitTally(ctx context.Context) (context.Context, *WaitTally) {
	t := &WaitTally{parent: tallyFrom(ctx)}
	return context.WithValue(ctx, tallyKey{}, t), t
}

func tallyFrom(ctx context.Context) *WaitTally {
	t, _ := ctx.Value(tallyKey{}).(*WaitTally)
	return t
}

// RateLimitWait is the time waited because of 429 answers, the Client-wide pause included.
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
