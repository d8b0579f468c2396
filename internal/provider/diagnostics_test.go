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
					"The API does not accept one of the scopes. Scopes this provider knows: access, ai_gateway",
					`The scope the API refused is most likely "not_a_product"`),
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

// TestPermissionHint: a 403 names what this operation needs: the read or write permission of
// an account token, or the service token on the /system routes.
func TestPermissionHint(t *testing.T) {
	forbidden := func(method string) error {
		return &client.APIError{Method: method, Path: "/p", StatusCode: 403,
			Errors: []client.Message{{Code: 10000, Message: "Authentication error"}}}
	}
	for _, tc := range []struct {
		f      routeFamily
		method string
		want   string
	}{
		{accountFamily, "GET", `Reading needs an account API token for this account with the "Secrets Store Read" (or "Secrets Store Write") permission.`},
		{accountFamily, "POST", `This change needs an account API token for this account with the "Secrets Store Write" permission ("Secrets Store Read" is not enough).`},
		{accountFamily, "DELETE", `"Secrets Store Write" permission`},
		{systemFamily, "GET", "The /system routes need the calling service's token"},
		{systemFamily, "PATCH", "The /system routes need the calling service's token"},
	} {
		if got := apiErrorDetail(tc.f, forbidden(tc.method)); !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: detail %q does not say %q", tc.f.family, tc.method, got, tc.want)
		}
	}
	// A 403 without Cloudflare's authentication code gets no permission guess.
	other := &client.APIError{Method: "GET", Path: "/p", StatusCode: 403}
	if got := apiErrorDetail(accountFamily, other); strings.Contains(got, "Secrets Store Write") {
		t.Errorf("a plain 403 names a permission: %q", got)
	}
}
