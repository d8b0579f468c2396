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
// queues (beforeOutcome), PatchSecret and detachedWrite below, and DeleteStore.
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

// detachedWrite runs a write that is not batched and must not be lost, then drops what it changed. It runs
// detached, as runDetached does (with Options.InFlightGrace), so that what it created is learned
// even after an interrupt.
func detachedWrite[T any](ctx context.Context, c *Gateway, owner client.Owner, storeID string, what change,
	send func(context.Context) (T, error)) (T, error) {
	return runDetached(ctx, c.opts.InFlightGrace, &c.bg, func(ctx context.Context) (T, error) {
		defer c.dropListings(owner, storeID, what)
		return send(ctx)
	})
}

// PatchSecret is client.PatchSecret, then drops the store's listing so reads see the change.
//
// An update cut short must be reported truly, so the request is not simply abandoned with the
// caller's context: it runs as runDetachedOnceSent does (with Options.InFlightGrace).
// Interrupted before any attempt reached the server, it is cancelled and returns the context's
// error: nothing was changed. Interrupted while an attempt may have reached the server, its
// outcome is awaited: the patched secret with a nil error if it was applied (the caller checks
// ctx.Err() to learn of the interruption), the API's error if it was refused, or, when the
// grace runs out, an error wrapping ErrOutcomeUnknown: the patch may have been applied.
func (c *Gateway) PatchSecret(ctx context.Context, owner client.Owner, storeID, secretID string, req client.PatchSecretRequest) (*client.Secret, error) {
	return runDetachedOnceSent(ctx, c.opts.InFlightGrace, &c.bg, func(ctx context.Context) (*client.Secret, error) {
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
