package mockserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// One test (or more) per row of api-behaviour.md's limits table.

func TestMaxStoresExceeded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.do(accountFam, "POST", "/stores", map[string]any{"name": "second"}).fails(400, 1003, "maximum_stores_exceeded")
		// Deleting the default store frees the slot.
		h.do(accountFam, "DELETE", "/stores/"+h.defaultStore(), nil).ok(nil)
		h.createStore(accountFam, "second")
		h.do(accountFam, "POST", "/stores", []any{map[string]any{"name": "third"}}).fails(400, 1003, "maximum_stores_exceeded")
	})
}

func TestMaxStoresOption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 3})
		h.createStore(accountFam, "two")
		h.createStore(accountFam, "three")
		h.do(accountFam, "POST", "/stores", map[string]any{"name": "four"}).fails(400, 1003, "maximum_stores_exceeded")
	})
}

func TestMaxStoresIgnoresSystemStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 2})
		for i := range 3 {
			h.createStore(systemFam, fmt.Sprint("svc_", i))
		}
		h.createStore(accountFam, "mine") // the default plus this one: the limit, system stores aside
		h.do(accountFam, "POST", "/stores", map[string]any{"name": "more"}).fails(400, 1003, "maximum_stores_exceeded")
	})
}

func TestStoreNameInvalid(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		h.do(accountFam, "DELETE", "/stores/"+h.defaultStore(), nil).ok(nil)
		for _, name := range []any{"", "has space", "dot.ted", "ü", strings.Repeat("a", 256), nil} {
			body := map[string]any{"name": name, "account_id": internalID}
			h.do(f, "POST", "/stores", body).fails(400, 1001, "store_name_invalid")
		}
		h.do(f, "POST", "/stores", map[string]any{"account_id": internalID}).fails(400, 1001, "store_name_invalid")
		h.do(f, "POST", "/stores", map[string]any{"name": 7, "account_id": internalID}).fails(400, 1001, "invalid_json_body")
		h.createStore(f, strings.Repeat("a", 255))
	})
}

func TestStoreNameAlreadyExists(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		// Unique in the account: a service's store name clashes with the account's too.
		h.do(f, "POST", "/stores", map[string]any{"name": defaultStoreName, "account_id": internalID}).
			fails(409, 1003, "store_name_already_exists")
	})
}

func TestSecretQuotaExceeded(t *testing.T) {
	forBothWith(t, Options{SecretQuota: 3}, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.createSecrets(f, st, item("A", "v"), item("B", "v"))
		// All or nothing: two more would exceed it, so neither is made.
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("C", "v"), item("D", "v")}).
			fails(400, 1003, "maximum_secrets_exceeded: max 3")
		h.createSecret(f, st, "C")
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("D", "v")}).fails(400, 1003, "maximum_secrets_exceeded: max 3")
		h.do(f, "POST", secretPath(st, h.srv.Secrets(st)[0].ID)+"/duplicate",
			map[string]any{"name": "E", "scopes": []string{"workers"}}).fails(400, 1003, "maximum_secrets_exceeded: max 3")
	})
}

func TestSecretQuotaCountsEveryStoreOfTheAccount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 3})
		h.createSecret(accountFam, h.defaultStore(), "ACCOUNT")
		alpha := h.createStore(systemFam, "alpha_store")
		h.createSecret(systemFam, alpha.ID, "ALPHA")
		beta := fam{name: "beta", token: betaToken, base: systemFam.base, system: true}
		betaStore := h.createStore(beta, "beta_store")
		h.createSecret(beta, betaStore.ID, "BETA")
		h.do(accountFam, "POST", "/stores/"+h.defaultStore()+"/secrets", []any{item("MORE", "v")}).
			fails(400, 1003, "maximum_secrets_exceeded: max 3")
		var q struct {
			Secrets struct{ Quota, Usage int } `json:"secrets"`
		}
		h.do(accountFam, "GET", "/quota", nil).ok(&q)
		if q.Secrets.Quota != 3 || q.Secrets.Usage != 3 {
			t.Fatalf("quota: %+v", q)
		}
	})
}

