package mockserver

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// principal is who a request's credentials name.
type principal struct {
	write   bool   // account token or legacy key with write permission
	read    bool   // account token with read permission only
	service string // calling service, for /system routes
}

// authenticate maps credentials to a principal. A Bearer header wins over legacy headers, as it
// does for Cloudflare's clients, so a bad token is not rescued by a good key.
func (s *Server) authenticate(r *http.Request) (principal, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return principal{}, false
		}
		switch {
		case equal(token, s.opts.Token):
			return principal{write: true}, true
		case s.opts.ReadToken != "" && equal(token, s.opts.ReadToken):
			return principal{read: true}, true
		}
		for name, t := range s.opts.Services {
			if t != "" && equal(token, t) {
				return principal{service: name}, true
			}
		}
		return principal{}, false
	}
	email, key := r.Header.Get("X-Auth-Email"), r.Header.Get("X-Auth-Key")
	if s.opts.Email != "" && s.opts.Key != "" && equal(email, s.opts.Email) && equal(key, s.opts.Key) {
		return principal{write: true}, true
	}
	return principal{}, false
}

// authorize runs the credential checks (401, then 403) and then the path-id format check
// (400 7003), and turns the request into a call.
func (s *Server) authorize(r *http.Request, rt *route, params map[string]string) (*call, *apiError) {
	p, ok := s.authenticate(r)
	if !ok {
		return nil, errAuthentication
	}
	switch {
	case rt.fam.system && p.service == "", !rt.fam.system && p.service != "":
		return nil, errForbidden // the wrong kind of token for this family
	case params[rt.fam.accountParam] != s.opts.Account:
		return nil, errForbidden // every token belongs to the one account
	case p.read && rt.method != http.MethodGet:
		return nil, errForbidden
	}
	c := &call{fam: rt.fam, service: p.service, storeID: params["store_id"], secretID: params["secret_id"]}
	for _, id := range []string{c.storeID, c.secretID} {
		if id != "" && !isID(id) {
			return nil, errBadIdentifier.fill("PATH", stripPrefix(r.URL.Path))
		}
	}
	return c, nil
}

// credentialKey identifies the presented credentials for per-token rate limiting.
func credentialKey(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		return "bearer:" + h
	}
	return "legacy:" + r.Header.Get("X-Auth-Email") + "\x00" + r.Header.Get("X-Auth-Key")
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
