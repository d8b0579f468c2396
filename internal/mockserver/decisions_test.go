package mockserver

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// One test (or more) per Decision and per documented behaviour of api-behaviour.md.

func TestDefaultSecretsStoreIsPremade(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		var stores []storeJSON
		h.do(accountFam, "GET", "/stores", nil).ok(&stores)
		if len(stores) != 1 || stores[0].Name != "default_secrets_store" || stores[0].AccountID != DefaultAccount {
			t.Fatalf("stores: %+v", stores)
		}
		// It is the account's, not a service's.
		var sys []storeJSON
		h.do(systemFam, "GET", "/stores", nil).ok(&sys)
		if len(sys) != 0 {
			t.Fatalf("system list: %+v", sys)
		}
	})
}

func TestEnvelopeOnSuccessAndFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		r := h.do(accountFam, "GET", "/stores", nil).ok(nil)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r.raw, &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"success", "errors", "messages", "result", "result_info"} {
			if _, ok := raw[k]; !ok {
				t.Fatalf("list envelope lacks %s: %s", k, r.raw)
			}
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
		// Only lists carry result_info.
		one := h.do(accountFam, "GET", "/stores/"+h.defaultStore(), nil).ok(nil)
		if strings.Contains(string(one.raw), "result_info") {
			t.Fatalf("single object with result_info: %s", one.raw)
		}
		h.do(accountFam, "GET", "/stores/"+missingID, nil).fails(404, 1001, "store_not_found")
	})
}

func TestIDsAre32LowercaseHexAndRandom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		secs := h.createSecrets(accountFam, st, item("A", "v"), item("B", "v"), item("C", "v"))
		re := regexp.MustCompile(`^[0-9a-f]{32}$`)
		seen := map[string]bool{st: true}
		for _, s := range secs {
			if !re.MatchString(s.ID) || seen[s.ID] {
				t.Fatalf("id %q not 32 lowercase hex or repeated", s.ID)
			}
			seen[s.ID] = true
		}
		other := newHarness(t, Options{})
		if other.defaultStore() == st {
			t.Fatal("two servers made the same store id: ids are not random")
		}
	})
}

func TestTimesAreRFC3339UTC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		r := h.do(accountFam, "POST", "/stores/"+h.defaultStore()+"/secrets", []any{item("T", "v")}).ok(nil)
		var raw []map[string]any
		if err := json.Unmarshal(r.env.Result, &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"created", "modified"} {
			s, _ := raw[0][k].(string)
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || !strings.HasSuffix(s, "Z") || tm.Location() != time.UTC {
				t.Fatalf("%s = %q is not RFC 3339 UTC", k, s)
			}
		}
	})
}

func TestCreateStoreObjectBodyReturnsObject(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		h.do(accountFam, "DELETE", "/stores/"+h.defaultStore(), nil).ok(nil)
		var st storeJSON
		h.do(f, "POST", "/stores", map[string]any{"name": "obj", "account_id": internalID}).ok(&st)
		if st.Name != "obj" || st.AccountID != DefaultAccount {
			t.Fatalf("store: %+v", st)
		}
	})
}

func TestCreateStoreArrayBodyReturnsArray(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		h.do(accountFam, "DELETE", "/stores/"+h.defaultStore(), nil).ok(nil)
		var sts []storeJSON
		h.do(f, "POST", "/stores", []any{map[string]any{"name": "arr", "account_id": internalID}}).ok(&sts)
		if len(sts) != 1 || sts[0].Name != "arr" {
			t.Fatalf("stores: %+v", sts)
		}
	})
}

func TestGetStore(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		var got storeJSON
		h.do(f, "GET", "/stores/"+st, nil).ok(&got)
		if got.ID != st {
			t.Fatalf("got %+v", got)
		}
	})
}

func TestStoreNotEmptyWithoutForce(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.createSecret(f, st, "KEEP")
		for _, q := range []string{"", "?force=false", "?force=0", "?force=yes", "?force=TRUE"} {
			h.do(f, "DELETE", "/stores/"+st+q, nil).fails(409, 1003, "store_not_empty")
		}
		if len(h.srv.Secrets(st)) != 1 {
			t.Fatal("a refused delete removed secrets")
		}
	})
}

