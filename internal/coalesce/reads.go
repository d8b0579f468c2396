package coalesce

import (
	"context"
	"slices"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// ReadSecret returns a secret from the store's shared listing, or, when the listing does not
// hold it, from its own GET, whose result or error is returned as is: a 404 stays an error for
// which client.IsNotFound is true, and a status "deleted" is returned like any other. Other
// errors are a failed page fetch (shared by the reads waiting for that page) or ctx's end.
func (c *Gateway) ReadSecret(ctx context.Context, owner client.Owner, storeID, secretID string) (*client.Secret, error) {
	s, found, err := c.secretListing(owner, storeID).find(ctx, secretID)
	if err != nil {
		return nil, err
	}
	if found {
		return cloneSecret(s), nil
	}
	return c.client.GetSecret(ctx, owner, storeID, secretID)
}

// ListSecrets returns every secret of the store that opts selects. With no options (the whole
// store in the API's default order: created, then id, ascending) it comes from the shared
// listing; a search, a scope filter or an order is the API's own, fresh.
func (c *Gateway) ListSecrets(ctx context.Context, owner client.Owner, storeID string, opts client.ListSecretsOptions) ([]client.Secret, error) {
	if opts.Search != "" || len(opts.Scopes) > 0 || opts.Order != "" || opts.Direction != "" {
		return c.client.ListSecrets(ctx, owner, storeID, opts)
	}
	all, err := c.secretListing(owner, storeID).all(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		all[i] = *cloneSecret(all[i])
	}
	return all, nil
}

// ReadStore returns a store from the owner's shared store listing, or, when the listing does
// not hold it, from its own GET (as ReadSecret).
func (c *Gateway) ReadStore(ctx context.Context, owner client.Owner, storeID string) (*client.Store, error) {
	st, found, err := c.storeListing(owner).find(ctx, storeID)
	if err != nil {
		return nil, err
	}
	if found {
		return &st, nil
	}
	return c.client.GetStore(ctx, owner, storeID)
}

// secretListing returns the store's current listing, starting a new one when there is none or
// it is too old. Reads already using an older one finish with it.
func (c *Gateway) secretListing(owner client.Owner, storeID string) *listing[client.Secret] {
	key := storeKeyOf(owner, storeID)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if l := c.secretListings[key]; l != nil && now.Sub(l.born) < c.opts.ListingMaxAge {
		return l
	}
	o := key.owner()
	l := newListing(now, c.opts.ReadPatience, &c.bg, func(s client.Secret) string { return s.ID },
		func(ctx context.Context, page int) ([]client.Secret, client.PageInfo, error) {
			return c.client.ListSecretsPage(ctx, o, storeID, client.ListSecretsOptions{}, page)
		})
	c.secretListings[key] = l
	return l
}

// storeListing is secretListing for the owner's stores.
func (c *Gateway) storeListing(owner client.Owner) *listing[client.Store] {
	key := keyOf(owner)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if l := c.storeListings[key]; l != nil && now.Sub(l.born) < c.opts.ListingMaxAge {
		return l
	}
	o := key.owner()
	l := newListing(now, c.opts.ReadPatience, &c.bg, func(s client.Store) string { return s.ID },
		func(ctx context.Context, page int) ([]client.Store, client.PageInfo, error) {
			return c.client.ListStoresPage(ctx, o, client.ListStoresOptions{}, page)
		})
	c.storeListings[key] = l
	return l
}

// cloneSecret copies a listed secret, so that callers never share its slices.
func cloneSecret(s client.Secret) *client.Secret {
	s.Scopes = slices.Clone(s.Scopes)
	if s.Comment != nil {
		comment := *s.Comment
		s.Comment = &comment
	}
	return &s
}
