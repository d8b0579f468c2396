package provider

// Helpers of the /system family acceptance tests (system_family_test.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// System route templates of the mock, as in endpoints.md.
const (
	sysRouteCreateStore  = "POST /system/accounts/{account_tag}/stores"
	sysRouteDeleteStore  = "DELETE /system/accounts/{account_tag}/stores/{store_id}"
	sysRoutePatchSecret  = "PATCH /system/accounts/{account_tag}/stores/{store_id}/secrets/{secret_id}"
	sysRouteDuplicate    = "POST /system/accounts/{account_tag}/stores/{store_id}/secrets/{secret_id}/duplicate"
	sysNotManagedWarning = "not found, or not managed by this service"
)

// The two calling services of these tests, and the numeric account id their stores bind.
const (
	sysServiceA   = "svc-a"
	sysTokenA     = "tok-a"
	sysServiceB   = "svc-b"
	sysTokenB     = "tok-b"
	sysInternalID = 4242
)

// startSystemMock starts a mock that knows services svc-a (token tok-a) and svc-b (tok-b)
// besides the account's own token.
func startSystemMock(t *testing.T) *testMock {
	t.Helper()
	return startMock(t, mockserver.Options{Services: map[string]string{sysServiceA: sysTokenA, sysServiceB: sysTokenB}})
}

// sysMeta is the provider meta-argument line for a resource or data block ("" for the default).
func sysMeta(localName string) string {
	if localName == "" || localName == "secretsstore" {
		return ""
	}
	return "\n  provider = " + localName
}

// sysProtoServer is everything the framework's server implements that Terraform may call, so a
// wrapper embedding it hides none of the optional RPCs.
type sysProtoServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// sysRecordingServer passes every call through, recording the diagnostics ReadResource
// returns: Terraform prints refresh warnings, but plugin-testing does not expose them.
type sysRecordingServer struct {
	sysProtoServer
	rec *sysDiags
}

func (s sysRecordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.sysProtoServer.ReadResource(ctx, req)
	if resp != nil {
		s.rec.add(req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

// sysDiags holds the diagnostics of the refreshes since the last reset.
type sysDiags struct {
	mu    sync.Mutex
	diags []sysDiag
}

type sysDiag struct {
	typeName string
	d        tfprotov6.Diagnostic
}

func (r *sysDiags) add(typeName string, diags []*tfprotov6.Diagnostic) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range diags {
		if d != nil {
			r.diags = append(r.diags, sysDiag{typeName: typeName, d: *d})
		}
	}
}

func (r *sysDiags) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

func (r *sysDiags) all() []sysDiag {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.diags)
}

func (r *sysDiags) String() string {
	var b strings.Builder
	for _, d := range r.all() {
		fmt.Fprintf(&b, "\n- %s %s: %s: %s", d.typeName, d.d.Severity, d.d.Summary, d.d.Detail)
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// expectWarning is a plan check (for a plan made after a refresh): a refresh of typeName
// returned a warning with this summary whose detail mentions each of details, and no refresh
// returned an error.
func (r *sysDiags) expectWarning(typeName, summary string, details ...string) plancheck.PlanCheck {
	return rsPlanCheck(func(*tfjson.Plan) error {
		found := false
		for _, d := range r.all() {
			if d.d.Severity == tfprotov6.DiagnosticSeverityError {
				return fmt.Errorf("a refresh of %s returned an error: %s: %s", d.typeName, d.d.Summary, d.d.Detail)
			}
			if d.typeName != typeName || d.d.Severity != tfprotov6.DiagnosticSeverityWarning || d.d.Summary != summary {
				continue
			}
			found = true
			for _, want := range details {
				if !strings.Contains(d.d.Detail, want) {
					return fmt.Errorf("the %s warning %q does not mention %q: %s", typeName, summary, want, d.d.Detail)
				}
			}
		}
		if !found {
			return fmt.Errorf("no refresh of %s warned %q; the refreshes returned:%s", typeName, summary, r)
		}
		return nil
	})
}

// expectNone is a check: the refreshes since the last reset returned no diagnostics.
func (r *sysDiags) expectNone() resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(r.all()) > 0 {
			return fmt.Errorf("the refreshes returned diagnostics:%s", r)
		}
		return nil
	}
}

// sysService renders a system store and a secret in it, both labelled label (store
// "svc_LABEL_store", secret "LABEL_KEY" with the value "LABEL-value"), using the provider local
// name localName ("" for the default).
func sysService(label, localName, comment string) string {
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
`, label, sysMeta(localName), sysInternalID, strings.ToUpper(label), comment)
}

// sysStoreNamed is the mock's store named name.
func sysStoreNamed(m *testMock, name string) (mockserver.StoreRecord, bool) {
	for _, s := range m.Stores() {
		if s.Name == name {
			return s, true
		}
	}
	return mockserver.StoreRecord{}, false
}

// sysManaged checks in the mock that store storeName exists, is managed by service and holds
// exactly the named secrets, each with the value sysService gives it.
func sysManaged(m *testMock, storeName, service string, secrets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st, ok := sysStoreNamed(m, storeName)
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

// sysNoServiceStores checks that the mock holds no store a service manages (a CheckDestroy).
func sysNoServiceStores(m *testMock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, s := range m.Stores() {
			if s.ManagedBy != "" {
				return fmt.Errorf("store %s (%s) of service %s still exists", s.Name, s.ID, s.ManagedBy)
			}
		}
		return nil
	}
}

// sysCreateBodies checks the bodies of the system create-store requests, in any order (services
// create concurrently), compared as JSON.
func sysCreateBodies(m *testMock, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := rsBodies(m, sysRouteCreateStore)
		if err != nil {
			return err
		}
		gotJSON := make([]string, len(got))
		for i, g := range got {
			gotJSON[i] = rsJSON(g)
		}
		wantJSON := make([]string, len(want))
		for i, w := range want {
			var v any
			if err := json.Unmarshal([]byte(w), &v); err != nil {
				return fmt.Errorf("bad expected body %q: %w", w, err)
			}
			wantJSON[i] = rsJSON(v)
		}
		slices.Sort(gotJSON)
		slices.Sort(wantJSON)
		if !slices.Equal(gotJSON, wantJSON) {
			return fmt.Errorf("%s bodies: got %v, want %v", sysRouteCreateStore, gotJSON, wantJSON)
		}
		return nil
	}
}
