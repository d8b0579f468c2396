package mockserver

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
)

// TestEveryRouteSucceeds walks each route's success path on both families and then checks,
// through Stats, that no route was left out.
func TestEveryRouteSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 2})
		for _, f := range bothFams {
			func() { // one family after the other, on one server in one bubble
				t.Logf("%s", f.name)
				st := h.createStore(f, "store_"+f.name)
				if st.Name != "store_"+f.name || st.AccountID != DefaultAccount || !isID(st.ID) {
					t.Fatalf("create store: %+v", st)
				}
				var got storeJSON
				h.do(f, "GET", "/stores/"+st.ID, nil).ok(&got)
				if got != st {
					t.Fatalf("get store: %+v, want %+v", got, st)
				}
				var stores []storeJSON
				h.do(f, "GET", "/stores", nil).ok(&stores)
				if !slices.ContainsFunc(stores, func(s storeJSON) bool { return s.ID == st.ID }) {
					t.Fatalf("list stores lacks the new store: %+v", stores)
				}

				secs := h.createSecrets(f, st.ID,
					withComment(item("API_KEY", "v1", "workers", "ai_gateway"), "the key"), item("OTHER", "v2"))
				if len(secs) != 2 || secs[0].Name != "API_KEY" || secs[1].Name != "OTHER" ||
					secs[0].StoreID != st.ID || *secs[0].Comment != "the key" {
					t.Fatalf("create secrets: %+v", secs)
				}
				var list []secretJSON
				h.do(f, "GET", "/stores/"+st.ID+"/secrets", nil).ok(&list)
				if len(list) != 2 {
					t.Fatalf("list secrets: %+v", list)
				}
				var one secretJSON
				h.do(f, "GET", secretPath(st.ID, secs[0].ID), nil).ok(&one)
				if one.ID != secs[0].ID || one.Name != "API_KEY" {
					t.Fatalf("get secret: %+v", one)
				}
				h.do(f, "PATCH", secretPath(st.ID, secs[0].ID), map[string]any{"comment": "new"}).ok(&one)
				if *one.Comment != "new" {
					t.Fatalf("patch secret: %+v", one)
				}
				var dup secretJSON
				h.do(f, "POST", secretPath(st.ID, secs[0].ID)+"/duplicate",
					map[string]any{"name": "API_KEY_COPY", "scopes": []string{"workers"}}).ok(&dup)
				if dup.Name != "API_KEY_COPY" || dup.ID == secs[0].ID {
					t.Fatalf("duplicate: %+v", dup)
				}
				var deleted secretJSON
				h.do(f, "DELETE", secretPath(st.ID, dup.ID), nil).ok(&deleted)
				if deleted.Status != statusDeleted {
					t.Fatalf("delete secret: %+v", deleted)
				}
				var bulk []secretJSON
				h.do(f, "DELETE", "/stores/"+st.ID+"/secrets", map[string]any{"ids": []string{secs[0].ID, secs[1].ID}}).ok(&bulk)
				if len(bulk) != 2 {
					t.Fatalf("bulk delete: %+v", bulk)
				}
				h.do(f, "DELETE", "/stores/"+st.ID, nil).ok(&got)
				if got.ID != st.ID {
					t.Fatalf("delete store: %+v", got)
				}
			}()
		}
		h.t = t
		var q struct {
			Secrets struct{ Quota, Usage int } `json:"secrets"`
		}
		h.do(accountFam, "GET", "/quota", nil).ok(&q)
		if q.Secrets.Quota != 100 || q.Secrets.Usage != 0 {
			t.Fatalf("quota: %+v", q)
		}

		stats := h.srv.Stats()
		for _, rt := range Routes() {
			if stats.Routes[rt] == 0 {
				t.Errorf("route %s was never exercised", rt)
			}
		}
	})
}

// TestRoutesMatchEndpointsMD proves the route table is endpoints.md's 21 routes plus the two
// get-store routes, spelled the same. testdata/endpoints.md is a copy of the project's endpoint
// spec, kept in the repository so that the test runs in any clone.
func TestRoutesMatchEndpointsMD(t *testing.T) {
	doc, err := os.ReadFile("testdata/endpoints.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("\\*\\*(GET|POST|PATCH|DELETE)\\*\\* `([^`]+)`")
	var want []string
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		want = append(want, m[1]+" "+m[2])
	}
	if len(want) != 21 {
		t.Fatalf("endpoints.md lists %d routes, want 21", len(want))
	}
	want = append(want,
		"GET /accounts/{account_id}/secrets_store/stores/{store_id}",
		"GET /system/accounts/{account_tag}/stores/{store_id}")
	got := Routes()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("routes differ from endpoints.md:\n got %v\nwant %v", got, want)
	}
}

func TestRoutesServedAtRootAndUnderClientV4(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, prefix := range []string{"", "/client/v4"} {
			var stores []storeJSON
			h.send(req{method: "GET", path: prefix + accountFam.base + "/stores", token: writeToken}).ok(&stores)
			if len(stores) != 1 {
				t.Fatalf("%q: %+v", prefix, stores)
			}
		}
		if got := h.srv.Requests()[1].Path; strings.HasPrefix(got, "/client") {
			t.Fatalf("recorded path keeps the prefix: %s", got)
		}
	})
}

func TestUnknownRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, p := range []string{
			"/", "/client/v4", "/accounts", accountFam.base, accountFam.base + "/stores/",
			accountFam.base + "/nope", systemFam.base + "/quota", "/client/v4x" + accountFam.base + "/stores",
		} {
			h.send(req{method: "GET", path: p, token: writeToken}).fails(404, 7000, "No route for that URI")
		}
	})
}

func TestMethodNotAllowed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		r := h.send(req{method: "PUT", path: accountFam.base + "/stores/" + missingID, token: writeToken})
		r.fails(405, 7001, "method_not_allowed")
		if got := r.header.Get("Allow"); got != "GET, DELETE" {
			t.Fatalf("Allow: %q", got)
		}
		h.send(req{method: "POST", path: accountFam.base + "/quota", token: writeToken}).fails(405, 7001, "method_not_allowed")
		h.send(req{method: "PATCH", path: systemFam.base + "/stores", token: alphaToken}).fails(405, 7001, "method_not_allowed")
	})
}
