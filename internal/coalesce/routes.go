package coalesce

import (
	"context"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// change says which listings a write makes stale.
type change int

const (
	secretsChanged change = iota // the store's secrets
	storesChanged                // the owner's stores, and a store id's secrets
)

// dropListings drops what a write changed, under both families (an account owns its services'
// /system stores), before the writer's caller learns the outcome: a later read sees the write.
func (c *Gateway) dropListings(owner client.Owner, storeID string, what change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range []client.Family{client.FamilyAccount, client.FamilySystem} {
		o := client.Owner{Family: f, Account: owner.Account}
		if what == storesChanged {
			delete(c.storeListings, o)
		}
		if storeID != "" {
			delete(c.secretListings, storeKey{owner: o, storeID: storeID})
		}
	}
}

// detachedWrite runs a write that is not batched to its end (runDetached), then drops what it
// changed.
func detachedWrite[T any](ctx context.Context, c *Gateway, owner client.Owner, storeID string, what change,
	send func(context.Context) (T, error)) (T, error) {
	return runDetached(ctx, c.opts.InFlightGrace, &c.bg, false, func(ctx context.Context) (T, error) {
		defer c.dropListings(owner, storeID, what)
		return send(ctx)
	})
}

// PatchSecret is client.PatchSecret, reported truly when cut short: cancelled while nothing was
// sent, else awaited as a create is (runDetached).
func (c *Gateway) PatchSecret(ctx context.Context, owner client.Owner, storeID, secretID string, req client.PatchSecretRequest) (*client.Secret, error) {
	return runDetached(ctx, c.opts.InFlightGrace, &c.bg, true, func(ctx context.Context) (*client.Secret, error) {
		defer c.dropListings(owner, storeID, secretsChanged)
		return c.client.PatchSecret(ctx, owner, storeID, secretID, req)
	})
}

// DuplicateSecret is client.DuplicateSecret, run to completion.
func (c *Gateway) DuplicateSecret(ctx context.Context, owner client.Owner, storeID, sourceID string, req client.DuplicateSecretRequest) (*client.Secret, error) {
	return detachedWrite(ctx, c, owner, storeID, secretsChanged, func(ctx context.Context) (*client.Secret, error) {
		return c.client.DuplicateSecret(ctx, owner, storeID, sourceID, req)
	})
}

// CreateStore is client.CreateStore, run to completion.
func (c *Gateway) CreateStore(ctx context.Context, owner client.Owner, req client.CreateStoreRequest) (*client.Store, error) {
	return detachedWrite(ctx, c, owner, "", storesChanged, func(ctx context.Context) (*client.Store, error) {
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
