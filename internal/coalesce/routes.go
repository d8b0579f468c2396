package coalesce

import (
	"context"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// The routes below have nothing to merge: they pass through, except that every write drops
// the listings it changed, in dropListings, the one place of that rule.

// change says which listings a write makes stale.
type change int

const (
	secretsChanged change = iota // the store's secrets
	storesChanged                // the owner's stores, and a store id's secrets
)

// dropListings drops the listings a write through the gateway changed, under both families
// (an account owns the stores its services made through /system), so that a read started after
// the write sees it. Every write calls it before its caller learns the outcome: the batch
// queues (beforeOutcome), write below, and DeleteStore.
func (c *Gateway) dropListings(owner client.Owner, storeID string, what change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keyOf(owner).bothFamilies() {
		if what == storesChanged {
			delete(c.storeListings, k)
		}
		if storeID != "" {
			delete(c.secretListings, storeKey{ownerKey: k, storeID: storeID})
		}
	}
}

// write runs a write that is not batched, then drops what it changed. A creating write runs
// detached, as runDetached does (with Options.InFlightGrace), so that what it created is learned
// even after an interrupt; others (a patch: repeating it is harmless, and one cut short only
// leaves the state behind the API) run on ctx.
func write[T any](ctx context.Context, c *Gateway, owner client.Owner, storeID string, what change, creates bool,
	send func(context.Context) (T, error)) (T, error) {
	run := func(ctx context.Context) (T, error) {
		defer c.dropListings(owner, storeID, what)
		return send(ctx)
	}
	if !creates {
		return run(ctx)
	}
	return runDetached(ctx, c.opts.InFlightGrace, &c.bg, run)
}

// PatchSecret is client.PatchSecret.
func (c *Gateway) PatchSecret(ctx context.Context, owner client.Owner, storeID, secretID string, req client.PatchSecretRequest) (*client.Secret, error) {
	return write(ctx, c, owner, storeID, secretsChanged, false, func(ctx context.Context) (*client.Secret, error) {
		return c.client.PatchSecret(ctx, owner, storeID, secretID, req)
	})
}

// DuplicateSecret is client.DuplicateSecret, run to completion.
func (c *Gateway) DuplicateSecret(ctx context.Context, owner client.Owner, storeID, sourceID string, req client.DuplicateSecretRequest) (*client.Secret, error) {
	return write(ctx, c, owner, storeID, secretsChanged, true, func(ctx context.Context) (*client.Secret, error) {
		return c.client.DuplicateSecret(ctx, owner, storeID, sourceID, req)
	})
}

// CreateStore is client.CreateStore, run to completion.
func (c *Gateway) CreateStore(ctx context.Context, owner client.Owner, req client.CreateStoreRequest) (*client.Store, error) {
	return write(ctx, c, owner, "", storesChanged, true, func(ctx context.Context) (*client.Store, error) {
		return c.client.CreateStore(ctx, owner, req)
	})
}

// GetQuota is client.GetQuota.
func (c *Gateway) GetQuota(ctx context.Context, accountID string) (*client.Quota, error) {
	return c.client.GetQuota(ctx, accountID)
}

// FindSecretByName is client.FindSecretByName: the API's name search, fresh.
func (c *Gateway) FindSecretByName(ctx context.Context, owner client.Owner, storeID, name string) (*client.Secret, error) {
	return c.client.FindSecretByName(ctx, owner, storeID, name)
}

// ListStores is client.ListStores: every page, in the order asked.
func (c *Gateway) ListStores(ctx context.Context, owner client.Owner, opts client.ListStoresOptions) ([]client.Store, error) {
	return c.client.ListStores(ctx, owner, opts)
}
