package mockserver

import (
	"slices"
	"strconv"
)

type quotaView struct {
	Secrets struct {
		Quota int `json:"quota"`
		Usage int `json:"usage"`
	} `json:"secrets"`
}

// quota counts the secrets of every store in the account, /system stores included.
func (s *Server) quota(*call) reply {
	var v quotaView
	v.Secrets.Quota, v.Secrets.Usage = s.opts.SecretQuota, s.secretUsage()
	return success(v)
}

// secretInput is one validated item of a create-secrets body.
type secretInput struct {
	name, value string
	scopes      []string
	comment     *string
}

// readSecretInput checks one item's fields in body order: name, value, scopes, comment.
func readSecretInput(raw []byte) (secretInput, *apiError) {
	o, ok := asObject(raw)
	if !ok {
		return secretInput{}, errInvalidJSON
	}
	var in secretInput
	var err *apiError
	if in.name, err = checkSecretName(o.get("name")); err != nil {
		return in, err
	}
	if in.value, err = checkValue(o.get("value")); err != nil {
		return in, err
	}
	if in.scopes, err = checkScopes(o.get("scopes")); err != nil {
		return in, err
	}
	in.comment, err = checkComment(o.get("comment"))
	return in, err
}

// createSecrets is all or nothing: every item is validated, then checked for clashes (with the
// store and with earlier items), then the whole batch against the quota, before anything is made.
func (s *Server) createSecrets(c *call) reply {
	st, err := s.storeFor(c)
	if err != nil {
		return failure(err)
	}
	raw, err := parseBody(c)
	if err != nil {
		return failure(err)
	}
	items, ok := asArray(raw)
	if !ok || len(items) == 0 {
		return failure(errInvalidJSON)
	}
	inputs := make([]secretInput, len(items))
	for i, item := range items {
		if inputs[i], err = readSecretInput(item); err != nil {
			return failure(err)
		}
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		if seen[in.name] || st.secretByName(in.name) != nil {
			return failure(errSecretNameTaken.fill("NAME", in.name))
		}
		seen[in.name] = true
	}
	if s.secretUsage()+len(inputs) > s.opts.SecretQuota {
		return failure(errMaxSecrets.fill("N", strconv.Itoa(s.opts.SecretQuota)))
	}
	views := make([]secretView, len(inputs))
	for i, in := range inputs {
		views[i] = s.secretView(s.addSecret(st, in))
	}
	return success(views)
}

func (s *Server) addSecret(st *store, in secretInput) *secret {
	now := s.now()
	sec := &secret{
		id: s.newID(), storeID: st.id, name: in.name, comment: in.comment,
		scopes: in.scopes, value: in.value, created: now, modified: now, seq: s.nextSeq(),
	}
	s.startPending(sec, now)
	st.secrets[sec.id] = sec
	return sec
}

func (s *Server) listSecrets(c *call) reply {
	st, err := s.storeFor(c)
	if err != nil {
		return failure(err)
	}
	q, err := parseListQuery(c.rawQuery, secretOrders)
	if err != nil {
		return failure(err)
	}
	all := make([]*secret, 0, len(st.secrets))
	for _, sec := range st.secrets {
		all = append(all, sec)
	}
	all = filterSecrets(all, q)
	sortSecrets(all, q, s.now())
	page, info := paginate(all, q)
	views := make([]secretView, len(page))
	for i, sec := range page {
		views[i] = s.secretView(sec)
	}
	return listed(views, info)
}

// secretFor finds the path's store (404 store_not_found) and then its secret (secret_not_found).
func (s *Server) secretFor(c *call) (*store, *secret, *apiError) {
	st, err := s.storeFor(c)
	if err != nil {
		return nil, nil, err
	}
	sec, ok := st.secrets[c.secretID]
	if !ok {
		return nil, nil, errSecretNotFound
	}
	return st, sec, nil
}

func (s *Server) getSecret(c *call) reply {
	_, sec, err := s.secretFor(c)
	if err != nil {
		return failure(err)
	}
	return success(s.secretView(sec))
}

