package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
)

// secretBody is a create-secrets item, or without a value a duplicate's; scopes are always sent, [] for none.
type secretBody struct {
	Name    string   `json:"name"`
	Value   *string  `json:"value,omitempty"`
	Scopes  []string `json:"scopes"`
	Comment *string  `json:"comment,omitempty"`
}

func newSecretBody(name string, value *string, scopes []string, comment *string) secretBody {
	if scopes == nil {
		scopes = []string{}
	}
	return secretBody{Name: name, Value: value, Scopes: scopes, Comment: comment}
}

// BodySize is the bytes s takes in a create's body, without a comma: a batch counts it against the API's limit.
func (s SecretInput) BodySize() int {
	b, _ := json.Marshal(newSecretBody(s.Name, &s.Value, s.Scopes, s.Comment)) // strings always encode
	return len(b)
}

// CreateSecrets creates secrets in one request (all or none), returned in the order given.
func (c *Client) CreateSecrets(ctx context.Context, o Owner, storeID string, in []SecretInput) ([]Secret, error) {
	rq := o.route("POST", "stores", storeID, "secrets")
	if len(in) == 0 {
		return nil, errors.New("client: no secrets to create")
	}
	body, logged, names := make([]secretBody, len(in)), make([]secretBody, len(in)), make([]string, len(in))
	masked := maskedValue
	for i, s := range in {
		body[i] = newSecretBody(s.Name, &s.Value, s.Scopes, s.Comment)
		logged[i], names[i] = newSecretBody(s.Name, &masked, s.Scopes, s.Comment), s.Name
	}
	rq.body, rq.carriesValue, rq.loggedBody, rq.names = body, true, logged, names
	decode := func(raw json.RawMessage) ([]Secret, error) { return secretsOf(rq, raw, true) }
	return createWithRecovery(ctx, c, rq, decode, c.secretsNamed(o, storeID, names...))
}

// ListSecrets returns every secret of a store matching opts, walking all pages.
func (c *Client) ListSecrets(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions) ([]Secret, error) {
	return listAll(ctx, c, opts.query(o.route("GET", "stores", storeID, "secrets")), secretOf)
}

// ListSecretsPage returns one page (from 1) of a store's secrets matching opts.
func (c *Client) ListSecretsPage(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions, page int) ([]Secret, PageInfo, error) {
	return listPage(ctx, c, opts.query(o.route("GET", "stores", storeID, "secrets")), page, secretOf)
}

// query adds opts to rq; scopes go as repeated keys: a secret must hold all of them.
func (opts ListSecretsOptions) query(rq request) request {
	rq = ListStoresOptions{Order: opts.Order, Direction: opts.Direction}.query(rq)
	setIf(rq.query, "search", opts.Search)
	for _, s := range opts.Scopes {
		rq.query.Add("scopes", s)
	}
	return rq
}

// GetSecret returns one secret's metadata.
func (c *Client) GetSecret(ctx context.Context, o Owner, storeID, secretID string) (*Secret, error) {
	return one(ctx, c, "secret", o.route("GET", "stores", storeID, "secrets", secretID), secretOf)
}

// FindSecretByName finds a secret by its exact name; nothing found is a 404 *APIError.
func (c *Client) FindSecretByName(ctx context.Context, o Owner, storeID, name string) (*Secret, error) {
	if name == "" {
		return nil, errors.New("client: secret name is empty")
	}
	found, err := c.listNamed(ctx, o, storeID, name)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		path, _ := o.path("stores", storeID, "secrets") // listed: it builds
		return nil, &APIError{Method: http.MethodGet, Path: path, StatusCode: http.StatusNotFound,
			Errors: []Message{{Code: 1001, Message: "secret_not_found: " + name}}} // the API's code for it
	}
	return &found[0], nil
}

// listNamed lists the secrets of a store named any of names. The API's search is a
// case-insensitive substring match on name and comment: one name is searched, all matched exactly.
func (c *Client) listNamed(ctx context.Context, o Owner, storeID string, names ...string) ([]Secret, error) {
	var opts ListSecretsOptions
	if len(names) == 1 {
		opts.Search = names[0]
	}
	list, err := c.ListSecrets(ctx, o, storeID, opts)
	return slices.DeleteFunc(list, func(s Secret) bool { return !slices.Contains(names, s.Name) }), err
}

// secretsNamed is the lookup of a create: the secrets holding its names.
func (c *Client) secretsNamed(o Owner, storeID string, names ...string) func(context.Context) ([]ExistingObject, error) {
	return func(ctx context.Context) ([]ExistingObject, error) {
		found, err := c.listNamed(ctx, o, storeID, names...)
		var out []ExistingObject
		for _, s := range found {
			out = append(out, ExistingObject{Kind: "secret", Account: o.Account, ID: s.ID, Name: s.Name, StoreID: s.StoreID, Created: s.Created})
		}
		return out, err
	}
}

// PatchSecret applies a merge-patch to a secret; repeating it is harmless, so it is retried like a GET.
func (c *Client) PatchSecret(ctx context.Context, o Owner, storeID, secretID string, req PatchSecretRequest) (*Secret, error) {
	body := map[string]any{}
	if req.Scopes != nil {
		body["scopes"] = req.Scopes
	}
	switch {
	case req.ClearComment:
		body["comment"] = nil
	case req.Comment != nil:
		body["comment"] = *req.Comment
	}
	rq := o.route("PATCH", "stores", storeID, "secrets", secretID)
	rq.body = body
	if req.Value != nil {
		logged := maps.Clone(body)
		logged["value"], body["value"] = maskedValue, *req.Value
		rq.carriesValue, rq.loggedBody = true, logged
	}
	return one(ctx, c, "secret", rq, secretOf)
}

// DeleteSecret deletes one secret.
func (c *Client) DeleteSecret(ctx context.Context, o Owner, storeID, secretID string) error {
	_, err := c.do(ctx, o.route("DELETE", "stores", storeID, "secrets", secretID))
	return err
}

// DeleteSecrets deletes secrets in one request (all or none); no ids sends nothing (the API would answer 400).
func (c *Client) DeleteSecrets(ctx context.Context, o Owner, storeID string, ids []string) ([]Secret, error) {
	rq := o.route("DELETE", "stores", storeID, "secrets")
	if rq.err != nil || len(ids) == 0 {
		return nil, rq.err
	}
	rq.body = map[string][]string{"ids": ids}
	env, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	return secretsOf(rq, env.Result, false)
}

// secretsOf reads rq's list of secrets; none is errNoResult when some were due.
func secretsOf(rq request, raw json.RawMessage, some bool) ([]Secret, error) {
	out, err := decodeItems(raw, secretOf)
	if err == nil && some && len(out) == 0 {
		err = errNoResult
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: decoding secrets: %w", rq.method, rq.path, err)
	}
	return out, nil
}

// DuplicateSecret copies a secret, value included, under a new name in the same store.
func (c *Client) DuplicateSecret(ctx context.Context, o Owner, storeID, secretID string, req DuplicateSecretRequest) (*Secret, error) {
	rq := o.route("POST", "stores", storeID, "secrets", secretID, "duplicate")
	rq.body = newSecretBody(req.Name, nil, req.Scopes, req.Comment)
	return createWithRecovery(ctx, c, rq, decoder("secret", rq, secretOf), c.secretsNamed(o, storeID, req.Name))
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
