package provider

// The one home of the helpers the acceptance tests share: the mock each test starts, the
// provider served in-process, fixtures made through the API, and checks of plans, states and
// what the mock received. Tests of one type keep their own small helpers beside them.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// testMock is a mock Secrets Store API started for one test.
type testMock struct {
	*mockserver.Server
	URL     string
	Account string
	Token   string
}

// startMock starts the bundled mock on a free loopback port for the length of the test.
// Secrets turn active quickly so tests that wait for "active" stay fast.
func startMock(t testing.TB, opts mockserver.Options) *testMock {
	t.Helper()
	return startMockBehind(t, opts, nil)
}

// startMockBehind is startMock with requests reaching the mock through front (nil: directly),
// for tests that act between a request's arrival and the mock's answer.
func startMockBehind(t testing.TB, opts mockserver.Options, front func(*mockserver.Server) http.Handler) *testMock {
	t.Helper()
	if opts.Account == "" {
		opts.Account = mockserver.DefaultAccount
	}
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = 50 * time.Millisecond
	}
	srv := mockserver.New(opts)
	var h http.Handler = srv
	if front != nil {
		h = front(srv)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return &testMock{Server: srv, URL: hs.URL, Account: opts.Account, Token: opts.Token}
}

// providerBlock is the provider configuration pointing at the mock with the write token.
func (m *testMock) providerBlock() string {
	return m.providerBlockWithToken(m.Token)
}

func (m *testMock) providerBlockWithToken(token string) string {
	return m.providerNamed("secretsstore", token)
}

// providerNamed renders a provider block pointing at the mock with token, under a provider local
// name ("secretsstore" for the default one).
//
// Why not `alias`: plugin-testing serves the provider in-process and Terraform reaches every
// configuration of one provider (aliases included) through that single server, which keeps the
// data of the last block it configured, so two aliases with two tokens both act with the last
// token (checked: both stores of TestAccSystemFamily_twoServices then come out managed by the
// second service). Each token therefore gets a local name of its own, served by its own server
// (testProviderFactoriesNamed), and resources and data sources pick it with `provider = NAME`.
// In real use Terraform starts one plugin process per provider configuration, so aliases work
// there.
func (m *testMock) providerNamed(localName, token string) string {
	return fmt.Sprintf(`
provider %q {
  base_url       = %q
  api_token      = %q
  account_id     = %q
  retry_wait_max = "1s"
}
`, localName, m.URL, token, m.Account)
}

// testProviderFactories serves the provider in-process. The client is tuned for tests:
// short retry waits and a small page size, so lists span several pages.
func testProviderFactories(pageSize int) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"secretsstore": providerserver.NewProtocol6WithError(newTestProvider(pageSize)),
	}
}

func newTestProvider(pageSize int) provider.Provider {
	return &secretsStoreProvider{
		version: "test",
		tune: tuning{client: func(c *client.Config) {
			c.RetryWaitMin = 10 * time.Millisecond
			c.PageSize = pageSize
		}},
	}
}

// testAccProtoV6ProviderFactories is the default: pages of 2 so every list pages.
var testAccProtoV6ProviderFactories = testProviderFactories(2)

// testProviderFactoriesNamed serves the provider as "secretsstore" and under each extra local
// name (see providerNamed), each from its own server. With rec, every server records the
// diagnostics of its refreshes and resource validations.
func testProviderFactoriesNamed(rec *diagRecorder, extraNames ...string) map[string]func() (tfprotov6.ProviderServer, error) {
	return recordingFactories(rec, func() provider.Provider { return newTestProvider(2) }, extraNames...)
}

// testProviderFactoriesGrace is testProviderFactoriesNamed (one name) with the coalescer's
// in-flight grace set to grace: how long a create or update in flight when its operation ends
// is awaited (30s in use).
func testProviderFactoriesGrace(rec *diagRecorder, grace time.Duration) map[string]func() (tfprotov6.ProviderServer, error) {
	return recordingFactories(rec, func() provider.Provider {
		p := newTestProvider(2).(*secretsStoreProvider)
		p.tune.gateway = func(o *coalesce.Options) { o.InFlightGrace = grace }
		return p
	})
}

