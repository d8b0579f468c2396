package provider

// The batching attribute: false sends every create and delete of secrets on its own.

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const routeBulkDeleteSecrets = "DELETE /accounts/{account_id}/secrets_store/stores/{store_id}/secrets"

// withBatching is a provider block with batching = on added.
func withBatching(block string, on bool) string {
	return strings.Replace(block, "provider \"secretsstore\" {", fmt.Sprintf("provider \"secretsstore\" {\n  %s = %t\n", attrBatching, on), 1)
}

// TestConfigureClientBatching: batching = false reaches the gateway, whose creates then go
// out one request each however many callers wait at once; unset or true keep the defaults.
func TestConfigureClientBatching(t *testing.T) {
	clearProviderEnv(t)
	for _, on := range []types.Bool{types.BoolNull(), types.BoolValue(true)} {
		if got := coalesceOptions(on); got.Unbatched {
			t.Errorf("batching %v: options %+v, want the defaults", on, got)
		}
	}
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	var diags diag.Diagnostics
	data := configureClient(providerModel{APIToken: types.StringValue(m.Token), BaseURL: types.StringValue(m.URL),
		Batching: types.BoolValue(false)}, "test", "", tuning{}, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			in := client.SecretInput{Name: fmt.Sprintf("UNBATCHED_%d", i), Value: "v", Scopes: []string{"workers"}}
			if _, err := data.Gateway.CreateSecret(t.Context(), owner, store, in); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := m.Stats().Routes[routeCreateSecrets]; got != n {
		t.Errorf("%d creates at once with batching = false sent %d create requests, want %d", n, got, n)
	}
}

// TestAccProvider_batchingOff: with batching = false, N secrets cost N create requests and
// their destroy N single deletes and no bulk delete; the plan after the apply is empty.
func TestAccProvider_batchingOff(t *testing.T) {
	const n = 6
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	config := withBatching(m.providerBlock(), false) + fmt.Sprintf(`
resource "secretsstore_secret" "s" {
  count    = %d
  store_id = %q
  name     = format("UNBATCHED_%%d", count.index)
  value_wo = "unbatched-value"
  value_wo_version = "1"
  scopes   = ["workers"]
}
`, n, store)
	routes := func() map[string]int { return m.Stats().Routes }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				if got := routes()[routeCreateSecrets]; got != n {
					return fmt.Errorf("%d secrets cost %d create requests with batching = false, want %d", n, got, n)
				}
				return nil
			},
		}},
		CheckDestroy: func(*terraform.State) error {
			r := routes()
			if r[routeDeleteSecret] != n || r[routeBulkDeleteSecrets] != 0 {
				return fmt.Errorf("destroying %d secrets with batching = false sent %d single and %d bulk deletes, want %d and 0",
					n, r[routeDeleteSecret], r[routeBulkDeleteSecrets], n)
			}
			return nil
		},
	})
}
