package coalesce

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

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
	// The body is {"ids":["id","id"]}: each id is its quotes and a comma, less the last comma.
	return queueOf(c, c.deletes, key, len(`{"ids":[]}`)-len(","), nil, func(b *batch[string, struct{}]) { c.sendDeletes(key, b) })
}

// sendDeletes sends the batch as one bulk delete (a lone item as a single delete). The API fails
// a bulk delete whole with 404 when one id is unknown: then each id goes alone.
func (c *Gateway) sendDeletes(key storeKey, b *batch[string, struct{}]) {
	items := b.claim(b.items)
	if len(items) == 0 {
		return
	}
	owner := key.owner
	if len(items) == 1 {
		b.settle(items[0], struct{}{}, c.deleteOne(b.ctx, owner, key.storeID, items[0].in))
		return
	}
	ids := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.in] {
			seen[it.in] = true
			ids = append(ids, it.in)
		}
	}
	tflog.Debug(b.ctx, "coalesce: deleting secrets in one request", map[string]any{"store_id": key.storeID, "count": len(ids)})
	_, err := c.client.DeleteSecrets(b.ctx, owner, key.storeID, ids)
	switch {
	case err == nil:
		b.settleAll(items, nil)
	case client.IsNotFound(err):
		b.release(items)
		c.deleteEach(key, b, items)
	default:
		b.settleAll(items, err)
	}
}

// deleteEach deletes items one request each, a few at a time.
func (c *Gateway) deleteEach(key storeKey, b *batch[string, struct{}], items []*item[string, struct{}]) {
	owner := key.owner
	slots := make(chan struct{}, singleDeleteFanOut)
	var wg sync.WaitGroup
	for _, it := range items {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if len(b.claim([]*item[string, struct{}]{it})) == 0 {
				return
			}
			b.settle(it, struct{}{}, c.deleteOne(b.ctx, owner, key.storeID, it.in))
		}()
	}
	wg.Wait()
}

// deleteOne deletes one secret; already gone is success.
func (c *Gateway) deleteOne(ctx context.Context, owner client.Owner, storeID, secretID string) error {
	err := c.client.DeleteSecret(ctx, owner, storeID, secretID)
	if client.IsNotFound(err) {
		return nil
	}
	return err
}
