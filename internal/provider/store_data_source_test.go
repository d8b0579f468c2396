package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestAccStoreDataSource covers the lookup by id and by name, the not-found errors, and the
// rule for a block with neither: default_secrets_store while it exists (even beside other
// stores), then the only store once the default is deleted, then an error listing the stores
// once there are several.
func TestAccStoreDataSource(t *testing.T) {
	m, fx := startFixtureMock(t)
	def := fx.storeNamed("default_secrets_store")
	time.Sleep(2 * time.Millisecond)
	other := fx.store("other")
	const missingID = "0123456789abcdef0123456789abcdef"
	mark := m.Stats().Total

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// id and name together are refused before any request.
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_store" "both" {
  id   = %q
  name = "other"
}`, other.ID),
				ExpectError: errText(`These attributes cannot be configured together: [id,name]`),
			},
			{
				PreConfig: failOnRequestsSince(t, m, &mark),
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_store" "default" {}

data "secretsstore_store" "default_by_id" {
  id = %[1]q
}

data "secretsstore_store" "other_by_name" {
  name       = "other"
  account_id = %[3]q
}

data "secretsstore_store" "other_by_id" {
  id = %[2]q
}
`, def.ID, other.ID, m.Account),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("data.secretsstore_store.default", "id", knownvalue.StringExact(def.ID)),
					expectAttr("data.secretsstore_store.default", "name", knownvalue.StringExact("default_secrets_store")),
					expectAttr("data.secretsstore_store.default", "account_id", knownvalue.StringExact(m.Account)),
					expectAttr("data.secretsstore_store.default", "created", knownvalue.StringExact(def.Created.UTC().Format(time.RFC3339Nano))),
					expectAttr("data.secretsstore_store.default", "modified", knownvalue.StringExact(def.Modified.UTC().Format(time.RFC3339Nano))),
					expectAttr("data.secretsstore_store.default_by_id", "name", knownvalue.StringExact("default_secrets_store")),
					expectAttr("data.secretsstore_store.other_by_name", "id", knownvalue.StringExact(other.ID)),
					expectAttr("data.secretsstore_store.other_by_id", "name", knownvalue.StringExact("other")),
					expectAttr("data.secretsstore_store.other_by_id", "created", knownvalue.StringExact(other.Created.UTC().Format(time.RFC3339Nano))),
				},
			},
			{
				Config: m.providerBlock() + `
data "secretsstore_store" "missing" {
  name = "nope"
}`,
				ExpectError: errText(`Store "nope" not found`),
			},
			{
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_store" "missing" {
  id = %q
}`, missingID),
				ExpectError: errText("Store " + missingID + " not found"),
			},
			{
				// The default store is gone and one store is left: it is the one read.
				PreConfig: func() { fx.deleteStore(def.ID) },
				Config: m.providerBlock() + `
data "secretsstore_store" "only" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("data.secretsstore_store.only", "id", knownvalue.StringExact(other.ID)),
					expectAttr("data.secretsstore_store.only", "name", knownvalue.StringExact("other")),
				},
			},
			{
				// Two stores and no default: an error listing both, names and ids.
				PreConfig: func() { fx.store("third") },
				Config: m.providerBlock() + `
data "secretsstore_store" "only" {}
`,
				ExpectError: errText(fmt.Sprintf("holds 2 stores (other, third) and none is named default_secrets_store: set name or id to choose one. Its stores: - other (id %s) - third (id", other.ID)),
			},
			{
				Config: m.providerBlock() + `
data "secretsstore_store" "third" {
  name = "third"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("data.secretsstore_store.third", "name", knownvalue.StringExact("third")),
				},
			},
		},
	})
}
