package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const routeListStores = "GET /accounts/{account_id}/secrets_store/stores"

// checkPaged checks that the mock was asked for a second page of route.
func checkPaged(m *testMock, route string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range m.RequestsTo(route) {
			if strings.Contains("&"+r.Query, "&page=2") {
				return nil
			}
		}
		return fmt.Errorf("no request for a second page of %s", route)
	}
}

// TestAccStoresDataSource lists an account's four stores (two pages) in every order and
// direction, and refuses bad filters at plan time without calling the API.
func TestAccStoresDataSource(t *testing.T) {
	m, fx := startFixtureMock(t)
	def := fx.storeNamed("default_secrets_store")
	time.Sleep(2 * time.Millisecond)
	fx.store("bravo")
	alpha := fx.store("alpha")
	fx.store("charlie")
	mark := m.Stats().Total

	cases := []struct {
		label, order, direction string
		want                    []string
	}{
		{"api_default", "", "", []string{"default_secrets_store", "bravo", "alpha", "charlie"}},
		{"desc_only", "", "desc", []string{"charlie", "alpha", "bravo", "default_secrets_store"}},
		{"name_asc", "name", "asc", []string{"alpha", "bravo", "charlie", "default_secrets_store"}},
		{"name_desc", "name", "desc", []string{"default_secrets_store", "charlie", "bravo", "alpha"}},
		{"created_asc", "created", "asc", []string{"default_secrets_store", "bravo", "alpha", "charlie"}},
		{"created_desc", "created", "desc", []string{"charlie", "alpha", "bravo", "default_secrets_store"}},
		{"modified_asc", "modified", "", []string{"default_secrets_store", "bravo", "alpha", "charlie"}},
		{"modified_desc", "modified", "desc", []string{"charlie", "alpha", "bravo", "default_secrets_store"}},
	}
	var cfg strings.Builder
	cfg.WriteString(m.providerBlock())
	checks := []statecheck.StateCheck{}
	for _, c := range cases {
		fmt.Fprintf(&cfg, "data \"secretsstore_stores\" %q {\n", c.label)
		if c.order != "" {
			fmt.Fprintf(&cfg, "  order = %q\n", c.order)
		}
		if c.direction != "" {
			fmt.Fprintf(&cfg, "  direction = %q\n", c.direction)
		}
		cfg.WriteString("}\n")
		checks = append(checks, expectNames("data.secretsstore_stores."+c.label, "stores", c.want...))
	}
	fmt.Fprintf(&cfg, "data \"secretsstore_stores\" \"explicit\" {\n  account_id = %q\n  order = \"name\"\n}\n", m.Account)
	checks = append(checks,
		expectAttr("data.secretsstore_stores.api_default", "account_id", knownvalue.StringExact(m.Account)),
		expectAttr("data.secretsstore_stores.explicit", "account_id", knownvalue.StringExact(m.Account)),
		statecheck.ExpectKnownValue("data.secretsstore_stores.explicit", tfjsonpath.New("stores").AtSliceIndex(0),
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":         knownvalue.StringExact(alpha.ID),
				"name":       knownvalue.StringExact("alpha"),
				"account_id": knownvalue.StringExact(m.Account),
				"created":    knownvalue.StringExact(alpha.Created.UTC().Format(time.RFC3339Nano)),
				"modified":   knownvalue.StringExact(alpha.Modified.UTC().Format(time.RFC3339Nano)),
			})),
		statecheck.ExpectKnownValue("data.secretsstore_stores.explicit", tfjsonpath.New("stores").AtSliceIndex(3).AtMapKey("id"),
			knownvalue.StringExact(def.ID)),
	)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: m.providerBlock() + `
data "secretsstore_stores" "bad" {
  order = "size"
}`,
				ExpectError: errText(`Attribute order value must be one of: ["name" "created" "modified"], got: "size"`),
			},
			{
				Config: m.providerBlock() + `
data "secretsstore_stores" "bad" {
  direction = "up"
}`,
				ExpectError: errText(`Attribute direction value must be one of: ["asc" "desc"], got: "up"`),
			},
			{
				PreConfig:         failOnRequestsSince(t, m, &mark),
				Config:            cfg.String(),
				ConfigStateChecks: checks,
				Check:             checkPaged(m, routeListStores),
			},
		},
	})
}

