package client

import (
	"context"
	"net/url"
)

// createStoreBody is the create-store body; the system family requires the numeric account id.
type createStoreBody struct {
	AccountID *int64 `json:"account_id,omitempty"`
	Name      string `json:"name"`
}

// CreateStore creates a store; an ambiguous failure is resolved by name (createWithRecovery). On
// /system the lookup sees only the caller's stores: an account store with the name makes it a 409.
func (c *Client) CreateStore(ctx context.Context, o Owner, req CreateStoreRequest) (*Store, error) {
	body := createStoreBody{Name: req.Name}
	if o.Family == FamilySystem {
		body.AccountID = req.AccountInternalID
	}
	rq := o.route("POST", "stores")
	rq.body = body
	lookup := func(ctx context.Context) ([]ExistingObject, error) {
		stores, err := c.ListStores(ctx, o, ListStoresOptions{})
		for _, st := range stores {
			if st.Name == req.Name {
				return []ExistingObject{{Kind: "store", Account: o.Account, ID: st.ID, Name: st.Name, Created: st.Created}}, nil
			}
		}
		return nil, err
	}
	return createWithRecovery(ctx, c, rq, decoder("store", rq, storeOf), lookup)
}

// ListStores returns every store of the owner (on /system: the caller's), walking all pages.
func (c *Client) ListStores(ctx context.Context, o Owner, opts ListStoresOptions) ([]Store, error) {
	return listAll(ctx, c, opts.query(o.route("GET", "stores")), storeOf)
}

// ListStoresPage returns one page (from 1) of the owner's stores.
func (c *Client) ListStoresPage(ctx context.Context, o Owner, opts ListStoresOptions, page int) ([]Store, PageInfo, error) {
	return listPage(ctx, c, opts.query(o.route("GET", "stores")), page, storeOf)
}

// query adds opts to rq.
func (opts ListStoresOptions) query(rq request) request {
	rq.query = url.Values{}
	setIf(rq.query, "order", opts.Order)
	setIf(rq.query, "direction", opts.Direction)
	return rq
}

// GetStore returns one store.
func (c *Client) GetStore(ctx context.Context, o Owner, storeID string) (*Store, error) {
	return one(ctx, c, "store", o.route("GET", "stores", storeID), storeOf)
}

// DeleteStore deletes a store, with force its secrets too; without, a store holding any is a 409.
func (c *Client) DeleteStore(ctx context.Context, o Owner, storeID string, force bool) error {
	rq := o.route("DELETE", "stores", storeID)
	if force {
		rq.query = url.Values{"force": {"true"}}
	}
	_, err := c.do(ctx, rq)
	return err
}

// GetQuota returns the account's secret quota and usage, /system stores included (an account route only).
func (c *Client) GetQuota(ctx context.Context, accountID string) (*Quota, error) {
	return one(ctx, c, "quota", Owner{Family: FamilyAccount, Account: accountID}.route("GET", "quota"), quotaOf)
}

// one sends rq and decodes its one-object result as what.
func one[T any](ctx context.Context, c *Client, what string, rq request, convert func(object) (T, error)) (*T, error) {
	env, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	return decoder(what, rq, convert)(env.Result)
}
