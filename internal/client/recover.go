package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// defaultAdoptSkew is how much earlier than the first send an object's created time may be
// for createWithRecovery to still take it as the result of that send. created is stamped by
// the server's clock and the start by ours: a server clock behind ours by d makes an object
// our POST made look d older than the send. 5s absorbs the skew of NTP-synced hosts and
// timestamp rounding; it is deliberately small because anything created by someone else
// within the window would be taken for ours. A clock further off than that only makes
// adoption fail safe: the POST is resent, answers 409, and the caller sees the conflict.
const defaultAdoptSkew = 5 * time.Second

// recovery is what createWithRecovery needs to know about one kind of creating POST.
type recovery[T any] struct {
	// decode reads a successful answer's result.
	decode func(json.RawMessage) (T, error)
	// lookup finds the objects the POST would have made by name (and scopes), and reports
	// ok only if every one of them was created at or after notBefore (see adoptable).
	lookup func(ctx context.Context, notBefore time.Time) (T, bool, error)
	// confirm, when set, runs on adopted objects before they are returned, to make them
	// certainly what was asked for (create-secrets re-sends the values). Optional.
	confirm func(ctx context.Context, found T) (T, error)
}

// createWithRecovery sends a POST that creates named objects, so that a failure which may
// have come after the server acted never leaves two objects behind, and never passes off
// an object that was there before the request as its result.
//
// retryPolicy has already resent the POST on 429 and when nothing was sent. A 5xx, a
// connection broken after sending, or a 2xx whose body cannot be read is ambiguous: then
// lookup checks whether the objects now exist and were created since the first send (less
// defaultAdoptSkew); if so they are adopted as the result (after confirm); otherwise the
// POST is resent once. If that resend is ambiguous too, or answers 409 (the name got
// taken, possibly by the first attempt after all), lookup runs once more, and failing
// that the resend's error is returned: for a name that existed before the request, the
// API's 409 conflict.
//
// Names are unique in the API, so even a wrong guess cannot create a duplicate: a resend
// of something that exists answers 409.
func createWithRecovery[T any](ctx context.Context, c *Client, cl call, r recovery[T]) (T, error) {
	var zero T
	// Taken before the first attempt: anything the server made for this request (on any
	// attempt, retries included) has a created time after it, up to clock skew.
	notBefore := time.Now().Add(-c.adoptSkew)

	// First send.
	resp, err := c.send(ctx, cl)
	v, firstErr, ambiguous := createOutcome(c, cl, resp, err, r.decode)
	if firstErr == nil {
		return v, nil
	}
	if !ambiguous || ctx.Err() != nil {
		return zero, firstErr
	}
	if found, ok := lookUpCreated(ctx, c, cl, r, notBefore, firstErr, false); ok {
		return r.adopt(ctx, found)
	}

	// Not there: resend once.
	resp, err = c.send(ctx, cl)
	v, resendErr, ambiguous := createOutcome(c, cl, resp, err, r.decode)
	if resendErr == nil {
		return v, nil
	}
	conflict := resp != nil && resp.status == http.StatusConflict
	if (!ambiguous && !conflict) || ctx.Err() != nil {
		return zero, resendErr
	}
	if found, ok := lookUpCreated(ctx, c, cl, r, notBefore, resendErr, true); ok {
		return r.adopt(ctx, found)
	}
	return zero, resendErr
}

// lookUpCreated runs r's lookup after a send of cl failed with outcome, logging why. A
// lookup that fails counts as nothing found.
func lookUpCreated[T any](ctx context.Context, c *Client, cl call, r recovery[T], notBefore time.Time, outcome error, resent bool) (T, bool) {
	tflog.SubsystemWarn(withLogging(ctx, c.secrets), logSubsystem,
		"Create request may have succeeded without a result: looking the object up by name",
		map[string]any{"http.method": cl.method, "path": cl.path, "error": outcome.Error(), "resent": resent})
	found, ok, err := r.lookup(ctx, notBefore)
	return found, ok && err == nil
}

// adopt returns objects found by lookup as the POST's result, confirmed when r says how.
func (r recovery[T]) adopt(ctx context.Context, found T) (T, error) {
	if r.confirm != nil {
		return r.confirm(ctx, found)
	}
	return found, nil
}

// adoptable reports whether an object found by name after an ambiguous POST may be taken
// as that POST's result: only if it was created at or after notBefore. An older one was
// someone else's (or an earlier run's) and is left alone; a zero created time (not given
// by the API) never qualifies.
func (c *Client) adoptable(ctx context.Context, kind, name string, created, notBefore time.Time) bool {
	if !created.IsZero() && !created.Before(notBefore) {
		return true
	}
	tflog.SubsystemWarn(withLogging(ctx, c.secrets), logSubsystem,
		"An object with the name exists but was created before this request: not adopting it",
		map[string]any{"kind": kind, "name": name, "created": created.Format(time.RFC3339Nano), "not_before": notBefore.Format(time.RFC3339Nano)})
	return false
}

// createOutcome classifies one send of a creating POST. ambiguous means the server may
// have acted although no usable result came back.
func createOutcome[T any](c *Client, cl call, resp *response, err error, decode func(json.RawMessage) (T, error)) (v T, outErr error, ambiguous bool) {
	if err != nil {
		var te *transportError
		if errors.As(err, &te) {
			return v, err, !nothingSent(te.err)
		}
		return v, err, false // context ended, a refused redirect, or the request could not be built
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
