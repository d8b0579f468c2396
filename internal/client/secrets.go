package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// secretInputBody is one item of the create-secrets array.
type secretInputBody struct {
	Name    string   `json:"name"`
	Value   string   `json:"value"`
	Scopes  []string `json:"scopes"`
	Comment *string  `json:"comment,omitempty"`
}

// body is s as an item of the create-secrets array: scopes are always sent, [] for none.
func (s SecretInput) body() secretInputBody {
	scopes := s.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return secretInputBody{Name: s.Name, Value: s.Value, Scopes: scopes, Comment: s.Comment}
}

// BodySize is the bytes s takes in a create request's array body, without a separating comma:
// what a batch counts against the API's body limit.
func (s SecretInput) BodySize() int {
	b, err := json.Marshal(s.body())
	if err != nil {
		// Cannot happen for strings; count the worst case of escaping rather than fail.
		return 6*(len(s.Name)+len(s.Value)) + 64
	}
	return len(b)
}

// CreateSecrets creates one or more secrets in one request (the API's array body) and
// returns them in the order given. The API creates all or none. A failure that may have
// come after the secrets were made is resolved by name (see createWithRecovery): when none
// of the names exists the request is resent once; otherwise the result is a
// *NameExistsError naming the secrets found, which are never taken as the result.
func (c *Client) CreateSecrets(ctx context.Context, o Owner, storeID string, in []SecretInput) ([]Secret, error) {
	path, err := o.secretsPath(storeID)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, errors.New("client: no secrets to create")
	}
	body := make([]secretInputBody, len(in))
	names := make([]string, len(in))
	for i, s := range in {
		body[i] = s.body()
		names[i] = s.Name
	}
	decode := func(raw json.RawMessage) ([]Secret, error) {
		out, err := decodeItems(raw, wireSecret.value)
		if err != nil {
			return nil, fmt.Errorf("POST %s: decoding secrets: %w", path, err)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("POST %s: %w", path, errNoResult)
		}
		return out, nil
	}
	lookup := func(ctx context.Context) ([]ExistingObject, error) {
		if len(in) == 1 {
			return c.secretsNamed(ctx, o, storeID, in[0].Name)
		}
		existing, err := c.ListSecrets(ctx, o, storeID, ListSecretsOptions{})
		if err != nil {
			return nil, err
		}
		want := make(map[string]bool, len(in))
		for _, s := range in {
			want[s.Name] = true
		}
		var found []ExistingObject
		for _, s := range existing {
			if want[s.Name] {
				found = append(found, existingSecret(o, s))
			}
		}
		return found, nil
	}
	return createWithRecovery(ctx, c, request{method: "POST", path: path, body: body, carriesValue: true, names: names}, decode, lookup)
}

// ListSecrets returns every secret of a store matching opts, walking all pages. Scopes are
// sent as repeated scopes= keys (a secret must hold all of them).
func (c *Client) ListSecrets(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions) ([]Secret, error) {
	path, err := o.secretsPath(storeID)
	if err != nil {
		return nil, err
	}
	return listAll(ctx, c, path, opts.query(), wireSecret.value, func(s Secret) string { return s.ID })
}

// ListSecretsPage returns one page (from 1) of a store's secrets matching opts.
func (c *Client) ListSecretsPage(ctx context.Context, o Owner, storeID string, opts ListSecretsOptions, page int) ([]Secret, PageInfo, error) {
	path, err := o.secretsPath(storeID)
	if err != nil {
		return nil, PageInfo{}, err
	}
	return listPage(ctx, c, path, opts.query(), page, wireSecret.value)
}

func (opts ListSecretsOptions) query() url.Values {
	q := url.Values{}
	setIf(q, "search", opts.Search)
	setIf(q, "order", opts.Order)
	setIf(q, "direction", opts.Direction)
	for _, s := range opts.Scopes {
		q.Add("scopes", s)
	}
	return q
}

// GetSecret returns one secret's metadata.
func (c *Client) GetSecret(ctx context.Context, o Owner, storeID, secretID string) (*Secret, error) {
	path, err := o.secretPath(storeID, secretID)
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, request{method: "GET", path: path})
	if err != nil {
		return nil, err
	}
	return decodeSecret("GET", path, raw)
}

// FindSecretByName finds a secret by its exact (case-sensitive) name. The API's search is
// a case-insensitive substring match on name and comment, so results are filtered here.
// Nothing found is an *APIError with status 404 (IsNotFound).
func (c *Client) FindSecretByName(ctx context.Context, o Owner, storeID, name string) (*Secret, error) {
	path, err := o.secretsPath(storeID)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errors.New("client: secret name is empty")
	}
	list, err := c.ListSecrets(ctx, o, storeID, ListSecretsOptions{Search: name})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == name {
			return &list[i], nil
		}
	}
	return nil, notFoundError(http.MethodGet, path, "secret_not_found", name)
}

