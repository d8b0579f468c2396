package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The wire types below decode what the API has sent over its several versions: objects or
// arrays of one, null or absent fields, numbers as strings, odd timestamps. Decoding is
// lenient field by field so that one surprising field never fails a whole request; the
// public types in types.go stay plain.

// flexString reads a JSON string or any scalar's text; null is "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	*s = flexString(flexText(b))
	return nil
}

// flexInt64 reads a JSON number or numeric string; anything else is 0.
type flexInt64 int64

func (n *flexInt64) UnmarshalJSON(b []byte) error {
	*n = flexInt64(flexInt(b))
	return nil
}

// flexTime reads RFC 3339 with or without fraction or zone; null, "" or garbage is zero.
type flexTime time.Time

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	s := flexText(b)
	*t = flexTime{}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = flexTime(v.UTC())
			return nil
		}
	}
	return nil
}

// flexStrings reads an array of strings, a comma-separated string, or null.
type flexStrings []string

func (l *flexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*l = nil
	if len(b) == 0 || b[0] != '[' {
		if s := flexText(b); s != "" {
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p != "" {
					*l = append(*l, p)
				}
			}
		}
		return nil
	}
	var items []flexString
	if err := json.Unmarshal(b, &items); err != nil {
		return nil //nolint:nilerr // tolerant decoding: a malformed list reads as empty, never fails the response
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it != "" {
			out = append(out, string(it))
		}
	}
	*l = out
	return nil
}

// optString reads a nullable string: null or absent is nil.
type optString struct{ p *string }

func (o *optString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		o.p = nil
		return nil
	}
	s := flexText(b)
	o.p = &s
	return nil
}

// strictString reads a field whose value must be a JSON string of a known form (an id, a
// status): what else came is kept as a description for the error, never the text itself.
type strictString struct {
	text    string
	present bool   // neither absent nor null
	notText string // "a number", "an object"...: set when the value was not a string
}

