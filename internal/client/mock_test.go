package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const (
	mockToken     = "acct-write-token-1234"
	mockReadToken = "acct-read-token-5678"
	mockSvcToken  = "svc-token-abcd"
	mockInternal  = int64(4242)
)

var (
	mockAcct = Owner{Family: FamilyAccount, Account: mockserver.DefaultAccount}
	mockSys  = Owner{Family: FamilySystem, Account: mockserver.DefaultAccount}
)

// Route templates, as the mock names them.
const (
	acctBase      = "/accounts/{account_id}/secrets_store"
	sysBase       = "/system/accounts/{account_tag}"
	rStores       = "/stores"
	rStore        = "/stores/{store_id}"
	rSecrets      = "/stores/{store_id}/secrets"
	rSecret       = "/stores/{store_id}/secrets/{secret_id}"
	rDuplicate    = "/stores/{store_id}/secrets/{secret_id}/duplicate"
	routeQuota    = "GET " + acctBase + "/quota"
	routeListAcct = "GET " + acctBase + rStores
)

// mockEnv is a mock served over memnet: made inside a testing/synctest bubble, the mock, the
// network and the client all run on the bubble's clock.
type mockEnv struct {
	srv *mockserver.Server
	url string
	net http.RoundTripper // reaches the mock
}

func newMockEnv(t *testing.T, opts mockserver.Options) *mockEnv {
	t.Helper()
	if opts.Token == "" {
		opts.Token = mockToken
	}
	if opts.ReadToken == "" {
		opts.ReadToken = mockReadToken
	}
	if opts.Services == nil {
		opts.Services = map[string]string{"svc": mockSvcToken}
	}
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = -1
	}
	s := mockserver.New(opts)
	return &mockEnv{srv: s, url: memnet.URL + "/client/v4", net: memnet.Serve(t, s)}
}

// client returns a fresh client (own connection pool) for the family's kind of token.
func (e *mockEnv) client(t *testing.T, o Owner, mod func(*Config)) *Client {
	return newTestClient(t, e.url, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: e.net}
		c.APIToken = mockToken
		if o.Family == FamilySystem {
			c.APIToken = mockSvcToken
		}
		if mod != nil {
			mod(c)
		}
	})
}

func route(o Owner, method, suffix string) string {
	if o.Family == FamilySystem {
		return method + " " + sysBase + suffix
	}
	return method + " " + acctBase + suffix
}

// setupStore returns a store for o's family: the default store on the account side, a new
// one on /system.
func (e *mockEnv) setupStore(t *testing.T, o Owner) string {
	t.Helper()
	ctx := context.Background()
	c := e.client(t, o, nil)
	if o.Family == FamilyAccount {
		stores, err := c.ListStores(ctx, o, ListStoresOptions{})
		if err != nil || len(stores) == 0 {
			t.Fatalf("ListStores: %v %v", stores, err)
		}
		return stores[0].ID
	}
	st, err := c.CreateStore(ctx, o, CreateStoreRequest{Name: "svc_store", AccountInternalID: ptr(mockInternal)})
	if err != nil {
		t.Fatalf("CreateStore: %v", err)
	}
	return st.ID
}

func ptr[T any](v T) *T { return &v }

var families = []Owner{mockAcct, mockSys}

