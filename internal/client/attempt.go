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

// attemptTransport bounds one attempt by the attempt timeout (or the operation's longer
// deadline). It reads the body, not the caller, so that an answer that breaks off or stalls
// midway is a failed attempt like any other transport error: retried where the method
// allows.
type attemptTransport struct {
	layer
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	limit := t.bound(ctx)
	actx, cancel := context.WithTimeoutCause(ctx, limit, errAttemptDeadline)
	defer cancel()
	// Whether a connection was had tells an attempt that timed out dialing (nothing sent)
	// from one that timed out later.
	var gotConn atomic.Bool
	traced := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }})
	resp, err := t.next.RoundTrip(req.WithContext(traced))
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
