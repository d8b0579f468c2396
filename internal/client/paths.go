package client

import (
	"errors"
	"fmt"
	"net/url"
)

// prefix is the route prefix of the owner's family. Every store and secret path is built
// from it, so the two families share every method.
func (o Owner) prefix() (string, error) {
	if o.Account == "" {
		return "", errors.New("client: account id is empty")
	}
	a := url.PathEscape(o.Account)
	switch o.Family {
	case FamilyAccount, "":
		return "/accounts/" + a + "/secrets_store", nil
	case FamilySystem:
		return "/system/accounts/" + a, nil
	}
	return "", fmt.Errorf("client: unknown route family %q", o.Family)
}

// path appends segments to the owner's prefix: segs alternate a collection name and the
// id of one of its items ("stores", storeID, "secrets", secretID), ids path-escaped; a
// last name without an id ends the path ("secrets", "duplicate", "quota"). An empty id is
// refused: it would silently turn "get one" into "list all".
func (o Owner) path(segs ...string) (string, error) {
	p, err := o.prefix()
	if err != nil {
		return "", err
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