func TestMockEveryRouteBothFamilies(t *testing.T) {
	e := newMockEnv(t, mockserver.Options{MaxStores: 3})
	ctx := context.Background()
	for _, o := range families {
		t.Run(string(o.Family), func(t *testing.T) {
			c := e.client(t, o, func(c *Config) { c.PageSize = 2 })
			name := "store_" + string(o.Family)
			st, err := c.CreateStore(ctx, o, CreateStoreRequest{Name: name, AccountInternalID: ptr(mockInternal)})
			if err != nil || st.Name != name || len(st.ID) != 32 {
				t.Fatalf("CreateStore: %+v %v", st, err)
			}
			got, err := c.GetStore(ctx, o, st.ID)
			if err != nil || got.ID != st.ID || got.Name != name || got.Created.IsZero() {
				t.Fatalf("GetStore: %+v %v", got, err)
			}
			stores, err := c.ListStores(ctx, o, ListStoresOptions{Order: "name", Direction: "asc"})
			if err != nil || !slices.ContainsFunc(stores, func(s Store) bool { return s.ID == st.ID }) {
				t.Fatalf("ListStores: %+v %v", stores, err)
			}

			comment := "first"
			created, err := c.CreateSecrets(ctx, o, st.ID, []SecretInput{
				{Name: "A", Value: "va", Scopes: []string{"workers", "ai_gateway"}, Comment: &comment},
				{Name: "B", Value: "vb", Scopes: []string{"workers"}},
			})
			if err != nil || len(created) != 2 || created[0].Name != "A" || created[1].Name != "B" || created[1].Comment != nil {
				t.Fatalf("CreateSecrets: %+v %v", created, err)
			}
			a := created[0]
			if a.StoreID != st.ID || !slices.Equal(a.Scopes, []string{"ai_gateway", "workers"}) || *a.Comment != "first" {
				t.Errorf("secret A: %+v", a)
			}
			if g, err := c.GetSecret(ctx, o, st.ID, a.ID); err != nil || g.Name != "A" || g.Status != StatusActive {
				t.Errorf("GetSecret: %+v %v", g, err)
			}
			if f, err := c.FindSecretByName(ctx, o, st.ID, "B"); err != nil || f.ID != created[1].ID {
				t.Errorf("FindSecretByName: %+v %v", f, err)
			}
			if _, err := c.FindSecretByName(ctx, o, st.ID, "b"); !IsNotFound(err) {
				t.Errorf("FindSecretByName is not case-sensitive: %v", err)
			}
			list, err := c.ListSecrets(ctx, o, st.ID, ListSecretsOptions{})
			if err != nil || len(list) != 2 {
				t.Errorf("ListSecrets: %+v %v", list, err)
			}

			newValue := "va2"
			p, err := c.PatchSecret(ctx, o, st.ID, a.ID, PatchSecretRequest{Value: &newValue, ClearComment: true, Scopes: []string{"workers"}})
			if err != nil || p.Comment != nil || !slices.Equal(p.Scopes, []string{"workers"}) {
				t.Errorf("PatchSecret: %+v %v", p, err)
			}
			if rec, _ := e.srv.Secret(st.ID, a.ID); rec.Value != "va2" {
				t.Errorf("value after patch %q", rec.Value)
			}

			dup, err := c.DuplicateSecret(ctx, o, st.ID, a.ID, DuplicateSecretRequest{Name: "A_COPY", Scopes: []string{"dex"}})
			if err != nil || dup.Name != "A_COPY" || dup.ID == a.ID {
				t.Fatalf("DuplicateSecret: %+v %v", dup, err)
			}
			if rec, _ := e.srv.Secret(st.ID, dup.ID); rec.Value != "va2" {
				t.Errorf("duplicate value %q", rec.Value)
			}

			if err := c.DeleteSecret(ctx, o, st.ID, dup.ID); err != nil {
				t.Errorf("DeleteSecret: %v", err)
			}
			if _, err := c.GetSecret(ctx, o, st.ID, dup.ID); !IsNotFound(err) {
				t.Errorf("deleted secret still there: %v", err)
			}
			err = c.DeleteStore(ctx, o, st.ID, false)
			if !hasStatus(err, 409) || !asAPIError(err).HasReason("store_not_empty") {
				t.Errorf("DeleteStore of a non-empty store: %v", err)
			}
			deleted, err := c.DeleteSecrets(ctx, o, st.ID, []string{created[1].ID})
			if err != nil || len(deleted) != 1 || deleted[0].ID != created[1].ID {
				t.Errorf("DeleteSecrets: %+v %v", deleted, err)
			}
			if err := c.DeleteStore(ctx, o, st.ID, true); err != nil {
				t.Errorf("DeleteStore force: %v", err)
			}
			if len(e.srv.Secrets(st.ID)) != 0 {
				t.Errorf("secrets left")
			}
			if _, err := c.GetStore(ctx, o, st.ID); !IsNotFound(err) {
				t.Errorf("deleted store still there: %v", err)
			}
		})
	}

	q, err := e.client(t, mockAcct, nil).GetQuota(ctx, mockserver.DefaultAccount)
	if err != nil || q.Quota != 100 || q.Usage != 0 {
		t.Errorf("GetQuota: %+v %v", q, err)
	}

	// Every route the mock serves went through the client.
	stats := e.srv.Stats()
	for _, r := range mockserver.Routes() {
		if stats.Routes[r] == 0 {
			t.Errorf("route %s never called", r)
		}
	}
}

