package coalesce

import (
	"context"
	"slices"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

type deleteItem = item[string, struct{}]

// singleDeleteFanOut bounds the single deletes in flight after a bulk delete fell back.
const singleDeleteFanOut = 8

// DeleteSecret deletes one secret, batched into a bulk delete with the store's other deletes;
// already gone is success. Cancellation is as for CreateSecret.
func (c *Gateway) DeleteSecret(ctx context.Context, owner client.Owner, storeID, secretID string) error {
	_, err := c.deleteQueue(owner, storeID).submit(ctx, secretID, len(`"",`)+len(secretID))
	return err
}

func (c *Gateway) deleteQueue(owner client.Owner, storeID string) *queue[string, struct{}] {
	key := storeKeyOf(owner, storeID)
	// The body is {"ids":["id","id"]}, each id once.
	return queueOf(c, c.deletes, key, len(`{"ids":[]}`)-len(","), func(b *batch[string, struct{}], id string) bool {
		return !slices.ContainsFunc(b.items, func(it *deleteItem) bool { return it.in == id })
	}, func(b *batch[string, struct{}]) { c.sendDeletes(key, b) })
}

// sendDeletes sends the batch as one bulk delete (a lone item as a single delete). The API fails
// a bulk delete whole with 404 when one id is unknown: then each id goes alone, a few at a time.
func (c *Gateway) sendDeletes(key storeKey, b *batch[string, struct{}]) {
	items := b.claim(b.items)
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.in
	}
	var err error
	switch len(items) {
	case 0:
		return
	case 1:
		err = c.deleteOne(b.ctx, key, ids[0])
	default:
		tflog.Debug(b.ctx, "coalesce: deleting secrets in one request", map[string]any{"store_id": key.storeID, "count": len(ids)})
		_, err = c.client.DeleteSecrets(b.ctx, key.owner, key.storeID, ids)
	}
	if len(items) == 1 || !client.IsNotFound(err) {
		b.settleAll(items, err)
		return
	}
	b.release(items)
	slots := make(chan struct{}, singleDeleteFanOut)
	var wg sync.WaitGroup
	for _, it := range items {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if len(b.claim([]*deleteItem{it})) > 0 {
				b.settle(it, struct{}{}, c.deleteOne(b.ctx, key, it.in))
			}
		})
	}
	wg.Wait()
}

// deleteOne deletes one secret; already gone is success.
func (c *Gateway) deleteOne(ctx context.Context, key storeKey, secretID string) error {
	if err := c.client.DeleteSecret(ctx, key.owner, key.storeID, secretID); !client.IsNotFound(err) {
		return err
	}
	return nil
}
