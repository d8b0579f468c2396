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

// arrivalWait is how long DeleteStore watches for its secrets' deletes when none came lately:
// Terraform may have started them with the store's, not yet queued.
const arrivalWait = 250 * time.Millisecond

// DeleteStore deletes a store (force: its secrets too) once this process deletes none of its
// secrets: Terraform deletes a store and secrets naming it by a literal id at once. A
// store_not_empty answer is retried while such deletes progress (Options.RecentDeleteWindow);
// then the secrets left are listed: none, and it is tried once more, else a *StoreNotEmptyError.
func (c *Gateway) DeleteStore(ctx context.Context, owner client.Owner, storeID string, force bool) error {
	deletes := c.deleteQueue(owner, storeID)
	send := func() error {
		_, err := detachedWrite(ctx, c, owner, storeID, storesChanged, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, c.client.DeleteStore(ctx, owner, storeID, force)
		})
		return err
	}
	for {
		if !watch(ctx, deletes, func(a activity) (bool, time.Time) { return a.live == 0, time.Time{} }) {
			return ctxErr(ctx)
		}
		before, sent := deletes.activity(), time.Now()
		err := send()
		if err == nil || force || !isStoreNotEmpty(err) {
			return err
		}
		// Retry once secret deletes are under way or progressed, before the recent-delete window
		// (or arrivalWait) ends.
		if watch(ctx, deletes, func(a activity) (bool, time.Time) {
			deadline := sent.Add(arrivalWait)
			if d := a.lastSuccess.Add(c.opts.RecentDeleteWindow); d.After(deadline) {
				deadline = d
			}
			return a.live > 0 || a.succeeded > before.succeeded, deadline
		}) {
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

// watch waits until done says true of q's activity (true), or until the deadline it gives
// (zero: none) passes or ctx ends (false).
func watch[I, O any](ctx context.Context, q *queue[I, O], done func(activity) (bool, time.Time)) bool {
	for {
		a := q.activity()
		ok, deadline := done(a)
		if ok {
			return true
		}
		var timeout <-chan time.Time
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return false
			}
			timeout = time.After(left) // collected once unreferenced (Go 1.23+)
		}
		select {
		case <-a.changed:
		case <-timeout:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func isStoreNotEmpty(err error) bool {
	var e *client.APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusConflict && e.HasReason(reasonStoreNotEmpty)
}
