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
	done := startDetached(work, bg, fn)
	if r, ok := beforeEnd(ctx, done, stop); ok {
		return r.v, r.err
	}
	return awaitGrace(ctx, grace, done, stop)
}

// beforeEnd waits for a detached result or for ctx to end, whichever comes first; ok when the
// result came (fn's context is then released).
func beforeEnd[T any](ctx context.Context, done <-chan result[T], stop context.CancelCauseFunc) (result[T], bool) {
	select {
	case r := <-done:
		stop(nil)
		return r, true
	case <-ctx.Done():
		return result[T]{}, false
	}
}

// result is what a detached fn returned.
type result[T any] struct {
	v   T
	err error
}

// startDetached runs fn on work in a goroutine counted in bg, and returns the channel its result
// comes on (buffered: the goroutine never waits for a caller gone).
func startDetached[T any](work context.Context, bg *sync.WaitGroup, fn func(context.Context) (T, error)) <-chan result[T] {
	done := make(chan result[T], 1)
	bg.Add(1)
	go func() {
		defer bg.Done()
		v, err := fn(work)
		done <- result[T]{v, err}
	}()
	return done
}

// awaitGrace waits up to grace for a detached result once ctx ended: the result as is, or,
// after grace, fn's context cancelled (stop) and an error wrapping ErrOutcomeUnknown.
func awaitGrace[T any](ctx context.Context, grace time.Duration, done <-chan result[T], stop context.CancelCauseFunc) (T, error) {
	t := time.NewTimer(max(grace, 0))
	defer t.Stop()
	select {
	case r := <-done:
		stop(nil)
		return r.v, r.err
	case <-t.C:
	}
	var zero T
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
