package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccResources_apiErrors: failures only the API can detect become diagnostics naming the
// operation and the object, with the status, the Cloudflare code and a hint.
func TestAccResources_apiErrors(t *testing.T) {
	m := startMock(t, mockserver.Options{SecretQuota: 2, ReadToken: "read-only-token"})
	store := defaultStoreID(t, m)
	taken, err := apiClient(t, m, m.Token).CreateSecrets(context.Background(),
		client.Owner{Family: client.FamilyAccount, Account: m.Account}, store,
		[]client.SecretInput{{Name: "TAKEN", Value: "x", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	wo := `
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]`
	v := secretValueVar("value")
	create := func(name string) string { return "Could not create secret " + name + " in store " + store }
	rec := &diagRecorder{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		Steps: []resource.TestStep{
			{
				Config: secretConfig(m, store, "TAKEN", wo), ConfigVariables: v,
				ExpectError: errText(create("TAKEN"), "HTTP 409", "error 1003: secret_name_already_exists: TAKEN",
					"terraform import secretsstore_secret.<name> "+m.Account+"/"+store+"/"+taken[0].ID,
					"(or by name: "+m.Account+"/"+store+"/TAKEN)"),
			},
			{
				Config: m.providerBlock() + `
resource "secretsstore_store" "test" {
  name = "second"
}`,
				ExpectError: errText("Could not create store second in account "+m.Account, "HTTP 400",
					"maximum_stores_exceeded", "An account can hold only one store",
					"terraform import secretsstore_store.<name> "+m.Account+"/"+store+" # default_secrets_store"),
			},
			{
				Config:          secretConfigWith(m.providerBlockWithToken("wrong-token"), store, "BAD_TOKEN", wo),
				ConfigVariables: v,
				ExpectError:     errText(create("BAD_TOKEN"), "HTTP 401", "error 10000", "did not accept the credentials"),
			},
			{
				Config:          secretConfigWith(m.providerBlockWithToken("read-only-token"), store, "READ_ONLY", wo),
				ConfigVariables: v,
				ExpectError:     errText(create("READ_ONLY"), "HTTP 403", "error 10000", `"Secrets Store Write"`),
			},
			{
				// An unknown scope passes the plan with a warning naming the known ones; the API refuses it.
				PreConfig:       rec.reset,
				Config:          secretConfig(m, store, "SCOPED", strings.Replace(wo, `"workers"`, `"not_a_product"`, 1)),
				ConfigVariables: v,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					rec.expectWarning("secretsstore_secret", "Unknown scope", `"not_a_product"`,
						strings.Join(knownScopes, ", ")),
				}},
				ExpectError: errText(create("SCOPED"), "HTTP 400", "secret_scope_invalid",
					"The API does not accept one of the scopes. Scopes it documents: access, ai_gateway"),
			},
			{
				// TAKEN holds one of the two secrets of the quota: one of these two fails.
				Config: m.providerBlock() + fmt.Sprintf(`
variable "secret_value" {
  type      = string
  ephemeral = true
}

resource "secretsstore_secret" "q1" {
  store_id         = %[1]q
  name             = "Q1"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}

resource "secretsstore_secret" "q2" {
  store_id         = %[1]q
  name             = "Q2"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`, store),
				ConfigVariables: v,
				ExpectError:     errText("Could not create secret Q", "maximum_secrets_exceeded", "quota is used up"),
			},
		},
	})
}
