package client

import (
	"errors"
	"fmt"
	"net/url"
)

// path builds a route below the owner's family prefix, so both families share every method.
// segs alternate a collection and one of its ids ("stores", storeID, "secrets", secretID),
// ids escaped; a last name without an id ends the path ("quota"). An empty id is refused: it
// would turn "get one" into "list all".
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

func (o Owner) storesPath() (string, error) { return o.path("stores") }

func (o Owner) storePath(storeID string) (string, error) { return o.path("stores", storeID) }

func (o Owner) secretsPath(storeID string) (string, error) {
	return o.path("stores", storeID, "secrets")
}

func (o Owner) secretPath(storeID, secretID string) (string, error) {
	return o.path("stores", storeID, "secrets", secretID)
}
