package client

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Family is the route family an object lives in: account routes hang off
// /accounts/{account_id}/secrets_store, system routes off /system/accounts/{account_tag}.
type Family string

const (
	FamilyAccount Family = "account"
	FamilySystem  Family = "system"
)

// Owner says which family and account (its 32-hex id, account_tag on /system) a call is for.
type Owner struct {
	Family  Family
	Account string
}

// path builds a route below the owner's family prefix: segs alternate a collection and an id
// (escaped); a last name ends it ("quota"). An empty id would turn "get one" into "list all".
func (o Owner) path(segs ...string) (string, error) {
	if o.Account == "" {
		return "", errors.New("client: account id is empty")
	}
	var p string
	switch o.Family {
	case FamilyAccount, "":
		p = "/accounts/" + url.PathEscape(o.Account) + "/secrets_store"
	case FamilySystem:
		p = "/system/accounts/" + url.PathEscape(o.Account)
	default:
		return "", fmt.Errorf("client: unknown route family %q", o.Family)
	}
	for i := 0; i < len(segs); i += 2 {
		p += "/" + segs[i]
		if i+1 < len(segs) {
			if segs[i+1] == "" {
				return "", fmt.Errorf("client: empty %s id", segs[i])
			}
			p += "/" + url.PathEscape(segs[i+1])
		}
	}
	return p, nil
}

// route is a request to path(segs...); one whose path cannot be built fails unsent.
func (o Owner) route(method string, segs ...string) request {
	p, err := o.path(segs...)
	return request{method: method, path: p, err: err}
}

// Store is a secrets store.
type Store struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AccountID string    `json:"account_id,omitempty"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
}

// Secret is a secret's metadata. The API never returns a value.
type Secret struct {
	ID       string    `json:"id"`
	StoreID  string    `json:"store_id"`
	Name     string    `json:"name"`
	Comment  *string   `json:"comment"`
	Scopes   []string  `json:"scopes"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// Secret statuses.
const (
	StatusPending = "pending"
	StatusActive  = "active"
	StatusDeleted = "deleted"
)

// Quota is the account's secret usage.
type Quota struct {
	Quota int64 `json:"quota"`
	Usage int64 `json:"usage"`
}

// CreateStoreRequest creates a store; AccountInternalID (the numeric account id) is /system's only.
type CreateStoreRequest struct {
	Name              string
	AccountInternalID *int64
}

// SecretInput is one item of a create-secrets request.
type SecretInput struct {
	Name    string
	Value   string
	Scopes  []string
	Comment *string
}

// PatchSecretRequest is a merge-patch: nil fields are left out; ClearComment sends "comment": null.
type PatchSecretRequest struct {
	Value        *string
	Scopes       []string
	Comment      *string
	ClearComment bool
}

// DuplicateSecretRequest copies a secret server-side under a new name.
type DuplicateSecretRequest struct {
	Name    string
	Scopes  []string
	Comment *string
}

// ListStoresOptions orders a store list; empty fields use the API's defaults.
type ListStoresOptions struct {
	Order, Direction string
}

// ListSecretsOptions filters and orders a secret list; empty fields use the API's defaults.
type ListSecretsOptions struct {
	Search           string
	Scopes           []string
	Order, Direction string
}
