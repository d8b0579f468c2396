package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// errAttemptDeadline is the cause of an attempt's own deadline, told apart from the caller's.
var errAttemptDeadline = errors.New("attempt timeout")

// attemptTimeoutError is an attempt with no complete answer in time: a transport error, not the caller's deadline.
type attemptTimeoutError struct {
	limit time.Duration
	sent  bool // false: it timed out before a connection was made
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within the attempt timeout (%s)", e.limit)
}

func (e *attemptTimeoutError) Timeout() bool { return true }

// attemptTransport bounds one attempt, its body read included: an answer that stalls midway is a failed attempt.
type attemptTransport struct {
	layer
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	limit := t.timeout // or more, the time the user gave the operation (WithOperationDeadline)
	if deadline, ok := ctx.Value(operationDeadlineKey{}).(time.Time); ok {
		limit = max(limit, time.Until(deadline))
	}
	actx, cancel := context.WithTimeoutCause(ctx, limit, errAttemptDeadline)
	defer cancel()
	var gotConn atomic.Bool
	traced := httptrace.WithClientTrace(actx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) }})
	resp, err := t.next.RoundTrip(req.WithContext(traced))
	if err == nil {
		_, err = readBody(resp)
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

// WithOperationDeadline marks ctx's deadline as the operation's (a resource's timeouts): its attempts may
// take until it. A value, it survives context.WithoutCancel; other deadlines do not lengthen attempts.
func WithOperationDeadline(ctx context.Context) context.Context {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithValue(ctx, operationDeadlineKey{}, deadline)
	}
	return ctx
}