func TestDeleteStoreForceDeletesSecrets(t *testing.T) {
	for _, force := range []string{"true", "1"} {
		t.Run(force, func(t *testing.T) {
			forBoth(t, func(t *testing.T, h *harness, f fam) {
				st := h.store(f)
				h.createSecrets(f, st, item("A", "v"), item("B", "v"))
				var got storeJSON
				h.do(f, "DELETE", "/stores/"+st+"?force="+force, nil).ok(&got)
				if got.ID != st {
					t.Fatalf("result is not the deleted store: %+v", got)
				}
				h.do(f, "GET", "/stores/"+st, nil).fails(404, 1001, "store_not_found")
				var q struct {
					Secrets struct{ Usage int } `json:"secrets"`
				}
				h.do(accountFam, "GET", "/quota", nil).ok(&q)
				if q.Secrets.Usage != 0 {
					t.Fatalf("usage %d after a forced delete", q.Secrets.Usage)
				}
			})
		})
	}
}

func TestDeleteEmptyStoreNeedsNoForce(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		h.do(f, "DELETE", "/stores/"+h.store(f), nil).ok(nil)
	})
}

func TestCreateSecretsReturnsArrayInOrder(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		one := h.createSecrets(f, st, item("ONLY", "v"))
		if len(one) != 1 || one[0].Name != "ONLY" {
			t.Fatalf("one item: %+v", one)
		}
		many := h.createSecrets(f, st, item("Z", "v"), item("A", "v"), item("M", "v"))
		if len(many) != 3 || many[0].Name != "Z" || many[1].Name != "A" || many[2].Name != "M" {
			t.Fatalf("order: %+v", many)
		}
		if rec, _ := h.srv.Secret(st, many[1].ID); rec.Value != "v" {
			t.Fatalf("value not stored: %+v", rec)
		}
	})
}

func TestCreateSecretsAllOrNothing(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("GOOD", "v"), item("BAD", "v", "nope")}).
			fails(400, 1001, "secret_scope_invalid")
		if len(h.srv.Secrets(st)) != 0 {
			t.Fatal("a failed batch created secrets")
		}
	})
}

func TestNewSecretIsPendingThenActive(t *testing.T) {
	forBothWith(t, Options{ActivationDelay: time.Second}, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "NEW")
		if sec.Status != statusPending {
			t.Fatalf("new secret %s", sec.Status)
		}
		time.Sleep(999 * time.Millisecond)
		var got secretJSON
		h.do(f, "GET", secretPath(st, sec.ID), nil).ok(&got)
		if got.Status != statusPending {
			t.Fatalf("before the delay: %s", got.Status)
		}
		time.Sleep(time.Millisecond)
		h.do(f, "GET", secretPath(st, sec.ID), nil).ok(&got)
		if got.Status != statusActive {
			t.Fatalf("after the delay: %s", got.Status)
		}
	})
}

func TestDefaultActivationDelayIs250ms(t *testing.T) {
	s := New(Options{})
	if s.opts.ActivationDelay != 250*time.Millisecond {
		t.Fatalf("default delay %v", s.opts.ActivationDelay)
	}
}

func TestNegativeActivationDelayIsActiveAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{ActivationDelay: -1})
		if sec := h.createSecret(accountFam, h.defaultStore(), "NOW"); sec.Status != statusActive {
			t.Fatalf("status %s", sec.Status)
		}
	})
}

// TestActivationOnTheServersOwnClock: without a clock from the test, a secret activates when
// the delay has passed on the time package's clock (here the bubble's).
func TestActivationOnTheServersOwnClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 20 * time.Millisecond
		h := newHarness(t, Options{ActivationDelay: delay})
		st := h.defaultStore()
		sec := h.createSecret(accountFam, st, "REAL")
		status := func() string {
			var got secretJSON
			h.do(accountFam, "GET", secretPath(st, sec.ID), nil).ok(&got)
			return got.Status
		}
		if sec.Status != statusPending {
			t.Fatalf("status %s", sec.Status)
		}
		time.Sleep(delay - time.Microsecond)
		if got := status(); got != statusPending {
			t.Fatalf("status %s before the delay", got)
		}
		time.Sleep(time.Microsecond)
		if got := status(); got != statusActive {
			t.Fatalf("status %s after the delay", got)
		}
	})
}

func TestPatchEmptyIsNoop(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecrets(f, st, withComment(item("P", "v", "dex"), "c"))[0]
		time.Sleep(time.Hour)
		var got secretJSON
		h.do(f, "PATCH", secretPath(st, sec.ID), `{}`).ok(&got)
		if !got.Modified.Equal(sec.Modified) || *got.Comment != "c" || got.Scopes[0] != "dex" {
			t.Fatalf("{} changed the secret: %+v", got)
		}
		// Setting what is already there is no change either.
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"comment": "c", "scopes": []string{"dex"}, "value": "v"}).ok(&got)
		if !got.Modified.Equal(sec.Modified) || got.Status != statusActive {
			t.Fatalf("an unchanged patch touched the secret: %+v", got)
		}
	})
}

