package coalesce

import (
	"context"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// PatchSecret is client.PatchSecret, then drops the store's listing so reads see the change.
//
// An update cut short must be reported truly, so the request is not simply abandoned with the
// caller's context: it runs as finishSent does (with Options.InFlightGrace). Interrupted before
// any attempt reached the server, it is cancelled and returns the context's error: nothing was
// changed. Interrupted while an attempt may have reached the server, its outcome is awaited:
// the patched secret with a nil error if it was applied (the caller checks ctx.Err() to learn
// of the interruption), the API's error if it was refused, or, when the grace runs out, an
// error wrapping ErrOutcomeUnknown: the patch may have been applied.
func (c *Coalescer) PatchSecret(ctx context.Context, owner client.Owner, storeID, secretID string, req client.PatchSecretRequest) (*client.Secret, error) {
	return finishSent(ctx, c.opts.InFlightGrace, &c.bg, func(ctx context.Context) (*client.Secret, error) {
		defer c.Invalidate(owner, storeID)
		return c.client.PatchSecret(ctx, owner, storeID, secretID, req)
	})
}

// finishSent is finish for a request that must not go out once the caller gave up, but whose
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
func finishSent[T any](ctx context.Context, grace time.Duration, bg *sync.WaitGroup, fn func(context.Context) (T, error)) (T, error) {
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
	done := runDetached(work, bg, fn)
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
