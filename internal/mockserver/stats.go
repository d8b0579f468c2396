package mockserver

import (
	"net/http"
	"slices"
)

// Request is what the server received, for payload assertions. Bodies stay in-process: they
// are never served over HTTP, /__mock/stats included.
type Request struct {
	Method string
	Path   string // the URL path as received (with /client/v4 prefix stripped)
	Query  string // raw query
	Route  string // "METHOD /template" as in endpoints.md; "" for unknown routes and methods
	Body   []byte // raw request body
	Status int    // status answered (0 for dropped or still in flight)
}

// Stats counts API requests, failed and faulted ones included, /__mock/* excluded.
type Stats struct {
	Total  int            `json:"total"`
	Routes map[string]int `json:"routes"`
}

// record counts and logs a request as it arrives, so Requests() keeps arrival order.
func (s *Server) record(r *http.Request, path string, rt *route, body []byte) *Request {
	req := &Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Total++
	if rt != nil {
		req.Route = rt.key
		s.stats.Routes[rt.key]++
	}
	s.requests = append(s.requests, req)
	return req
}

func (s *Server) finish(x *exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x.rec.Status = x.status
}

// Requests returns every request received since the last ResetRequests, in arrival order.
func (s *Server) Requests() []Request {
	return s.requestsWhere(func(*Request) bool { return true })
}

// RequestsTo returns the requests to one route ("METHOD /template"), in arrival order.
func (s *Server) RequestsTo(route string) []Request {
	return s.requestsWhere(func(r *Request) bool { return r.Route == route })
}

func (s *Server) requestsWhere(keep func(*Request) bool) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Request{}
	for _, r := range s.requests {
		if keep(r) {
			c := *r
			c.Body = slices.Clone(r.Body)
			out = append(out, c)
		}
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Stats returns a copy of the request counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Total: s.stats.Total, Routes: make(map[string]int, len(s.stats.Routes))}
	for k, v := range s.stats.Routes {
		out.Routes[k] = v
	}
	return out
}

// ResetStats zeroes the request counts.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Routes: map[string]int{}}
}

// getStats serves the counts (GET /__mock/stats).
func getStats(s *Server, x *exchange, _ mockCall) {
	writeBare(x, http.StatusOK, s.Stats())
}

// deleteStats zeroes the counts and serves them (DELETE /__mock/stats).
func deleteStats(s *Server, x *exchange, _ mockCall) {
	s.ResetStats()
	writeBare(x, http.StatusOK, s.Stats())
}
