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

// object is a JSON object read field by field (the API has sent arrays of one, null fields,
// numbers as strings, odd timestamps): one odd field never fails a request; ids and statuses
// are checked.
type object map[string]json.RawMessage

// flexText reads a JSON string or another scalar's text; null, objects, arrays and malformed strings are "".
func flexText(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null" || raw[0] == '{' || raw[0] == '[':
		return ""
	case raw[0] == '"':
		if n := len(raw); n >= 2 && raw[n-1] == '"' && !bytes.ContainsAny(raw[1:n-1], `"\\`) && utf8.Valid(raw) {
			return string(raw[1 : n-1]) // most strings have no escapes
		}
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	return string(raw)
}

func (o object) text(k string) string { return flexText(o[k]) }

// optText is a nullable string: nil when null or absent.
func (o object) optText(k string) *string {
	if raw := bytes.TrimSpace(o[k]); len(raw) > 0 && string(raw) != "null" {
		s := flexText(raw)
		return &s
	}
	return nil
}

// num reads a number or numeric string; anything else is 0.
func (o object) num(k string) int64 {
	s := strings.TrimSpace(o.text(k))
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return 0
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// time reads RFC 3339 with or without fraction or zone; anything else is zero.
func (o object) time(k string) time.Time {
	s := o.text(k)
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	return time.Time{}
}

// list reads an array of strings, a comma-separated string, or null.
func (o object) list(k string) []string {
	var out []string
	if raw := bytes.TrimSpace(o[k]); len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil // malformed: empty, never a failed response
		}
		out = []string{}
		for _, it := range items {
			if s := flexText(it); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	for _, p := range strings.Split(o.text(k), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checked reads a field that must be a string of a known form (an id, a status); absent is ""
// unless required. Its errors name the field and what it holds, never echoing it.
func (o object) checked(k, form string, required bool, ok func(string) bool) (string, error) {
	raw := bytes.TrimSpace(o[k])
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return "", fmt.Errorf("field %q is missing", k)
		}
		return "", nil
	}
	switch text := flexText(raw); {
	case raw[0] != '"' || (text == "" && len(raw) > 2):
		return "", fmt.Errorf("field %q is %s, not %s", k, jsonKind(raw), form)
	case (text == "" && !required) || ok(text):
		return text, nil
	default:
		return "", fmt.Errorf("field %q is not %s (got %d characters)", k, form, utf8.RuneCountInString(text))
	}
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

// The forms checked names.
const (
	idForm     = "an id of 32 lowercase hex characters"
	statusForm = "one of pending, active, deleted"
)

func isStatus(s string) bool { return s == StatusPending || s == StatusActive || s == StatusDeleted }

func storeOf(o object) (Store, error) {
	id, err := o.checked("id", idForm, true, isHexID)
	account := o.text("account_id") // one not in the id form is absent: the caller keeps its own
	if !isHexID(account) {
		account = ""
	}
	return Store{ID: id, Name: o.text("name"), AccountID: account, Created: o.time("created"), Modified: o.time("modified")}, err
}

func secretOf(o object) (Secret, error) {
	id, err1 := o.checked("id", idForm, true, isHexID)
	storeID, err2 := o.checked("store_id", idForm, false, isHexID)
	status, err3 := o.checked("status", statusForm, false, isStatus)
	return Secret{ID: id, StoreID: storeID, Name: o.text("name"), Comment: o.optText("comment"), Scopes: o.list("scopes"),
		Status: status, Created: o.time("created"), Modified: o.time("modified")}, cmp.Or(err1, err2, err3)
}

// quotaOf reads {"secrets": {"quota", "usage"}}, or a flat {"quota", "usage"}.
func quotaOf(o object) (Quota, error) {
	var counts object
	if json.Unmarshal(o["secrets"], &counts) == nil && counts != nil {
		o = counts
	}
	return Quota{Quota: o.num("quota"), Usage: o.num("usage")}, nil
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

// decodeList reads a list result's objects; null or {} is an empty list, a lone object a list of one.
func decodeList(raw json.RawMessage) ([]object, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	items := []json.RawMessage{raw}
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, jsonError(err)
		}
	} else if raw[0] != '{' {
		return nil, fmt.Errorf("result is %s, neither an array nor an object", jsonKind(raw))
	}
	out := make([]object, 0, len(items))
	for i, it := range items {
		if isEmptyJSON(it) {
			continue
		}
		var o object
		if it = bytes.TrimSpace(it); it[0] != '{' {
			return nil, fmt.Errorf("item %d is %s, not an object", i+1, jsonKind(it))
		} else if err := json.Unmarshal(it, &o); err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, jsonError(err))
		}
		out = append(out, o)
	}
	return out, nil
}

// jsonError describes a decoding error without the server's text.
func jsonError(err error) error {
	return errors.New(cleanBounded(err.Error(), maxShownField))
}

// decodeItems reads a list result and checks its items (convert), naming the first bad one.
func decodeItems[T any](raw json.RawMessage, convert func(object) (T, error)) ([]T, error) {
	objs, err := decodeList(raw)
	out := make([]T, len(objs))
	for i, o := range objs {
		if out[i], err = convert(o); err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	return out, err
}

// decoder reads rq's one-object result (older create-store answers send an array of one) and checks it.
func decoder[T any](what string, rq request, convert func(object) (T, error)) func(json.RawMessage) (*T, error) {
	return func(raw json.RawMessage) (*T, error) {
		objs, err := decodeList(raw)
		if err == nil && len(objs) == 0 {
			err = errNoResult
		}
		var v T
		if err == nil {
			v, err = convert(objs[0])
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: decoding %s: %w", rq.method, rq.path, what, err)
		}
		return &v, nil
	}
}
