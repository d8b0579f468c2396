package coalesce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// reasonStoreNotEmpty is the API's answer to deleting a store that still holds secrets.
const reasonStoreNotEmpty = "store_not_empty"

// arrivalWait is how long after a store_not_empty answer DeleteStore watches for secret
// deletes of the store to arrive when this process has not deleted any lately: Terraform may
// have started them together with the store's, and they may not have reached the queue yet.
const arrivalWait = 250 * time.Millisecond

// DeleteStore deletes a store (with force, its secrets too) once this process has no delete
// of the store's secrets queued or in flight: Terraform deletes a store and secrets that name
// it by a literal id at the same time. When the API answers store_not_empty while this process
// is deleting, or has lately (Options.RecentDeleteWindow) deleted, secrets of the store, it waits
// for that work and tries again, as long as it makes progress. When it still answers
// store_not_empty, the store's secrets are listed: none left (deletes this process does not
// track, another provider configuration's, had just landed) and the delete is tried once
// more; otherwise the error is a *StoreNotEmptyError naming them. Other errors are the API's
// as is (a 404 included). The request runs to completion as runDetached does. When ctx ends while
// waiting, the error is ctx's (wrapping the last store_not_empty answer, if any).
func (c *Gateway) DeleteStore(ctx context.Context, owner client.Owner, storeID string, force bool) error {
	deletes := c.deleteQueue(owner, storeID)
	send := func() error {
		_, err := detachedWrite(ctx, c, owner, storeID, storesChanged, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, c.client.DeleteStore(ctx, owner, storeID, force)
		})
		return err
	}
	for {
		if err := waitIdle(ctx, deletes); err != nil {
			return err
		}
		before := deletes.activity()
		sent := time.Now()
		err := send()
		if err == nil || force || !isStoreNotEmpty(err) {
			return err
		}
		if c.awaitSecretDeletes(ctx, deletes, before.succeeded, sent) {
			tflog.Debug(ctx, "coalesce: store not empty while its secrets are being deleted: retrying", map[string]any{"store_id": storeID})
			continue
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (while waiting for this process's deletes of the store's secrets after: %w)", ctxErr(ctx), err)
		}
		remaining, lerr := c.client.ListSecrets(ctx, owner, storeID, client.ListSecretsOptions{})
		if lerr == nil && len(remaining) == 0 {
			return send()
		}
		return &StoreNotEmptyError{Remaining: remaining, ListErr: lerr, Err: err}
	}
}

// StoreNotEmptyError is a store's delete refused because the store holds secrets this process
// does not delete.
type StoreNotEmptyError struct {
	Remaining []client.Secret // the secrets it still holds (nil when ListErr)
	ListErr   error           // the failure to list them, if any
	Err       error           // the API's store_not_empty answer
}

func (e *StoreNotEmptyError) Error() string { return e.Err.Error() }
func (e *StoreNotEmptyError) Unwrap() error { return e.Err }

// waitIdle waits until q has nothing queued or in flight.
func waitIdle[I, O any](ctx context.Context, q *queue[I, O]) error {
	for {
		a := q.activity()
		if a.live == 0 {
			return nil
		}
		select {
		case <-a.changed:
		case <-ctx.Done():
			return ctxErr(ctx)
		}
	}
}

// awaitSecretDeletes decides, after a store_not_empty answer to a request sent at sent, whether
// to try again: yes once deletes of the store's secrets are queued or in flight, or more have
// succeeded than the seen before the request; no when neither happens before the recent-delete
// window (or, without recent deletes, arrivalWait) runs out, or ctx ends.
func (c *Gateway) awaitSecretDeletes(ctx context.Context, deletes *queue[string, struct{}], succeededBefore int, sent time.Time) bool {
	for {
		a := deletes.activity()
		if a.live > 0 || a.succeeded > succeededBefore {
			return true
		}
		deadline := sent.Add(arrivalWait)
		if !a.lastSuccess.IsZero() {
			deadline = later(deadline, a.lastSuccess.Add(c.opts.RecentDeleteWindow))
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		t := time.NewTimer(left)
		select {
		case <-a.changed:
			t.Stop()
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func isStoreNotEmpty(err error) bool {
	var e *client.APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusConflict && e.HasReason(reasonStoreNotEmpty)
}
