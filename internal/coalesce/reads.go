package coalesce

import (
	"context"
	"slices"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// ReadSecret returns a secret from the store's shared listing, or else its own GET's answer as is
// (a 404 included); other errors are a failed page fetch (shared by its readers) or ctx's end.
func (c *Gateway) ReadSecret(ctx context.Context, owner client.Owner, storeID, secretID string) (*client.Secret, error) {
	return readThrough(ctx, c.secretListing(owner, storeID), secretID, cloneSecret, func() (*client.Secret, error) {
		return c.client.GetSecret(ctx, owner, storeID, secretID)
	})
}

// readThrough finds id in l (a copy, by clone), or GETs it when the listing says to.
func readThrough[T any](ctx context.Context, l *listing[T], id string, clone func(T) *T, get func() (*T, error)) (*T, error) {
	v, found, err := l.find(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case found:
		return clone(v), nil
	}
	return get()
}

// ListSecrets returns the store's secrets that opts selects: all of them from the shared listing,
// a search, scope filter or order from the API, fresh.
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

// ReadStore is ReadSecret for a store, from the owner's shared store listing.
func (c *Gateway) ReadStore(ctx context.Context, owner client.Owner, storeID string) (*client.Store, error) {
	return readThrough(ctx, c.storeListing(owner), storeID, func(s client.Store) *client.Store { return &s }, func() (*client.Store, error) {
		return c.client.GetStore(ctx, owner, storeID)
	})
}

func (c *Gateway) secretListing(owner client.Owner, storeID string) *listing[client.Secret] {
	key := storeKeyOf(owner, storeID)
	return currentListing(c, c.secretListings, key, func(s client.Secret) string { return s.ID },
		func(ctx context.Context, page int) ([]client.Secret, client.PageInfo, error) {
			return c.client.ListSecretsPage(ctx, key.owner, storeID, client.ListSecretsOptions{}, page)
		})
}

func (c *Gateway) storeListing(owner client.Owner) *listing[client.Store] {
	key := ownerOf(owner)
	return currentListing(c, c.storeListings, key, func(s client.Store) string { return s.ID },
		func(ctx context.Context, page int) ([]client.Store, client.PageInfo, error) {
			return c.client.ListStoresPage(ctx, key, client.ListStoresOptions{}, page)
		})
}

// currentListing returns the listing under key, starting one when there is none or it is too
// old. Reads already using an older one finish with it.
func currentListing[K comparable, T any](c *Gateway, listings map[K]*listing[T], key K, idOf func(T) string,
	fetchPage func(ctx context.Context, page int) ([]T, client.PageInfo, error)) *listing[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if l := listings[key]; l != nil && now.Sub(l.born) < c.opts.ListingMaxAge {
		return l
	}
	l := newListing(now, c.opts.ReadPatience, &c.bg, idOf, fetchPage)
	listings[key] = l
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