// patchSecret applies a merge-patch of comment, scopes and value. {} is a no-op, unknown members
// are ignored, and only a change that sticks touches modified; a new value restarts activation.
func (s *Server) patchSecret(c *call) reply {
	_, sec, err := s.secretFor(c)
	if err != nil {
		return failure(err)
	}
	o, err := parseObjectBody(c)
	if err != nil {
		return failure(err)
	}
	if o.get("name").present {
		return failure(errNameImmutable)
	}
	var value string
	var scopes []string
	var comment *string
	if m := o.get("value"); m.present {
		if value, err = checkValue(m); err != nil {
			return failure(err)
		}
	}
	if m := o.get("scopes"); m.present {
		if scopes, err = checkScopes(m); err != nil {
			return failure(err)
		}
	}
	if m := o.get("comment"); m.present {
		if comment, err = checkComment(m); err != nil { // null clears: comment stays nil
			return failure(err)
		}
	}

	now, changed := s.now(), false
	if value != "" && value != sec.value {
		sec.value, changed = value, true
		s.startPending(sec, now)
	}
	if scopes != nil && !slices.Equal(scopes, sec.scopes) {
		sec.scopes, changed = scopes, true
	}
	if o.get("comment").present && !equalPtr(comment, sec.comment) {
		sec.comment, changed = comment, true
	}
	if changed {
		sec.modified = now
	}
	return success(s.secretView(sec))
}

// deleteSecret answers with the secret as it was, status "deleted"; it is gone afterwards.
func (s *Server) deleteSecret(c *call) reply {
	st, sec, err := s.secretFor(c)
	if err != nil {
		return failure(err)
	}
	delete(st.secrets, sec.id)
	return success(deletedView(s.secretView(sec)))
}

// deleteSecrets takes {"ids": [...]} or [{"id": ...}, ...]. Repeated ids count once; one unknown
// id fails the request before anything is deleted.
func (s *Server) deleteSecrets(c *call) reply {
	st, err := s.storeFor(c)
	if err != nil {
		return failure(err)
	}
	raw, err := parseBody(c)
	if err != nil {
		return failure(err)
	}
	ids, err := readBulkIDs(raw)
	if err != nil {
		return failure(err)
	}
	for _, id := range ids {
		if _, ok := st.secrets[id]; !ok {
			return failure(errSecretNotFound)
		}
	}
	views := make([]secretView, len(ids))
	for i, id := range ids {
		views[i] = deletedView(s.secretView(st.secrets[id]))
		delete(st.secrets, id)
	}
	return success(views)
}

// readBulkIDs reads either bulk-delete shape; an empty list in either is invalid_json_body.
func readBulkIDs(raw []byte) ([]string, *apiError) {
	var ids []string
	if o, ok := asObject(raw); ok {
		m := o.get("ids")
		if !m.set() {
			return nil, errInvalidJSON
		}
		var err *apiError
		if ids, err = m.strs(); err != nil {
			return nil, err
		}
	} else if items, ok := asArray(raw); ok {
		for _, item := range items {
			o, ok := asObject(item)
			if !ok || !o.get("id").set() {
				return nil, errInvalidJSON
			}
			id, err := o.get("id").str()
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
	} else {
		return nil, errInvalidJSON
	}
	if len(ids) == 0 {
		return nil, errInvalidJSON
	}
	unique := ids[:0]
	for _, id := range ids {
		if !slices.Contains(unique, id) {
			unique = append(unique, id)
		}
	}
	return unique, nil
}

// duplicateSecret copies the source's value server-side into a new pending secret in the same
// store. The comment is not copied: an omitted one stays empty.
func (s *Server) duplicateSecret(c *call) reply {
	st, src, err := s.secretFor(c)
	if err != nil {
		return failure(err)
	}
	o, err := parseObjectBody(c)
	if err != nil {
		return failure(err)
	}
	in := secretInput{value: src.value}
	if in.name, err = checkSecretName(o.get("name")); err != nil {
		return failure(err)
	}
	if in.scopes, err = checkScopes(o.get("scopes")); err != nil {
		return failure(err)
	}
	if in.comment, err = checkComment(o.get("comment")); err != nil {
		return failure(err)
	}
	if st.secretByName(in.name) != nil {
		return failure(errSecretNameTaken.fill("NAME", in.name))
	}
	if s.secretUsage()+1 > s.opts.SecretQuota {
		return failure(errMaxSecrets.fill("N", strconv.Itoa(s.opts.SecretQuota)))
	}
	return success(s.secretView(s.addSecret(st, in)))
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
