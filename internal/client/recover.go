package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// createWithRecovery sends a POST that creates named objects so that a failure after which the
// server may have acted never leaves two objects and never adopts one (DESIGN.md, "Never
// adopt"): lookup finds the names; any found is a *NameExistsError, none and the POST is resent
// once (names are unique: a resend never duplicates). A resend that is ambiguous too, or answers
// 409, is looked up once more.
func createWithRecovery[T any](ctx context.Context, c *Client, rq request, decode func(json.RawMessage) (T, error),
	lookup func(context.Context) ([]ExistingObject, error)) (T, error) {
	sent := time.Now()
	var first error
	for resent := false; ; resent = true {
		resp, err := c.transport.send(ctx, rq)
		v, err, ambiguous := createOutcome(rq, resp, err, decode)
		conflict := resent && resp != nil && resp.status == http.StatusConflict
		if err == nil || (!ambiguous && !conflict) || ctx.Err() != nil {
			return v, err
		}
		tflog.SubsystemWarn(c.transport.logContext(ctx), logSubsystem,
			"Create request may have succeeded without a result: looking its names up (an object found is never taken as ours)",
			map[string]any{"http.method": rq.method, "path": rq.path, "error": err.Error(), "resent": resent})
		// A failed lookup finds nothing: the resend that follows cannot duplicate anything.
		if found, lookupErr := lookup(ctx); lookupErr == nil && len(found) > 0 {
			e := &NameExistsError{Method: rq.method, Path: rq.path, Cause: err, Sent: sent, Existing: found}
			if resent {
				e.Cause, e.Resend = first, err
			}
			return *new(T), e
		}
		if resent {
			return *new(T), err
		}
		first = err
	}
}

// createOutcome classifies one send; ambiguous: the server may have acted, though no usable result came back.
func createOutcome[T any](rq request, resp *response, err error, decode func(json.RawMessage) (T, error)) (v T, outErr error, ambiguous bool) {
	var te *transportError
	if errors.As(err, &te) {
		return v, err, !nothingSent(te.err)
	} else if err != nil {
		return v, err, false // the context ended, a refused redirect, or no request built
	}
	env, err := decodeEnvelope(rq, resp)
	if err != nil {
		return v, err, resp.status >= 500 || resp.status/100 == 2
	}
	v, err = decode(env.Result)
	return v, err, err != nil
}

// ExistingObject is an object found holding a name after a create whose outcome is unknown.
type ExistingObject struct {
	Kind    string // "secret" or "store"
	Account string // the owner's account id
	ID      string
	Name    string
	StoreID string    // a secret's store; "" for a store
	Created time.Time // by the API's clock; zero when not given
}

// NameExistsError is a create whose outcome is unknown after which objects with its names
// exist, someone else's or its own (the API gives no means to tell): none is taken as its result.
type NameExistsError struct {
	Method, Path string
	Cause        error     // the first send's failure
	Resend       error     // the resend's, when the names were free after the first
	Sent         time.Time // when the first send started, by this machine's clock
	Existing     []ExistingObject
}

// CreatedBeforeSend reports o created before the first send on any plausible pair of clocks
// (they may differ by a minute): not its doing.
func (e *NameExistsError) CreatedBeforeSend(o ExistingObject) bool {
	return !o.Created.IsZero() && o.Created.Before(e.Sent.Add(-time.Minute))
}

// For returns e about the object named name alone (each item of a batch gets its own), or nil.
func (e *NameExistsError) For(name string) *NameExistsError {
	for _, o := range e.Existing {
		if o.Name == name {
			one := *e
			one.Existing = []ExistingObject{o}
			return &one
		}
	}
	return nil
}

func (e *NameExistsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: the create request's outcome is unknown (%v", e.Method, e.Path, e.Cause)
	if e.Resend != nil {
		fmt.Fprintf(&b, "; resent once: %v", e.Resend)
	}
	sep := ") and "
	for _, o := range e.Existing {
		fmt.Fprintf(&b, "%s%s %q (id %s, created %s)", sep, o.Kind, o.Name, o.ID, o.Created.Format(time.RFC3339))
		sep = ", "
	}
	b.WriteString(" now exists: not taken as its result, nothing changed")
	return b.String()
}
