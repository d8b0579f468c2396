package client

import (
	"context"
	"net/http"
	"sync"
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

// wait blocks until the pause, however extended meanwhile, is over or ctx ends.
func (p *rateLimitPause) wait(ctx context.Context) (time.Duration, error) {
	return waitUntil(ctx, p.remaining)
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
	// A redirect hop (req.Response set) continues an attempt; a later attempt is a retry, and
	// the time since the last one its backoff.
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
	waited, err := t.pause.wait(ctx)
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

// waitUntil sleeps for each wait next returns until it returns none (0 or less) or ctx ends
// (then next is not called again). It returns how long it waited.
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
