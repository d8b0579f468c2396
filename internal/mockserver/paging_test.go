package mockserver

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// pageAll reads a list the way official SDKs do: page after page until one comes back empty.
// It also checks result_info on every page.
func pageAll[T any](h *harness, f fam, path string, q url.Values, perPage int) []T {
	h.t.Helper()
	var all []T
	for page := 1; ; page++ {
		q.Set("page", fmt.Sprint(page))
		q.Set("per_page", fmt.Sprint(perPage))
		var items []T
		r := h.do(f, "GET", path+"?"+q.Encode(), nil).ok(&items)
		info := r.env.ResultInfo
		if info == nil || info.Page != page || info.PerPage != perPage || info.Count != len(items) {
			h.t.Fatalf("page %d: result_info %+v for %d items", page, info, len(items))
		}
		if len(items) == 0 {
			if page <= info.TotalPages || info.TotalCount != len(all) {
				h.t.Fatalf("empty page %d of %d, total %d, read %d", page, info.TotalPages, info.TotalCount, len(all))
			}
			return all
		}
		if page > 50 {
			h.t.Fatal("paging never ends")
		}
		all = append(all, items...)
	}
}

// seedSecrets makes a store whose secrets differ in every sortable field, with ties on created
// (broken by id) and a mix of pending and active secrets.
func seedSecrets(h *harness, f fam) (string, []SecretRecord) {
	h.t.Helper()
	st := h.store(f)
	batches := [][]map[string]any{
		{withComment(item("delta", "v", "workers"), "Zebra notes"), item("Alpha", "v", "workers", "ai_gateway")},
		{withComment(item("charlie", "v", "dex"), ""), withComment(item("bravo", "v", "workers", "dex"), "alpha-ish")},
		{item("echo", "v", "access"), withComment(item("foxtrot", "v", "workers", "dex", "access"), "mentions ALPHA")},
		{withComment(item("golf", "v", "containers"), "b"), item("hotel", "v", "websearch", "workers")},
		{withComment(item("india", "v", "workers"), "a")},
	}
	for _, b := range batches {
		h.createSecrets(f, st, b...) // one batch shares a created time
		time.Sleep(time.Second)
	}
	secs := h.srv.Secrets(st)
	// Touch two so that modified differs from created; the value change leaves them pending.
	h.do(f, "PATCH", secretPath(st, secs[0].ID), map[string]any{"value": "new"}).ok(nil)
	time.Sleep(time.Second)
	h.do(f, "PATCH", secretPath(st, secs[5].ID), map[string]any{"comment": "changed"}).ok(nil)
	time.Sleep(time.Second)
	return st, h.srv.Secrets(st)
}

// expectSecrets is the reference ordering and filtering, written independently of paging.go.
func expectSecrets(recs []SecretRecord, order string, desc bool, search string, scopes []string) []string {
	var keep []SecretRecord
	for _, r := range recs {
		s := strings.ToLower(search)
		comment := "" // a null comment matches no search
		if r.Comment != nil {
			comment = strings.ToLower(*r.Comment)
		}
		if s != "" && !strings.Contains(strings.ToLower(r.Name), s) && !strings.Contains(comment, s) {
			continue
		}
		hasAll := true
		for _, sc := range scopes {
			hasAll = hasAll && slices.Contains(r.Scopes, sc)
		}
		if hasAll {
			keep = append(keep, r)
		}
	}
	key := func(r SecretRecord) string {
		switch order {
		case "name":
			return r.Name
		case "comment":
			if r.Comment == nil {
				return "\x00"
			}
			return "\x01" + *r.Comment
		case "modified":
			return r.Modified.Format(time.RFC3339Nano)
		case "status":
			return r.Status
		}
		return r.Created.Format(time.RFC3339Nano)
	}
	sort.Slice(keep, func(i, j int) bool {
		a, b := key(keep[i])+"\x00"+keep[i].ID, key(keep[j])+"\x00"+keep[j].ID
		if desc {
			return a > b
		}
		return a < b
	})
	names := make([]string, len(keep))
	for i, r := range keep {
		names[i] = r.Name
	}
	return names
}

func names(secs []secretJSON) []string {
	out := make([]string, len(secs))
	for i, s := range secs {
		out[i] = s.Name
	}
	return out
}

func TestPagingSecretsEveryOrderAndDirection(t *testing.T) {
	forBothWith(t, Options{ActivationDelay: 3 * time.Second}, func(t *testing.T, h *harness, f fam) {
		st, recs := seedSecrets(h, f)
		statuses := map[string]bool{}
		for _, r := range recs {
			statuses[r.Status] = true
		}
		if !statuses[statusActive] || !statuses[statusPending] {
			t.Fatalf("seed lacks a status mix: %v", statuses)
		}
		for _, order := range []string{"", "name", "comment", "created", "modified", "status"} {
			for _, dir := range []string{"", "asc", "desc"} {
				q := url.Values{}
				if order != "" {
					q.Set("order", order)
				}
				if dir != "" {
					q.Set("direction", dir)
				}
				got := names(pageAll[secretJSON](h, f, "/stores/"+st+"/secrets", q, 2))
				want := expectSecrets(recs, order, dir == "desc", "", nil)
				if !slices.Equal(got, want) {
					t.Errorf("order=%q direction=%q:\n got %v\nwant %v", order, dir, got, want)
				}
			}
		}
	})
}

