package mockserver

import (
	"slices"
	"strings"
)

// family is a route family: the account routes and the /system routes share every handler and
// differ only in their base path, the name of the account parameter and who may call them.
type family struct {
	system       bool
	base         string
	accountParam string
}

var (
	accountFamily = &family{base: "/accounts/{account_id}/secrets_store", accountParam: "account_id"}
	systemFamily  = &family{system: true, base: "/system/accounts/{account_tag}", accountParam: "account_tag"}
)

// operation is one handler, mounted under each family that has it.
type operation struct {
	method      string
	suffix      string
	handle      func(*Server, *call) reply
	accountOnly bool
}

// operations lists endpoints.md's routes (and get-store) relative to a family's base.
var operations = []operation{
	{method: "GET", suffix: "/quota", handle: (*Server).quota, accountOnly: true},
	{method: "POST", suffix: "/stores", handle: (*Server).createStore},
	{method: "GET", suffix: "/stores", handle: (*Server).listStores},
	{method: "GET", suffix: "/stores/{store_id}", handle: (*Server).getStore},
	{method: "DELETE", suffix: "/stores/{store_id}", handle: (*Server).deleteStore},
	{method: "POST", suffix: "/stores/{store_id}/secrets", handle: (*Server).createSecrets},
	{method: "GET", suffix: "/stores/{store_id}/secrets", handle: (*Server).listSecrets},
	{method: "DELETE", suffix: "/stores/{store_id}/secrets", handle: (*Server).deleteSecrets},
	{method: "GET", suffix: "/stores/{store_id}/secrets/{secret_id}", handle: (*Server).getSecret},
	{method: "PATCH", suffix: "/stores/{store_id}/secrets/{secret_id}", handle: (*Server).patchSecret},
	{method: "DELETE", suffix: "/stores/{store_id}/secrets/{secret_id}", handle: (*Server).deleteSecret},
	{method: "POST", suffix: "/stores/{store_id}/secrets/{secret_id}/duplicate", handle: (*Server).duplicateSecret},
}

// route is an operation mounted on a family. key is "METHOD /template" as in endpoints.md.
type route struct {
	key    string
	method string
	fam    *family
	segs   []string
	handle func(*Server, *call) reply
}

var routes, routesByKey = mountRoutes()

func mountRoutes() ([]*route, map[string]*route) {
	var all []*route
	byKey := map[string]*route{}
	for _, fam := range []*family{accountFamily, systemFamily} {
		for _, op := range operations {
			if op.accountOnly && fam.system {
				continue
			}
			tmpl := fam.base + op.suffix
			rt := &route{
				key:    op.method + " " + tmpl,
				method: op.method,
				fam:    fam,
				segs:   strings.Split(tmpl[1:], "/"),
				handle: op.handle,
			}
			all = append(all, rt)
			byKey[rt.key] = rt
		}
	}
	return all, byKey
}

// Routes returns every route template the server serves, as "METHOD /template": the keys of
// Stats.Routes and the values Fault.Route accepts.
func Routes() []string {
	keys := make([]string, len(routes))
	for i, rt := range routes {
		keys[i] = rt.key
	}
	return keys
}

// matchRoute finds the route for method and path. When the path is known but the method is not,
// it returns the allowed methods instead.
func matchRoute(method, path string) (*route, map[string]string, []string) {
	return matchIn(routes, func(rt *route) (string, []string) { return rt.method, rt.segs }, method, path)
}

// matchIn finds the entry of a route table for method and path, or the methods the path allows;
// the API's routes and the mock's own share it.
func matchIn[R any](table []R, template func(R) (string, []string), method, path string) (R, map[string]string, []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var allow []string
	for _, entry := range table {
		m, tmpl := template(entry)
		params, ok := matchSegs(tmpl, segs)
		if !ok {
			continue
		}
		if m == method {
			return entry, params, nil
		}
		if !slices.Contains(allow, m) {
			allow = append(allow, m)
		}
	}
	var none R
	return none, nil, allow
}

// matchSegs matches a path's segments against a template's; a placeholder takes any non-empty
// segment.
func matchSegs(tmpl, segs []string) (map[string]string, bool) {
	if len(segs) != len(tmpl) {
		return nil, false
	}
	params := map[string]string{}
	for i, want := range tmpl {
		if name, ok := placeholder(want); ok {
			if segs[i] == "" {
				return nil, false
			}
			params[name] = segs[i]
			continue
		}
		if segs[i] != want {
			return nil, false
		}
	}
	return params, true
}

func placeholder(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}
