package coalesce

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// ErrOutcomeUnknown: a request was in flight when the caller's context ended and no answer came
// within the grace; it may have taken effect. Errors carrying it wrap the context's error too.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request was sent, and no answer came within " +
	"the grace period after the operation was interrupted; it may have taken effect")

// errNoListener is the cause given to detached work cancelled because every caller gave up.
var errNoListener = errors.New("coalesce: every caller waiting for this request gave up")

// runDetached runs a write to its end on a context with ctx's values but not its cancellation, so
// what it did is learned after an interrupt: fn's result comes back as is (the caller checks
// ctx.Err()), or, grace after ctx ended, an error wrapping ErrOutcomeUnknown. With cancelUnsent
// (an update), ctx's end cancels fn while no attempt has got a connection: nothing was sent.
func runDetached[T any](ctx context.Context, grace time.Duration, bg *sync.WaitGroup, cancelUnsent bool, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, ctxErr(ctx)
	}
	var sent atomic.Bool
	sent.Store(!cancelUnsent)
	base := context.WithoutCancel(ctx)
	if cancelUnsent {
		// GotConn comes before an attempt's first byte is written (a TLS handshake included).
		base = httptrace.WithClientTrace(base, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { sent.Store(true) }})
	}
	work, stop := context.WithCancelCause(base)
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
	cancelled := !sent.Load()
	if cancelled {
		stop(ctxErr(ctx))
	} else {
		tflog.Debug(ctx, "coalesce: interrupted with a write in flight: awaiting its outcome", map[string]any{"grace": grace.String()})
	}
	select {
	case r := <-done:
		stop(nil)
		if !cancelled || r.err == nil || !sent.Load() {
			return r.v, r.err
		}
		// An attempt got out as fn was cancelled: its fate is unknown.
	case <-time.After(grace):
	}
	err := outcomeUnknown(ctx)
	stop(err)
	return zero, err
}

// ctxErr is ctx's error, with its cause when the cause says more: errors.Is works for both.
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