func TestPagingSecretsWithFilters(t *testing.T) {
	forBothWith(t, Options{ActivationDelay: 3 * time.Second}, func(t *testing.T, h *harness, f fam) {
		st, recs := seedSecrets(h, f)
		for _, tc := range []struct {
			query  string
			search string
			scopes []string
		}{
			{query: "search=alpha", search: "alpha"},
			{query: "search=ZEBRA", search: "zebra"},
			{query: "search=nothing-matches", search: "nothing-matches"},
			{query: "scopes=workers", scopes: []string{"workers"}},
			{query: "scopes=workers&scopes=dex", scopes: []string{"workers", "dex"}},
			{query: "scopes=workers,dex", scopes: []string{"workers", "dex"}},
			{query: "scopes=workers,dex&scopes=access", scopes: []string{"workers", "dex", "access"}},
			{query: "scopes=", scopes: nil},
			{query: "search=a&scopes=workers&order=name&direction=desc", search: "a", scopes: []string{"workers"}},
		} {
			q, _ := url.ParseQuery(tc.query)
			got := names(pageAll[secretJSON](h, f, "/stores/"+st+"/secrets", q, 2))
			want := expectSecrets(recs, q.Get("order"), q.Get("direction") == "desc", tc.search, tc.scopes)
			if !slices.Equal(got, want) {
				t.Errorf("%s:\n got %v\nwant %v", tc.query, got, want)
			}
		}
	})
}

func TestNullCommentsSortFirstAscending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.createSecrets(accountFam, st, withComment(item("B", "v"), "b"), item("NULL", "v"), withComment(item("EMPTY", "v"), ""))
		var asc, desc []secretJSON
		h.do(accountFam, "GET", "/stores/"+st+"/secrets?order=comment", nil).ok(&asc)
		h.do(accountFam, "GET", "/stores/"+st+"/secrets?order=comment&direction=desc", nil).ok(&desc)
		if got := strings.Join(names(asc), ","); got != "NULL,EMPTY,B" {
			t.Fatalf("asc: %s", got)
		}
		if got := strings.Join(names(desc), ","); got != "B,EMPTY,NULL" {
			t.Fatalf("desc: %s", got)
		}
	})
}

func TestTiesBrokenByIDInTheSameDirection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		secs := h.createSecrets(accountFam, st, item("A", "v"), item("B", "v"), item("C", "v"), item("D", "v"))
		ids := []string{secs[0].ID, secs[1].ID, secs[2].ID, secs[3].ID}
		slices.Sort(ids)
		var asc, desc []secretJSON
		h.do(accountFam, "GET", "/stores/"+st+"/secrets", nil).ok(&asc)
		h.do(accountFam, "GET", "/stores/"+st+"/secrets?direction=desc", nil).ok(&desc)
		for i := range ids {
			if asc[i].ID != ids[i] || desc[len(ids)-1-i].ID != ids[i] {
				t.Fatalf("equal created times not ordered by id: asc %v desc %v", asc, desc)
			}
		}
	})
}

func TestPagingStoresEveryOrderAndDirection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 10})
		for _, n := range []string{"kilo", "alpha", "Zulu", "mike", "bravo"} {
			time.Sleep(time.Second)
			h.createStore(accountFam, n)
		}
		time.Sleep(time.Second)
		h.createStore(systemFam, "svc") // the account lists the stores services made too
		recs := h.srv.Stores()
		// Stores carry no comment and no status: Cloudflare's SDK still offers both orders for store
		// lists, and every store ties, so the tie-break (id) orders them.
		for _, order := range []string{"", "name", "created", "modified", "comment", "status"} {
			for _, dir := range []string{"asc", "desc"} {
				q := url.Values{"direction": {dir}}
				if order != "" {
					q.Set("order", order)
				}
				var got []string
				for _, st := range pageAll[storeJSON](h, accountFam, "/stores", q, 4) {
					got = append(got, st.Name)
				}
				want := slices.Clone(recs)
				slices.SortFunc(want, func(a, b StoreRecord) int {
					c := strings.Compare(a.Created.Format(time.RFC3339Nano)+a.ID, b.Created.Format(time.RFC3339Nano)+b.ID)
					switch order {
					case "name":
						c = strings.Compare(a.Name, b.Name)
					case "comment", "status":
						c = strings.Compare(a.ID, b.ID)
					}
					if dir == "desc" {
						c = -c
					}
					return c
				})
				var wantNames []string
				for _, st := range want {
					wantNames = append(wantNames, st.Name)
				}
				if !slices.Equal(got, wantNames) {
					t.Errorf("order=%q direction=%s:\n got %v\nwant %v", order, dir, got, wantNames)
				}
			}
		}
		var sys []storeJSON
		h.do(systemFam, "GET", "/stores?order=name&per_page=1", nil).ok(&sys)
		if len(sys) != 1 || sys[0].Name != "svc" {
			t.Fatalf("system list: %+v", sys)
		}
	})
}

