package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccResources_deletedOutsideTerraform: a secret deleted outside Terraform, and the
// secrets of a store deleted outside Terraform (with the store), are planned for creation again,
// with a warning and no error, and the apply recreates them.
func TestAccResources_deletedOutsideTerraform(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 2})
	def := defaultStoreID(t, m)
	c := apiClient(t, m, m.Token)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	cfg := m.providerBlock() + fmt.Sprintf(`
resource "secretsstore_store" "s" {
  name = "doomed"
}

resource "secretsstore_secret" "in_default" {
  store_id = %q
  name     = "GONE"
  value    = "v"
  scopes   = ["workers"]
}

resource "secretsstore_secret" "in_doomed" {
  store_id = secretsstore_store.s.id
  name     = "GONE_WITH_STORE"
  value    = "v"
  scopes   = ["workers"]
}
`, def)
	var stateIDs map[string]string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					stateIDs = map[string]string{}
					for addr, r := range s.RootModule().Resources {
						stateIDs[addr] = r.Primary.ID
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					ctx := context.Background()
					if err := c.DeleteSecret(ctx, owner, def, stateIDs["secretsstore_secret.in_default"]); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteStore(ctx, owner, stateIDs["secretsstore_store.s"], true); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("secretsstore_secret.in_default", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("secretsstore_secret.in_doomed", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("secretsstore_store.s", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
