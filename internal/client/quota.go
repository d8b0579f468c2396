package client

import (
	"context"
	"fmt"
)

// GetQuota returns the account's secret quota and usage. Only the account family has this
// route; the count covers every store, /system ones included.
func (c *Client) GetQuota(ctx context.Context, accountID string) (*Quota, error) {
	path, err := Owner{Family: FamilyAccount, Account: accountID}.path("quota")
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, request{method: "GET", path: path})
	if err != nil {
		return nil, err
	}
	w, err := decodeOne[wireQuota](raw)
	if err != nil {
		return nil, fmt.Errorf("GET %s: decoding quota: %w", path, err)
	}
	q := w.value()
	return &q, nil
}