// TestAccSystemListDataSources: two services each list only their own stores and secrets
// (several pages), in the order asked for, while the account's list holds them all; a
// service cannot list the secrets of another's store.
func TestAccSystemListDataSources(t *testing.T) {
	skipWithoutTFAcc(t)
	m := startMock(t, mockserver.Options{
		MaxStores: 5, SecretQuota: 500,
		Services: map[string]string{"svc-a": "token-a", "svc-b": "token-b"},
	})
	fa := fixturesAs(t, m, "token-a", client.FamilySystem)
	fb := fixturesAs(t, m, "token-b", client.FamilySystem)
	aOne := fa.store("a_one")
	fa.store("a_two")
	fa.store("a_three")
	bOne := fb.store("b_one")
	s1 := fa.secret(aOne.ID, "S1", "first", "workers")
	fa.secret(aOne.ID, "S2", "second", "workers", "ai_gateway")
	fa.secret(aOne.ID, "S3", "", "dex")
	fb.secret(bOne.ID, "B1", "", "workers")

	providers := m.providerBlock() + m.providerNamed("svca", "token-a") + m.providerNamed("svcb", "token-b")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(nil, "svca", "svcb"),
		Steps: []resource.TestStep{
			{
				Config: providers + fmt.Sprintf(`
data "secretsstore_system_secrets" "b_reads_a" {
  provider = svcb
  store_id = %q
}`, aOne.ID),
				ExpectError: errText("Store " + aOne.ID + " not found"),
			},
			{
				Config: providers + fmt.Sprintf(`
data "secretsstore_system_stores" "a" {
  provider = svca
}

data "secretsstore_system_stores" "a_name_desc" {
  provider  = svca
  order     = "name"
  direction = "desc"
}

data "secretsstore_system_stores" "b" {
  provider    = svcb
  account_id = %[1]q
}

data "secretsstore_system_secrets" "a" {
  provider = svca
  store_id = %[2]q
}

data "secretsstore_system_secrets" "a_filtered" {
  provider  = svca
  store_id  = %[2]q
  scopes    = ["workers"]
  order     = "name"
  direction = "desc"
}

data "secretsstore_system_secrets" "a_search" {
  provider = svca
  store_id = %[2]q
  search   = "FIRST"
}

data "secretsstore_system_secrets" "b" {
  provider = svcb
  store_id = %[3]q
}

data "secretsstore_stores" "account" {
  order = "name"
}
`, m.Account, aOne.ID, bOne.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					expectNames("data.secretsstore_system_stores.a", "stores", "a_one", "a_two", "a_three"),
					expectNames("data.secretsstore_system_stores.a_name_desc", "stores", "a_two", "a_three", "a_one"),
					expectNames("data.secretsstore_system_stores.b", "stores", "b_one"),
					expectAttr("data.secretsstore_system_stores.a", "account_id", knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue("data.secretsstore_system_stores.b", tfjsonpath.New("stores").AtSliceIndex(0),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":         knownvalue.StringExact(bOne.ID),
							"account_id": knownvalue.StringExact(m.Account),
						})),
					expectNames("data.secretsstore_system_secrets.a", "secrets", "S1", "S2", "S3"),
					expectNames("data.secretsstore_system_secrets.a_filtered", "secrets", "S2", "S1"),
					expectNames("data.secretsstore_system_secrets.a_search", "secrets", "S1"),
					statecheck.ExpectKnownValue("data.secretsstore_system_secrets.a_search", tfjsonpath.New("secrets").AtSliceIndex(0),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":       knownvalue.StringExact(s1.ID),
							"store_id": knownvalue.StringExact(aOne.ID),
							"comment":  knownvalue.StringExact("first"),
							"scopes":   knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("workers")}),
						})),
					expectNames("data.secretsstore_system_secrets.b", "secrets", "B1"),
					expectNames("data.secretsstore_stores.account", "stores", "a_one", "a_three", "a_two", "b_one", "default_secrets_store"),
				},
				Check: checkPaged(m, "GET /system/accounts/{account_tag}/stores/{store_id}/secrets"),
			},
		},
	})
}