// recordingFactories serves a provider made by newProvider as "secretsstore" and under each
// extra name, each from its own server; with rec, every server records diagnostics.
func recordingFactories(rec *diagRecorder, newProvider func() provider.Provider, extraNames ...string) map[string]func() (tfprotov6.ProviderServer, error) {
	out := map[string]func() (tfprotov6.ProviderServer, error){}
	for _, name := range append([]string{"secretsstore"}, extraNames...) {
		serve := providerserver.NewProtocol6WithError(newProvider())
		out[name] = func() (tfprotov6.ProviderServer, error) {
			srv, err := serve()
			if err != nil || rec == nil {
				return srv, err
			}
			full, ok := srv.(fullProviderServer)
			if !ok {
				return nil, fmt.Errorf("the framework's server %T does not serve list resources and actions", srv)
			}
			return recordingServer{fullProviderServer: full, rec: rec}, nil
		}
	}
	return out
}

// ---- Checks of what the mock received and holds, and of plans and states ----

// Route templates of the mock, as in endpoints.md.
const (
	routeCreateSecrets   = "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets"
	routePatchSecret     = "PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeGetSecret       = "GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeDeleteSecret    = "DELETE /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeDuplicateSecret = "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}/duplicate"
	routeCreateStore     = "POST /accounts/{account_id}/secrets_store/stores"
	routeDeleteStore     = "DELETE /accounts/{account_id}/secrets_store/stores/{store_id}"
)

// apiClient is an API client for changes made outside Terraform, as the holder of token.
func apiClient(t testing.TB, m *testMock, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: m.URL, APIToken: token, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// defaultStoreID is the id of the store every mock account starts with.
func defaultStoreID(t testing.TB, m *testMock) string {
	t.Helper()
	s, ok := storeNamed(m, "default_secrets_store")
	if !ok {
		t.Fatal("the mock has no default_secrets_store")
	}
	return s.ID
}

// requestBodies decodes the JSON bodies of the requests the mock received on route.
func requestBodies(m *testMock, route string) ([]any, error) {
	var out []any
	for _, r := range m.RequestsTo(route) {
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return nil, fmt.Errorf("%s: body is not JSON: %w", route, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// checkBodies checks that route received exactly the given bodies (compared as JSON), in order.
func checkBodies(m *testMock, route string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := requestBodies(m, route)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s: got %d requests, want %d: %s", route, len(got), len(want), jsonString(got))
		}
		for i, w := range want {
			var wv any
			if err := json.Unmarshal([]byte(w), &wv); err != nil {
				return fmt.Errorf("bad expected body %q: %w", w, err)
			}
			if jsonString(wv) != jsonString(got[i]) {
				return fmt.Errorf("%s request %d: got body %s, want %s", route, i, jsonString(got[i]), jsonString(wv))
			}
		}
		return nil
	}
}

// checkSecretCount checks that the mock's store holds n secrets (0: a destroy left none).
func checkSecretCount(m *testMock, storeID string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(m.Secrets(storeID)); got != n {
			return fmt.Errorf("store %s holds %d secrets, want %d", storeID, got, n)
		}
		return nil
	}
}

// checkNoWrites checks that the mock received no request but GETs.
func checkNoWrites(m *testMock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range m.Requests() {
			if r.Method != "GET" {
				return fmt.Errorf("unexpected %s %s", r.Method, r.Path)
			}
		}
		return nil
	}
}