func TestPatchUnknownFieldsIgnored(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		var got secretJSON
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"colour": "blue", "id": missingID, "status": "x"}).ok(&got)
		if got.ID != sec.ID || !got.Modified.Equal(sec.Modified) {
			t.Fatalf("unknown fields applied: %+v", got)
		}
	})
}

func TestPatchNameImmutable(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		for _, body := range []any{map[string]any{"name": "Q"}, map[string]any{"name": "P"}, map[string]any{"name": nil, "comment": "x"}} {
			h.do(f, "PATCH", secretPath(st, sec.ID), body).fails(400, 1001, "secret_name_immutable")
		}
		if rec, _ := h.srv.Secret(st, sec.ID); rec.Name != "P" || rec.Comment != nil {
			t.Fatalf("refused patch applied: %+v", rec)
		}
	})
}

func TestPatchScopesNullOrEmpty(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		for _, body := range []string{`{"scopes":null}`, `{"scopes":[]}`} {
			h.do(f, "PATCH", secretPath(st, sec.ID), body).fails(400, 1001, "secret_scopes_empty")
		}
		h.do(f, "PATCH", secretPath(st, sec.ID), `{"scopes":["bogus"]}`).fails(400, 1001, "secret_scope_invalid")
	})
}

func TestPatchValueNullOrEmpty(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		for _, body := range []string{`{"value":null}`, `{"value":""}`} {
			h.do(f, "PATCH", secretPath(st, sec.ID), body).fails(400, 1001, "secret_value_empty")
		}
	})
}

func TestPatchCommentNullClears(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecrets(f, st, withComment(item("P", "v"), "info"))[0]
		time.Sleep(time.Second)
		var got secretJSON
		h.do(f, "PATCH", secretPath(st, sec.ID), `{"comment":null}`).ok(&got)
		if got.Comment != nil || !got.Modified.After(sec.Modified) {
			t.Fatalf("comment not cleared: %+v", got)
		}
		h.do(f, "PATCH", secretPath(st, sec.ID), `{"comment":""}`).ok(&got)
		if got.Comment == nil || *got.Comment != "" {
			t.Fatalf(`"" not kept: %+v`, got)
		}
	})
}

func TestPatchChangeUpdatesModified(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		time.Sleep(time.Second)
		var got secretJSON
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"scopes": []string{"workers", "access", "access"}}).ok(&got)
		if !got.Modified.After(sec.Modified) || !got.Created.Equal(sec.Created) || strings.Join(got.Scopes, ",") != "access,workers" {
			t.Fatalf("patch: %+v", got)
		}
		if got.Status != statusActive {
			t.Fatalf("a patch without a value restarted activation: %s", got.Status)
		}
	})
}

func TestPatchValueChangeStartsPending(t *testing.T) {
	forBothWith(t, Options{ActivationDelay: time.Second}, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "P")
		time.Sleep(2 * time.Second)
		var got secretJSON
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"comment": "only"}).ok(&got)
		if got.Status != statusActive {
			t.Fatalf("comment patch: %s", got.Status)
		}
		h.do(f, "PATCH", secretPath(st, sec.ID), map[string]any{"value": "rotated"}).ok(&got)
		if got.Status != statusPending || got.ID != sec.ID {
			t.Fatalf("value patch: %+v", got)
		}
		if rec, _ := h.srv.Secret(st, sec.ID); rec.Value != "rotated" {
			t.Fatalf("value not stored: %q", rec.Value)
		}
		time.Sleep(time.Second)
		h.do(f, "GET", secretPath(st, sec.ID), nil).ok(&got)
		if got.Status != statusActive {
			t.Fatalf("after the delay: %s", got.Status)
		}
	})
}

func TestDuplicateCopiesValueAndStartsPending(t *testing.T) {
	forBothWith(t, Options{ActivationDelay: time.Second}, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		src := h.createSecrets(f, st, withComment(item("SRC", "the-value", "workers"), "source comment"))[0]
		time.Sleep(2 * time.Second)
		var dup secretJSON
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate",
			map[string]any{"name": "COPY", "scopes": []string{"dex", "ai_gateway"}, "value": "ignored"}).ok(&dup)
		if dup.Status != statusPending || dup.StoreID != st || strings.Join(dup.Scopes, ",") != "ai_gateway,dex" {
			t.Fatalf("duplicate: %+v", dup)
		}
		if dup.Comment != nil {
			t.Fatalf("comment was copied: %q", *dup.Comment)
		}
		if rec, _ := h.srv.Secret(st, dup.ID); rec.Value != "the-value" {
			t.Fatalf("value not copied: %q", rec.Value)
		}
		var withC secretJSON
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate",
			map[string]any{"name": "COPY2", "scopes": []string{"dex"}, "comment": "mine"}).ok(&withC)
		if *withC.Comment != "mine" {
			t.Fatalf("comment: %+v", withC)
		}
	})
}

