package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Polling a pending secret: the first wait is short because secrets usually turn active within
// a second; the wait then doubles up to pollMaxWait.
const (
	pollFirstWait = 100 * time.Millisecond
	pollMaxWait   = time.Second
	// notFoundGrace is how long a 404 is retried right after a create or duplicate: a new
	// secret may take a moment to be visible to reads.
	notFoundGrace = 10 * time.Second
)

// errNotActiveInTime says the secret was still pending when the operation's timeout ran out.
var errNotActiveInTime = errors.New("the secret did not become active in time")

// waitSecretActive polls a secret until its status is active and returns it. It gives up when
// ctx ends (the create or update timeout) with errNotActiveInTime, or on the first error other
// than a 404 within grace of the start.
func waitSecretActive(ctx context.Context, c *client.Client, owner client.Owner, storeID, id string, grace time.Duration) (*client.Secret, error) {
	start := time.Now()
	wait := pollFirstWait
	lastStatus := "unknown"
	for {
		s, err := c.GetSecret(ctx, owner, storeID, id)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w (last status %s)", errNotActiveInTime, lastStatus)
		case err == nil && s.Status == client.StatusActive:
			return s, nil
		case err == nil && s.Status == client.StatusDeleted:
			return nil, fmt.Errorf("the secret was deleted while the provider waited for it to become active")
		case err == nil:
			lastStatus = s.Status
		case client.IsNotFound(err) && time.Since(start) < grace:
			lastStatus = "not visible yet"
		default:
			return nil, err
		}
		tflog.Debug(ctx, "waiting for secret to become active", map[string]any{
			"store_id": storeID, "secret_id": id, "status": lastStatus, "next_poll": wait.String(),
		})
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%w (last status %s)", errNotActiveInTime, lastStatus)
		case <-timer.C:
		}
		wait = min(wait*2, pollMaxWait)
	}
}

// addWaitError reports a failed wait for "active" on object ("secret X (id) in store S",
// "the copy X"): a timeout says how long was waited and what to do (advice), anything else is
// an API failure.
func addWaitError(diags *diag.Diagnostics, f routeFamily, summary, object string, timeout time.Duration, advice string, err error) {
	if errors.Is(err, errNotActiveInTime) {
		diags.AddError(summary, fmt.Sprintf("%s was still not active after %s: %v. %s", object, timeout, err, advice))
		return
	}
	addAPIError(diags, f, summary, err)
}