// checkStoredValue checks the value the mock holds for the secret named name.
func checkStoredValue(m *testMock, storeID, name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, ok := m.SecretByName(storeID, name)
		if !ok {
			return fmt.Errorf("the mock holds no secret %s in store %s", name, storeID)
		}
		if s.Value != want {
			return fmt.Errorf("secret %s holds a value of %d bytes, not the expected one", name, len(s.Value))
		}
		return nil
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// planChangesOnly is a plan check: the resource's planned update changes only the listed
// attributes among those known at plan time; computed ones may be unknown (they follow the change).
func planChangesOnly(address string, attrs ...string) plancheck.PlanCheck {
	return planCheckFunc(func(p *tfjson.Plan) error {
		for _, rc := range p.ResourceChanges {
			if rc.Address != address {
				continue
			}
			before, _ := rc.Change.Before.(map[string]any)
			after, _ := rc.Change.After.(map[string]any)
			unknown, _ := rc.Change.AfterUnknown.(map[string]any)
			keys := map[string]bool{}
			for k := range before {
				keys[k] = true
			}
			for k := range after {
				keys[k] = true
			}
			var changed []string
			for k := range keys {
				if unknown[k] == true || jsonString(before[k]) != jsonString(after[k]) {
					changed = append(changed, k)
				}
			}
			slices.Sort(changed)
			var unexpected []string
			for _, k := range changed {
				followsChange := unknown[k] == true && (k == "status" || k == "modified")
				if !slices.Contains(attrs, k) && !followsChange {
					unexpected = append(unexpected, k)
				}
			}
			if len(unexpected) > 0 {
				return fmt.Errorf("%s: the plan changes %v; only %v were expected to change", address, unexpected, attrs)
			}
			return nil
		}
		return fmt.Errorf("%s: not in the plan", address)
	})
}

// planHoldsNone is a plan check: none of the strings appears anywhere in the plan JSON
// (the `terraform show -json` of the saved plan).
func planHoldsNone(secrets ...string) plancheck.PlanCheck {
	return planCheckFunc(func(p *tfjson.Plan) error {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return holdsNone("the plan", string(b), secrets...)
	})
}

func holdsNone(where, text string, secrets ...string) error {
	for _, s := range secrets {
		if strings.Contains(text, s) {
			return fmt.Errorf("%s contains a secret (%d bytes) it must never hold", where, len(s))
		}
	}
	return nil
}

type planCheckFunc func(*tfjson.Plan) error

func (f planCheckFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// stateHoldsNone is a state check: none of the strings appears anywhere in the state
// (`terraform show -json` shows sensitive values in clear, so a stored value would show).
func stateHoldsNone(secrets ...string) statecheck.StateCheck {
	return stateCheckFunc(func(st *tfjson.State) error {
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return holdsNone("the state", string(b), secrets...)
	})
}

type stateCheckFunc func(*tfjson.State) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// ---- Fixtures made through the API, outside Terraform ----

// skipWithoutTFAcc skips an acceptance test before it builds its fixtures when TF_ACC is unset, as
// resource.Test would skip it afterwards.
func skipWithoutTFAcc(t testing.TB) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// readExample returns a file of the repository's examples folder.
func readExample(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixtures creates objects on a test mock through the API, as the holder of token.
type fixtures struct {
	t     *testing.T
	c     *client.Client
	owner client.Owner
}

// startFixtureMock starts, when acceptance tests run (see skipWithoutTFAcc), a mock with room for the
// data source tests' fixtures, and returns it with fixtures made as its account.
func startFixtureMock(t *testing.T) (*testMock, *fixtures) {
	t.Helper()
	skipWithoutTFAcc(t)
	m := startMock(t, mockserver.Options{MaxStores: 5, SecretQuota: 500})
	return m, accountFixtures(t, m)
}

func accountFixtures(t *testing.T, m *testMock) *fixtures {
	return fixturesAs(t, m, m.Token, client.FamilyAccount)
}

func fixturesAs(t *testing.T, m *testMock, token string, family client.Family) *fixtures {
	t.Helper()
	return &fixtures{t: t, c: apiClient(t, m, token), owner: client.Owner{Family: family, Account: m.Account}}
}

func (f *fixtures) store(name string) client.Store {
	f.t.Helper()
	req := client.CreateStoreRequest{Name: name}
	if f.owner.Family == client.FamilySystem {
		id := int64(testInternalID)
		req.AccountInternalID = &id
	}
	s, err := f.c.CreateStore(f.t.Context(), f.owner, req)
	if err != nil {
		f.t.Fatalf("creating store %s: %v", name, err)
	}
	// Stores (and secrets) made one after another get distinct created times.
	time.Sleep(2 * time.Millisecond)
	return *s
}

func (f *fixtures) storeNamed(name string) client.Store {
	f.t.Helper()
	stores, err := f.c.ListStores(f.t.Context(), f.owner, client.ListStoresOptions{})
	if err != nil {
		f.t.Fatalf("listing stores: %v", err)
	}
	for _, s := range stores {
		if s.Name == name {
			return s
		}
	}
	f.t.Fatalf("no store named %s", name)
	return client.Store{}
}

func (f *fixtures) deleteStore(id string) {
	f.t.Helper()
	if err := f.c.DeleteStore(f.t.Context(), f.owner, id, true); err != nil {
		f.t.Fatalf("deleting store %s: %v", id, err)
	}
}

// secret creates one secret; comment "" means none.
func (f *fixtures) secret(storeID, name, comment string, scopes ...string) client.Secret {
	f.t.Helper()
	in := client.SecretInput{Name: name, Value: "value-of-" + name, Scopes: scopes}
	if comment != "" {
		in.Comment = &comment
	}
	out, err := f.c.CreateSecrets(f.t.Context(), f.owner, storeID, []client.SecretInput{in})
	if err != nil {
		f.t.Fatalf("creating secret %s: %v", name, err)
	}
	time.Sleep(2 * time.Millisecond)
	return out[0]
}

// expectNames checks that a list attribute holds objects with these names, in this order.
func expectNames(address, attr string, names ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(names))
	for i, n := range names {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), knownvalue.ListExact(checks))
}

// expectAttr checks one top-level attribute.
func expectAttr(address, attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), check)
}

