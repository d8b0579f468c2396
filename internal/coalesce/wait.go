package coalesce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Statuses WaitError reports besides the API's.
const (
	StatusUnknown    = "unknown"         // nothing seen yet
	StatusNotVisible = "not visible yet" // 404 within the not-found grace
)

// ErrDeletedWhileWaiting is the outcome of a wait whose secret came back "deleted": it is gone.
var ErrDeletedWhileWaiting = errors.New("the secret was deleted while waiting for it to become active")

// WaitError is WaitActive's error when ctx ended before the secret was active.
type WaitError struct {
	SecretID   string
	LastStatus string        // the last status seen: pending, StatusNotVisible, StatusUnknown
	Waited     time.Duration // from the call to the end of ctx
	Err        error         // ctx's error, with its cause
}

func (e *WaitError) Error() string {
	how := "interrupted"
	if e.TimedOut() {
		how = "timed out"
	}
	return fmt.Sprintf("waiting for secret %s to become active %s after %s (last status %s): %v",
		e.SecretID, how, e.Waited.Round(time.Millisecond), e.LastStatus, e.Err)
}

func (e *WaitError) Unwrap() error { return e.Err }

// TimedOut reports whether ctx's deadline ended the wait (rather than a cancellation).
func (e *WaitError) TimedOut() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// WaitActive waits until a secret's status is active and returns it with the time waited.
// current is the secret as the caller holds it (the create, duplicate or patch answer; only ID
// and Status are used): when it is already active, WaitActive returns it at once, sending
// nothing. Polls start Options.PollFirstWait after the call and back off to Options.PollMaxWait;
// every waiter of a store shares each poll (see the package documentation). A 404 within
// notFoundGrace of the call is retried; a later 404, any other API error, or a "deleted" status
// ends the wait with an error. When ctx ends first, the error is a *WaitError.
func (c *Gateway) WaitActive(ctx context.Context, owner client.Owner, storeID string, current *client.Secret, notFoundGrace time.Duration) (*client.Secret, time.Duration, error) {
	start := time.Now()
	if current == nil || current.ID == "" {
		return nil, 0, errors.New("coalesce: WaitActive needs the secret's id")
	}
	if current.Status == client.StatusActive {
		return current, 0, nil
	}
	w := &waiter{secretID: current.ID, start: start, grace: notFoundGrace, wait: c.opts.PollFirstWait,
		due: start.Add(c.opts.PollFirstWait), lastStatus: current.Status, result: make(chan waitOutcome, 1)}
	if w.lastStatus == "" {
		w.lastStatus = StatusUnknown
	}
	if ctx.Err() != nil {
		return nil, 0, &WaitError{SecretID: w.secretID, LastStatus: w.lastStatus, Err: ctxErr(ctx)}
	}
	p := c.addWaiter(ctx, storeKeyOf(owner, storeID), w)
	select {
	case out := <-w.result:
		return out.secret, time.Since(start), out.err
	case <-ctx.Done():
	}
	last, delivered := p.remove(w)
	if delivered {
		out := <-w.result
		return out.secret, time.Since(start), out.err
	}
	waited := time.Since(start)
	return nil, waited, &WaitError{SecretID: w.secretID, LastStatus: last, Waited: waited, Err: ctxErr(ctx)}
}

// waiter is one WaitActive call. Its fields after result are guarded by its poller's mu.
type waiter struct {
	secretID string
	start    time.Time
	grace    time.Duration
	result   chan waitOutcome // buffered: the poller never blocks on a caller gone

	wait       time.Duration // the next backoff step
	due        time.Time     // when it wants its next poll
	lastStatus string
}

type waitOutcome struct {
	secret *client.Secret
	err    error
}

// poller polls one store for its waiters. It runs while it has waiters.
type poller struct {
	key  storeKey
	base context.Context // the first waiter's values, not its cancellation
	wake chan struct{}   // a waiter came or left

	mu          sync.Mutex
	waiters     map[*waiter]bool
	cancelRound context.CancelFunc // ends the round in flight; nil between rounds
}

// addWaiter registers w with the store's poller, starting one if none runs.
func (c *Gateway) addWaiter(ctx context.Context, key storeKey, w *waiter) *poller {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pollers[key]
	if p == nil {
		p = &poller{key: key, base: context.WithoutCancel(ctx), wake: make(chan struct{}, 1), waiters: map[*waiter]bool{}}
		c.pollers[key] = p
		c.bg.Add(1)
		go c.runPoller(p)
	}
	p.mu.Lock()
	p.waiters[w] = true
	p.mu.Unlock()
	p.poke()
	return p
}

