package mockserver

import (
	"cmp"
	"slices"
	"time"
)

// stateVersion is the version of the state file's form.
const stateVersion = 1

// State is what the mock holds, in the form of the -state and -seed files (the mock's guide
// documents it). It carries secret values: it is written to the state file and nowhere else.
type State struct {
	Version int `json:"version"`
	// AccountID, when set, must be the account the mock serves.
	AccountID string `json:"account_id,omitempty"`
	// SystemAccountID is the numeric account id the first /system store bound.
	SystemAccountID *int64       `json:"system_account_id,omitempty"`
	Stores          []StateStore `json:"stores"`
}

// StateStore is a store and its secrets. ID, Created and Modified may be left out of a seed:
// they are filled in once, when the seed is read.
type StateStore struct {
	ID        string        `json:"id,omitempty"`
	Name      string        `json:"name"`
	ManagedBy string        `json:"managed_by,omitempty"`
	Created   time.Time     `json:"created,omitzero"`
	Modified  time.Time     `json:"modified,omitzero"`
	Secrets   []StateSecret `json:"secrets,omitempty"`
}

// StateSecret is a secret, value included. Secrets are active when loaded.
type StateSecret struct {
	ID       string    `json:"id,omitempty"`
	Name     string    `json:"name"`
	Value    string    `json:"value"`
	Scopes   []string  `json:"scopes"`
	Comment  *string   `json:"comment,omitempty"`
	Created  time.Time `json:"created,omitzero"`
	Modified time.Time `json:"modified,omitzero"`
}

// snapshot copies the state in creation order. Callers hold s.mu.
func (s *Server) snapshot() *State {
	st := &State{Version: stateVersion, AccountID: s.opts.Account, Stores: []StateStore{}}
	if s.binding != nil {
		b := *s.binding
		st.SystemAccountID = &b
	}
	stores := make([]*store, 0, len(s.stores))
	for _, x := range s.stores {
		stores = append(stores, x)
	}
	slices.SortFunc(stores, func(a, b *store) int { return cmp.Compare(a.seq, b.seq) })
	for _, x := range stores {
		out := StateStore{ID: x.id, Name: x.name, ManagedBy: x.managedBy, Created: x.created, Modified: x.modified}
		secrets := make([]*secret, 0, len(x.secrets))
		for _, sec := range x.secrets {
			secrets = append(secrets, sec)
		}
		slices.SortFunc(secrets, func(a, b *secret) int { return cmp.Compare(a.seq, b.seq) })
		for _, sec := range secrets {
			out.Secrets = append(out.Secrets, StateSecret{
				ID: sec.id, Name: sec.name, Value: sec.value, Scopes: slices.Clone(sec.scopes),
				Comment: clonePtr(sec.comment), Created: sec.created, Modified: sec.modified,
			})
		}
		st.Stores = append(st.Stores, out)
	}
	return st
}

// restore replaces what the server holds with st, every secret active. st is complete (ids and
// times filled in) and checked. Callers hold s.mu.
func (s *Server) restore(st *State) {
	s.stores = map[string]*store{}
	s.seq = 0
	s.binding = nil
	if st.SystemAccountID != nil {
		b := *st.SystemAccountID
		s.binding = &b
	}
	for _, in := range st.Stores {
		x := &store{
			id: in.ID, name: in.Name, managedBy: in.ManagedBy, created: in.Created, modified: in.Modified,
			secrets: map[string]*secret{}, seq: s.nextSeq(),
		}
		for _, sec := range in.Secrets {
			x.secrets[sec.ID] = &secret{
				id: sec.ID, storeID: x.id, name: sec.Name, comment: clonePtr(sec.Comment),
				scopes: slices.Clone(sec.Scopes), value: sec.Value,
				created: sec.Created, modified: sec.Modified, seq: s.nextSeq(),
			}
		}
		s.stores[x.id] = x
	}
}

// Reset puts the state back to the seed (or to the fresh default the server started with:
// the same default store, same id) and zeroes the stats, at once: a request in flight acts
// wholly before or wholly after it. It returns how many stores and secrets it holds then.
// Queued faults and the requests recorded for the Go API are kept.
func (s *Server) Reset() (stores, secrets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restore(s.seed)
	s.stats = Stats{Routes: map[string]int{}}
	return len(s.stores), s.secretUsage()
}
