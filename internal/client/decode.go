package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The wire types below decode what the API has sent over its several versions: objects or
// arrays of one, null or absent fields, numbers as strings, odd timestamps. Decoding is
// lenient field by field so that one surprising field never fails a whole call; the
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

type wireStore struct {
	ID        flexString `json:"id"`
	Name      flexString `json:"name"`
	AccountID flexString `json:"account_id"`
	Created   flexTime   `json:"created"`
	Modified  flexTime   `json:"modified"`
}

func (w wireStore) value() Store {
	return Store{
		ID:        string(w.ID),
		Name:      string(w.Name),
		AccountID: string(w.AccountID),
		Created:   time.Time(w.Created),
		Modified:  time.Time(w.Modified),
	}
}

type wireSecret struct {
	ID       flexString  `json:"id"`
	StoreID  flexString  `json:"store_id"`
	Name     flexString  `json:"name"`
	Comment  optString   `json:"comment"`
	Scopes   flexStrings `json:"scopes"`
	Status   flexString  `json:"status"`
	Created  flexTime    `json:"created"`
	Modified flexTime    `json:"modified"`
}

func (w wireSecret) value() Secret {
	return Secret{
		ID:       string(w.ID),
		StoreID:  string(w.StoreID),
		Name:     string(w.Name),
		Comment:  w.Comment.p,
		Scopes:   []string(w.Scopes),
		Status:   string(w.Status),
		Created:  time.Time(w.Created),
		Modified: time.Time(w.Modified),
	}
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

// wireResultInfo is a list's result_info; any field may be missing.
type wireResultInfo struct {
	Page       flexInt64 `json:"page"`
	PerPage    flexInt64 `json:"per_page"`
	Count      flexInt64 `json:"count"`
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
			return w, err
		}
		for _, it := range items {
			if !isEmptyJSON(it) {
				return decodeOne[W](it)
			}
		}
		return w, errNoResult
	case '{':
		err := json.Unmarshal(raw, &w)
		return w, err
	}
	return w, fmt.Errorf("result is neither an object nor an array: %.20q", raw)
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
			return nil, err
		}
		out := make([]W, 0, len(items))
		for _, it := range items {
			if isEmptyJSON(it) {
				continue
			}
			var w W
			if err := json.Unmarshal(it, &w); err != nil {
				return nil, err
			}
			out = append(out, w)
		}
		return out, nil
	case '{':
		var w W
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, err
		}
		return []W{w}, nil
	}
	return nil, fmt.Errorf("result is neither an array nor an object: %.20q", raw)
}

func storesOf(ws []wireStore) []Store {
	out := make([]Store, len(ws))
	for i, w := range ws {
		out[i] = w.value()
	}
	return out
}

func secretsOf(ws []wireSecret) []Secret {
	out := make([]Secret, len(ws))
	for i, w := range ws {
		out[i] = w.value()
	}
	return out
}