// remove takes w out (its caller left). It returns w's last status, or delivered true if the
// poller had already delivered w's outcome.
func (p *poller) remove(w *waiter) (lastStatus string, delivered bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.waiters[w] {
		return "", true
	}
	delete(p.waiters, w)
	if len(p.waiters) == 0 && p.cancelRound != nil {
		p.cancelRound() // nobody would learn the round's outcome
	}
	p.poke()
	return w.lastStatus, false
}

func (p *poller) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// runPoller sleeps until the earliest waiter is due, then polls for all of them, until no
// waiter is left.
func (c *Gateway) runPoller(p *poller) {
	defer c.bg.Done()
	for {
		c.mu.Lock()
		p.mu.Lock()
		if len(p.waiters) == 0 {
			delete(c.pollers, p.key)
			p.mu.Unlock()
			c.mu.Unlock()
			return
		}
		var next time.Time
		for w := range p.waiters {
			if next.IsZero() || w.due.Before(next) {
				next = w.due
			}
		}
		p.mu.Unlock()
		c.mu.Unlock()

		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-p.wake:
				t.Stop()
				continue
			}
		}
		c.pollRound(p)
	}
}

// pollRound polls once for every waiter of the store (pollAll), then delivers or reschedules.
func (c *Gateway) pollRound(p *poller) {
	ctx, cancel := context.WithCancel(p.base)
	defer cancel()
	p.mu.Lock()
	p.cancelRound = cancel
	ids := map[string]bool{}
	for w := range p.waiters {
		ids[w.secretID] = true
	}
	p.mu.Unlock()
	seen := c.pollAll(ctx, p.key, ids)

	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelRound = nil
	now := time.Now()
	for w := range p.waiters {
		out, ok := seen[w.secretID]
		if !ok {
			continue // came during the round
		}
		s, err := out.secret, out.err
		switch {
		case err == nil && s.Status == client.StatusActive:
			p.deliver(w, waitOutcome{secret: s})
		case err == nil && s.Status == client.StatusDeleted:
			p.deliver(w, waitOutcome{err: ErrDeletedWhileWaiting})
		case err == nil:
			w.lastStatus = s.Status
			p.reschedule(w, now, c.opts.PollMaxWait)
		case client.IsNotFound(err) && now.Sub(w.start) < w.grace:
			w.lastStatus = StatusNotVisible
			p.reschedule(w, now, c.opts.PollMaxWait)
		case ctx.Err() != nil:
			// The round was cancelled: no waiter was left when it ended.
		default:
			p.deliver(w, waitOutcome{err: err})
		}
	}
}

func (p *poller) deliver(w *waiter, out waitOutcome) {
	delete(p.waiters, w)
	w.result <- out
}

func (p *poller) reschedule(w *waiter, now time.Time, maxWait time.Duration) {
	w.due = now.Add(w.wait)
	w.wait = min(w.wait*2, maxWait)
}

// pollAll looks each secret in ids up once: a lone one with a GET, several through one listing
// of the store ordered by modified time, newest first (where new and re-valued secrets are),
// under the read listings' token rule (listing.find), and a GET for each not found there.
func (c *Gateway) pollAll(ctx context.Context, key storeKey, ids map[string]bool) map[string]waitOutcome {
	newest := newListing(time.Now(), -1, &c.bg, func(s client.Secret) string { return s.ID },
		func(ctx context.Context, page int) ([]client.Secret, client.PageInfo, error) {
			opts := client.ListSecretsOptions{Order: "modified", Direction: "desc"}
			return c.client.ListSecretsPage(ctx, key.owner, key.storeID, opts, page)
		})
	seen := make(map[string]waitOutcome, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out waitOutcome
			var s client.Secret
			var found bool
			if len(ids) > 1 {
				s, found, out.err = newest.find(ctx, id)
			}
			switch {
			case found:
				out.secret = cloneSecret(s)
			case out.err == nil:
				out.secret, out.err = c.client.GetSecret(ctx, key.owner, key.storeID, id)
			}
			mu.Lock()
			seen[id] = out
			mu.Unlock()
		}()
	}
	wg.Wait()
	return seen
}
