package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestAccSecretDataSource reads a secret's metadata by id and by name (never a value), and
// reports a missing secret or store by name and id; id and name are exactly one of.
func TestAccSecretDataSource(t *testing.T) {
	m, fx := startFixtureMock(t)
	store := fx.storeNamed("default_secrets_store")
	api := fx.secret(store.ID, "API_KEY", "stripe key", "workers", "ai_gateway")
	bare := fx.secret(store.ID, "BARE", "", "dex")
	const missingID = "0123456789abcdef0123456789abcdef"
	mark := m.Stats().Total
	time.Sleep(60 * time.Millisecond) // past the mock's activation delay

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "both" {
  store_id = %q
  id       = %q
  name     = "API_KEY"
}`, store.ID, api.ID),
				ExpectError: errText(`Exactly one of these attributes must be configured: [id,name]`),
			},
			{
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "neither" {
  store_id = %q
}`, store.ID),
				ExpectError: errText(`Exactly one of these attributes must be configured: [id,name]`),
			},
			{
				PreConfig: failOnRequestsSince(t, m, &mark),
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "by_id" {
  store_id = %[1]q
  id       = %[2]q
}

data "secretsstore_secret" "by_name" {
  store_id   = %[1]q
  name       = "BARE"
  account_id = %[3]q
}
`, store.ID, api.ID, m.Account),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("data.secretsstore_secret.by_id", "name", knownvalue.StringExact("API_KEY")),
					expectAttr("data.secretsstore_secret.by_id", "store_id", knownvalue.StringExact(store.ID)),
					expectAttr("data.secretsstore_secret.by_id", "comment", knownvalue.StringExact("stripe key")),
					expectAttr("data.secretsstore_secret.by_id", "scopes", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("ai_gateway"), knownvalue.StringExact("workers"),
					})),
					expectAttr("data.secretsstore_secret.by_id", "status", knownvalue.StringExact("active")),
					expectAttr("data.secretsstore_secret.by_id", "created", knownvalue.StringExact(api.Created.UTC().Format(time.RFC3339Nano))),
					expectAttr("data.secretsstore_secret.by_id", "modified", knownvalue.StringExact(api.Modified.UTC().Format(time.RFC3339Nano))),
					expectAttr("data.secretsstore_secret.by_id", "account_id", knownvalue.StringExact(m.Account)),
					expectAttr("data.secretsstore_secret.by_name", "id", knownvalue.StringExact(bare.ID)),
					expectAttr("data.secretsstore_secret.by_name", "comment", knownvalue.Null()),
					expectAttr("data.secretsstore_secret.by_name", "scopes", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("dex"),
					})),
				},
			},
			{
				// Names are case-sensitive: api_key is not API_KEY.
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "missing" {
  store_id = %q
  name     = "api_key"
}`, store.ID),
				ExpectError: errText(fmt.Sprintf(`Secret named "api_key" not found in store %s`, store.ID)),
			},
			{
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "missing" {
  store_id = %q
  id       = %q
}`, store.ID, missingID),
				ExpectError: errText(fmt.Sprintf(`Secret with id %s not found in store %s`, missingID, store.ID)),
			},
			{
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "missing" {
  store_id = %q
  name     = "API_KEY"
}`, missingID),
				ExpectError: errText(fmt.Sprintf(`Store %s not found`, missingID)),
			},
			{
				// A last valid configuration, so the post-test destroy plans cleanly.
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secret" "by_name" {
  store_id = %q
  name     = "API_KEY"
}`, store.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("data.secretsstore_secret.by_name", "id", knownvalue.StringExact(api.ID)),
				},
			},
		},
	})
}
