package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// createWithRecovery sends a POST that creates named objects, so that a failure which may
// have come after the server acted never leaves two objects behind.
//
// retryPolicy has already resent the POST on 429 and connection refused (nothing was
// done). A 5xx, a connection broken after sending, or a 2xx whose body cannot be read is
// ambiguous: lookup checks whether the objects now exist and, if they do, they are the
// result; otherwise the POST is resent once. If that resend is ambiguous too, or answers
// 409 (the name got taken, possibly by the first attempt after all), lookup runs once more.
//
// Names are unique in the API, so even a wrong guess cannot create a duplicate: a resend
// of something that exists answers 409.
func createWithRecovery[T any](ctx context.Context, c *Client, cl call, decode func(json.RawMessage) (T, error), lookup func(context.Context) (T, bool, error)) (T, error) {
	var zero T
	for attempt := 0; attempt < 2; attempt++ {
		resp, err := c.send(ctx, cl)
		v, outcomeErr, ambiguous := createOutcome(c, cl, resp, err, decode)
		if outcomeErr == nil {
			return v, nil
		}
		conflictOnResend := attempt > 0 && resp != nil && resp.status == http.StatusConflict
		if (!ambiguous && !conflictOnResend) || ctx.Err() != nil {
			return zero, outcomeErr
		}
		tflog.SubsystemWarn(withLogging(ctx, c.secrets), logSubsystem,
			"Create request may have succeeded without a result: looking the object up by name",
			map[string]any{"http.method": cl.method, "path": cl.path, "error": outcomeErr.Error(), "resent": attempt > 0})
		found, ok, lerr := lookup(ctx)
		if lerr == nil && ok {
			return found, nil
		}
		if attempt > 0 {
			return zero, outcomeErr
		}
	}
	return zero, errors.New("unreachable")
}

// createOutcome classifies one send of a creating POST. ambiguous means the server may
// have acted although no usable result came back.
func createOutcome[T any](c *Client, cl call, resp *response, err error, decode func(json.RawMessage) (T, error)) (v T, outErr error, ambiguous bool) {
	if err != nil {
		var te *transportError
		if errors.As(err, &te) {
			return v, err, !isDialError(te.err)
		}
		return v, err, false // context ended, or the request could not be built
	}
	raw, err := c.decodeResponse(cl, resp)
	if err != nil {
		if e := asAPIError(err); e != nil && (e.StatusCode >= 500 || (e.StatusCode >= 200 && e.StatusCode < 300)) {
			return v, err, true
		}
		return v, err, false
	}
	v, err = decode(raw)
	if err != nil {
		return v, err, true
	}
	return v, nil, false
}

// sameScopes compares scope lists as sets: the API sorts them and drops duplicates.
func sameScopes(a, b []string) bool {
	norm := func(s []string) []string {
		s = slices.Clone(s)
		slices.Sort(s)
		return slices.Compact(s)
	}
	return slices.Equal(norm(a), norm(b))
}

// deleteCall sends a DELETE. A 404 answering a retry means an earlier attempt (whose
// answer was lost) did the deleting, so it counts as success with no result.
func (c *Client) deleteCall(ctx context.Context, cl call) (json.RawMessage, error) {
	resp, err := c.send(ctx, cl)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotFound && resp.attempts > 1 {
		tflog.SubsystemDebug(withLogging(ctx, c.secrets), logSubsystem,
			"DELETE answered 404 on a retry: an earlier attempt deleted it", map[string]any{"path": cl.path})
		return nil, nil
	}
	return c.decodeResponse(cl, resp)
}
