package mockserver

import (
	"testing"
	"testing/synctest"
	"time"
)

var betaFam = fam{name: "beta", token: betaToken, base: systemFam.base, system: true}

func TestSystemServicesAndAccountAreIsolated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		alpha := h.createStore(systemFam, "alpha_store")
		time.Sleep(time.Millisecond)
		beta := h.createStore(betaFam, "beta_store")
		alphaSecret := h.createSecret(systemFam, alpha.ID, "ALPHA_SECRET")
		acct := h.defaultStore()

		// Each service lists only its own stores; the account lists them all.
		for _, tc := range []struct {
			f    fam
			want []string
		}{
			{systemFam, []string{"alpha_store"}},
			{betaFam, []string{"beta_store"}},
			{accountFam, []string{defaultStoreName, "alpha_store", "beta_store"}},
		} {
			var got []storeJSON
			h.do(tc.f, "GET", "/stores", nil).ok(&got)
			if len(got) != len(tc.want) {
				t.Fatalf("%s lists %+v, want %v", tc.f.name, got, tc.want)
			}
			for i := range got {
				if got[i].Name != tc.want[i] {
					t.Fatalf("%s lists %+v, want %v", tc.f.name, got, tc.want)
				}
			}
		}

		// Every store-scoped route answers 404 for a store the caller does not manage.
		for _, target := range []string{alpha.ID, acct} {
			for _, r := range []struct{ method, path string }{
				{"GET", "/stores/" + target},
				{"DELETE", "/stores/" + target + "?force=true"},
				{"GET", "/stores/" + target + "/secrets"},
				{"POST", "/stores/" + target + "/secrets"},
				{"DELETE", "/stores/" + target + "/secrets"},
				{"GET", secretPath(target, alphaSecret.ID)},
				{"PATCH", secretPath(target, alphaSecret.ID)},
				{"DELETE", secretPath(target, alphaSecret.ID)},
				{"POST", secretPath(target, alphaSecret.ID) + "/duplicate"},
			} {
				h.do(betaFam, r.method, r.path, `[{"name":"X","value":"v","scopes":["workers"]}]`).fails(404, 1001, "store_not_found")
			}
		}
		if len(h.srv.Stores()) != 3 || len(h.srv.Secrets(alpha.ID)) != 1 {
			t.Fatal("a refused request changed state")
		}

		// The account owns every store: it manages the services' stores through its own routes.
		var got secretJSON
		h.do(accountFam, "GET", secretPath(alpha.ID, alphaSecret.ID), nil).ok(&got)
		h.createSecret(accountFam, beta.ID, "FROM_ACCOUNT")
		var fromBeta []secretJSON
		h.do(betaFam, "GET", "/stores/"+beta.ID+"/secrets", nil).ok(&fromBeta)
		if len(fromBeta) != 1 || fromBeta[0].Name != "FROM_ACCOUNT" {
			t.Fatalf("beta sees %+v", fromBeta)
		}
		h.do(accountFam, "DELETE", "/stores/"+alpha.ID+"?force=1", nil).ok(nil)
		h.do(systemFam, "GET", "/stores/"+alpha.ID, nil).fails(404, 1001, "store_not_found")

		if rec := h.srv.Stores(); rec[0].ManagedBy != "" || rec[1].ManagedBy != "beta" {
			t.Fatalf("ManagedBy: %+v", rec)
		}
	})
}

func TestSystemStoreResponseHasNoManagedBy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.createStore(systemFam, "svc")
		r := h.do(systemFam, "GET", "/stores/"+st.ID, nil).ok(nil)
		if containsKey(r.env.Result, "managed_by") {
			t.Fatalf("managed_by served: %s", r.raw)
		}
		if st.AccountID != DefaultAccount {
			t.Fatalf("account_id %q", st.AccountID)
		}
	})
}

func TestSystemAccountIDBinding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		first := h.createStore(systemFam, "first") // binds internalID
		h.do(betaFam, "POST", "/stores", map[string]any{"name": "other", "account_id": internalID + 1}).
			fails(400, 1001, "account_id_mismatch")
		h.do(systemFam, "POST", "/stores", []any{map[string]any{"name": "other", "account_id": internalID + 1}}).
			fails(400, 1001, "account_id_mismatch")
		second := h.createStore(betaFam, "second")

		// The binding outlives the stores.
		h.do(systemFam, "DELETE", "/stores/"+first.ID, nil).ok(nil)
		h.do(betaFam, "DELETE", "/stores/"+second.ID, nil).ok(nil)
		h.do(systemFam, "POST", "/stores", map[string]any{"name": "again", "account_id": internalID + 1}).
			fails(400, 1001, "account_id_mismatch")
		h.createStore(systemFam, "again")
	})
}

// TestSystemCreateStoreOrderOfChecks: the body (account_id, name) is checked before the name
// conflict, and the conflict before the account id binding.
func TestSystemCreateStoreOrderOfChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.createStore(systemFam, "first") // binds internalID
		other := internalID + 1
		h.do(systemFam, "POST", "/stores", map[string]any{"name": "bad name", "account_id": other}).
			fails(400, 1001, "store_name_invalid")
		h.do(systemFam, "POST", "/stores", map[string]any{"name": "first", "account_id": other}).
			fails(409, 1003, "store_name_already_exists")
		h.do(systemFam, "POST", "/stores", map[string]any{"name": "fresh", "account_id": other}).
			fails(400, 1001, "account_id_mismatch")
	})
}

func TestSystemFailedCreateDoesNotBind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.do(systemFam, "POST", "/stores", map[string]any{"name": "bad name", "account_id": 1}).fails(400, 1001, "store_name_invalid")
		h.do(systemFam, "POST", "/stores", map[string]any{"name": defaultStoreName, "account_id": 1}).
			fails(409, 1003, "store_name_already_exists")
		h.createStore(systemFam, "bound") // internalID, not 1
	})
}

func TestSystemAccountIDInvalid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, body := range []string{
			`{"name":"s"}`, `{"name":"s","account_id":null}`, `{"name":"s","account_id":"42"}`,
			`{"name":"s","account_id":4.2}`, `{"name":"s","account_id":1e3}`, `{"name":"s","account_id":true}`,
			`{"name":"s","account_id":99999999999999999999}`, `[{"name":"s"}]`,
		} {
			h.do(systemFam, "POST", "/stores", body).fails(400, 1001, "account_id_invalid")
		}
		// The account routes take no account_id and ignore one.
		h.do(accountFam, "DELETE", "/stores/"+h.defaultStore(), nil).ok(nil)
		h.do(accountFam, "POST", "/stores", `{"name":"s","account_id":"whatever"}`).ok(nil)
	})
}

func TestSystemStoreSecretsCountTowardQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 2})
		st := h.createStore(systemFam, "svc")
		h.createSecrets(systemFam, st.ID, item("A", "v"), item("B", "v"))
		h.do(accountFam, "POST", "/stores/"+h.defaultStore()+"/secrets", []any{item("C", "v")}).
			fails(400, 1003, "maximum_secrets_exceeded: max 2")
	})
}
