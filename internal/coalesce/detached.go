package coalesce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrOutcomeUnknown says a request was in flight when the caller's context ended and no answer
// came within the grace that followed: it may have taken effect (a secret or store may exist).
// Errors carrying it also wrap the context's error and cause.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request was sent, and no answer came within " +
	"the grace period after the operation was interrupted; it may have taken effect")

// errNoListener is the cause given to detached work cancelled because every caller gave up.
var errNoListener = errors.New("coalesce: every caller waiting for this request gave up")

// runDetached runs fn to completion on a context of its own, for a creating call whose result
// the caller must learn even when interrupted. fn's context has ctx's values but not its
// cancellation. runDetached returns fn's result as is, even after ctx ended: the caller checks
// ctx.Err() itself to learn it was interrupted, and records what was created. When ctx ends
// before fn returns, runDetached waits up to grace more; if fn has still not returned then,
// fn's context is cancelled and the error wraps ErrOutcomeUnknown and ctx's error. fn's
// goroutine is counted in bg (tests wait on it).
func runDetached[T any](ctx context.Context, grace time.Duration, bg *sync.WaitGroup, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, ctxErr(ctx)
	}
	work, stop := context.WithCancelCause(context.WithoutCancel(ctx))
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: fn's goroutine never waits for a caller gone
	bg.Add(1)
	go func() {
		defer bg.Done()
		v, err := fn(work)
		done <- result{v, err}
	}()

	select {
	case r := <-done:
		stop(nil)
		return r.v, r.err
	case <-ctx.Done():
	}
	t := time.NewTimer(max(grace, 0))
	defer t.Stop()
	select {
	case r := <-done:
		stop(nil)
		return r.v, r.err
	case <-t.C:
	}
	err := outcomeUnknown(ctx)
	stop(err)
	return zero, err
}

// ctxErr is ctx's error, with its cause when the cause says more (context.WithCancelCause,
// WithTimeoutCause): errors.Is works for both.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, err) {
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}

// outcomeUnknown is the error of a caller that stopped waiting for a request in flight.
func outcomeUnknown(ctx context.Context) error {
	return fmt.Errorf("%w (%w)", ErrOutcomeUnknown, ctxErr(ctx))
}
