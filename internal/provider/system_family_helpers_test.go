package provider

// Helpers of the /system family acceptance tests (system_family_test.go).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
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
