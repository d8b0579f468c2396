package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const storeAddr = "secretsstore_store.test"

// storeWithSecret is a store "test" (with the given extra attributes) holding secret "test".
func storeWithSecret(m *testMock, storeBody string) string {
	return m.providerBlock() + fmt.Sprintf(`
resource "secretsstore_store" "test" {
  name = "tf_store"%s
}

resource "secretsstore_secret" "test" {
  store_id = secretsstore_store.test.id
  name     = "IN_STORE"
  value    = "v"
  scopes   = ["workers"]
}
`, storeBody)
}

// TestAccStoreResource creates a store (the mock allows two per account), imports it, refuses to
// destroy it while it holds a secret Terraform does not manage, then destroys it with
// force_destroy, which deletes that secret too.
func TestAccStoreResource(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 2})
	storeID := func() string {
		for _, s := range m.Stores() {
			if s.Name == "tf_store" {
				return s.ID
			}
		}
		return ""
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if id := storeID(); id != "" {
				return fmt.Errorf("store tf_store (%s) still exists", id)
			}
			deletes := m.RequestsTo(routeDeleteStore)
			if len(deletes) == 0 || deletes[len(deletes)-1].Query != "force=true" {
				return fmt.Errorf("the last store delete was not forced: %+v", deletes)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { m.ResetRequests() },
				Config:    storeWithSecret(m, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(storeAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hexIDPattern)),
					statecheck.ExpectKnownValue(storeAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(storeAddr, tfjsonpath.New("force_destroy"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(storeAddr, tfjsonpath.New("created"), knownvalue.NotNull()),
				},
				Check: checkBodies(m, routeCreateStore, `{"name":"tf_store"}`),
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return m.Account + "/" + s.RootModule().Resources[storeAddr].Primary.ID, nil
				},
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateId: "not-an-id",
				ExpectError: errText(`must have the form ACCOUNT_ID/STORE_ID`),
			},
			{
				// A secret Terraform does not manage keeps the store from being destroyed.
				PreConfig: func() {
					_, err := apiClient(t, m, m.Token).CreateSecrets(context.Background(),
						client.Owner{Family: client.FamilyAccount, Account: m.Account}, storeID(),
						[]client.SecretInput{{Name: "STRAY", Value: "x", Scopes: []string{"workers"}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: m.providerBlock(),
				ExpectError: errText(`still holds 1 secret(s) that this run does not delete: STRAY.`,
					`set force_destroy = true and apply before destroying`),
			},
			{
				// The secret was destroyed, the store kept; force_destroy is set in place.
				Config: m.providerBlock() + `
resource "secretsstore_store" "test" {
  name          = "tf_store"
  force_destroy = true
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(storeAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(storeAddr, "force_destroy"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(storeAddr, tfjsonpath.New("force_destroy"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if n := len(m.Secrets(storeID())); n != 1 {
						return fmt.Errorf("the store holds %d secrets, want 1 (STRAY)", n)
					}
					return nil
				},
			},
		},
	})
}