func TestDuplicateScopesRequired(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		src := h.createSecret(f, st, "SRC")
		for _, body := range []string{`{"name":"D"}`, `{"name":"D","scopes":null}`, `{"name":"D","scopes":[]}`} {
			h.do(f, "POST", secretPath(st, src.ID)+"/duplicate", body).fails(400, 1001, "secret_scopes_empty")
		}
		h.do(f, "POST", secretPath(st, src.ID)+"/duplicate", `{"name":"D","scopes":["x"]}`).fails(400, 1001, "secret_scope_invalid")
	})
}

func TestDeleteSecretReturnsDeletedStatus(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "GONE")
		var got secretJSON
		h.do(f, "DELETE", secretPath(st, sec.ID), nil).ok(&got)
		if got.ID != sec.ID || got.Name != "GONE" || got.Status != statusDeleted {
			t.Fatalf("delete result: %+v", got)
		}
		// A deleted secret is gone: 404, absent from lists, its name free again.
		h.do(f, "GET", secretPath(st, sec.ID), nil).fails(404, 1001, "secret_not_found")
		h.do(f, "DELETE", secretPath(st, sec.ID), nil).fails(404, 1001, "secret_not_found")
		var list []secretJSON
		h.do(f, "GET", "/stores/"+st+"/secrets", nil).ok(&list)
		if len(list) != 0 {
			t.Fatalf("list: %+v", list)
		}
		h.createSecret(f, st, "GONE")
	})
}

func TestBulkDeleteBothShapes(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		secs := h.createSecrets(f, st, item("A", "v"), item("B", "v"), item("C", "v"), item("D", "v"))
		var got []secretJSON
		h.do(f, "DELETE", "/stores/"+st+"/secrets", map[string]any{"ids": []string{secs[1].ID, secs[0].ID}}).ok(&got)
		if len(got) != 2 || got[0].ID != secs[1].ID || got[1].ID != secs[0].ID || got[0].Status != statusDeleted {
			t.Fatalf("ids shape: %+v", got)
		}
		h.do(f, "DELETE", "/stores/"+st+"/secrets", []any{map[string]any{"id": secs[2].ID}, map[string]any{"id": secs[3].ID}}).ok(&got)
		if len(got) != 2 || got[0].Name != "C" || got[1].Status != statusDeleted {
			t.Fatalf("array shape: %+v", got)
		}
		if len(h.srv.Secrets(st)) != 0 {
			t.Fatal("secrets left")
		}
	})
}

func TestBulkDeleteEmptyBodyIsInvalid(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.createSecret(f, st, "A")
		for _, body := range []any{nil, `{}`, `{"ids":[]}`, `[]`, `{"ids":null}`, `{"ids":"x"}`, `[{}]`, `[{"id":1}]`, `["x"]`} {
			h.do(f, "DELETE", "/stores/"+st+"/secrets", body).fails(400, 1001, "invalid_json_body")
		}
	})
}

func TestBulkDeleteRepeatedIDsCountOnce(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "A")
		var got []secretJSON
		h.do(f, "DELETE", "/stores/"+st+"/secrets", map[string]any{"ids": []string{sec.ID, sec.ID}}).ok(&got)
		if len(got) != 1 {
			t.Fatalf("got %d results", len(got))
		}
	})
}

func TestBulkDeleteUnknownIDDeletesNothing(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		sec := h.createSecret(f, st, "A")
		h.do(f, "DELETE", "/stores/"+st+"/secrets", map[string]any{"ids": []string{sec.ID, missingID}}).
			fails(404, 1001, "secret_not_found")
		h.do(f, "DELETE", "/stores/"+st+"/secrets", []any{map[string]any{"id": sec.ID}, map[string]any{"id": "short"}}).
			fails(404, 1001, "secret_not_found")
		if len(h.srv.Secrets(st)) != 1 {
			t.Fatal("a failed bulk delete deleted something")
		}
	})
}

func TestQuotaReportsUsage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 7})
		h.createSecrets(accountFam, h.defaultStore(), item("A", "v"), item("B", "v"))
		var q struct {
			Secrets struct{ Quota, Usage int } `json:"secrets"`
		}
		h.do(accountFam, "GET", "/quota", nil).ok(&q)
		if q.Secrets.Quota != 7 || q.Secrets.Usage != 2 {
			t.Fatalf("quota: %+v", q)
		}
	})
}
