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

// secretBody is a create-secrets item, or with no value a duplicate's body (the value is
// copied server-side). Scopes are always sent, [] for none.
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

// BodySize is the bytes s takes in a create request's array body, without a comma: what a
// batch counts against the API's body limit.
func (s SecretInput) BodySize() int {
	b, _ := json.Marshal(newSecretBody(s.Name, &s.Value, s.Scopes, s.Comment)) // strings always encode
	return len(b)
}

// CreateSecrets creates secrets in one request (the API creates all or none) and returns them
// in the order given. An ambiguous failure is resolved by name (createWithRecovery).
func (c *Client) CreateSecrets(ctx context.Context, o Owner, storeID string, in []SecretInput) ([]Secret, error) {
	path, err := o.path("stores", storeID, "secrets")
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, errors.New("client: no secrets to create")
	}
	body, logged, names := make([]secretBody, len(in)), make([]secretBody, len(in)), make([]string, len(in))
	masked := maskedValue
	for i, s := range in {
		body[i] = newSecretBody(s.Name, &s.Value, s.Scopes, s.Comment)
		logged[i], names[i] = newSecretBody(s.Name, &masked, s.Scopes, s.Comment), s.Name
	}
	decode := func(raw json.RawMessage) ([]Secret, error) {
		out, err := decodeItems(raw, secretOf)
		if err == nil && len(out) == 0 {
			err = errNoResult
		}
		if err != nil {
			return nil, fmt.Errorf("POST %s: decoding secrets: %w", path, err)
		}
		return out, nil
	}
	lookup := func(ctx context.Context) ([]ExistingObject, error) { return c.secretsNamed(ctx, o, storeID, names...) }
	rq := request{method: "POST", path: path, body: body, carriesValue: true, loggedBody: logged, names: names}
	return createWithRecovery(ctx, c, rq, decode, lookup)
}

// ListSecrets returns every secret of a store matching opts, walking all pages.
func (c *Client) ListSecrets(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions) ([]Secret, error) {
	path, err := o.path("stores", storeID, "secrets")
	if err != nil {
		return nil, err
	}
	return listAll(ctx, c, path, opts.query(), secretOf, func(s Secret) string { return s.ID })
}

// ListSecretsPage returns one page (from 1) of a store's secrets matching opts.
func (c *Client) ListSecretsPage(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions, page int) ([]Secret, PageInfo, error) {
	path, err := o.path("stores", storeID, "secrets")
	if err != nil {
		return nil, PageInfo{}, err
	}
	return listPage(ctx, c, path, opts.query(), page, secretOf)
}

// query sends scopes as repeated keys: a secret must hold all of them.
func (opts ListSecretsOptions) query() url.Values {
	q := ListStoresOptions{Order: opts.Order, Direction: opts.Direction}.query()
	setIf(q, "search", opts.Search)
	for _, s := range opts.Scopes {
		q.Add("scopes", s)
	}
	return q
}

// GetSecret returns one secret's metadata.
func (c *Client) GetSecret(ctx context.Context, o Owner, storeID, secretID string) (*Secret, error) {
	path, err := o.path("stores", storeID, "secrets", secretID)
	return get(ctx, c, "secret", path, err, secretOf)
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
			Errors: []Message{{Code: CodeValidation, Message: "secret_not_found: " + name}}}
	}
	return &found[0], nil
}

// listNamed lists the secrets of a store named any of names. The API's search is a
// case-insensitive substring match on name and comment: one name is searched for, and every
// name then matched exactly.
func (c *Client) listNamed(ctx context.Context, o Owner, storeID string, names ...string) ([]Secret, error) {
	var opts ListSecretsOptions
	if len(names) == 1 {
		opts.Search = names[0]
	}
	list, err := c.ListSecrets(ctx, o, storeID, opts)
	return slices.DeleteFunc(list, func(s Secret) bool { return !slices.Contains(names, s.Name) }), err
}

// secretsNamed is the lookup of a create: the secrets holding its names.
func (c *Client) secretsNamed(ctx context.Context, o Owner, storeID string, names ...string) ([]ExistingObject, error) {
	found, err := c.listNamed(ctx, o, storeID, names...)
	var out []ExistingObject
	for _, s := range found {
		out = append(out, ExistingObject{Kind: "secret", Account: o.Account, ID: s.ID, Name: s.Name, StoreID: s.StoreID, Created: s.Created})
	}
	return out, err
}

// PatchSecret applies a merge-patch to a secret: only the fields set are sent, and
// ClearComment sends "comment": null. Repeating it is harmless, so it is retried like a GET.
func (c *Client) PatchSecret(ctx context.Context, o Owner, storeID, secretID string, req PatchSecretRequest) (*Secret, error) {
	path, err := o.path("stores", storeID, "secrets", secretID)
	if err != nil {
		return nil, err
	}
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
	rq := request{method: "PATCH", path: path, body: body}
	if req.Value != nil {
		logged := maps.Clone(body)
		logged["value"], body["value"] = maskedValue, *req.Value
		rq.carriesValue, rq.loggedBody = true, logged
	}
	env, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	return decodeSecret("PATCH", path, env.Result)
}

// DeleteSecret deletes one secret.
func (c *Client) DeleteSecret(ctx context.Context, o Owner, storeID, secretID string) error {
	path, err := o.path("stores", storeID, "secrets", secretID)
	if err == nil {
		_, err = c.do(ctx, request{method: "DELETE", path: path})
	}
	return err
}

// DeleteSecrets deletes several secrets in one request (all or none) and returns the deleted
// ones. No ids sends nothing (the API would answer 400).
func (c *Client) DeleteSecrets(ctx context.Context, o Owner, storeID string, ids []string) ([]Secret, error) {
	path, err := o.path("stores", storeID, "secrets")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	env, err := c.do(ctx, request{method: "DELETE", path: path, body: map[string][]string{"ids": ids}})
	if err != nil {
		return nil, err
	}
	out, err := decodeItems(env.Result, secretOf)
	if err != nil {
		return nil, fmt.Errorf("DELETE %s: decoding secrets: %w", path, err)
	}
	return out, nil
}

// DuplicateSecret copies a secret, value included, under a new name in the same store. An
// ambiguous failure is resolved by name, as for CreateSecrets.
func (c *Client) DuplicateSecret(ctx context.Context, o Owner, storeID, secretID string, req DuplicateSecretRequest) (*Secret, error) {
	path, err := o.path("stores", storeID, "secrets", secretID, "duplicate")
	if err != nil {
		return nil, err
	}
	body := newSecretBody(req.Name, nil, req.Scopes, req.Comment)
	decode := func(raw json.RawMessage) (*Secret, error) { return decodeSecret("POST", path, raw) }
	lookup := func(ctx context.Context) ([]ExistingObject, error) { return c.secretsNamed(ctx, o, storeID, req.Name) }
	return createWithRecovery(ctx, c, request{method: "POST", path: path, body: body}, decode, lookup)
}

func decodeSecret(method, path string, raw json.RawMessage) (*Secret, error) {
	return decodeAs("secret", method, path, raw, secretOf)
}