func TestPagePastEndIsEmptyArray(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.createSecrets(f, st, item("A", "v"), item("B", "v"), item("C", "v"))
		for _, p := range []string{"/stores/" + st + "/secrets?page=3&per_page=2", "/stores/" + st + "/secrets?page=99999999999999999999999", "/stores?page=5"} {
			r := h.do(f, "GET", p, nil).ok(nil)
			if string(r.env.Result) != "[]" {
				t.Fatalf("%s: result %s, want []", p, r.env.Result)
			}
		}
		r := h.do(f, "GET", "/stores/"+st+"/secrets?page=3&per_page=2", nil)
		if i := r.env.ResultInfo; i.TotalCount != 3 || i.TotalPages != 2 || i.Count != 0 {
			t.Fatalf("result_info %+v", i)
		}
	})
}

func TestEmptyListIsEmptyArray(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		r := h.do(accountFam, "GET", "/stores/"+h.defaultStore()+"/secrets", nil).ok(nil)
		if string(r.env.Result) != "[]" || r.env.ResultInfo.TotalPages != 0 {
			t.Fatalf("empty list: %s", r.raw)
		}
		r = h.do(systemFam, "GET", "/stores", nil).ok(nil)
		if string(r.env.Result) != "[]" {
			t.Fatalf("empty system list: %s", r.raw)
		}
	})
}

func TestPerPageDefaultAndClamp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 150})
		st := h.defaultStore()
		var items []any
		for i := range 120 {
			items = append(items, item(fmt.Sprintf("S%03d", i), "v"))
		}
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", items).ok(nil)
		for q, want := range map[string]int{"": 20, "per_page=0": 20, "per_page=-5": 20, "per_page=1000": 100, "per_page=100": 100, "per_page=7": 7} {
			var got []secretJSON
			r := h.do(accountFam, "GET", "/stores/"+st+"/secrets?"+q, nil).ok(&got)
			if len(got) != want || r.env.ResultInfo.PerPage != want || r.env.ResultInfo.TotalCount != 120 {
				t.Errorf("%q: %d items, result_info %+v; want %d", q, len(got), r.env.ResultInfo, want)
			}
		}
	})
}

func TestPageZeroIsFirstPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.createSecrets(accountFam, st, item("A", "v"), item("B", "v"))
		var zero, one []secretJSON
		r := h.do(accountFam, "GET", "/stores/"+st+"/secrets?page=0&per_page=1", nil).ok(&zero)
		h.do(accountFam, "GET", "/stores/"+st+"/secrets?page=1&per_page=1", nil).ok(&one)
		if zero[0].ID != one[0].ID || r.env.ResultInfo.Page != 1 {
			t.Fatalf("page=0 is not page 1: %+v %+v", zero, r.env.ResultInfo)
		}
	})
}

func TestInvalidQuery(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, q := range []string{
			"page=-1", "page=abc", "page=1.5", "per_page=ten", "order=bogus", "order=Name", "direction=up",
			"direction=DESC", "scopes=bogus", "scopes=workers,bogus", "page=%zz",
		} {
			h.do(f, "GET", "/stores?"+q, nil).fails(400, 1001, "invalid_query")
		}
		for _, q := range []string{"page=-1", "order=bogus", "direction=sideways", "scopes=bogus", "scopes=workers&scopes=nope"} {
			h.do(f, "GET", "/stores/"+st+"/secrets?"+q, nil).fails(400, 1001, "invalid_query")
		}
		// Store lists have no search or scopes and ignore them, like any unknown parameter.
		h.do(f, "GET", "/stores?search=x&foo=bar", nil).ok(nil)
	})
}

// TestListSearchTakesSemicolonLiterally: a ';' in the query is a plain character, not a
// separator nor a malformed query (Go's url.ParseQuery refuses it).
func TestListSearchTakesSemicolonLiterally(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		store := h.defaultStore()
		h.createSecrets(accountFam, store, withComment(item("plain", "v", "workers"), "a;b"), item("other", "v", "workers"))
		var got []secretJSON
		h.do(accountFam, "GET", "/stores/"+store+"/secrets?search=a;b", nil).ok(&got)
		if len(got) != 1 || got[0].Name != "plain" {
			t.Fatalf("search=a;b listed %+v, want only the secret commented a;b", got)
		}
		h.do(accountFam, "GET", "/stores/"+store+"/secrets?order=name;", nil).fails(400, 1001, "invalid_query")
	})
}
