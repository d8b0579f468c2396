package mockserver

import (
	"encoding/json"
	"time"
)

// logEntry is one line of Options.RequestLog. It holds what identifies a request and nothing
// a client sent in a body, a query or a header: never a value or a credential.
type logEntry struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Route      string    `json:"route"`  // "METHOD /template" as in the stats; "" when none matched
	Status     int       `json:"status"` // 0: the connection was dropped without an answer
	AccountID  string    `json:"account_id,omitempty"`
	StoreID    string    `json:"store_id,omitempty"`
	SecretID   string    `json:"secret_id,omitempty"`
	CreatedIDs []string  `json:"created_ids,omitempty"`
	DurationMS float64   `json:"duration_ms"`
}

// logJSON writes the request's line. Path ids are logged only when they are ids (32 lowercase
// hex): whatever else a client put in a path stays out of the log.
func (s *Server) logJSON(x *exchange, start time.Time, took time.Duration) {
	if s.opts.RequestLog == nil {
		return
	}
	e := logEntry{
		Time: start, Method: x.r.Method, Route: x.route, Status: x.status, CreatedIDs: x.created,
		DurationMS: float64(took.Microseconds()) / 1000,
	}
	if !knownMethod(e.Method) {
		e.Method = "OTHER" // a method is free text too
	}
	id := func(names ...string) string {
		for _, n := range names {
			if v := x.params[n]; isID(v) {
				return v
			}
		}
		return ""
	}
	e.AccountID, e.StoreID, e.SecretID = id("account_id", "account_tag"), id("store_id"), id("secret_id")
	b, err := json.Marshal(e)
	if err != nil {
		return // plain strings, numbers and a time: cannot fail
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.opts.RequestLog.Write(append(b, '\n'))
}

func knownMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return true
	}
	return false
}

// createdIDs are the ids of the objects a POST answered with.
func createdIDs(result any) []string {
	switch v := result.(type) {
	case storeView:
		return []string{v.ID}
	case []storeView:
		return idsOf(v, func(st storeView) string { return st.ID })
	case secretView:
		return []string{v.ID}
	case []secretView:
		return idsOf(v, func(sec secretView) string { return sec.ID })
	}
	return nil
}

func idsOf[T any](items []T, id func(T) string) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	return ids
}
