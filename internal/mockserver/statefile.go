package mockserver

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/atomicfile"
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

	source string // the file it was read from, for errors
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
	s.persist()
	return len(s.stores), s.secretUsage()
}

// ReadState reads a state or seed file. It checks the form only (JSON, known members, types);
// Open checks the rules. Errors name the file and never quote its content: it holds values.
func ReadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st := &State{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return nil, fmt.Errorf("%s: %s", path, describeJSONError(b, err))
	}
	if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) != 0 {
		return nil, fmt.Errorf("%s: %s", path, describeJSONError(b, &json.SyntaxError{Offset: dec.InputOffset()}))
	}
	st.source = path
	return st, nil
}

// describeJSONError says where a file departs from the state's form without quoting it: a
// syntax error's own text quotes a character, which may belong to a value.
func describeJSONError(b []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON (line %d)", lineOf(b, syntax.Offset))
	case errors.As(err, &typ):
		return fmt.Sprintf("%s (line %d): want %s, found %s", typ.Field, lineOf(b, typ.Offset), jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "empty or cut short: want a JSON object"
	}
	return err.Error() // an unknown member: json names it, and a member name is not a value
}

func lineOf(b []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(b)))
	return 1 + bytes.Count(b[:offset], []byte("\n"))
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	default:
		return "a number"
	}
}

// prepare checks a seed or state read from a file against the rules the API enforces and the
// server's options, and returns a copy with every id and time filled in. Errors name the file,
// the store or secret and the rule; never a value.
func prepare(st *State, opts Options, now time.Time) (*State, error) {
	src := st.source
	if src == "" {
		src = "state"
	}
	fail := func(format string, args ...any) (*State, error) {
		return nil, fmt.Errorf("%s: %s", src, fmt.Sprintf(format, args...))
	}
	switch {
	case st.Version != stateVersion:
		return fail("version is %d, want %d", st.Version, stateVersion)
	case st.AccountID != "" && st.AccountID != opts.Account:
		return fail("account_id %s is not the account the mock serves (%s, -account)", st.AccountID, opts.Account)
	}
	out := &State{Version: stateVersion, AccountID: opts.Account, Stores: []StateStore{}, source: st.source}
	if st.SystemAccountID != nil {
		b := *st.SystemAccountID
		out.SystemAccountID = &b
	}
	ids, storeNames := map[string]bool{}, map[string]bool{}
	accountStores, secrets := 0, 0
	for i, in := range st.Stores {
		where := fmt.Sprintf("stores[%d] (%q)", i, in.Name)
		if p := objectProblem(in.Name, in.ID, storeNames[in.Name], ids, "a store with that name comes earlier"); p != "" {
			return fail("%s: %s", where, p)
		}
		storeNames[in.Name] = true
		ids[in.ID] = true
		if in.ManagedBy == "" {
			accountStores++
		}
		x := StateStore{ID: in.ID, Name: in.Name, ManagedBy: in.ManagedBy, Created: in.Created, Modified: in.Modified}
		secretNames := map[string]bool{}
		for j, sec := range in.Secrets {
			where := fmt.Sprintf("%s.secrets[%d] (%q)", where, j, sec.Name)
			scopes := slices.Clone(sec.Scopes)
			slices.Sort(scopes)
			scopes = slices.Compact(scopes)
			p := objectProblem(sec.Name, sec.ID, secretNames[sec.Name], ids, "a secret with that name comes earlier in the store")
			if p == "" {
				p = contentProblem(sec, scopes)
			}
			if p != "" {
				return fail("%s: %s", where, p)
			}
			secretNames[sec.Name] = true
			ids[sec.ID] = true
			x.Secrets = append(x.Secrets, StateSecret{
				ID: sec.ID, Name: sec.Name, Value: sec.Value, Scopes: scopes, Comment: clonePtr(sec.Comment),
				Created: sec.Created, Modified: sec.Modified,
			})
		}
		secrets += len(in.Secrets)
		out.Stores = append(out.Stores, x)
	}
	switch {
	case accountStores > opts.MaxStores:
		return fail("%d account stores, more than -max-stores %d", accountStores, opts.MaxStores)
	case secrets > opts.SecretQuota:
		return fail("%d secrets, more than -secret-quota %d", secrets, opts.SecretQuota)
	}
	fillIn(out, ids, now)
	return out, nil
}

// objectProblem is what is wrong with a store's or secret's name or id ("" when nothing); clash
// is the problem of a name taken already.
func objectProblem(name, id string, taken bool, ids map[string]bool, clash string) string {
	switch {
	case name == "":
		return "name is empty"
	case !namePattern.MatchString(name):
		return "name must match " + namePattern.String()
	case taken:
		return clash
	case id != "" && !isID(id):
		return "id must be 32 lowercase hex digits"
	case id != "" && ids[id]:
		return "id " + id + " is used twice"
	}
	return ""
}

// contentProblem is what is wrong with a secret's value, scopes (sorted) or comment; never
// the value itself.
func contentProblem(sec StateSecret, scopes []string) string {
	switch {
	case sec.Value == "":
		return "value is empty"
	case len(sec.Value) > maxValueBytes:
		return fmt.Sprintf("value is longer than %d bytes", maxValueBytes)
	case len(scopes) == 0:
		return "scopes are empty"
	case sec.Comment != nil && utf8.RuneCountInString(*sec.Comment) > maxCommentRunes:
		return fmt.Sprintf("comment is longer than %d characters", maxCommentRunes)
	}
	for _, sc := range scopes {
		if !knownScopes[sc] {
			return fmt.Sprintf("scope %q is not one of %s", sc, strings.Join(scopeNames(), ", "))
		}
	}
	return ""
}

// fillIn gives what a hand-written seed left out an id (unused so far) and times (now).
func fillIn(st *State, ids map[string]bool, now time.Time) {
	newID := func() string {
		for {
			id := randomID()
			if !ids[id] {
				ids[id] = true
				return id
			}
		}
	}
	times := func(created, modified *time.Time) {
		if created.IsZero() {
			*created = now
		}
		if modified.IsZero() {
			*modified = *created
		}
	}
	for i := range st.Stores {
		x := &st.Stores[i]
		if x.ID == "" {
			x.ID = newID()
		}
		times(&x.Created, &x.Modified)
		for j := range x.Secrets {
			sec := &x.Secrets[j]
			if sec.ID == "" {
				sec.ID = newID()
			}
			times(&sec.Created, &sec.Modified)
		}
	}
}

// persist writes the state file after a change. Callers hold s.mu, so writes land in the order
// of the changes. A failed write is reported on the log and retried with the next change.
func (s *Server) persist() {
	if s.opts.StateFile == "" {
		return
	}
	if err := s.writeState(); err != nil {
		s.logLine(fmt.Sprintf("mockserver: writing the state file %s: %v", s.opts.StateFile, err))
	}
}

func (s *Server) writeState() error {
	b, err := json.MarshalIndent(s.snapshot(), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.opts.StateFile, append(b, '\n'), 0o600)
}
