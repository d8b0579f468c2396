package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// mockPrefix is where the mock's own routes live. They are not the API's: they are never counted
// in the stats, faulted, delayed or rate limited, and they answer bare JSON (their errors keep
// the API's envelope and codes).
const mockPrefix = "/__mock/"

// mockAccess is what a mock route asks of the caller's credentials.
type mockAccess string

const (
	accessNone  mockAccess = "none"  // readiness probes and counters reveal nothing
	accessRead  mockAccess = "read"  // any credential the API accepts; a service sees its own stores only
	accessWrite mockAccess = "write" // the write token or the legacy key, as for API writes
)

// mockRoute is one of the mock's own routes.
type mockRoute struct {
	method, template string
	access           mockAccess
	segs             []string
	handle           func(*Server, *exchange, mockCall)
}

// mockCall is what a mock route's handler receives.
type mockCall struct {
	who    principal
	params map[string]string
}

// mockRoutes is the table of the mock's own routes.
var mockRoutes = mountMockRoutes([]*mockRoute{
	{method: "GET", template: "/__mock/health", access: accessNone, handle: health},
	{method: "GET", template: "/__mock/stats", access: accessNone, handle: getStats},
	{method: "DELETE", template: "/__mock/stats", access: accessNone, handle: deleteStats},
	{method: "POST", template: "/__mock/reset", access: accessWrite, handle: reset},
	{method: "GET", template: "/__mock/secrets/{secret_id}/sha256", access: accessRead, handle: digest},
})

func mountMockRoutes(rts []*mockRoute) []*mockRoute {
	for _, m := range rts {
		m.segs = strings.Split(m.template[1:], "/")
	}
	return rts
}

// key is the route as the request log names it: "METHOD /template".
func (m *mockRoute) key() string { return m.method + " " + m.template }

// matchMockRoute finds the mock route for method and path, or the methods the path allows.
func matchMockRoute(method, path string) (*mockRoute, map[string]string, []string) {
	return matchIn(mockRoutes, func(m *mockRoute) (string, []string) { return m.method, m.segs }, method, path)
}

// serveMock answers the mock's own routes and reports whether the path was one of them.
func (s *Server) serveMock(x *exchange) bool {
	if !strings.HasPrefix(x.path, mockPrefix) {
		return false
	}
	m, params, allow := matchMockRoute(x.r.Method, x.path)
	if m == nil {
		if len(allow) > 0 {
			x.w.Header().Set("Allow", strings.Join(allow, ", "))
			s.fail(x, errMethodNotAllowed)
			return true
		}
		s.fail(x, errNoRoute)
		return true
	}
	x.route, x.params = m.key(), params
	c := mockCall{params: params}
	if m.access != accessNone {
		who, ok := s.authenticate(x.r)
		switch {
		case !ok:
			s.fail(x, errAuthentication)
			return true
		case m.access == accessWrite && !who.write:
			s.fail(x, errForbidden)
			return true
		}
		c.who = who
	}
	m.handle(s, x, c)
	return true
}

// health answers 200 while the server serves: a readiness probe for scripts and containers.
func health(_ *Server, x *exchange, _ mockCall) {
	writeBare(x, http.StatusOK, map[string]string{"status": "ok"})
}

// reset puts the state back to the seed (or the fresh default) and zeroes the stats, in one step
// under the lock: a request in flight acts wholly before or wholly after it.
func reset(s *Server, x *exchange, _ mockCall) {
	stores, secrets := s.Reset()
	writeBare(x, http.StatusOK, map[string]int{"stores": stores, "secrets": secrets})
}

// digest answers the SHA-256 of a secret's value, so a test can tell which value reached which
// secret while the value itself never leaves the mock. Secret ids are unique across stores.
func digest(s *Server, x *exchange, c mockCall) {
	id := c.params["secret_id"]
	if !isID(id) {
		s.fail(x, errBadIdentifier.fill("PATH", x.path))
		return
	}
	sum, ok := s.valueDigest(id, c.who)
	if !ok {
		s.fail(x, errSecretNotFound)
		return
	}
	writeBare(x, http.StatusOK, map[string]string{"sha256": sum})
}

// valueDigest finds a secret by id among the stores the principal can see.
func (s *Server) valueDigest(id string, who principal) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.stores {
		if who.service != "" && st.managedBy != who.service {
			continue
		}
		if sec, ok := st.secrets[id]; ok {
			sum := sha256.Sum256([]byte(sec.value))
			return hex.EncodeToString(sum[:]), true
		}
	}
	return "", false
}

// writeBare serves v as plain JSON, not in an envelope: the mock's answers, not the API's.
func writeBare(x *exchange, status int, v any) {
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(status)
	x.status = status
	_ = json.NewEncoder(x.w).Encode(v)
}
