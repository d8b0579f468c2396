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

// DefaultAttemptTimeout bounds one attempt when Config.AttemptTimeout is zero, so that a
// server that never answers does not hold it for ever.
const DefaultAttemptTimeout = 30 * time.Second

// errAttemptDeadline is the cause of an attempt's own deadline, told apart from the caller's.
var errAttemptDeadline = errors.New("attempt timeout")

// attemptTimeoutError is an attempt with no complete answer in time: a transport error like
// any other, not context.DeadlineExceeded (the caller's context did not end).
type attemptTimeoutError struct {
	limit time.Duration
	sent  bool // false: it timed out before a connection was made, so nothing left
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within the attempt timeout (%s)", e.limit)
}

// Timeout marks it as a timeout for net.Error-style checks.
func (e *attemptTimeoutError) Timeout() bool { return true }

// attemptTransport bounds one attempt. It reads the body itself, so that an answer that
// breaks off or stalls midway is a failed attempt, retried where the method allows.
type attemptTransport struct {
	layer
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	limit := t.bound(ctx)
	actx, cancel := context.WithTimeoutCause(ctx, limit, errAttemptDeadline)
	defer cancel()
	var gotConn atomic.Bool
	traced := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }})
	resp, err := t.next.RoundTrip(req.WithContext(traced))
	if err == nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptDeadline) {
		return nil, &attemptTimeoutError{limit: limit, sent: gotConn.Load()}
	} else if err != nil {
		return nil, err
	}
	return resp, nil
}

// bound is the attempt timeout, or the time left to the operation's deadline when longer
// (an operation the user gave more time, against a slow API).
func (t *attemptTransport) bound(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Value(operationDeadlineKey{}).(time.Time); ok {
		return max(t.timeout, time.Until(deadline))
	}
	return t.timeout
}

type operationDeadlineKey struct{}

// WithOperationDeadline marks ctx's deadline as the operation's (a resource's timeouts):
// attempts made under ctx may then take until it. A context value, so it survives
// context.WithoutCancel (a create awaited past its caller); other deadlines (internal bounds)
// do not lengthen attempts.
func WithOperationDeadline(ctx context.Context) context.Context {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, operationDeadlineKey{}, deadline)
}
