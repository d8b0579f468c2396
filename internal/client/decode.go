package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The wire types read what the API has sent over its versions (an object or an array of one,
// null or absent fields, numbers as strings, odd timestamps) field by field, so that one
// surprising field never fails a request; the public types stay plain.

// flexText reads a JSON string, or the text of any other scalar; null, objects and arrays
// are "".
func flexText(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null" || raw[0] == '{' || raw[0] == '[':
		return ""
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s) // malformed: ""
		return s
	}
	return string(raw)
}

// flexString reads a JSON string or any scalar's text.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	*s = flexString(flexText(b))
	return nil
}

// flexInt64 reads a JSON number or numeric string; anything else is 0.
type flexInt64 int64

func (n *flexInt64) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(flexText(b))
	*n = 0
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt64(i)
	} else if f, err := strconv.ParseFloat(s, 64); err == nil {
		*n = flexInt64(f)
	}
	return nil
}

// flexTime reads RFC 3339 with or without fraction or zone; anything else is zero.
type flexTime time.Time

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	s := flexText(b)
	*t = flexTime{}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = flexTime(v.UTC())
			break
		}
	}
	return nil
}

// flexStrings reads an array of strings, a comma-separated string, or null.
type flexStrings []string

func (l *flexStrings) UnmarshalJSON(b []byte) error {
	*l = nil
	var items []flexString
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		if json.Unmarshal(b, &items) != nil {
			return nil //nolint:nilerr // tolerant: a malformed list reads as empty, never fails the response
		}
		*l = []string{}
	} else {
		for _, p := range strings.Split(flexText(b), ",") {
			items = append(items, flexString(strings.TrimSpace(p)))
		}
	}
	for _, it := range items {
		if it != "" {
			*l = append(*l, string(it))
		}
	}
	return nil
}

// strictString reads a field that must be a JSON string of a known form (an id, a status):
// anything else is kept as a description for the error, never as text.
type strictString struct {
	text    string
	present bool   // neither absent nor null
	notText string // "a number", "an object"...: the value was not a readable string
}

func (f *strictString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = strictString{present: len(b) > 0 && string(b) != "null"}
	if !f.present {
		return nil
	}
	if f.text = flexText(b); b[0] != '"' || (f.text == "" && len(b) > 2) {
		f.text, f.notText = "", jsonKind(b)
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
	return len(s) == 32 && strings.Trim(s, "0123456789abcdef") == ""
}

// checkID returns a decoded id, or an error naming the field: an id not in the API's form
// must never become a resource's. An optional id may be absent.
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
	case f.notText != "":
		return "", fmt.Errorf("field \"status\" is %s, not a status", f.notText)
	case f.text == "", f.text == StatusPending, f.text == StatusActive, f.text == StatusDeleted:
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
	// account_id may be absent; one not in the id form is taken as absent, so the caller
	// keeps the account it asked about.
	account := string(w.AccountID)
	if !isHexID(account) {
		account = ""
	}
	return Store{ID: id, Name: string(w.Name), AccountID: account, Created: time.Time(w.Created), Modified: time.Time(w.Modified)}, err
}

type wireSecret struct {
	ID       strictString `json:"id"`
	StoreID  strictString `json:"store_id"`
	Name     flexString   `json:"name"`
	Comment  *flexString  `json:"comment"`
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
	return Secret{ID: id, StoreID: storeID, Name: string(w.Name), Comment: (*string)(w.Comment), Scopes: w.Scopes,
		Status: status, Created: time.Time(w.Created), Modified: time.Time(w.Modified)}, nil
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

func (w wireQuota) value() (Quota, error) {
	c := w.wireQuotaCounts
	if w.Secrets != nil {
		c = *w.Secrets
	}
	return Quota{Quota: int64(c.Quota), Usage: int64(c.Usage)}, nil
}

// wireResultInfo is what the client reads of a list's result_info; any field may be missing.
type wireResultInfo struct {
	TotalCount flexInt64 `json:"total_count"`
	TotalPages flexInt64 `json:"total_pages"`
}

// errNoResult is a success whose result is null, {} or [] where an object was due.
var errNoResult = errors.New("the API returned no result")

// isEmptyJSON is true for absent, null, {} and [] (with any spacing).
func isEmptyJSON(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 {
		return len(raw) == 0
	}
	inner := bytes.TrimSpace(raw[1 : len(raw)-1])
	return string(raw) == "null" || len(inner) == 0 && (raw[0] == '{' && raw[len(raw)-1] == '}' || raw[0] == '[' && raw[len(raw)-1] == ']')
}

// decodeOne decodes a one-object result (older create-store answers send an array of one)
// and checks it.
func decodeOne[W, T any](raw json.RawMessage, convert func(W) (T, error)) (T, error) {
	ws, err := decodeList[W](raw)
	if err == nil && len(ws) == 0 {
		err = errNoResult
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return convert(ws[0])
}

// decodeList decodes a list result; null or {} is an empty list, a lone object a list of one.
func decodeList[W any](raw json.RawMessage) ([]W, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	items := []json.RawMessage{raw}
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, jsonError(err)
		}
	case '{':
	default:
		return nil, fmt.Errorf("result is %s, neither an array nor an object", jsonKind(raw))
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
}

// jsonError describes a decoding error without the server's text: encoding/json quotes a
// mistyped number whole, however long.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("field %q: want %s", cleanBounded(cmp.Or(typeErr.Field, "result"), 100), typeErr.Type)
	}
	return errors.New(cleanBounded(err.Error(), maxShownField))
}

// decodeItems decodes a list result and checks its items, naming the first bad one.
func decodeItems[W, T any](raw json.RawMessage, convert func(W) (T, error)) ([]T, error) {
	ws, err := decodeList[W](raw)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(ws))
	for i, w := range ws {
		if out[i], err = convert(w); err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	return out, nil
}