func TestMockAuthErrors(t *testing.T) {
	e := newMockEnv(t, mockserver.Options{})
	ctx := context.Background()
	store := e.setupStore(t, mockAcct)

	accountOnSystem := e.client(t, mockAcct, nil)
	_, err := accountOnSystem.ListStores(ctx, mockSys, ListStoresOptions{})
	if !IsWrongTokenKind(err) {
		t.Errorf("account token on /system: %v", err)
	}
	serviceOnAccount := e.client(t, mockSys, nil)
	if _, err := serviceOnAccount.GetQuota(ctx, mockserver.DefaultAccount); !IsWrongTokenKind(err) {
		t.Errorf("service token on account routes: %v", err)
	}
	readOnly := newTestClient(t, e.url, func(c *Config) { c.APIToken = mockReadToken; c.HTTPClient = &http.Client{Transport: e.net} })
	if _, err := readOnly.ListSecrets(ctx, mockAcct, store, ListSecretsOptions{}); err != nil {
		t.Errorf("read token reading: %v", err)
	}
	_, err = readOnly.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: "X", Value: "v", Scopes: []string{"workers"}}})
	if !IsWrongTokenKind(err) {
		t.Errorf("read token writing: %v", err)
	}
	bad := newTestClient(t, e.url, func(c *Config) { c.APIToken = "nope"; c.HTTPClient = &http.Client{Transport: e.net} })
	if _, err := bad.GetStore(ctx, mockAcct, store); !hasStatus(err, 401) {
		t.Errorf("bad token: %v", err)
	}
	if n := len(e.srv.RequestsTo(route(mockAcct, "POST", rSecrets))); n != 1 {
		t.Errorf("a 403 POST was sent %d times", n)
	}
}

// TestMockRetryTable runs each row of the design's retry table through the fault hook and
// counts the attempts the server saw.
func TestMockRetryTable(t *testing.T) {
	ctx := context.Background()
	type row struct {
		name     string
		method   string // route method
		suffix   string // route suffix
		status   int
		count    int
		after    bool
		drop     bool
		wantN    int  // attempts on the faulted route
		wantFail bool // the call fails
	}
	rows := []row{
		{name: "GET 429 twice", method: "GET", suffix: rSecret, status: 429, count: 2, wantN: 3},
		{name: "GET 502", method: "GET", suffix: rSecret, status: 502, count: 1, wantN: 2},
		{name: "GET 503", method: "GET", suffix: rSecret, status: 503, count: 1, wantN: 2},
		{name: "GET 504", method: "GET", suffix: rSecret, status: 504, count: 1, wantN: 2},
		{name: "GET dropped", method: "GET", suffix: rSecret, drop: true, count: 1, wantN: 2},
		{name: "GET 500 not retried", method: "GET", suffix: rSecret, status: 500, count: 1, wantN: 1, wantFail: true},
		{name: "GET 400 not retried", method: "GET", suffix: rSecret, status: 400, count: 1, wantN: 1, wantFail: true},
		{name: "GET retries exhausted", method: "GET", suffix: rSecret, status: 503, count: 10, wantN: 4, wantFail: true},
		{name: "list 503", method: "GET", suffix: rSecrets, status: 503, count: 1, wantN: 2},
		{name: "PATCH 503 twice", method: "PATCH", suffix: rSecret, status: 503, count: 2, wantN: 3},
		{name: "PATCH 429", method: "PATCH", suffix: rSecret, status: 429, count: 1, wantN: 2},
		{name: "PATCH 502 after acting", method: "PATCH", suffix: rSecret, status: 502, count: 1, after: true, wantN: 2},
		{name: "PATCH dropped after acting", method: "PATCH", suffix: rSecret, drop: true, after: true, count: 1, wantN: 2},
		{name: "PATCH 500 not retried", method: "PATCH", suffix: rSecret, status: 500, count: 1, wantN: 1, wantFail: true},
		{name: "DELETE 503", method: "DELETE", suffix: rSecret, status: 503, count: 1, wantN: 2},
		{name: "DELETE 502 after acting: 404 on retry is success", method: "DELETE", suffix: rSecret, status: 502, count: 1, after: true, wantN: 2},
		{name: "DELETE dropped after acting", method: "DELETE", suffix: rSecret, drop: true, after: true, count: 1, wantN: 2},
		{name: "DELETE 500 not retried", method: "DELETE", suffix: rSecret, status: 500, count: 1, wantN: 1, wantFail: true},
		{name: "bulk DELETE 504 after acting", method: "DELETE", suffix: rSecrets, status: 504, count: 1, after: true, wantN: 2},
		{name: "store DELETE 503 after acting", method: "DELETE", suffix: rStore, status: 503, count: 1, after: true, wantN: 2},
	}
	for _, o := range families {
		for _, r := range rows {
			t.Run(string(o.Family)+"/"+r.name, func(t *testing.T) {
				e := newMockEnv(t, mockserver.Options{MaxStores: 2})
				store := e.setupStore(t, o)
				setup := e.client(t, o, nil)
				sec, err := setup.CreateSecrets(ctx, o, store, []SecretInput{{Name: "S", Value: "v0", Scopes: []string{"workers"}}})
				if err != nil {
					t.Fatal(err)
				}
				id := sec[0].ID
				rt := route(o, r.method, r.suffix)
				before := len(e.srv.RequestsTo(rt))
				e.srv.FailNext(mockserver.Fault{Route: rt, Count: r.count, Status: r.status, AfterAction: r.after, Drop: r.drop})

				c := e.client(t, o, nil) // fresh connections: no transparent transport retries
				v := "v1"
				switch r.method + " " + r.suffix {
				case "GET " + rSecret:
					_, err = c.GetSecret(ctx, o, store, id)
				case "GET " + rSecrets:
					_, err = c.ListSecrets(ctx, o, store, ListSecretsOptions{})
				case "PATCH " + rSecret:
					_, err = c.PatchSecret(ctx, o, store, id, PatchSecretRequest{Value: &v})
				case "DELETE " + rSecret:
					err = c.DeleteSecret(ctx, o, store, id)
				case "DELETE " + rSecrets:
					_, err = c.DeleteSecrets(ctx, o, store, []string{id})
				case "DELETE " + rStore:
					err = c.DeleteStore(ctx, o, store, true)
				default:
					t.Fatalf("no call for %s", rt)
				}
				if r.wantFail != (err != nil) {
					t.Fatalf("err = %v, want failure %v", err, r.wantFail)
				}
				if r.wantFail && !r.drop {
					// The last error body reaches the caller.
					if ae := asAPIError(err); ae == nil || ae.StatusCode != r.status || len(ae.Errors) == 0 {
						t.Errorf("final error lost the API's body: %#v", err)
					}
				}
				if n := len(e.srv.RequestsTo(rt)) - before; n != r.wantN {
					t.Errorf("%d attempts on %s, want %d", n, rt, r.wantN)
				}
				if r.method == "PATCH" && !r.wantFail {
					if rec, _ := e.srv.Secret(store, id); rec.Value != "v1" {
						t.Errorf("value %q after patch", rec.Value)
					}
				}
				if r.method == "DELETE" && !r.wantFail {
					if _, ok := e.srv.Secret(store, id); ok {
						t.Errorf("secret still there after delete")
					}
				}
			})
		}
	}
}

