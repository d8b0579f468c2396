package mockserver

// visible reports whether a store is reachable through the call's family: the account owns all
// of its stores, a service sees only those it manages.
func (c *call) visible(st *store) bool {
	return !c.fam.system || st.managedBy == c.service
}

// storeFor finds the path's store; a store another service manages is as absent as a missing one,
// so services cannot probe each other's stores.
func (s *Server) storeFor(c *call) (*store, *apiError) {
	st, ok := s.stores[c.storeID]
	if !ok || !c.visible(st) {
		return nil, errStoreNotFound
	}
	return st, nil
}

// checkBinding enforces the Decision that the first /system store binds the account's numeric
// id for good: later creates must carry the same number, even after every store is gone.
func (s *Server) checkBinding(id int64) *apiError {
	if s.binding != nil && *s.binding != id {
		return errAccountMismatch
	}
	return nil
}

func (s *Server) bind(id int64) {
	if s.binding == nil {
		s.binding = &id
	}
}