func TestSecretNameEmpty(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, body := range []any{
			[]any{item("", "v")},
			[]any{map[string]any{"value": "v", "scopes": []string{"workers"}}},
			[]any{map[string]any{"name": nil, "value": "v", "scopes": []string{"workers"}}},
		} {
			h.do(f, "POST", "/stores/"+st+"/secrets", body).fails(400, 1001, "secret_name_empty")
		}
		src := h.createSecret(f, st, "SRC")
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate", map[string]any{"scopes": []string{"workers"}}).
			fails(400, 1001, "secret_name_empty")
	})
}

func TestSecretNameInvalid(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, name := range []string{"has space", "tab\t", "dot.ted", "slash/", "ünï", strings.Repeat("A", 256)} {
			h.do(f, "POST", "/stores/"+st+"/secrets", []any{item(name, "v")}).fails(400, 1001, "secret_name_invalid")
		}
		h.createSecrets(f, st, item(strings.Repeat("A", 255), "v"), item("a-Z_09", "v"))
		src := h.createSecret(f, st, "SRC")
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate", map[string]any{"name": "no good", "scopes": []string{"workers"}}).
			fails(400, 1001, "secret_name_invalid")
	})
}

func TestSecretNameAlreadyExists(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		src := h.createSecret(f, st, "API_KEY")
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("API_KEY", "v")}).fails(409, 1003, "secret_name_already_exists: API_KEY")
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate", map[string]any{"name": "API_KEY", "scopes": []string{"workers"}}).
			fails(409, 1003, "secret_name_already_exists: API_KEY")
		// Two items with one name clash with each other.
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("TWIN", "v"), item("TWIN", "w")}).
			fails(409, 1003, "secret_name_already_exists: TWIN")
		if _, ok := h.srv.SecretByName(st, "TWIN"); ok {
			t.Fatal("a failed batch created a secret")
		}
	})
}

func TestSecretNameIsCaseSensitive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.createSecrets(accountFam, st, item("api_key", "v"), item("API_KEY", "v"))
	})
}

func TestSecretNameUniquePerStoreOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.createSecret(accountFam, h.defaultStore(), "SAME")
		st := h.createStore(systemFam, "other")
		h.createSecret(systemFam, st.ID, "SAME")
	})
}

func TestSecretScopesEmpty(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, scopes := range []any{nil, []string{}, "absent"} {
			it := map[string]any{"name": "S", "value": "v", "scopes": scopes}
			if scopes == "absent" {
				delete(it, "scopes")
			}
			h.do(f, "POST", "/stores/"+st+"/secrets", []any{it}).fails(400, 1001, "secret_scopes_empty")
		}
	})
}

func TestSecretScopeInvalid(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, scopes := range [][]string{{"nope"}, {"workers", "Workers"}, {""}} {
			h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("S", "v", scopes...)}).fails(400, 1001, "secret_scope_invalid")
		}
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{map[string]any{"name": "S", "value": "v", "scopes": "workers"}}).
			fails(400, 1001, "invalid_json_body")
	})
}

func TestSecretScopesSortedWithoutDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		all := []string{"workers", "websearch", "dex", "containers", "access", "ai_gateway", "workers", "dex"}
		sec := h.createSecrets(accountFam, h.defaultStore(), item("ALL", "v", all...))[0]
		if got := strings.Join(sec.Scopes, ","); got != "access,ai_gateway,containers,dex,websearch,workers" {
			t.Fatalf("scopes: %s", got)
		}
	})
}

func TestSecretValueEmpty(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, it := range []map[string]any{
			item("S", ""),
			{"name": "S", "value": nil, "scopes": []string{"workers"}},
			{"name": "S", "scopes": []string{"workers"}},
		} {
			h.do(f, "POST", "/stores/"+st+"/secrets", []any{it}).fails(400, 1001, "secret_value_empty")
		}
	})
}