// failOnRequestsSince returns a PreConfig that fails the test if the mock received any request
// since mark was taken: the steps before it had to fail at plan time.
func failOnRequestsSince(t *testing.T, m *testMock, mark *int) func() {
	return func() {
		if got := m.Stats().Total - *mark; got != 0 {
			t.Errorf("%d API requests were made by steps that must fail before any request; requests: %v",
				got, m.Stats().Routes)
		}
	}
}

// errText matches error texts in this order, each word by word separated by any whitespace,
// since Terraform wraps long diagnostics and prefixes the lines of a wrapped one with │.
func errText(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, t := range texts {
		words := strings.Fields(t)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `(?:\s|│)+`)
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}

// ---- The /system family: services, their tokens and checks ----

// System route templates of the mock, as in endpoints.md.
const (
	routeSystemCreateStore = "POST /system/accounts/{account_tag}/stores"
	routeSystemDeleteStore = "DELETE /system/accounts/{account_tag}/stores/{store_id}"
	routeSystemPatchSecret = "PATCH /system/accounts/{account_tag}/stores/{store_id}/secrets/{secret_id}"
	routeSystemDuplicate   = "POST /system/accounts/{account_tag}/stores/{store_id}/secrets/{secret_id}/duplicate"
	notManagedWarning      = "not found, or not managed by this service"
)

// The two calling services of these tests, and the numeric account id their stores bind.
const (
	serviceA       = "svc-a"
	serviceTokenA  = "tok-a"
	serviceB       = "svc-b"
	serviceTokenB  = "tok-b"
	testInternalID = 4242
)

