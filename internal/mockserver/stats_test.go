package mockserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
)

func (h *harness) mockStats(method, prefix string) (int, Stats) {
	h.t.Helper()
	hr, _ := http.NewRequest(method, h.url+prefix+"/__mock/stats", nil)
	resp, err := h.hc.Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st Stats
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &st); err != nil {
			h.t.Fatalf("stats: %v: %s", err, body)
		}
	}
	return resp.StatusCode, st
}

func TestMockStatsCountsEveryAPIRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.do(accountFam, "GET", "/stores", nil).ok(nil)
		h.send(req{method: "GET", path: accountFam.base + "/stores"}).fails(401, 10000, "Authentication error")
		h.do(accountFam, "PATCH", secretPath(st, missingID), `{}`).fails(404, 1001, "secret_not_found")
		h.send(req{method: "GET", path: "/client/v4" + accountFam.base + "/stores", token: writeToken}).ok(nil)
		h.srv.FailNext(Fault{Route: routeGetStore})
		h.do(accountFam, "GET", "/stores/"+st, nil).fails(503, 503, "service_unavailable")
		h.do(accountFam, "GET", "/nowhere", nil).fails(404, 7000, "No route for that URI")
		h.do(accountFam, "PUT", "/stores", nil).fails(405, 7001, "method_not_allowed")

		code, got := h.mockStats("GET", "") // no credentials needed
		want := map[string]int{
			"GET /accounts/{account_id}/secrets_store/stores":                                  3,
			"PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}": 1,
			"GET /accounts/{account_id}/secrets_store/stores/{store_id}":                       1,
		}
		if code != 200 || got.Total != 7 || len(got.Routes) != len(want) {
			t.Fatalf("stats %d %+v, want total 7 and %v", code, got, want)
		}
		for k, v := range want {
			if got.Routes[k] != v {
				t.Fatalf("%s counted %d, want %d", k, got.Routes[k], v)
			}
		}
		// Reading the stats is not counted; they agree with the Go API.
		if _, again := h.mockStats("GET", "/client/v4"); again.Total != 7 || h.srv.Stats().Total != 7 {
			t.Fatalf("stats reads were counted: %+v", again)
		}

		code, got = h.mockStats("DELETE", "")
		if code != 200 || got.Total != 0 || got.Routes == nil || len(got.Routes) != 0 {
			t.Fatalf("after reset: %d %+v", code, got)
		}
		if st := h.srv.Stats(); st.Total != 0 || len(st.Routes) != 0 {
			t.Fatalf("Stats after reset: %+v", st)
		}
		h.do(accountFam, "GET", "/quota", nil).ok(nil)
		h.srv.ResetStats()
		if st := h.srv.Stats(); st.Total != 0 {
			t.Fatalf("ResetStats: %+v", st)
		}
	})
}

func TestMockStatsOtherMethodsAndPaths(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		if code, _ := h.mockStats("POST", ""); code != 405 {
			t.Fatalf("POST /__mock/stats: %d", code)
		}
		h.send(req{method: "GET", path: "/__mock/other"}).fails(404, 7000, "No route for that URI")
		if h.srv.Stats().Total != 0 || len(h.srv.Requests()) != 0 {
			t.Fatal("/__mock requests were counted or recorded")
		}
	})
}

func TestStatsJSONShape(t *testing.T) {
	b, _ := json.Marshal(New(Options{}).Stats())
	if string(b) != `{"total":0,"routes":{}}` {
		t.Fatalf("stats JSON %s", b)
	}
}

func TestRequestsRecordedInArrivalOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		body := `[{"name":"A","value":"v","scopes":["workers"]}]`
		h.send(req{method: "POST", path: "/client/v4" + accountFam.base + "/stores/" + st + "/secrets", token: writeToken, body: body}).ok(nil)
		h.do(accountFam, "GET", "/stores/"+st+"/secrets?order=name&scopes=a&scopes=b", nil)
		h.do(accountFam, "GET", "/unknown", nil)

		reqs := h.srv.Requests()
		if len(reqs) != 3 {
			t.Fatalf("%d requests", len(reqs))
		}
		first := reqs[0]
		if first.Method != "POST" || first.Path != accountFam.base+"/stores/"+st+"/secrets" || string(first.Body) != body ||
			first.Route != routeCreateSecrets || first.Status != 200 || first.Query != "" {
			t.Fatalf("first: %+v", first)
		}
		if reqs[1].Query != "order=name&scopes=a&scopes=b" || reqs[1].Status != 400 {
			t.Fatalf("second: %+v", reqs[1])
		}
		if reqs[2].Route != "" || reqs[2].Status != 404 {
			t.Fatalf("unknown route: %+v", reqs[2])
		}
		// Copies: changing one does not change the record.
		reqs[0].Body[0] = 'X'
		if h.srv.Requests()[0].Body[0] != '[' {
			t.Fatal("Requests shares its bodies")
		}
		if got := h.srv.RequestsTo(routeCreateSecrets); len(got) != 1 {
			t.Fatalf("RequestsTo: %+v", got)
		}
		if got := h.srv.RequestsTo("GET /nowhere"); got == nil || len(got) != 0 {
			t.Fatalf("RequestsTo an unused route: %#v", got)
		}
		h.srv.ResetRequests()
		if len(h.srv.Requests()) != 0 {
			t.Fatal("ResetRequests kept requests")
		}
	})
}

func TestInspectionListsInCreationOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 3})
		h.createStore(accountFam, "zz")
		h.createStore(systemFam, "aa")
		var stores []string
		for _, st := range h.srv.Stores() {
			stores = append(stores, st.Name)
		}
		if strings.Join(stores, ",") != defaultStoreName+",zz,aa" {
			t.Fatalf("Stores: %v", stores)
		}
		st := h.defaultStore()
		h.createSecrets(accountFam, st, item("Z", "v"), item("A", "v"), item("M", "v")) // one created time
		var secs []string
		for _, sec := range h.srv.Secrets(st) {
			secs = append(secs, sec.Name)
		}
		if strings.Join(secs, ",") != "Z,A,M" {
			t.Fatalf("Secrets: %v", secs)
		}
	})
}

func TestInspectionAPI(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		sec := h.createSecrets(accountFam, st, withComment(item("A", "secret-a", "workers", "dex"), "c"))[0]
		rec, ok := h.srv.Secret(st, sec.ID)
		if !ok || rec.Name != "A" || rec.Value != "secret-a" || *rec.Comment != "c" || rec.StoreID != st ||
			rec.Status != statusActive || len(rec.Scopes) != 2 || !rec.Created.Equal(sec.Created) {
			t.Fatalf("Secret: %+v", rec)
		}
		if byName, ok := h.srv.SecretByName(st, "A"); !ok || byName.ID != sec.ID {
			t.Fatalf("SecretByName: %+v", byName)
		}
		if _, ok := h.srv.SecretByName(st, "a"); ok {
			t.Fatal("SecretByName ignores case")
		}
		if _, ok := h.srv.Secret(missingID, sec.ID); ok {
			t.Fatal("Secret in a missing store")
		}
		if h.srv.Secrets(missingID) != nil || len(h.srv.Secrets(st)) != 1 {
			t.Fatal("Secrets")
		}
		// Records are copies.
		*rec.Comment = "changed"
		rec.Scopes[0] = "changed"
		if again, _ := h.srv.Secret(st, sec.ID); *again.Comment != "c" || again.Scopes[0] == "changed" {
			t.Fatal("records share state with the server")
		}
		stores := h.srv.Stores()
		if len(stores) != 1 || stores[0].AccountID != DefaultAccount || stores[0].Name != defaultStoreName {
			t.Fatalf("Stores: %+v", stores)
		}
	})
}