func (f *strictString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = strictString{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	f.present = true
	if b[0] != '"' {
		f.notText = jsonKind(b)
		return nil
	}
	if f.text = flexText(b); f.text == "" && len(b) > 2 {
		f.notText = jsonKind(b) // a string flexText could not read
	}
	return nil
}

// jsonKind names the kind of a JSON value, for errors that must not echo it.
func jsonKind(b []byte) string {
	switch b = bytes.TrimSpace(b); {
	case len(b) == 0:
		return "empty"
	case b[0] == '"':
		return "a malformed string"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "an array"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

// isHexID reports the API's id form: 32 lowercase hex characters.
func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkID returns a decoded id, or an error naming the field (an id the API did not
// send in its form must never become a resource's id). An optional id may be absent.
func checkID(field string, f strictString, required bool) (string, error) {
	switch {
	case !f.present || (!required && f.notText == "" && f.text == ""):
		if required {
			return "", fmt.Errorf("field %q is missing", field)
		}
		return "", nil
	case f.notText != "":
		return "", fmt.Errorf("field %q is %s, not a 32-hex id", field, f.notText)
	case !isHexID(f.text):
		return "", fmt.Errorf("field %q is not an id of 32 lowercase hex characters (got %d characters)", field, utf8.RuneCountInString(f.text))
	}
	return f.text, nil
}

// checkStatus returns a decoded secret status: absent (""), or one the API documents.
func checkStatus(f strictString) (string, error) {
	switch {
	case !f.present || (f.notText == "" && f.text == ""):
		return "", nil
	case f.notText != "":
		return "", fmt.Errorf("field \"status\" is %s, not a status", f.notText)
	}
	switch f.text {
	case StatusPending, StatusActive, StatusDeleted:
		return f.text, nil
	}
	return "", fmt.Errorf("field \"status\" is not one of %s, %s, %s (got %d characters)",
		StatusPending, StatusActive, StatusDeleted, utf8.RuneCountInString(f.text))
}

type wireStore struct {
	ID        strictString `json:"id"`
	Name      flexString   `json:"name"`
	AccountID flexString   `json:"account_id"`
	Created   flexTime     `json:"created"`
	Modified  flexTime     `json:"modified"`
}

func (w wireStore) value() (Store, error) {
	id, err := checkID("id", w.ID, true)
	if err != nil {
		return Store{}, err
	}
	// account_id may be absent in real responses; one not in the id form is treated as absent,
	// so the caller keeps the account it asked about rather than recording nonsense.
	account := string(w.AccountID)
	if !isHexID(account) {
		account = ""
	}
	return Store{
		ID:        id,
		Name:      string(w.Name),
		AccountID: account,
		Created:   time.Time(w.Created),
		Modified:  time.Time(w.Modified),
	}, nil
}

type wireSecret struct {
	ID       strictString `json:"id"`
	StoreID  strictString `json:"store_id"`
	Name     flexString   `json:"name"`
	Comment  optString    `json:"comment"`
	Scopes   flexStrings  `json:"scopes"`
	Status   strictString `json:"status"`
	Created  flexTime     `json:"created"`
	Modified flexTime     `json:"modified"`
}

func (w wireSecret) value() (Secret, error) {
	id, err := checkID("id", w.ID, true)
	if err != nil {
		return Secret{}, err
	}
	storeID, err := checkID("store_id", w.StoreID, false)
	if err != nil {
		return Secret{}, err
	}
	status, err := checkStatus(w.Status)
	if err != nil {
		return Secret{}, err
	}
	return Secret{
		ID:       id,
		StoreID:  storeID,
		Name:     string(w.Name),
		Comment:  w.Comment.p,
		Scopes:   []string(w.Scopes),
		Status:   status,
		Created:  time.Time(w.Created),
		Modified: time.Time(w.Modified),
	}, nil
}

type wireQuotaCounts struct {
	Quota flexInt64 `json:"quota"`
	Usage flexInt64 `json:"usage"`
}

// wireQuota is {"secrets": {"quota", "usage"}}; a flat {"quota", "usage"} is accepted too.
type wireQuota struct {
	Secrets *wireQuotaCounts `json:"secrets"`
	wireQuotaCounts
}

func (w wireQuota) value() Quota {
	c := w.wireQuotaCounts
	if w.Secrets != nil {
		c = *w.Secrets
	}
	return Quota{Quota: int64(c.Quota), Usage: int64(c.Usage)}
}

// wireResultInfo is what the client reads of a list's result_info (page, per_page and count
// too are sent); any field may be missing.
type wireResultInfo struct {
	TotalCount flexInt64 `json:"total_count"`
	TotalPages flexInt64 `json:"total_pages"`
}

// errNoResult is a success envelope whose result is null, {} or [] where an object was due.
var errNoResult = errors.New("the API returned no result")

// isEmptyJSON is true for absent, null, {} and [] (with any spacing).
func isEmptyJSON(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	if len(raw) >= 2 && (raw[0] == '{' && raw[len(raw)-1] == '}' || raw[0] == '[' && raw[len(raw)-1] == ']') {
		return len(bytes.TrimSpace(raw[1:len(raw)-1])) == 0
	}
	return false
}

// decodeOne decodes a single object result, also accepted as an array whose first
// element is the object (older create-store responses).
func decodeOne[W any](raw json.RawMessage) (W, error) {
	var w W
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return w, errNoResult
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return w, jsonError(err)
		}
		for _, it := range items {
			if !isEmptyJSON(it) {
				return decodeOne[W](it)
			}
		}
		return w, errNoResult
	case '{':
		return w, jsonError(json.Unmarshal(raw, &w))
	}
	return w, fmt.Errorf("result is %s, neither an object nor an array", jsonKind(raw))
}

// decodeList decodes a list result; null or {} is an empty list, a lone object a list of one.
func decodeList[W any](raw json.RawMessage) ([]W, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, jsonError(err)
		}
		out := make([]W, 0, len(items))
		for i, it := range items {
			if isEmptyJSON(it) {
				continue
			}
			if it = bytes.TrimSpace(it); it[0] != '{' {
				return nil, fmt.Errorf("item %d is %s, not an object", i+1, jsonKind(it))
			}
			var w W
			if err := json.Unmarshal(it, &w); err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, jsonError(err))
			}
			out = append(out, w)
		}
		return out, nil
	case '{':
		var w W
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, jsonError(err)
		}
		return []W{w}, nil
	}
	return nil, fmt.Errorf("result is %s, neither an array nor an object", jsonKind(raw))
}

// jsonError describes a decoding error without the server's text: encoding/json quotes
// a mistyped number whole, however long.
func jsonError(err error) error {
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "result"
		}
		return fmt.Errorf("field %q: want %s", cleanBounded(field, 100), typeErr.Type)
	}
	return errors.New(cleanBounded(err.Error(), maxShownField))
}

// convertAll checks and converts decoded items, naming the first bad one.
func convertAll[W, T any](ws []W, convert func(W) (T, error)) ([]T, error) {
	out := make([]T, len(ws))
	for i, w := range ws {
		v, err := convert(w)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// decodeItems decodes a list result and checks and converts its items.
func decodeItems[W, T any](raw json.RawMessage, convert func(W) (T, error)) ([]T, error) {
	ws, err := decodeList[W](raw)
	if err != nil {
		return nil, err
	}
	return convertAll(ws, convert)
}
