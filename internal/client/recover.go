package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// createWithRecovery sends a POST that creates named objects, so that a failure which may
// have come after the server acted never leaves two objects behind and never takes an
// object it finds for its own.
//
// The API has no idempotency key and no request id: nothing can prove that an object found
// by name after a failed request was made by that request and not by another writer (one
// with the same name, scopes and comment at the same moment looks the same). So nothing
// found is ever adopted.
//
// retryPolicy has already resent the POST on 429 and when nothing was sent. A 5xx, a
// connection broken after sending, or a 2xx whose body cannot be read is ambiguous: then
// lookup finds which of the names exist. If any does, the create fails with a
// *NameExistsError naming them, and nothing is sent. If none does, the POST is resent once:
// names are unique, so a resend of a name someone took meanwhile answers 409 and can never
// make a duplicate. If that resend is ambiguous too, or answers 409, lookup runs once more
// and names found give the *NameExistsError; otherwise the resend's error is returned.
func createWithRecovery[T any](ctx context.Context, c *Client, rq request, decode func(json.RawMessage) (T, error),
	lookup func(context.Context) ([]ExistingObject, error)) (T, error) {
	var zero T
	sent := time.Now()
	resp, err := c.transport.send(ctx, rq)
	v, firstErr, ambiguous := createOutcome(c, rq, resp, err, decode)
	if firstErr == nil {
		return v, nil
	}
	if !ambiguous || ctx.Err() != nil {
		return zero, firstErr
	}
	if found := lookUpNames(ctx, c, rq, lookup, firstErr, false); len(found) > 0 {
		return zero, &NameExistsError{Method: rq.method, Path: rq.path, Cause: firstErr, Sent: sent, Existing: found}
	}

	// None of the names exists: resend once.
	resp, err = c.transport.send(ctx, rq)
	v, resendErr, ambiguous := createOutcome(c, rq, resp, err, decode)
	if resendErr == nil {
		return v, nil
	}
	conflict := resp != nil && resp.status == http.StatusConflict
	if (!ambiguous && !conflict) || ctx.Err() != nil {
		return zero, resendErr
	}
	if found := lookUpNames(ctx, c, rq, lookup, resendErr, true); len(found) > 0 {
		return zero, &NameExistsError{Method: rq.method, Path: rq.path, Cause: firstErr, Resend: resendErr, Sent: sent, Existing: found}
	}
	return zero, resendErr
}

// lookUpNames runs lookup after a send of rq failed with outcome, logging why. A lookup
// that fails counts as nothing found: the resend that follows cannot duplicate anything.
func lookUpNames(ctx context.Context, c *Client, rq request, lookup func(context.Context) ([]ExistingObject, error), outcome error, resent bool) []ExistingObject {
	tflog.SubsystemWarn(c.transport.logContext(ctx), logSubsystem,
		"Create request may have succeeded without a result: looking its names up (an object found is never taken as ours)",
		map[string]any{"http.method": rq.method, "path": rq.path, "error": outcome.Error(), "resent": resent})
	found, err := lookup(ctx)
	if err != nil {
		return nil
	}
	return found
}

// createOutcome classifies one send of a creating POST. ambiguous means the server may
// have acted although no usable result came back.
func createOutcome[T any](c *Client, rq request, resp *response, err error, decode func(json.RawMessage) (T, error)) (v T, outErr error, ambiguous bool) {
	if err != nil {
		var te *transportError
		if errors.As(err, &te) {
			return v, err, !nothingSent(te.err)
		}
		return v, err, false // context ended, a refused redirect, or the request could not be built
	}
	raw, err := c.decodeResponse(rq, resp)
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
