package mockserver

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

const (
	maxBodyBytes    = 1 << 20
	maxValueBytes   = 65536
	maxCommentRunes = 1024
)

// namePattern is the Decision for store and secret names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// knownScopes are the products a secret may be bound to.
var knownScopes = map[string]bool{
	"workers": true, "ai_gateway": true, "dex": true, "access": true, "containers": true, "websearch": true,
}

// scopeNames lists knownScopes in order, for messages and the fidelity page.
func scopeNames() []string {
	names := slices.Collect(maps.Keys(knownScopes))
	slices.Sort(names)
	return names
}

// parseBody checks the body stage: size first (413), then that it is exactly one JSON value.
func parseBody(c *call) (json.RawMessage, *apiError) {
	if c.tooLarge {
		return nil, errBodyTooLarge
	}
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(&raw); err != nil {
		return nil, errInvalidJSON
	}
	if len(bytes.TrimSpace(c.body[dec.InputOffset():])) != 0 {
		return nil, errInvalidJSON // trailing data after the value
	}
	return raw, nil
}

// parseObjectBody is parseBody for a body that must be a JSON object.
func parseObjectBody(c *call) (object, *apiError) {
	raw, err := parseBody(c)
	if err != nil {
		return nil, err
	}
	o, ok := asObject(raw)
	if !ok {
		return nil, errInvalidJSON
	}
	return o, nil
}

// object is a JSON object body keyed by exact member names, so that absent, null and set
// members stay distinguishable (merge-patch needs all three).
type object map[string]json.RawMessage

// member is one member of an object: absent, null, or a raw value.
type member struct {
	present bool
	raw     json.RawMessage
}

func (m member) null() bool { return m.present && string(m.raw) == "null" }

// set reports a member that is present and not null.
func (m member) set() bool { return m.present && !m.null() }

func asObject(raw json.RawMessage) (object, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var o object
	if json.Unmarshal(raw, &o) != nil {
		return nil, false
	}
	return o, true
}

func asArray(raw json.RawMessage) ([]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) != nil {
		return nil, false
	}
	return a, true
}

func (o object) get(key string) member {
	raw, ok := o[key]
	return member{present: ok, raw: bytes.TrimSpace(raw)}
}

// str decodes a set member as a string; wrong types are invalid_json_body.
func (m member) str() (string, *apiError) {
	var v string
	if len(m.raw) == 0 || m.raw[0] != '"' || json.Unmarshal(m.raw, &v) != nil {
		return "", errInvalidJSON
	}
	return v, nil
}

func (m member) strs() ([]string, *apiError) {
	var v []string
	if len(m.raw) == 0 || m.raw[0] != '[' || json.Unmarshal(m.raw, &v) != nil {
		return nil, errInvalidJSON
	}
	return v, nil
}

func checkStoreName(m member) (string, *apiError) {
	if !m.set() {
		return "", errStoreNameInvalid
	}
	name, err := m.str()
	if err != nil {
		return "", err
	}
	if !namePattern.MatchString(name) {
		return "", errStoreNameInvalid
	}
	return name, nil
}

func checkSecretName(m member) (string, *apiError) {
	if !m.set() {
		return "", errSecretNameEmpty
	}
	name, err := m.str()
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", errSecretNameEmpty
	}
	if !namePattern.MatchString(name) {
		return "", errSecretNameBad
	}
	return name, nil
}

func checkValue(m member) (string, *apiError) {
	if !m.set() {
		return "", errValueEmpty
	}
	v, err := m.str()
	if err != nil {
		return "", err
	}
	switch {
	case v == "":
		return "", errValueEmpty
	case len(v) > maxValueBytes:
		return "", errValueTooLong
	}
	return v, nil
}

// checkScopes returns the scopes sorted and without duplicates, as they are stored and served.
func checkScopes(m member) ([]string, *apiError) {
	if !m.set() {
		return nil, errScopesEmpty
	}
	scopes, err := m.strs()
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, errScopesEmpty
	}
	for _, sc := range scopes {
		if !knownScopes[sc] {
			return nil, errScopeInvalid
		}
	}
	slices.Sort(scopes)
	return slices.Compact(scopes), nil
}

// checkComment returns nil for an absent or null comment; "" is kept as "".
func checkComment(m member) (*string, *apiError) {
	if !m.set() {
		return nil, nil
	}
	v, err := m.str()
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(v) > maxCommentRunes {
		return nil, errCommentTooLong
	}
	return &v, nil
}

// checkInternalAccountID reads the numeric account id a /system store create carries.
func checkInternalAccountID(m member) (int64, *apiError) {
	if !m.set() || len(m.raw) == 0 || (m.raw[0] != '-' && (m.raw[0] < '0' || m.raw[0] > '9')) {
		return 0, errAccountIDInvalid
	}
	id, err := strconv.ParseInt(string(m.raw), 10, 64)
	if err != nil {
		return 0, errAccountIDInvalid
	}
	return id, nil
}
