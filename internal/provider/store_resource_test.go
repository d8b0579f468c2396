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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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
				Check: rsExpectBodies(m, routeCreateStore, `{"name":"tf_store"}`),
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return m.Account + "/" + s.RootModule().Resources[storeAddr].Primary.ID, nil
				},
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateId: "not-an-id",
				ExpectError: dsErr(`must have the form ACCOUNT_ID/STORE_ID`),
			},
			{
				// A secret Terraform does not manage keeps the store from being destroyed.
				PreConfig: func() {
					_, err := rsClient(t, m, m.Token).CreateSecrets(context.Background(),
						client.Owner{Family: client.FamilyAccount, Account: m.Account}, storeID(),
						[]client.SecretInput{{Name: "STRAY", Value: "x", Scopes: []string{"workers"}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      m.providerBlock(),
				ExpectError: dsErr(`still holds 1 secret(s), and force_destroy is false. Set force_destroy = true`),
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
					rsOnlyChanged(storeAddr, "force_destroy"),
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

// TestAccResources_importByIdentity imports a store and a secret with import blocks naming
// their identity (Terraform 1.12+).
func TestAccResources_importByIdentity(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 2})
	vars := secretValueVar("identity-value")
	cfg := m.providerBlock() + `
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_store" "test" {
  name = "tf_store"
}

resource "secretsstore_secret" "test" {
  store_id         = secretsstore_store.test.id
  name             = "API_KEY"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg, ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(secretAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact(m.Account),
						"store_id":   knownvalue.StringRegexp(hexIDPattern),
						"secret_id":  knownvalue.StringRegexp(hexIDPattern),
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(secretAddr, tfjsonpath.New("secret_id"), tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesStateAtPath(secretAddr, tfjsonpath.New("store_id"), tfjsonpath.New("store_id")),
					statecheck.ExpectIdentity(storeAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact(m.Account),
						"store_id":   knownvalue.StringRegexp(hexIDPattern),
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(storeAddr, tfjsonpath.New("store_id"), tfjsonpath.New("id")),
				},
			},
			{
				ResourceName: secretAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config: cfg, ConfigVariables: vars, ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					rsOnlyChanged(secretAddr, "value_wo_version"),
				}},
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config: cfg, ConfigVariables: vars,
			},
		},
	})
}

// TestAccSystemResources: one round for the /system family with a service token: a system
// store needs account_internal_id to be created (checked at plan time), store and secret are
// created and destroyed. Their imports (after which account_internal_id is null, and setting it
// from the configuration is an update, not a replacement) are in
// TestAccSystemFamily_importAndForceDestroy.
func TestAccSystemResources(t *testing.T) {
	m := startMock(t, mockserver.Options{Services: map[string]string{"svc-a": "svc-a-token"}})
	provider := m.providerBlockWithToken("svc-a-token")
	const sysStoreAddr, sysSecretAddr = "secretsstore_system_store.test", "secretsstore_system_secret.test"
	cfg := provider + `
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_system_store" "test" {
  name                = "svc_store"
  account_internal_id = 4242
}

resource "secretsstore_system_secret" "test" {
  store_id         = secretsstore_system_store.test.id
  name             = "SVC_KEY"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`
	vars := secretValueVar("svc-value")
	svcStore := func() (mockserver.StoreRecord, bool) {
		for _, s := range m.Stores() {
			if s.Name == "svc_store" {
				return s, true
			}
		}
		return mockserver.StoreRecord{}, false
	}
	mark := 0

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if s, ok := svcStore(); ok {
				return fmt.Errorf("store svc_store (%s) still exists", s.ID)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: provider + `
resource "secretsstore_system_store" "test" {
  name = "svc_store"
}`,
				ExpectError: dsErr(`Creating a system store needs account_internal_id`),
			},
			{
				PreConfig: dsNoRequests(t, m, &mark),
				Config:    cfg, ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sysStoreAddr, tfjsonpath.New("account_tag"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(sysSecretAddr, tfjsonpath.New("account_tag"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(sysSecretAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: resource.ComposeTestCheckFunc(
					rsExpectBodies(m, "POST /system/accounts/{account_tag}/stores", `{"account_id":4242,"name":"svc_store"}`),
					func(*terraform.State) error {
						s, ok := svcStore()
						if !ok || s.ManagedBy != "svc-a" {
							return fmt.Errorf("svc_store: found %v, managed by %q; want managed by svc-a", ok, s.ManagedBy)
						}
						return rsSecretValue(m, s.ID, "SVC_KEY", "svc-value")(nil)
					},
				),
			},
		},
	})
}