// TestMockPostNeverDuplicates fails each creating POST before and after the server acts,
// with a status or a dropped connection, and checks exactly one object results. An answer
// lost after the server acted is the honest price of never adopting: the create fails with
// a *NameExistsError naming the object, and nothing else is sent to it.
func TestMockPostNeverDuplicates(t *testing.T) {
	ctx := context.Background()
	type fault struct {
		name      string
		status    int
		count     int
		after     bool
		drop      bool
		wantPOSTs int
		wantFail  bool
		taken     bool // the server acted but the answer was lost: a *NameExistsError, never adopted
	}
	faults := []fault{
		{name: "429 twice", status: 429, count: 2, wantPOSTs: 3},
		{name: "500 before acting", status: 500, count: 1, wantPOSTs: 2},
		{name: "502 before acting", status: 502, count: 1, wantPOSTs: 2},
		{name: "503 after acting", status: 503, count: 1, after: true, wantPOSTs: 1, taken: true},
		{name: "504 after acting", status: 504, count: 1, after: true, wantPOSTs: 1, taken: true},
		{name: "500 after acting", status: 500, count: 1, after: true, wantPOSTs: 1, taken: true},
		{name: "dropped before acting", drop: true, count: 1, wantPOSTs: 2},
		{name: "dropped after acting", drop: true, after: true, count: 1, wantPOSTs: 1, taken: true},
		{name: "503 before acting twice: resent once only", status: 503, count: 2, wantPOSTs: 2, wantFail: true},
		{name: "503 before then after acting", status: 503, count: 1, wantPOSTs: 2, taken: true}, // second fault queued below
		{name: "400 final", status: 400, count: 1, wantPOSTs: 1, wantFail: true},
	}
	ops := []string{"create store", "create secrets", "duplicate"}
	for _, o := range families {
		for _, op := range ops {
			for _, f := range faults {
				t.Run(string(o.Family)+"/"+op+"/"+f.name, func(t *testing.T) {
					e := newMockEnv(t, mockserver.Options{MaxStores: 3})
					store := e.setupStore(t, o)
					setup := e.client(t, o, nil)
					src, err := setup.CreateSecrets(ctx, o, store, []SecretInput{{Name: "SRC", Value: "src-value", Scopes: []string{"workers"}}})
					if err != nil {
						t.Fatal(err)
					}
					var rt string
					switch op {
					case "create store":
						rt = route(o, "POST", rStores)
					case "create secrets":
						rt = route(o, "POST", rSecrets)
					default:
						rt = route(o, "POST", rDuplicate)
					}
					before := len(e.srv.RequestsTo(rt))
					e.srv.FailNext(mockserver.Fault{Route: rt, Count: f.count, Status: f.status, AfterAction: f.after, Drop: f.drop})
					if f.name == "503 before then after acting" {
						e.srv.FailNext(mockserver.Fault{Route: rt, Status: 503, AfterAction: true})
					}

					c := e.client(t, o, nil)
					storesBefore := len(e.srv.Stores())
					switch op {
					case "create store":
						var st *Store
						st, err = c.CreateStore(ctx, o, CreateStoreRequest{Name: "new_store", AccountInternalID: ptr(mockInternal)})
						n := 0
						for _, s := range e.srv.Stores() {
							if s.Name == "new_store" {
								n++
								if st != nil && st.ID != s.ID {
									t.Errorf("returned store %s, server holds %s", st.ID, s.ID)
								}
							}
						}
						if want := boolInt(!f.wantFail); n != want || len(e.srv.Stores()) != storesBefore+want {
							t.Errorf("%d stores named new_store, want %d", n, want)
						}
						checkTaken(t, err, f.taken, "store", "new_store", func(id string) bool {
							return slices.ContainsFunc(e.srv.Stores(), func(s mockserver.StoreRecord) bool { return s.ID == id && s.Name == "new_store" })
						})
					case "create secrets":
						patchRoute := route(o, "PATCH", rSecret)
						patchesBefore := len(e.srv.RequestsTo(patchRoute))
						var out []Secret
						out, err = c.CreateSecrets(ctx, o, store, []SecretInput{
							{Name: "N1", Value: "one", Scopes: []string{"workers"}},
							{Name: "N2", Value: "two", Scopes: []string{"dex", "workers"}},
						})
						recs := e.srv.Secrets(store)
						if want := 1 + 2*boolInt(!f.wantFail); len(recs) != want {
							t.Errorf("%d secrets in the store, want %d", len(recs), want)
						}
						if err == nil {
							if len(out) != 2 || out[0].Name != "N1" || out[1].Name != "N2" || out[0].ID == "" {
								t.Errorf("result %+v", out)
							}
							if rec, _ := e.srv.SecretByName(store, "N2"); rec.Value != "two" || rec.ID != out[1].ID {
								t.Errorf("N2 record %+v", rec)
							}
						}
						// Nothing is ever re-sent over a secret found by name.
						if n := len(e.srv.RequestsTo(patchRoute)) - patchesBefore; n != 0 {
							t.Errorf("%d PATCHes after the create", n)
						}
						checkTaken(t, err, f.taken, "secret", "N1", func(id string) bool {
							rec, ok := e.srv.Secret(store, id)
							return ok && rec.Name == "N1" && rec.Value == "one"
						})
					default:
						var d *Secret
						d, err = c.DuplicateSecret(ctx, o, store, src[0].ID, DuplicateSecretRequest{Name: "COPY", Scopes: []string{"workers"}})
						recs := e.srv.Secrets(store)
						if want := 1 + boolInt(!f.wantFail); len(recs) != want {
							t.Errorf("%d secrets in the store, want %d", len(recs), want)
						}
						if err == nil {
							if rec, _ := e.srv.SecretByName(store, "COPY"); rec.Value != "src-value" || rec.ID != d.ID {
								t.Errorf("COPY record %+v, result %+v", rec, d)
							}
						}
						checkTaken(t, err, f.taken, "secret", "COPY", func(id string) bool {
							rec, ok := e.srv.Secret(store, id)
							return ok && rec.Name == "COPY"
						})
					}
					if failed := f.wantFail || f.taken; failed != (err != nil) {
						t.Fatalf("err = %v, want failure %v", err, failed)
					}
					if n := len(e.srv.RequestsTo(rt)) - before; n != f.wantPOSTs {
						t.Errorf("%d POSTs, want %d", n, f.wantPOSTs)
					}
				})
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestMockRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		e := newMockEnv(t, mockserver.Options{})
		rt := routeListAcct

		// Honoured: the mock sends whole seconds (1s here); the cap is above it.
		e.srv.FailNext(mockserver.Fault{Route: rt, Status: 429, RetryAfter: time.Second})
		c := e.client(t, mockAcct, func(c *Config) { c.RetryWaitMin = time.Millisecond; c.RetryWaitMax = 3 * time.Second })
		start := time.Now()
		if _, err := c.ListStores(ctx, mockAcct, ListStoresOptions{}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("took %s, want the Retry-After of 1s", took)
		}

		// Capped: Retry-After 5s against a 50ms cap, on a 503 too.
		e.srv.FailNext(mockserver.Fault{Route: rt, Status: 503, Count: 2, RetryAfter: 5 * time.Second})
		c = e.client(t, mockAcct, func(c *Config) { c.RetryWaitMin = time.Millisecond; c.RetryWaitMax = 50 * time.Millisecond })
		before := len(e.srv.RequestsTo(rt))
		start = time.Now()
		if _, err := c.ListStores(ctx, mockAcct, ListStoresOptions{}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Errorf("two capped waits took %s, want 100ms (uncapped: 10s)", took)
		}
		if n := len(e.srv.RequestsTo(rt)) - before; n != 3 {
			t.Errorf("%d attempts", n)
		}

		// Exhausted 429: the APIError carries the API's code and the Retry-After.
		e.srv.FailNext(mockserver.Fault{Route: rt, Status: 429, Count: 5, RetryAfter: time.Second})
		c = e.client(t, mockAcct, func(c *Config) { c.MaxRetries = 1; c.RetryWaitMax = 10 * time.Millisecond })
		_, err := c.ListStores(ctx, mockAcct, ListStoresOptions{})
		if ae := asAPIError(err); !hasStatus(err, 429) || !ae.HasCode(971) || ae.RetryAfter != time.Second {
			t.Errorf("exhausted 429: %#v", err)
		}
	})
}

func TestMockPaging(t *testing.T) {
	ctx := context.Background()
	e := newMockEnv(t, mockserver.Options{MaxStores: 5})
	for _, o := range families {
		t.Run(string(o.Family), func(t *testing.T) {
			store := e.setupStore(t, o)
			c := e.client(t, o, func(c *Config) { c.PageSize = 2 })
			var in []SecretInput
			for i := range 9 {
				scopes := []string{"workers"}
				if i%2 == 0 {
					scopes = append(scopes, "ai_gateway")
				}
				in = append(in, SecretInput{Name: fmt.Sprintf("KEY_%02d", i), Value: "v", Scopes: scopes})
			}
			in = append(in, SecretInput{Name: "OTHER", Value: "v", Scopes: []string{"workers", "ai_gateway"}})
			if _, err := c.CreateSecrets(ctx, o, store, in); err != nil {
				t.Fatal(err)
			}
			rt := route(o, "GET", rSecrets)

			before := len(e.srv.RequestsTo(rt))
			all, err := c.ListSecrets(ctx, o, store, ListSecretsOptions{})
			if err != nil || len(all) != 10 {
				t.Fatalf("all: %d %v", len(all), err)
			}
			if n := len(e.srv.RequestsTo(rt)) - before; n != 5 { // 5 full pages; result_info says the 5th is the last
				t.Errorf("%d pages fetched for 10 items at 2 per page", n)
			}

			before = len(e.srv.RequestsTo(rt))
			filtered, err := c.ListSecrets(ctx, o, store, ListSecretsOptions{Search: "key_", Scopes: []string{"ai_gateway", "workers"}, Order: "name", Direction: "desc"})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range filtered {
				names = append(names, s.Name)
			}
			if got := strings.Join(names, ","); got != "KEY_08,KEY_06,KEY_04,KEY_02,KEY_00" {
				t.Errorf("filtered = %s", got)
			}
			reqs := e.srv.RequestsTo(rt)[before:]
			if len(reqs) != 3 {
				t.Errorf("%d pages fetched for 5 items", len(reqs))
			}
			if q := reqs[0].Query; !strings.Contains(q, "scopes=ai_gateway&scopes=workers") || !strings.Contains(q, "per_page=2") || !strings.Contains(q, "page=1") {
				t.Errorf("query %q", q)
			}
		})
	}

	t.Run("stores", func(t *testing.T) {
		c := e.client(t, mockAcct, func(c *Config) { c.PageSize = 2 })
		for i := range 3 {
			if _, err := c.CreateStore(ctx, mockAcct, CreateStoreRequest{Name: fmt.Sprintf("extra_%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		stores, err := c.ListStores(ctx, mockAcct, ListStoresOptions{})
		if err != nil || len(stores) != len(e.srv.Stores()) || len(stores) < 5 {
			t.Errorf("ListStores: %d of %d, %v", len(stores), len(e.srv.Stores()), err)
		}
	})
}

func TestMockLogsNeverLeak(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	e := newMockEnv(t, mockserver.Options{})
	store := e.setupStore(t, mockAcct)
	c := e.client(t, mockAcct, nil)

	// A 502 before acting: the name is looked up, then the create is resent.
	e.srv.FailNext(mockserver.Fault{Route: route(mockAcct, "POST", rSecrets), Status: 502})
	out, err := c.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: "CANARY", Value: canary, Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext(mockserver.Fault{Route: route(mockAcct, "PATCH", rSecret), Status: 503})
	rotated := canary + "-rotated"
	if _, err := c.PatchSecret(ctx, mockAcct, store, out[0].ID, PatchSecretRequest{Value: &rotated}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DuplicateSecret(ctx, mockAcct, store, out[0].ID, DuplicateSecretRequest{Name: "CANARY2", Scopes: []string{"workers"}}); err != nil {
		t.Fatal(err)
	}
	if rec, _ := e.srv.SecretByName(store, "CANARY"); rec.Value != rotated {
		t.Fatalf("server value %q", rec.Value)
	}
	logs := buf.String()
	if !strings.Contains(logs, `\"value\":\"***\"`) {
		t.Errorf("no masked request body in the logs")
	}
	for _, leak := range []string{canary, mockToken} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q", leak)
		}
	}
	entries := logEntries(t, &buf)
	if len(entries) < 10 {
		t.Errorf("only %d log entries", len(entries))
	}
}

func TestMockConcurrentUse(t *testing.T) {
	ctx := context.Background()
	e := newMockEnv(t, mockserver.Options{})
	store := e.setupStore(t, mockAcct)
	c := e.client(t, mockAcct, func(c *Config) { c.PageSize = 3 })
	errs := make(chan error, 16)
	for i := range 8 {
		go func() {
			name := fmt.Sprintf("PAR_%d", i)
			out, err := c.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: name, Value: "v", Scopes: []string{"workers"}}})
			if err == nil {
				_, err = c.GetSecret(ctx, mockAcct, store, out[0].ID)
			}
			if err == nil {
				_, err = c.ListSecrets(ctx, mockAcct, store, ListSecretsOptions{})
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(e.srv.Secrets(store)); n != 8 {
		t.Errorf("%d secrets", n)
	}
}

// TestMockNeverAdopts: after an ambiguous POST, an object holding the name is never taken as
// the result, whether another writer made it before the request or while it was in flight:
// the create fails with a *NameExistsError naming it, nothing is resent or PATCHed, and the
// object keeps what it holds.
func TestMockNeverAdopts(t *testing.T) {
	ctx := context.Background()
	ops := []string{"create store", "create secrets", "duplicate"}
	for _, o := range families {
		for _, op := range ops {
			for _, when := range []string{"before", "during"} {
				t.Run(string(o.Family)+"/"+op+"/made by another writer "+when+" the request, 502 before acting", func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						e := newMockEnv(t, mockserver.Options{MaxStores: 3})
						store := e.setupStore(t, o)
						other := e.client(t, o, nil)
						src, err := other.CreateSecrets(ctx, o, store, []SecretInput{{Name: "SRC", Value: "src-value", Scopes: []string{"workers"}}})
						if err != nil {
							t.Fatal(err)
						}
						rt, kind, suffix := route(o, "POST", rSecrets), "secret", "/secrets"
						switch op {
						case "create store":
							rt, kind, suffix = route(o, "POST", rStores), "store", "/stores"
						case "duplicate":
							rt, suffix = route(o, "POST", rDuplicate), "/duplicate"
						}
						colleague := func() {
							if op == "create store" {
								_, err = other.CreateStore(ctx, o, CreateStoreRequest{Name: "taken", AccountInternalID: ptr(mockInternal)})
							} else {
								_, err = other.CreateSecrets(ctx, o, store, []SecretInput{{Name: "TAKEN", Value: "theirs", Scopes: []string{"workers"}}})
							}
							if err != nil {
								t.Error(err)
							}
						}
						c := e.client(t, o, func(cfg *Config) {
							if when == "during" {
								// The colleague's create lands once ours is sent, before the server answers it
								// with a 502 without acting.
								cfg.HTTPClient = &http.Client{Transport: beforePOST(e.net, suffix, func() {
									colleague()
									e.srv.FailNext(mockserver.Fault{Route: rt, Status: 502})
								})}
							}
						})
						if when == "before" {
							colleague()
							// The request goes out well past the minute of doubt between the two clocks: certainly after.
							time.Sleep(2 * time.Minute)
							e.srv.FailNext(mockserver.Fault{Route: rt, Status: 502})
						}
						before := len(e.srv.RequestsTo(rt))
						patchesBefore := len(e.srv.RequestsTo(route(o, "PATCH", rSecret)))

						var got any
						name := "TAKEN"
						switch op {
						case "create store":
							name = "taken"
							got, err = c.CreateStore(ctx, o, CreateStoreRequest{Name: name, AccountInternalID: ptr(mockInternal)})
						case "create secrets":
							got, err = c.CreateSecrets(ctx, o, store, []SecretInput{{Name: name, Value: "mine", Scopes: []string{"workers"}}})
						default:
							got, err = c.DuplicateSecret(ctx, o, store, src[0].ID, DuplicateSecretRequest{Name: name, Scopes: []string{"workers"}})
						}
						var taken *NameExistsError
						if !errors.As(err, &taken) {
							t.Fatalf("got %+v, err %v; want a *NameExistsError", got, err)
						}
						want := 1 // ours, never resent over a name that exists
						if when == "during" && op != "duplicate" {
							want++ // the colleague's, to the same route
						}
						if n := len(e.srv.RequestsTo(rt)) - before; n != want {
							t.Errorf("%d POSTs, want %d", n, want)
						}
						if n := len(e.srv.RequestsTo(route(o, "PATCH", rSecret))) - patchesBefore; n != 0 {
							t.Errorf("%d PATCHes to someone else's secret", n)
						}
						found := taken.For(name)
						if found == nil || found.Existing[0].Kind != kind || found.Existing[0].Account != o.Account {
							t.Fatalf("error %v does not name the %s %s", err, kind, name)
						}
						if byTime := taken.CreatedBeforeSend(found.Existing[0]); byTime != (when == "before") {
							t.Errorf("CreatedBeforeSend = %v for a %s made %s the request", byTime, kind, when)
						}
						if op == "create store" {
							named := slices.DeleteFunc(e.srv.Stores(), func(s mockserver.StoreRecord) bool { return s.Name != name })
							if len(named) != 1 || named[0].ID != found.Existing[0].ID {
								t.Errorf("stores named %s: %+v", name, named)
							}
							return
						}
						rec, _ := e.srv.SecretByName(store, name)
						if rec.Value != "theirs" || rec.ID != found.Existing[0].ID || len(e.srv.Secrets(store)) != 2 {
							t.Errorf("the other writer's secret is %+v (value %q), want its value kept", rec, rec.Value)
						}
					})
				})
			}
		}
	}
}

// beforePOST is a transport over base that runs hook once, when the first POST whose path
// ends in suffix has been sent and before it reaches the server.
func beforePOST(base http.RoundTripper, suffix string, hook func()) http.RoundTripper {
	var once sync.Once
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix) {
			once.Do(hook)
		}
		return base.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// checkTaken checks the outcome of a create whose answer was lost after the server acted:
// when taken, err is a *NameExistsError naming the object called name, which exists (held
// reports the server holds it as made); otherwise err is no *NameExistsError.
func checkTaken(t *testing.T, err error, taken bool, kind, name string, held func(id string) bool) {
	t.Helper()
	var e *NameExistsError
	if !errors.As(err, &e) {
		if taken {
			t.Errorf("err = %v, want a *NameExistsError about %s %s", err, kind, name)
		}
		return
	}
	if !taken {
		t.Errorf("unexpected %v", err)
		return
	}
	o := e.For(name)
	if o == nil || o.Existing[0].Kind != kind || o.Existing[0].ID == "" || !held(o.Existing[0].ID) {
		t.Errorf("error %v does not name the %s %s the server holds", err, kind, name)
	}
	if e.Cause == nil || e.Sent.IsZero() {
		t.Errorf("error %+v lacks its cause or send time", e)
	}
}
