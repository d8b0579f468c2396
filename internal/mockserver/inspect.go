package mockserver

import (
	"cmp"
	"slices"
	"time"
)

// StoreRecord is a store as the server holds it. ManagedBy is "" for account stores, else the
// service that made it.
type StoreRecord struct {
	ID, Name, AccountID, ManagedBy string
	Created, Modified              time.Time
}

// SecretRecord is a secret as the server holds it, value included: for tests only, never served.
type SecretRecord struct {
	ID, StoreID, Name string
	Comment           *string
	Scopes            []string
	Value             string
	Status            string
	Created, Modified time.Time
}

// Stores returns every store of the account in creation order: the pre-made
// default_secrets_store first unless deleted.
func (s *Server) Stores() []StoreRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*store, 0, len(s.stores))
	for _, st := range s.stores {
		all = append(all, st)
	}
	slices.SortFunc(all, func(a, b *store) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]StoreRecord, len(all))
	for i, st := range all {
		out[i] = StoreRecord{
			ID: st.id, Name: st.name, AccountID: s.opts.Account, ManagedBy: st.managedBy,
			Created: st.created, Modified: st.modified,
		}
	}
	return out
}

// Secrets returns the secrets of a store in creation order (a batch in body order), values
// included; nil for an unknown store.
func (s *Server) Secrets(storeID string) []SecretRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stores[storeID]
	if !ok {
		return nil
	}
	all := make([]*secret, 0, len(st.secrets))
	for _, sec := range st.secrets {
		all = append(all, sec)
	}
	slices.SortFunc(all, func(a, b *secret) int { return cmp.Compare(a.seq, b.seq) })
	now := s.now()
	out := make([]SecretRecord, len(all))
	for i, sec := range all {
		out[i] = secretRecord(sec, now)
	}
	return out
}

// Secret returns one secret of a store, value included.
func (s *Server) Secret(storeID, secretID string) (SecretRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stores[storeID]; ok {
		if sec, ok := st.secrets[secretID]; ok {
			return secretRecord(sec, s.now()), true
		}
	}
	return SecretRecord{}, false
}

// SecretByName returns the secret of a store with that name, value included.
func (s *Server) SecretByName(storeID, name string) (SecretRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stores[storeID]; ok {
		if sec := st.secretByName(name); sec != nil {
			return secretRecord(sec, s.now()), true
		}
	}
	return SecretRecord{}, false
}

func secretRecord(sec *secret, now time.Time) SecretRecord {
	return SecretRecord{
		ID: sec.id, StoreID: sec.storeID, Name: sec.name, Comment: clonePtr(sec.comment),
		Scopes: slices.Clone(sec.scopes), Value: sec.value, Status: sec.status(now),
		Created: sec.created, Modified: sec.modified,
	}
}