// patchSecretBody renders a merge-patch: only the fields set are sent, and ClearComment
// sends "comment": null.
func patchSecretBody(req PatchSecretRequest) map[string]any {
	body := map[string]any{}
	if req.Value != nil {
		body["value"] = *req.Value
	}
	if req.Scopes != nil {
		body["scopes"] = req.Scopes
	}
	switch {
	case req.ClearComment:
		body["comment"] = nil
	case req.Comment != nil:
		body["comment"] = *req.Comment
	}
	return body
}

// PatchSecret applies a merge-patch to a secret (value, scopes, comment). Repeating it is
// harmless, so it is retried like a GET.
func (c *Client) PatchSecret(ctx context.Context, o Owner, storeID, secretID string, req PatchSecretRequest) (*Secret, error) {
	path, err := o.secretPath(storeID, secretID)
	if err != nil {
		return nil, err
	}
	rq := request{method: "PATCH", path: path, body: patchSecretBody(req), carriesValue: req.Value != nil}
	raw, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	return decodeSecret("PATCH", path, raw)
}

// deleteCall sends a DELETE (of a secret, secrets, or a store). A 404 answering a retry
// means an earlier attempt (whose answer was lost) did the deleting, so it counts as
// success with no result.
func (c *Client) deleteCall(ctx context.Context, rq request) (json.RawMessage, error) {
	resp, err := c.transport.send(ctx, rq)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotFound && resp.attempts > 1 {
		tflog.SubsystemDebug(c.transport.logContext(ctx), logSubsystem,
			"DELETE answered 404 on a retry: an earlier attempt deleted it", map[string]any{"path": rq.path})
		return nil, nil
	}
	return c.decodeResponse(rq, resp)
}

// DeleteSecret deletes one secret. The API answers the deleted secret or null; either is
// success, as is a 404 on a retry.
func (c *Client) DeleteSecret(ctx context.Context, o Owner, storeID, secretID string) error {
	path, err := o.secretPath(storeID, secretID)
	if err != nil {
		return err
	}
	_, err = c.deleteCall(ctx, request{method: "DELETE", path: path})
	return err
}

// deleteSecretsBody is the newer bulk-delete shape.
type deleteSecretsBody struct {
	IDs []string `json:"ids"`
}

// DeleteSecrets deletes several secrets in one request and returns the deleted ones. The
// API deletes all or none. No ids is a no-op without a request (the API would answer 400).
// A 404 on a retry means an earlier attempt did it: success, with no list.
func (c *Client) DeleteSecrets(ctx context.Context, o Owner, storeID string, ids []string) ([]Secret, error) {
	path, err := o.secretsPath(storeID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	raw, err := c.deleteCall(ctx, request{method: "DELETE", path: path, body: deleteSecretsBody{IDs: ids}})
	if err != nil {
		return nil, err
	}
	out, err := decodeItems(raw, wireSecret.value)
	if err != nil {
		return nil, fmt.Errorf("DELETE %s: decoding secrets: %w", path, err)
	}
	return out, nil
}

// duplicateBody is the duplicate request; the value is copied server-side.
type duplicateBody struct {
	Name    string   `json:"name"`
	Scopes  []string `json:"scopes"`
	Comment *string  `json:"comment,omitempty"`
}

// DuplicateSecret copies a secret, value included, under a new name in the same store.
// A failure that may have come after the copy was made is resolved by looking the new
// name up, as for CreateSecrets: resent when it is free, a *NameExistsError when it is not.
func (c *Client) DuplicateSecret(ctx context.Context, o Owner, storeID, secretID string, req DuplicateSecretRequest) (*Secret, error) {
	path, err := o.path("stores", storeID, "secrets", secretID, "duplicate")
	if err != nil {
		return nil, err
	}
	scopes := req.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	body := duplicateBody{Name: req.Name, Scopes: scopes, Comment: req.Comment}
	decode := func(raw json.RawMessage) (*Secret, error) { return decodeSecret("POST", path, raw) }
	lookup := func(ctx context.Context) ([]ExistingObject, error) { return c.secretsNamed(ctx, o, storeID, req.Name) }
	return createWithRecovery(ctx, c, request{method: "POST", path: path, body: body}, decode, lookup)
}

// secretsNamed is the lookup of a create of one secret: the secret holding name, if any.
func (c *Client) secretsNamed(ctx context.Context, o Owner, storeID, name string) ([]ExistingObject, error) {
	s, err := c.FindSecretByName(ctx, o, storeID, name)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []ExistingObject{existingSecret(o, *s)}, nil
}

func existingSecret(o Owner, s Secret) ExistingObject {
	return ExistingObject{Kind: "secret", Account: o.Account, ID: s.ID, Name: s.Name, StoreID: s.StoreID, Created: s.Created}
}

func decodeSecret(method, path string, raw json.RawMessage) (*Secret, error) {
	w, err := decodeOne[wireSecret](raw)
	var s Secret
	if err == nil {
		s, err = w.value()
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: decoding secret: %w", method, path, err)
	}
	return &s, nil
}
