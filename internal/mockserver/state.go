package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// store is a secrets store. managedBy is the service that made it through /system, "" for the
// account's own stores.
type store struct {
	id, name, managedBy string
	created, modified   time.Time
	secrets             map[string]*secret
	seq                 uint64 // creation order, for the Go API's listings
}

// secret holds its value for the Go API only: views never carry it.
type secret struct {
	id, storeID, name string
	comment           *string
	scopes            []string
	value             string
	created, modified time.Time
	// pendingUntil is when the secret turns active; status is computed from it on read.
	pendingUntil time.Time
	seq          uint64 // creation order, for the Go API's listings
}

const (
	statusPending = "pending"
	statusActive  = "active"
	statusDeleted = "deleted"
)

func (sec *secret) status(now time.Time) string {
	if now.Before(sec.pendingUntil) {
		return statusPending
	}
	return statusActive
}

// startPending restarts activation: after a create, a value change or a duplicate.
func (s *Server) startPending(sec *secret, now time.Time) {
	if s.opts.ActivationDelay > 0 {
		sec.pendingUntil = now.Add(s.opts.ActivationDelay)
	} else {
		sec.pendingUntil = time.Time{}
	}
}

// storeView and secretView are the only shapes a store or secret is served in.
type storeView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AccountID string    `json:"account_id"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
}

type secretView struct {
	ID       string    `json:"id"`
	StoreID  string    `json:"store_id"`
	Name     string    `json:"name"`
	Comment  *string   `json:"comment"`
	Scopes   []string  `json:"scopes"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

func (s *Server) storeView(st *store) storeView {
	return storeView{ID: st.id, Name: st.name, AccountID: s.opts.Account, Created: st.created, Modified: st.modified}
}

func (s *Server) secretView(sec *secret) secretView {
	return secretView{
		ID: sec.id, StoreID: sec.storeID, Name: sec.name,
		Comment: clonePtr(sec.comment), Scopes: append([]string{}, sec.scopes...),
		Status: sec.status(s.now()), Created: sec.created, Modified: sec.modified,
	}
}

func deletedView(v secretView) secretView {
	v.Status = statusDeleted
	return v
}

func (s *Server) addStore(name, managedBy string) *store {
	now := s.now()
	st := &store{
		id: s.newID(), name: name, managedBy: managedBy,
		created: now, modified: now, secrets: map[string]*secret{}, seq: s.nextSeq(),
	}
	s.stores[st.id] = st
	return st
}

func (s *Server) storeByName(name string) *store {
	for _, st := range s.stores {
		if st.name == name {
			return st
		}
	}
	return nil
}

func (st *store) secretByName(name string) *secret {
	for _, sec := range st.secrets {
		if sec.name == name {
			return sec
		}
	}
	return nil
}

// accountStores counts the stores that the one-store limit applies to: not /system ones.
func (s *Server) accountStores() int {
	n := 0
	for _, st := range s.stores {
		if st.managedBy == "" {
			n++
		}
	}
	return n
}

// secretUsage counts the secrets of every store of the account, /system stores included.
func (s *Server) secretUsage() int {
	n := 0
	for _, st := range s.stores {
		n += len(st.secrets)
	}
	return n
}

func (s *Server) nextSeq() uint64 {
	s.seq++
	return s.seq
}

// newID returns 32 random lowercase hex digits not yet used by any store or secret.
func (s *Server) newID() string {
	for {
		if id := randomID(); !s.idTaken(id) {
			return id
		}
	}
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

func (s *Server) idTaken(id string) bool {
	if _, ok := s.stores[id]; ok {
		return true
	}
	for _, st := range s.stores {
		if _, ok := st.secrets[id]; ok {
			return true
		}
	}
	return false
}

// isID reports whether a path segment is an object identifier: 32 lowercase hex digits.
func isID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
