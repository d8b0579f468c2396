package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

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

type mockEnv struct {
	srv *mockserver.Server
	url string
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
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &mockEnv{srv: s, url: hs.URL + "/client/v4"}
}

// client returns a fresh client (own connection pool) for the family's kind of token.
func (e *mockEnv) client(t *testing.T, o Owner, mod func(*Config)) *Client {
	return newTestClient(t, e.url, func(c *Config) {
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
	readOnly := newTestClient(t, e.url, func(c *Config) { c.APIToken = mockReadToken })
	if _, err := readOnly.ListSecrets(ctx, mockAcct, store, ListSecretsOptions{}); err != nil {
		t.Errorf("read token reading: %v", err)
	}
	_, err = readOnly.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: "X", Value: "v", Scopes: []string{"workers"}}})
	if !IsWrongTokenKind(err) {
		t.Errorf("read token writing: %v", err)
	}
	bad := newTestClient(t, e.url, func(c *Config) { c.APIToken = "nope" })
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
// with a status or a dropped connection, and checks exactly one object results.
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
		adopts    bool // the objects are found by the lookup after an ambiguous answer
	}
	faults := []fault{
		{name: "429 twice", status: 429, count: 2, wantPOSTs: 3},
		{name: "500 before acting", status: 500, count: 1, wantPOSTs: 2},
		{name: "502 before acting", status: 502, count: 1, wantPOSTs: 2},
		{name: "503 after acting", status: 503, count: 1, after: true, wantPOSTs: 1, adopts: true},
		{name: "504 after acting", status: 504, count: 1, after: true, wantPOSTs: 1, adopts: true},
		{name: "500 after acting", status: 500, count: 1, after: true, wantPOSTs: 1, adopts: true},
		{name: "dropped before acting", drop: true, count: 1, wantPOSTs: 2},
		{name: "dropped after acting", drop: true, after: true, count: 1, wantPOSTs: 1, adopts: true},
		{name: "503 before acting twice: resent once only", status: 503, count: 2, wantPOSTs: 2, wantFail: true},
		{name: "503 before then after acting", status: 503, count: 1, wantPOSTs: 2, adopts: true}, // second fault queued below
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
						// Adopted secrets get their values re-sent; answered ones do not.
						patches := e.srv.RequestsTo(patchRoute)[patchesBefore:]
						var got []string
						for _, p := range patches {
							got = append(got, string(p.Body))
						}
						want := []string(nil)
						if f.adopts {
							want = []string{`{"value":"one"}`, `{"value":"two"}`}
						}
						if !slices.Equal(got, want) {
							t.Errorf("PATCH bodies %q, want %q", got, want)
						}
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
					}
					if f.wantFail != (err != nil) {
						t.Fatalf("err = %v, want failure %v", err, f.wantFail)
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
	if el := time.Since(start); el < 950*time.Millisecond {
		t.Errorf("Retry-After 1s not honoured: %s", el)
	}

	// Capped: Retry-After 5s against a 50ms cap, on a 503 too.
	e.srv.FailNext(mockserver.Fault{Route: rt, Status: 503, Count: 2, RetryAfter: 5 * time.Second})
	c = e.client(t, mockAcct, func(c *Config) { c.RetryWaitMin = time.Millisecond; c.RetryWaitMax = 50 * time.Millisecond })
	before := len(e.srv.RequestsTo(rt))
	start = time.Now()
	if _, err := c.ListStores(ctx, mockAcct, ListStoresOptions{}); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	// Uncapped, the two waits would take 10s; the upper bound leaves room for a loaded machine.
	if el < 100*time.Millisecond || el > 4*time.Second {
		t.Errorf("two capped waits took %s, want about 100ms (uncapped: 10s)", el)
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

	e.srv.FailNext(mockserver.Fault{Route: route(mockAcct, "POST", rSecrets), Status: 502, AfterAction: true})
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
		t.Errorf("no redacted request body in the logs")
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

// TestMockAdoptionRespectsCreatedTime: after an ambiguous POST, an object with the name is
// adopted only if it was created since the request was first sent (less the clock-skew
// allowance). One that was there before is someone else's: the POST is resent and the
// caller gets the 409, never the old object.
func TestMockAdoptionRespectsCreatedTime(t *testing.T) {
	ctx := context.Background()
	ops := []string{"create store", "create secrets", "duplicate"}
	for _, o := range families {
		for _, op := range ops {
			t.Run(string(o.Family)+"/"+op+"/pre-existing name, 502 before acting", func(t *testing.T) {
				e := newMockEnv(t, mockserver.Options{MaxStores: 3})
				store := e.setupStore(t, o)
				c := e.client(t, o, nil)
				src, err := c.CreateSecrets(ctx, o, store, []SecretInput{{Name: "SRC", Value: "src-value", Scopes: []string{"workers"}}})
				if err != nil {
					t.Fatal(err)
				}
				// The pre-existing object is a few milliseconds old; with no skew allowance
				// that is older than the request, as a real someone else's object would be.
				var rt string
				switch op {
				case "create store":
					rt = route(o, "POST", rStores)
					_, err = c.CreateStore(ctx, o, CreateStoreRequest{Name: "taken", AccountInternalID: ptr(mockInternal)})
				case "create secrets":
					rt = route(o, "POST", rSecrets)
					_, err = c.CreateSecrets(ctx, o, store, []SecretInput{{Name: "TAKEN", Value: "theirs", Scopes: []string{"workers"}}})
				default:
					rt = route(o, "POST", rDuplicate)
					_, err = c.CreateSecrets(ctx, o, store, []SecretInput{{Name: "TAKEN", Value: "theirs", Scopes: []string{"workers"}}})
				}
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Millisecond)
				c.adoptSkew = 0
				before := len(e.srv.RequestsTo(rt))
				patchesBefore := len(e.srv.RequestsTo(route(o, "PATCH", rSecret)))
				storesBefore, secretsBefore := e.srv.Stores(), e.srv.Secrets(store)
				e.srv.FailNext(mockserver.Fault{Route: rt, Status: 502})

				var got any
				switch op {
				case "create store":
					got, err = c.CreateStore(ctx, o, CreateStoreRequest{Name: "taken", AccountInternalID: ptr(mockInternal)})
				case "create secrets":
					got, err = c.CreateSecrets(ctx, o, store, []SecretInput{{Name: "TAKEN", Value: "mine", Scopes: []string{"workers"}}})
				default:
					got, err = c.DuplicateSecret(ctx, o, store, src[0].ID, DuplicateSecretRequest{Name: "TAKEN", Scopes: []string{"workers"}})
				}
				nameClash := hasStatus(err, 409) && (asAPIError(err).HasReason("store_name_already_exists") || asAPIError(err).HasReason("secret_name_already_exists"))
				if !nameClash {
					t.Fatalf("got %+v, err %v; want the 409 name clash", got, err)
				}
				if n := len(e.srv.RequestsTo(rt)) - before; n != 2 {
					t.Errorf("%d POSTs, want 2 (resent once)", n)
				}
				if n := len(e.srv.RequestsTo(route(o, "PATCH", rSecret))) - patchesBefore; n != 0 {
					t.Errorf("%d PATCHes to someone else's secret", n)
				}
				if !slices.Equal(e.srv.Stores(), storesBefore) || !slices.EqualFunc(e.srv.Secrets(store), secretsBefore, func(a, b mockserver.SecretRecord) bool {
					return a.ID == b.ID && a.Value == b.Value && a.Modified.Equal(b.Modified)
				}) {
					t.Errorf("server state changed")
				}
				if rec, _ := e.srv.SecretByName(store, "TAKEN"); op != "create store" && rec.Value != "theirs" {
					t.Errorf("pre-existing value overwritten: %q", rec.Value)
				}
			})
		}
	}

	// Inside the clock-skew allowance a same-name secret is taken for the result of the
	// request, so its value is re-sent: whatever it held, it ends up with the configured one.
	t.Run("adopted secret gets the configured value", func(t *testing.T) {
		e := newMockEnv(t, mockserver.Options{})
		store := e.setupStore(t, mockAcct)
		c := e.client(t, mockAcct, nil)
		if _, err := c.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: "RACE", Value: "other-writer", Scopes: []string{"workers"}}}); err != nil {
			t.Fatal(err)
		}
		rt := route(mockAcct, "POST", rSecrets)
		patchRoute := route(mockAcct, "PATCH", rSecret)
		e.srv.FailNext(mockserver.Fault{Route: rt, Status: 502})
		out, err := c.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: "RACE", Value: "configured", Scopes: []string{"workers"}}})
		if err != nil || len(out) != 1 || out[0].Name != "RACE" {
			t.Fatalf("%+v %v", out, err)
		}
		patches := e.srv.RequestsTo(patchRoute)
		if len(patches) != 1 || string(patches[0].Body) != `{"value":"configured"}` || !strings.HasSuffix(patches[0].Path, "/"+out[0].ID) {
			t.Errorf("PATCHes %+v", patches)
		}
		recs := e.srv.Secrets(store)
		if len(recs) != 1 || recs[0].Value != "configured" || recs[0].ID != out[0].ID {
			t.Errorf("stored %+v", recs)
		}
	})
}
