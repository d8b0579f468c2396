package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultAttemptTimeout bounds one attempt (until its response has been read) when
// Config.AttemptTimeout is zero. Without it, a server that never answers would hold each
// attempt for as long as the http.Client allows. An operation given more time
// (WithOperationDeadline) lets its attempts use it.
const DefaultAttemptTimeout = 30 * time.Second

// errAttemptDeadline is the cause set on an attempt's context: it tells the attempt
// timeout from the caller's context ending.
var errAttemptDeadline = errors.New("attempt timeout")

// attemptTimeoutError is an attempt that got no complete answer within the attempt
// timeout. It is a transport error like any other (retried for idempotent methods), and
// does not match context.DeadlineExceeded: the caller's context did not end.
type attemptTimeoutError struct {
	limit time.Duration
	// sent is false when the attempt timed out before a connection was made, so the
	// request never left.
	sent bool
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within the attempt timeout (%s)", e.limit)
}

// Timeout marks it as a timeout for net.Error-style checks.
func (e *attemptTimeoutError) Timeout() bool { return true }

// exchange is one request's state shared by its attempts through the request context.
// Attempts of one request run one after another, in the caller's goroutine.
type exchange struct {
	serverText serverText
	// lastEnd is when the previous attempt ended; lastRateLimited whether it got a 429.
	lastEnd         time.Time
	lastRateLimited bool
	// budgetStop is the request budget's limit when the request stopped waiting for a slot
	// (its context ended), 0 otherwise.
	budgetStop int
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

// exchangeFrom returns the request's exchange, or an empty one for a request made otherwise.
func exchangeFrom(ctx context.Context) *exchange {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		return ex
	}
	return &exchange{}
}

// attemptTransport sits under retryablehttp, so it sees every attempt. Before one it
// waits out the Client's rate-limit pause, then for a slot of the request budget; it bounds the
// attempt by the attempt timeout, reading the response body included; after a 429 with
// Retry-After it pauses every request of the Client; and it adds the waits
// before attempts to the context's WaitTally.
type attemptTransport struct {
	base    http.RoundTripper
	pause   *rateLimitPause
	budget  *requestBudget // nil: no budget
	timeout time.Duration
	waitMax time.Duration // cap on a rate-limit pause, as on any wait
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	ex := exchangeFrom(ctx)
	tally := tallyFrom(ctx)
	// A redirect hop (req.Response set) continues an attempt; anything else after a first
	// attempt is a retry, and the time since the last one was its backoff.
	if req.Response == nil && !ex.lastEnd.IsZero() {
		tally.addRetry()
		if waited := time.Since(ex.lastEnd); ex.lastRateLimited {
			tally.addRateLimitWait(waited)
		} else {
			tally.addRetryWait(waited)
		}
	}
	waited, err := t.pause.wait(ctx)
	tally.addRateLimitWait(waited)
	if err != nil {
		return nil, err
	}
	// The slot is taken last, right before sending, so the budget counts send times.
	waited, err = t.budget.take(ctx)
	tally.addBudgetWait(waited)
	if waited > 0 {
		tflog.SubsystemDebug(ctx, logSubsystem, "Waited for the request budget", map[string]any{
			"waited": waited.String(), "requests_per_minute": t.budget.limit})
	}
	if err != nil {
		ex.budgetStop = t.budget.limit
		return nil, err
	}

	resp, err := t.attempt(ctx, req)
	ex.lastEnd = time.Now()
	ex.lastRateLimited = err == nil && resp.StatusCode == http.StatusTooManyRequests
	if ex.lastRateLimited {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			t.pause.holdFor(min(d, t.waitMax))
		}
	}
	return resp, err
}

// attempt sends req and reads its response within the attempt's bound. The body is read
// here, not by the caller, so that an answer that breaks off or stalls midway is a failed
// attempt like any other transport error: retried where the method allows.
func (t *attemptTransport) attempt(ctx context.Context, req *http.Request) (*http.Response, error) {
	limit := t.bound(ctx)
	actx, cancel := context.WithTimeoutCause(ctx, limit, errAttemptDeadline)
	defer cancel()
	// Whether a connection was had tells an attempt that timed out dialing (nothing sent)
	// from one that timed out later.
	var gotConn atomic.Bool
	traced := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }})
	resp, err := t.base.RoundTrip(req.WithContext(traced))
	if err == nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptDeadline) {
			return nil, &attemptTimeoutError{limit: limit, sent: gotConn.Load()}
		}
		return nil, err
	}
	return resp, nil
}

// bound is how long one attempt may take: the attempt timeout, or the time left to the
// operation's deadline when that is longer (an operation the user gave more time, against
// an API slower than the attempt timeout). Without an operation deadline, the attempt
// timeout still frees an attempt held by a hung connection, so that it is retried.
func (t *attemptTransport) bound(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Value(operationDeadlineKey{}).(time.Time); ok {
		return max(t.timeout, time.Until(deadline))
	}
	return t.timeout
}

type operationDeadlineKey struct{}

// WithOperationDeadline marks ctx's deadline as the operation's: the time the user gave it
// (a resource's timeouts). Each attempt made under ctx may then take until that deadline
// when it is further away than the attempt timeout, so an API slower than the attempt
// timeout still answers. The mark is a context value, so it survives
// context.WithoutCancel (a create awaited past its caller's end); a deadline set
// otherwise (an internal safety bound) does not lengthen attempts. Without a deadline, ctx
// is returned as is.
func WithOperationDeadline(ctx context.Context) context.Context {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, operationDeadlineKey{}, deadline)
}

// CloseIdleConnections lets retryablehttp (and http.Client) reach the wrapped transport.
func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
