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

// reasonNameTaken is the API's reason for a name clash; its message names the secret.
const reasonNameTaken = "secret_name_already_exists"

// codeBadPath is Cloudflare's "could not route" code: an invalid id in the path, which no
// split of the batch changes.
const codeBadPath = 7003

// CreateSecret creates one secret, batched with the store's other creates (batchRules), and
// returns it as the API answered (see WaitActive). Errors: the API's own for this item (as if
// sent alone) when the item is at fault, else the batch's (401, 403, 429 or 5xx after retries,
// no answer). When ctx ends before the item was sent: ctx's error, nothing created; while it is
// in flight: the outcome within Options.InFlightGrace (the secret with a nil error if created:
// check ctx.Err()), after it an error wrapping ErrOutcomeUnknown.
func (c *Gateway) CreateSecret(ctx context.Context, owner client.Owner, storeID string, in client.SecretInput) (*client.Secret, error) {
	return c.createQueue(owner, storeID).submit(ctx, in, createItemSize(in))
}

func (c *Gateway) createQueue(owner client.Owner, storeID string) *queue[client.SecretInput, *client.Secret] {
	key := storeKeyOf(owner, storeID)
	c.mu.Lock()
	defer c.mu.Unlock()
	if q := c.creates[key]; q != nil {
		return q
	}
	// The body is "[item,item]": the brackets, less the last item's comma.
	rules := c.batchRules(len("[]") - len(","))
	// Two creates of one name never share a batch: the item to blame would be ambiguous.
	joinable := func(b *batch[client.SecretInput, *client.Secret], in client.SecretInput) bool {
		return !slices.ContainsFunc(b.items, func(it *item[client.SecretInput, *client.Secret]) bool { return it.in.Name == in.Name })
	}
	q := newQueue(rules, &c.bg, joinable, func(b *batch[client.SecretInput, *client.Secret]) {
		c.sendCreates(key, b, b.items, false)
	}, func() { c.dropListings(key.owner, key.storeID, secretsChanged) })
	c.creates[key] = q
	return q
}

// sendCreates sends items as one create-secrets request and delivers each its outcome; a
// failure about the items splits them until each failing item has its own error. It reports
// whether every item was created. mustFail: the caller deduced the request would fail (its
// group failed about its items and the other half went through), so several are split at once.
func (c *Gateway) sendCreates(key storeKey, b *batch[client.SecretInput, *client.Secret], items []*item[client.SecretInput, *client.Secret], mustFail bool) bool {
	if mustFail && len(items) > 1 {
		return c.splitCreates(key, b, items, true)
	}
	items = b.claim(items)
	if len(items) == 0 {
		return true
	}
	inputs := make([]client.SecretInput, len(items))
	for i, it := range items {
		inputs[i] = it.in
	}
	tflog.Debug(b.ctx, "coalesce: creating secrets in one request", map[string]any{"store_id": key.storeID, "count": len(items)})
	created, err := c.client.CreateSecrets(b.ctx, key.owner, key.storeID, inputs)
	var taken *client.NameExistsError
	switch {
	case err == nil:
		return c.deliverCreated(b, items, created)
	case errors.As(err, &taken):
		c.sendFree(key, b, items, taken)
		return false
	case len(items) > 1 && isItemError(err):
		// All or nothing: nothing was created, so every item may be sent again.
		b.release(items)
		if named := namedItem(err, items); named != nil {
			b.settle(named, nil, err)
			rest := slices.DeleteFunc(slices.Clone(items), func(it *item[client.SecretInput, *client.Secret]) bool { return it == named })
			c.sendCreates(key, b, rest, false)
			return false
		}
		// A body too large may fit in two halves; any other failure stays with its item.
		c.splitCreates(key, b, items, apiStatus(err) != http.StatusRequestEntityTooLarge)
		return false
	default:
		if b.ctx.Err() != nil {
			// Cut short because every caller gave up: what it did is unknown.
			err = fmt.Errorf("%w (%w)", ErrOutcomeUnknown, err)
		}
		b.settleAll(items, err)
		return false
	}
}

// sendFree settles, after an ambiguous request, the items whose names now exist with the error
// about that secret (never adopted), and resends the others: a name taken meanwhile answers 409.
func (c *Gateway) sendFree(key storeKey, b *batch[client.SecretInput, *client.Secret], items []*item[client.SecretInput, *client.Secret], taken *client.NameExistsError) {
	var free []*item[client.SecretInput, *client.Secret]
	for _, it := range items {
		if e := taken.For(it.in.Name); e != nil {
			b.settle(it, nil, e)
		} else {
			free = append(free, it)
		}
	}
	if len(free) > 0 {
		b.release(free)
		c.sendCreates(key, b, free, false)
	}
}

// splitCreates sends the halves of a group that failed about its items. When the failure stays
// with its item (infer) and the first half is created whole, the second must fail.
func (c *Gateway) splitCreates(key storeKey, b *batch[client.SecretInput, *client.Secret], items []*item[client.SecretInput, *client.Secret], infer bool) bool {
	half := len(items) / 2
	firstCreated := c.sendCreates(key, b, items[:half], false)
	secondCreated := c.sendCreates(key, b, items[half:], infer && firstCreated)
	return firstCreated && secondCreated
}

// deliverCreated gives each item its secret: by name (unique in a batch), else by position.
func (c *Gateway) deliverCreated(b *batch[client.SecretInput, *client.Secret], items []*item[client.SecretInput, *client.Secret], created []client.Secret) bool {
	all := true
	byName := make(map[string]*client.Secret, len(created))
	for i := range created {
		byName[created[i].Name] = &created[i]
	}
	for i, it := range items {
		s := byName[it.in.Name]
		if s == nil && len(created) == len(items) {
			s = &created[i]
		}
		if s == nil {
			b.settle(it, nil, fmt.Errorf("%w: the API's answer to the create request does not include secret %q", ErrOutcomeUnknown, it.in.Name))
			all = false
			continue
		}
		b.settle(it, cloneSecret(*s), nil)
	}
	return all
}

// isItemError reports an answer about the batch's items: splitting the batch changes it.
func isItemError(err error) bool {
	var e *client.APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusBadRequest:
		return !e.HasCode(codeBadPath)
	case http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

func apiStatus(err error) int {
	var e *client.APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// namedItem returns the item a name clash names (read from the API's unmasked text), if exactly
// one has that name.
func namedItem(err error, items []*item[client.SecretInput, *client.Secret]) *item[client.SecretInput, *client.Secret] {
	var e *client.APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusConflict {
		return nil
	}
	for _, m := range e.Errors {
		if m.Reason() != reasonNameTaken {
			continue
		}
		name, ok := m.Subject()
		if !ok {
			continue
		}
		var found *item[client.SecretInput, *client.Secret]
		for _, it := range items {
			if it.in.Name == name {
				if found != nil {
					return nil
				}
				found = it
			}
		}
		if found != nil {
			return found
		}
	}
	return nil
}

// createItemSize is the item's share of the body: its JSON and a comma.
func createItemSize(in client.SecretInput) int { return in.BodySize() + 1 }
