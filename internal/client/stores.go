package client

import (
	"context"
	"encoding/json"
	"net/url"
)

// createStoreBody is the create-store body; the system family requires the account's
// numeric id.
type createStoreBody struct {
	AccountID *int64 `json:"account_id,omitempty"`
	Name      string `json:"name"`
}

// CreateStore creates a store; an ambiguous failure is resolved by name (createWithRecovery). On
// /system the lookup sees only the caller's stores: an account store with the name makes it a 409.
func (c *Client) CreateStore(ctx context.Context, o Owner, req CreateStoreRequest) (*Store, error) {
	path, err := o.path("stores")
	if err != nil {
		return nil, err
	}
	body := createStoreBody{Name: req.Name}
	if o.Family == FamilySystem {
		body.AccountID = req.AccountInternalID
	}
	decode := func(raw json.RawMessage) (*Store, error) { return decodeStore("POST", path, raw) }
	lookup := func(ctx context.Context) ([]ExistingObject, error) {
		stores, err := c.ListStores(ctx, o, ListStoresOptions{})
		for _, st := range stores {
			if st.Name == req.Name {
				return []ExistingObject{{Kind: "store", Account: o.Account, ID: st.ID, Name: st.Name, Created: st.Created}}, nil
			}
		}
		return nil, err
	}
	return createWithRecovery(ctx, c, request{method: "POST", path: path, body: body}, decode, lookup)
}

// ListStores returns every store of the owner (on /system: the caller's), walking all pages.
func (c *Client) ListStores(ctx context.Context, o Owner, opts ListStoresOptions) ([]Store, error) {
	path, err := o.path("stores")
	if err != nil {
		return nil, err
	}
	return listAll(ctx, c, path, opts.query(), storeOf, func(s Store) string { return s.ID })
}

// ListStoresPage returns one page (from 1) of the owner's stores.
func (c *Client) ListStoresPage(ctx context.Context, o Owner, opts ListStoresOptions, page int) ([]Store, PageInfo, error) {
	path, err := o.path("stores")
	if err != nil {
		return nil, PageInfo{}, err
	}
	return listPage(ctx, c, path, opts.query(), page, storeOf)
}

func (opts ListStoresOptions) query() url.Values {
	q := url.Values{}
	setIf(q, "order", opts.Order)
	setIf(q, "direction", opts.Direction)
	return q
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// GetStore returns one store.
func (c *Client) GetStore(ctx context.Context, o Owner, storeID string) (*Store, error) {
	path, err := o.path("stores", storeID)
	return get(ctx, c, "store", path, err, storeOf)
}

func decodeStore(method, path string, raw json.RawMessage) (*Store, error) {
	return decodeAs("store", method, path, raw, storeOf)
}

// DeleteStore deletes a store. With force the API deletes its secrets too; without, a store
// holding secrets is a 409 (store_not_empty).
func (c *Client) DeleteStore(ctx context.Context, o Owner, storeID string, force bool) error {
	path, err := o.path("stores", storeID)
	if err != nil {
		return err
	}
	var q url.Values
	if force {
		q = url.Values{"force": {"true"}}
	}
	_, err = c.do(ctx, request{method: "DELETE", path: path, query: q})
	return err
}

// GetQuota returns the account's secret quota and usage, /system stores included. Only the
// account family has this route.
func (c *Client) GetQuota(ctx context.Context, accountID string) (*Quota, error) {
	path, err := Owner{Family: FamilyAccount, Account: accountID}.path("quota")
	return get(ctx, c, "quota", path, err, quotaOf)
}

// get GETs path (unless building it failed) and decodes its one-object result as what.
func get[T any](ctx context.Context, c *Client, what, path string, pathErr error, convert func(object) (T, error)) (*T, error) {
	if pathErr != nil {
		return nil, pathErr
	}
	env, err := c.do(ctx, request{method: "GET", path: path})
	if err != nil {
		return nil, err
	}
	return decodeAs(what, "GET", path, env.Result, convert)
}
