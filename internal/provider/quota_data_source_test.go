package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccQuotaDataSource reads the quota before and after secrets are created, and data
// sources that depend on a secretsstore_secret resource read what the same apply created.
func TestAccQuotaDataSource(t *testing.T) {
	m, fx := startFixtureMock(t)
	store := fx.storeNamed("default_secrets_store")

	quota := func(usage int64) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			expectAttr("data.secretsstore_quota.this", "quota", knownvalue.Int64Exact(500)),
			expectAttr("data.secretsstore_quota.this", "usage", knownvalue.Int64Exact(usage)),
			expectAttr("data.secretsstore_quota.this", "remaining", knownvalue.Int64Exact(500-usage)),
			expectAttr("data.secretsstore_quota.this", "account_id", knownvalue.StringExact(m.Account)),
		}
	}
	quotaConfig := m.providerBlock() + `
data "secretsstore_quota" "this" {}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            quotaConfig,
				ConfigStateChecks: quota(0),
			},
			{
				PreConfig: func() {
					fx.secret(store.ID, "ONE", "", "workers")
					fx.secret(store.ID, "TWO", "", "workers")
				},
				Config:            quotaConfig,
				ConfigStateChecks: quota(2),
			},
			{
				// The data sources depend on the resource, so Terraform reads them during the
				// apply, after the secret exists.
				Config: m.providerBlock() + fmt.Sprintf(`
data "secretsstore_store" "default" {}

resource "secretsstore_secret" "new" {
  store_id         = data.secretsstore_store.default.id
  name             = "NEW_SECRET"
  value_wo         = "s3cr3t"
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = "made by this apply"
}

data "secretsstore_quota" "this" {
  account_id = %q
  depends_on = [secretsstore_secret.new]
}

data "secretsstore_secret" "new" {
  store_id   = data.secretsstore_store.default.id
  name       = "NEW_SECRET"
  depends_on = [secretsstore_secret.new]
}

data "secretsstore_secrets" "new" {
  store_id   = data.secretsstore_store.default.id
  search     = "made by"
  depends_on = [secretsstore_secret.new]
}
`, m.Account),
				ConfigStateChecks: append(quota(3),
					statecheck.CompareValuePairs(
						"data.secretsstore_secret.new", tfjsonpath.New("id"),
						"secretsstore_secret.new", tfjsonpath.New("id"), compare.ValuesSame()),
					expectAttr("data.secretsstore_secret.new", "comment", knownvalue.StringExact("made by this apply")),
					expectAttr("data.secretsstore_secret.new", "status", knownvalue.StringExact("active")),
					expectNames("data.secretsstore_secrets.new", "secrets", "NEW_SECRET"),
				),
			},
		},
	})
}
