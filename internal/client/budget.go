package client

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// budgetWindow is the span Config.MaxRequestsPerMinute counts over.
const budgetWindow = time.Minute

// requestBudget holds a Client's attempts to at most limit in any window: a sliding log of
// send times, since a token bucket would let twice the limit through after a quiet spell. A
// nil *requestBudget is no limit.
type requestBudget struct {
	limit  int
	window time.Duration

	mu   sync.Mutex
	sent []time.Time // send times within the window, oldest first
}

func newRequestBudget(perMinute int) *requestBudget {
	if perMinute <= 0 {
		return nil
	}
	return &requestBudget{limit: perMinute, window: budgetWindow}
}

// take waits for a slot and takes it, or returns ctx's error (then nothing may be sent). It
// returns how long it waited.
func (b *requestBudget) take(ctx context.Context) (time.Duration, error) {
	if b == nil {
		return 0, nil
	}
	waited, err := waitUntil(ctx, func() time.Duration { return b.tryTake(time.Now()) })
	if err != nil {
		return waited, fmt.Errorf("waiting for the request budget (%d requests per minute): %w", b.limit, err)
	}
	return waited, nil
}

// tryTake takes a slot at now and returns 0, or returns how long until the oldest send
// leaves the window.
func (b *requestBudget) tryTake(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.sent) > 0 && now.Sub(b.sent[0]) >= b.window {
		b.sent = b.sent[1:]
	}
	if len(b.sent) < b.limit {
		b.sent = append(b.sent, now)
		return 0
	}
	return b.sent[0].Add(b.window).Sub(now)
}

// budgetTransport takes a slot right before each attempt, so the budget counts send times.
type budgetTransport struct {
	layer
	budget *requestBudget // nil: no budget
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	waited, err := t.budget.take(ctx)
	tallyFrom(ctx).add(budgetWait, waited)
	if waited > 0 {
		tflog.SubsystemDebug(ctx, logSubsystem, "Waited for the request budget", map[string]any{
			"waited": waited.String(), "requests_per_minute": t.budget.limit})
	}
	if err != nil {
		exchangeFrom(ctx).budgetStop = t.budget.limit
		return nil, err
	}
	return t.next.RoundTrip(req)
}
