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

// DefaultAttemptTimeout bounds one attempt when Config.AttemptTimeout is zero.
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

// attemptTransport bounds one attempt, reading the body included, so that an answer that
// breaks off or stalls midway is a failed attempt, retried where the method allows.
type attemptTransport struct {
	layer
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// An operation the user gave more time (WithOperationDeadline) lets its attempts use it.
	limit := t.timeout
	if deadline, ok := ctx.Value(operationDeadlineKey{}).(time.Time); ok {
		limit = max(limit, time.Until(deadline))
	}
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
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptDeadline):
		return nil, &attemptTimeoutError{limit: limit, sent: gotConn.Load()}
	case err != nil:
		return nil, err
	}
	return resp, nil
}

type operationDeadlineKey struct{}

// WithOperationDeadline marks ctx's deadline as the operation's (a resource's timeouts): its
// attempts may take until it. A value, it survives context.WithoutCancel (a create awaited past
// its caller); other deadlines do not lengthen attempts.
func WithOperationDeadline(ctx context.Context) context.Context {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithValue(ctx, operationDeadlineKey{}, deadline)
	}
	return ctx
}