// startSystemMock starts a mock that knows services svc-a (token tok-a) and svc-b (tok-b)
// besides the account's own token.
func startSystemMock(t *testing.T) *testMock {
	t.Helper()
	return startMock(t, mockserver.Options{Services: map[string]string{serviceA: serviceTokenA, serviceB: serviceTokenB}})
}

// providerMeta is the provider meta-argument line for a resource or data block ("" for the default).
func providerMeta(localName string) string {
	if localName == "" || localName == "secretsstore" {
		return ""
	}
	return "\n  provider = " + localName
}

// serviceConfig renders a system store and a secret in it, both labelled label (store
// "svc_LABEL_store", secret "LABEL_KEY" with the value "LABEL-value"), using the provider local
// name localName ("" for the default).
func serviceConfig(label, localName, comment string) string {
	return fmt.Sprintf(`
resource "secretsstore_system_store" %[1]q {%[2]s
  name                = "svc_%[1]s_store"
  account_internal_id = %[3]d
}

resource "secretsstore_system_secret" %[1]q {%[2]s
  store_id         = secretsstore_system_store.%[1]s.id
  name             = "%[4]s_KEY"
  value_wo         = "%[1]s-value"
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = %[5]q
}
`, label, providerMeta(localName), testInternalID, strings.ToUpper(label), comment)
}

// storeNamed is the mock's store named name.
func storeNamed(m *testMock, name string) (mockserver.StoreRecord, bool) {
	for _, s := range m.Stores() {
		if s.Name == name {
			return s, true
		}
	}
	return mockserver.StoreRecord{}, false
}

// checkManagedBy checks in the mock that store storeName exists, is managed by service and holds
// exactly the named secrets, each with the value serviceConfig gives it.
func checkManagedBy(m *testMock, storeName, service string, secrets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st, ok := storeNamed(m, storeName)
		if !ok {
			return fmt.Errorf("the mock holds no store %s", storeName)
		}
		if st.ManagedBy != service {
			return fmt.Errorf("store %s is managed by %q, want %q", storeName, st.ManagedBy, service)
		}
		var names []string
		for _, s := range m.Secrets(st.ID) {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		want := slices.Sorted(slices.Values(secrets))
		if !slices.Equal(names, want) {
			return fmt.Errorf("store %s holds secrets %v, want %v", storeName, names, want)
		}
		for _, name := range secrets {
			s, _ := m.SecretByName(st.ID, name)
			if wantValue := strings.ToLower(strings.TrimSuffix(name, "_KEY")) + "-value"; s.Value != wantValue {
				return fmt.Errorf("secret %s of store %s does not hold the configured value", name, storeName)
			}
		}
		return nil
	}
}

// checkNoServiceStores checks that the mock holds no store a service manages (a CheckDestroy).
func checkNoServiceStores(m *testMock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, s := range m.Stores() {
			if s.ManagedBy != "" {
				return fmt.Errorf("store %s (%s) of service %s still exists", s.Name, s.ID, s.ManagedBy)
			}
		}
		return nil
	}
}

// checkSystemCreateBodies checks the bodies of the system create-store requests, in any order (services
// create concurrently), compared as JSON.
func checkSystemCreateBodies(m *testMock, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := requestBodies(m, routeSystemCreateStore)
		if err != nil {
			return err
		}
		gotJSON := make([]string, len(got))
		for i, g := range got {
			gotJSON[i] = jsonString(g)
		}
		wantJSON := make([]string, len(want))
		for i, w := range want {
			var v any
			if err := json.Unmarshal([]byte(w), &v); err != nil {
				return fmt.Errorf("bad expected body %q: %w", w, err)
			}
			wantJSON[i] = jsonString(v)
		}
		slices.Sort(gotJSON)
		slices.Sort(wantJSON)
		if !slices.Equal(gotJSON, wantJSON) {
			return fmt.Errorf("%s bodies: got %v, want %v", routeSystemCreateStore, gotJSON, wantJSON)
		}
		return nil
	}
}