func TestSecretValueTooLong(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("LONG", strings.Repeat("x", 65537))}).
			fails(400, 1001, "secret_value_too_long")
		// The limit is in bytes: 32,769 two-byte runes are too long.
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("LONG", strings.Repeat("é", 32769))}).
			fails(400, 1001, "secret_value_too_long")
		sec := h.createSecrets(f, st, item("MAX", strings.Repeat("x", 65536)))[0]
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"value": strings.Repeat("y", 65537)}).
			fails(400, 1001, "secret_value_too_long")
	})
}

func TestSecretCommentTooLong(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{withComment(item("C", "v"), strings.Repeat("c", 1025))}).
			fails(400, 1001, "secret_comment_too_long")
		// The limit counts characters, not bytes.
		sec := h.createSecrets(f, st, withComment(item("C", "v"), strings.Repeat("é", 1024)))[0]
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"comment": strings.Repeat("é", 1025)}).
			fails(400, 1001, "secret_comment_too_long")
		h.do(f, "POST", secretPath(st, sec.ID)+"/duplicate",
			map[string]any{"name": "D", "scopes": []string{"workers"}, "comment": strings.Repeat("c", 1025)}).
			fails(400, 1001, "secret_comment_too_long")
	})
}

func TestSecretCommentEmptyStringIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		sec := h.createSecrets(accountFam, h.defaultStore(), withComment(item("C", "v"), ""))[0]
		if sec.Comment == nil || *sec.Comment != "" {
			t.Fatalf("comment: %v", sec.Comment)
		}
		none := h.createSecrets(accountFam, h.defaultStore(), withComment(item("N", "v"), nil), item("A", "v"))
		if none[0].Comment != nil || none[1].Comment != nil {
			t.Fatal("a null or absent comment came back set")
		}
	})
}

func TestInvalidJSONBody(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, body := range []any{
			nil, "", "   ", "{", "not json", `[{"name":"A","value":"v","scopes":["workers"]}] trailing`,
			`[]`, `{"name":"A","value":"v","scopes":["workers"]}`, `null`, `"text"`, `[1]`, `[null]`,
			`[{"name":1,"value":"v","scopes":["workers"]}]`, `[{"name":"A","value":1,"scopes":["workers"]}]`,
			`[{"name":"A","value":"v","scopes":[1]}]`, `[{"name":"A","value":"v","scopes":["workers"],"comment":1}]`,
		} {
			h.do(f, "POST", "/stores/"+st+"/secrets", body).fails(400, 1001, "invalid_json_body")
		}
		for _, body := range []any{nil, `[]`, `[{"name":"a"},{"name":"b"}]`, `"x"`, `{"name":"a"}{}`} {
			h.do(f, "POST", "/stores", body).fails(400, 1001, "invalid_json_body")
		}
		sec := h.createSecret(f, st, "S")
		for _, body := range []any{nil, `[]`, `null`, `{"value":1}`, `{"scopes":"workers"}`, `{"comment":false}`} {
			h.do(f, "PATCH", secretPath(st, sec.ID), body).fails(400, 1001, "invalid_json_body")
		}
		for _, body := range []any{nil, `[]`, `{"name":"X","scopes":{}}`} {
			h.do(f, "POST", secretPath(st, sec.ID)+"/duplicate", body).fails(400, 1001, "invalid_json_body")
		}
	})
}

