package coalesce

import (
	"context"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// runDetachedOnceSent is runDetached for a request that must not go out once the caller gave up, but whose
// outcome must be learnt once it may have reached the server. fn runs on a context of its own
// (ctx's values, not its cancellation) that tells, through an HTTP client trace, when any of
// its attempts got a connection: from then on the server may have acted.
//
// When ctx ends before fn returns: if no attempt got a connection yet, fn's context is
// cancelled (with ctx's error as its cause) and, once fn returned (promptly: it only waited at
// the rate gate or between attempts), its result is returned (an error wrapping ctx's: nothing
// was sent), unless an attempt slipped out meanwhile and failed: then an error wrapping
// ErrOutcomeUnknown. If an attempt may have reached the server, fn is awaited for up to grace more
// (retries included: the caller's request is idempotent, and a resent one turns "may have
// been applied" into an answer), its result returned as is; after grace, fn is cancelled and
// the error wraps ErrOutcomeUnknown.
func runDetachedOnceSent[T any](ctx context.Context, grace time.Duration, bg *sync.WaitGroup, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, ctxErr(ctx)
	}
	var sent atomic.Bool
	// GotConn comes before the first byte of an attempt is written (a new connection's TLS
	// handshake included): until then nothing reached the server.
	traced := httptrace.WithClientTrace(context.WithoutCancel(ctx), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { sent.Store(true) },
	})
	work, stop := context.WithCancelCause(traced)
	done := startDetached(work, bg, fn)
	if r, ok := beforeEnd(ctx, done, stop); ok {
		return r.v, r.err
	}
	if sent.Load() {
		return awaitGrace(ctx, grace, done, stop)
	}
	stop(ctxErr(ctx))
	t := time.NewTimer(max(grace, 0))
	defer t.Stop()
	select {
	case r := <-done:
		if r.err == nil || !sent.Load() {
			// Answered before the cancellation took hold, or stopped unsent: fn's error
			// then wraps ctx's (and says where it stopped, at the request budget say).
			return r.v, r.err
		}
		// An attempt got out as fn was cancelled: its fate is unknown.
	case <-t.C:
	}
	return zero, outcomeUnknown(ctx)
}
