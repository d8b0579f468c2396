package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

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
		TerraformVersionChecks:   requires(featureIdentityImport),
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
					planChangesOnly(secretAddr, "value_wo_version"),
				}},
			},
			{
				ResourceName: storeAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config: cfg, ConfigVariables: vars,
			},
		},
	})
}
