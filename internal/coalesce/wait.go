package coalesce

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Statuses a WaitError reports besides the API's: nothing seen yet, or a 404 within the grace.
const (
	StatusUnknown    = "unknown"
	StatusNotVisible = "not visible yet"
)

// ErrDeletedWhileWaiting is the outcome of a wait whose secret came back "deleted": it is gone.
var ErrDeletedWhileWaiting = errors.New("the secret was deleted while waiting for it to become active")

// WaitError is WaitActive's error when ctx ended before the secret was active.
type WaitError struct {
	SecretID   string
	LastStatus string        // pending, StatusNotVisible or StatusUnknown
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

// TimedOut reports that ctx's deadline, not a cancellation, ended the wait.
func (e *WaitError) TimedOut() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// WaitActive waits until a secret (only its ID and Status are read) is active and returns it with
// the time waited. Polls back off from Options.PollFirstWait to PollMaxWait, shared by the
// store's waiters (pollAll); a 404 within notFoundGrace is retried. ctx's end is a *WaitError.
func (c *Gateway) WaitActive(ctx context.Context, owner client.Owner, storeID string, current *client.Secret, notFoundGrace time.Duration) (*client.Secret, time.Duration, error) {
	start := time.Now()
	if current == nil || current.ID == "" {
		return nil, 0, errors.New("coalesce: WaitActive needs the secret's id")
	}
	if current.Status == client.StatusActive {
		return current, 0, nil
	}
	w := &waiter{secretID: current.ID, start: start, grace: notFoundGrace, wait: c.opts.PollFirstWait,
		due: start.Add(c.opts.PollFirstWait), lastStatus: cmp.Or(current.Status, StatusUnknown), result: make(chan waitOutcome, 1)}
	last := w.lastStatus
	if ctx.Err() == nil {
		p := c.addWaiter(ctx, storeKeyOf(owner, storeID), w)
		select {
		case out := <-w.result:
			return out.secret, time.Since(start), out.err
		case <-ctx.Done():
		}
		var delivered bool
		if last, delivered = p.remove(w); delivered {
			out := <-w.result
			return out.secret, time.Since(start), out.err
		}
	}
	waited := time.Since(start)
	return nil, waited, &WaitError{SecretID: w.secretID, LastStatus: last, Waited: waited, Err: ctxErr(ctx)}
}

// waiter is one WaitActive call; its fields after result are guarded by its poller's mu.
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

// poller polls one store for its waiters, while it has any.
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

// remove takes out w, whose caller left, and returns its last status; delivered says its
// outcome was delivered first.
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

// runPoller sleeps until the earliest waiter is due, then polls for all, until none is left.
func (c *Gateway) runPoller(p *poller) {
	defer c.bg.Done()
	for {
		c.mu.Lock()
		p.mu.Lock()
		var next time.Time
		for w := range p.waiters {
			if next.IsZero() || w.due.Before(next) {
				next = w.due
			}
		}
		if len(p.waiters) == 0 {
			delete(c.pollers, p.key)
		}
		p.mu.Unlock()
		c.mu.Unlock()
		if next.IsZero() {
			return
		}
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-p.wake:
				continue
			}
		}
		c.pollRound(p)
	}
}

// pollRound polls once for every waiter of the store, then delivers or reschedules each.
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
		switch {
		case !ok, out.err != nil && ctx.Err() != nil:
			continue // came during the round, or the round was cancelled (no waiter was left)
		case out.err == nil && out.secret.Status == client.StatusActive:
		case out.err == nil && out.secret.Status == client.StatusDeleted:
			out = waitOutcome{err: ErrDeletedWhileWaiting}
		case out.err == nil, client.IsNotFound(out.err) && now.Sub(w.start) < w.grace:
			w.lastStatus = StatusNotVisible
			if out.err == nil {
				w.lastStatus = out.secret.Status
			}
			w.due, w.wait = now.Add(w.wait), min(w.wait*2, c.opts.PollMaxWait)
			continue
		}
		delete(p.waiters, w)
		w.result <- out
	}
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
		wg.Go(func() {
			var out waitOutcome
			if len(ids) > 1 {
				if s, found, err := newest.find(ctx, id); found {
					out.secret = cloneSecret(s)
				} else {
					out.err = err
				}
			}
			if out.secret == nil && out.err == nil {
				out.secret, out.err = c.client.GetSecret(ctx, key.owner, key.storeID, id)
			}
			mu.Lock()
			seen[id] = out
			mu.Unlock()
		})
	}
	wg.Wait()
	return seen
}
