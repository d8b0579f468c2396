package coalesce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

type (
	createItem  = item[client.SecretInput, *client.Secret]
	createBatch = batch[client.SecretInput, *client.Secret]
)

// reasonNameTaken is the API's reason for a name clash; its message names the secret.
const reasonNameTaken = "secret_name_already_exists"

// codeBadPath is Cloudflare's "could not route" code: an invalid id in the path, which no split
// of the batch changes.
const codeBadPath = 7003

// CreateSecret creates one secret, batched with the store's other creates, and returns it as the
// API answered. Errors: the API's own for this item (as if sent alone), else the batch's. An
// interrupt is handled as the package documentation says (check ctx.Err() on success).
func (c *Gateway) CreateSecret(ctx context.Context, owner client.Owner, storeID string, in client.SecretInput) (*client.Secret, error) {
	return c.createQueue(owner, storeID).submit(ctx, in, createItemSize(in))
}

// createItemSize is the item's share of the body: its JSON and a comma.
func createItemSize(in client.SecretInput) int { return in.BodySize() + 1 }

func (c *Gateway) createQueue(owner client.Owner, storeID string) *queue[client.SecretInput, *client.Secret] {
	key := storeKeyOf(owner, storeID)
	// The body is "[item,item]". Two creates of one name never share a batch: which of them to
	// blame would be ambiguous.
	return queueOf(c, c.creates, key, len("[]")-len(","), func(b *createBatch, in client.SecretInput) bool {
		return !slices.ContainsFunc(b.items, func(it *createItem) bool { return it.in.Name == in.Name })
	}, func(b *createBatch) { c.sendCreates(key, b, b.items, false) })
}

// sendCreates sends items as one request and delivers each its outcome, splitting a failure
// about the items until each has its own; it reports whether all were created. mustFail: the
// caller deduced the request would fail (the other half went through), so several split at once.
func (c *Gateway) sendCreates(key storeKey, b *createBatch, items []*createItem, mustFail bool) bool {
	if mustFail && len(items) > 1 {
		return c.splitCreates(key, b, items, true)
	}
	if items = b.claim(items); len(items) == 0 {
		return true
	}
	inputs := make([]client.SecretInput, len(items))
	for i, it := range items {
		inputs[i] = it.in
	}
	tflog.Debug(b.ctx, "coalesce: creating secrets in one request", map[string]any{"store_id": key.storeID, "count": len(items)})
	created, err := c.client.CreateSecrets(b.ctx, key.owner, key.storeID, inputs)
	var taken *client.NameExistsError
	var apiErr *client.APIError
	switch {
	case err == nil:
		return c.deliverCreated(b, items, created)
	case errors.As(err, &taken):
		// Names that now exist get the error about that secret (never adopted); the others
		// are resent: a name taken meanwhile answers 409.
		var free []*createItem
		for _, it := range items {
			if e := taken.For(it.in.Name); e != nil {
				b.settle(it, nil, e)
			} else {
				free = append(free, it)
			}
		}
		b.release(free)
		c.sendCreates(key, b, free, false)
	case len(items) > 1 && errors.As(err, &apiErr) && isItemError(apiErr):
		b.release(items) // all or nothing: nothing was created
		if named := namedItem(apiErr, items); named != nil {
			b.settle(named, nil, err)
			c.sendCreates(key, b, slices.DeleteFunc(slices.Clone(items), func(it *createItem) bool { return it == named }), false)
		} else {
			// A body too large may fit in two halves; any other failure stays with its item.
			c.splitCreates(key, b, items, apiErr.StatusCode != http.StatusRequestEntityTooLarge)
		}
	default:
		if b.ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ErrOutcomeUnknown, err) // every caller gave up mid-request
		}
		b.settleAll(items, err)
	}
	return false
}

// splitCreates sends the halves of a group that failed about its items. When the failure stays
// with its item (infer) and the first half is created whole, the second must fail.
func (c *Gateway) splitCreates(key storeKey, b *createBatch, items []*createItem, infer bool) bool {
	half := len(items) / 2
	firstCreated := c.sendCreates(key, b, items[:half], false)
	return c.sendCreates(key, b, items[half:], infer && firstCreated) && firstCreated
}

// deliverCreated gives each item its secret: by name (unique in a batch), else by position.
func (c *Gateway) deliverCreated(b *createBatch, items []*createItem, created []client.Secret) bool {
	all := true
	for i, it := range items {
		j := slices.IndexFunc(created, func(s client.Secret) bool { return s.Name == it.in.Name })
		if j < 0 && len(created) == len(items) {
			j = i
		}
		if j < 0 {
			b.settle(it, nil, fmt.Errorf("%w: the API's answer to the create request does not include secret %q", ErrOutcomeUnknown, it.in.Name))
			all = false
			continue
		}
		b.settle(it, cloneSecret(created[j]), nil)
	}
	return all
}

// isItemError reports an answer about the batch's items: splitting the batch changes it.
func isItemError(e *client.APIError) bool {
	switch e.StatusCode {
	case http.StatusBadRequest:
		return !e.HasCode(codeBadPath)
	case http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// namedItem returns the item a name clash names (the API's unmasked text), if any.
func namedItem(e *client.APIError, items []*createItem) *createItem {
	for _, m := range e.Errors {
		if name, ok := m.Subject(); ok && e.StatusCode == http.StatusConflict && m.Reason() == reasonNameTaken {
			if i := slices.IndexFunc(items, func(it *createItem) bool { return it.in.Name == name }); i >= 0 {
				return items[i]
			}
		}
	}
	return nil
}