func TestRequestBodyTooLarge(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		big := `[{"name":"BIG","scopes":["workers"],"value":"` + strings.Repeat("x", 1<<20) + `"}]`
		h.do(f, "POST", "/stores/"+st+"/secrets", big).fails(413, 1001, "request_body_too_large")
		h.do(f, "POST", "/stores", big).fails(413, 1001, "request_body_too_large")
		// Exactly 1 MiB is not too large (here it is merely not JSON).
		h.do(f, "POST", "/stores/"+st+"/secrets", strings.Repeat(" ", 1<<20)).fails(400, 1001, "invalid_json_body")
		// Too large is a body check: it comes after the store lookup.
		h.do(f, "POST", "/stores/"+missingID+"/secrets", big).fails(404, 1001, "store_not_found")
	})
}

func TestPathIDInvalid(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		for _, p := range []string{
			"/stores/" + strings.ToUpper(st), "/stores/abc", "/stores/" + st + "0",
			"/stores/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/secrets", secretPath(st, "nope"),
			secretPath(st, "g0000000000000000000000000000000") + "/duplicate",
		} {
			want := "Could not route to " + f.base + p + ", perhaps your object identifier is invalid?"
			if strings.HasSuffix(p, "/duplicate") {
				h.send(req{method: "POST", path: "/client/v4" + f.base + p, token: f.token}).fails(400, 7003, want)
				continue
			}
			h.send(req{method: "GET", path: f.base + p, token: f.token}).fails(400, 7003, want)
		}
	})
}

func TestNotFound(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.do(f, "GET", "/stores/"+missingID, nil).fails(404, 1001, "store_not_found")
		h.do(f, "DELETE", "/stores/"+missingID, nil).fails(404, 1001, "store_not_found")
		h.do(f, "GET", "/stores/"+missingID+"/secrets", nil).fails(404, 1001, "store_not_found")
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			h.do(f, m, secretPath(st, missingID), `{}`).fails(404, 1001, "secret_not_found")
		}
		h.do(f, "POST", secretPath(st, missingID)+"/duplicate", `{}`).fails(404, 1001, "secret_not_found")
	})
}

func TestSecretOfAnotherStoreIsNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 2})
		a, b := h.defaultStore(), h.createStore(accountFam, "b").ID
		sec := h.createSecret(accountFam, a, "IN_A")
		h.do(accountFam, "GET", secretPath(b, sec.ID), nil).fails(404, 1001, "secret_not_found")
		h.do(accountFam, "DELETE", "/stores/"+b+"/secrets", map[string]any{"ids": []string{sec.ID}}).fails(404, 1001, "secret_not_found")
	})
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{RateLimit: 3})
		for range 3 {
			h.do(accountFam, "GET", "/stores", nil).ok(nil)
		}
		r := h.do(accountFam, "GET", "/stores", nil)
		r.fails(429, 971, "Please wait and consider throttling your request speed")
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Fatalf("Retry-After: %q", r.header.Get("Retry-After"))
		}
		// The window is per token.
		h.send(req{method: "GET", path: accountFam.base + "/stores", token: readToken}).ok(nil)
		h.send(req{method: "GET", path: systemFam.base + "/stores", token: alphaToken}).ok(nil)
	})
}

// TestRateLimitWindowSlides: a request counts for one minute from its own arrival, and
// Retry-After says when the oldest counted one leaves the window.
func TestRateLimitWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{RateLimit: 2})
		get := func() *response { return h.do(accountFam, "GET", "/stores", nil) }
		refusedFor := func(secs string) {
			t.Helper()
			r := get()
			r.fails(429, 971, "Please wait and consider throttling your request speed")
			if got := r.header.Get("Retry-After"); got != secs {
				t.Fatalf("Retry-After %q, want %s", got, secs)
			}
		}
		get().ok(nil) // t0
		time.Sleep(30 * time.Second)
		get().ok(nil) // t0+30s
		refusedFor("30")
		time.Sleep(29 * time.Second)
		refusedFor("1") // a refused request does not count
		time.Sleep(time.Second)
		get().ok(nil) // t0 left the window at t0+60s
		refusedFor("30")
	})
}

func TestRateLimitOffByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for range 50 {
			if r := h.do(accountFam, "GET", "/quota", nil); r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
		}
	})
}
