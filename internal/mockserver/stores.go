package mockserver

import "net/url"

// createStore takes {"name"} (plus "account_id" on /system) or the older array of one such
// object, and answers in the shape it was asked in.
func (s *Server) createStore(c *call) reply {
	raw, err := parseBody(c)
	if err != nil {
		return failure(err)
	}
	o, isObject := asObject(raw)
	asList := false
	if !isObject {
		items, ok := asArray(raw)
		if !ok || len(items) != 1 {
			return failure(errInvalidJSON)
		}
		if o, ok = asObject(items[0]); !ok {
			return failure(errInvalidJSON)
		}
		asList = true
	}

	// Body checks first, then the conflict, then the limits (the order of checks Decision).
	var internalID int64
	if c.fam.system {
		if internalID, err = checkInternalAccountID(o.get("account_id")); err != nil {
			return failure(err)
		}
	}
	name, err := checkStoreName(o.get("name"))
	if err != nil {
		return failure(err)
	}
	if s.storeByName(name) != nil {
		return failure(errStoreNameTaken)
	}
	if c.fam.system {
		if err := s.checkBinding(internalID); err != nil {
			return failure(err)
		}
	}
	// Stores made through /system do not count against the account's store limit.
	if !c.fam.system && s.accountStores() >= s.opts.MaxStores {
		return failure(errMaxStores)
	}

	st := s.addStore(name, c.service)
	if c.fam.system {
		s.bind(internalID)
	}
	if asList {
		return success([]storeView{s.storeView(st)})
	}
	return success(s.storeView(st))
}

func (s *Server) listStores(c *call) reply {
	q, err := parseListQuery(c.rawQuery, storeOrders)
	if err != nil {
		return failure(err)
	}
	var all []*store
	for _, st := range s.stores {
		if c.visible(st) {
			all = append(all, st)
		}
	}
	sortStores(all, q)
	page, info := paginate(all, q)
	views := make([]storeView, len(page))
	for i, st := range page {
		views[i] = s.storeView(st)
	}
	return listed(views, info)
}

func (s *Server) getStore(c *call) reply {
	st, err := s.storeFor(c)
	if err != nil {
		return failure(err)
	}
	return success(s.storeView(st))
}

// deleteStore refuses a store that still holds secrets unless force is true or 1, which deletes
// them with it. The result is the deleted store.
func (s *Server) deleteStore(c *call) reply {
	st, err := s.storeFor(c)
	if err != nil {
		return failure(err)
	}
	q, _ := url.ParseQuery(c.rawQuery)
	force := q.Get("force") == "true" || q.Get("force") == "1"
	if len(st.secrets) > 0 && !force {
		return failure(errStoreNotEmpty)
	}
	delete(s.stores, st.id)
	return success(s.storeView(st))
}
