package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccStoreListResource_query runs examples/list-resources/secretsstore_store over three
// stores: two pages of two.
func TestAccStoreListResource_query(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 3})
	c := apiClient(t, m, m.Token)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	for _, name := range []string{"staging", "production"} {
		if _, err := c.CreateStore(t.Context(), owner, client.CreateStoreRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	stores := m.Stores()
	const addr = "secretsstore_store.all"
	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength(addr, len(stores))}
	for _, st := range stores {
		identity := map[string]knownvalue.Check{
			"account_id": knownvalue.StringExact(m.Account),
			"store_id":   knownvalue.StringExact(st.ID),
		}
		checks = append(checks, listedAs(addr, identity, st.Name)...)
	}
	checks = append(checks, querycheck.ExpectResourceKnownValues(addr, queryfilter.ByDisplayName(knownvalue.StringExact("staging")),
		[]querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("staging")},
			{Path: tfjsonpath.New("account_id"), KnownValue: knownvalue.StringExact(m.Account)},
			{Path: tfjsonpath.New("force_destroy"), KnownValue: knownvalue.Bool(false)},
			{Path: tfjsonpath.New("created"), KnownValue: knownvalue.NotNull()},
		}))

	testListQuery(t, m, "list-resources/secretsstore_store/list-resource.tfquery.hcl", nil, checks,
		"GET /accounts/{account_id}/secrets_store/stores", 2)
}

// listedAs checks that the query at addr returned a result with this identity, named name.
func listedAs(addr string, identity map[string]knownvalue.Check, name string) []querycheck.QueryResultCheck {
	return []querycheck.QueryResultCheck{
		querycheck.ExpectIdentity(addr, identity),
		querycheck.ExpectResourceDisplayName(addr, queryfilter.ByResourceIdentity(identity), knownvalue.StringExact(name)),
	}
}

// testListQuery runs the list-resource example (a path under examples/) as one `terraform
// query` (Terraform 1.14+) with vars and checks, then checks that the list route was called at
// least minCalls times: the results spanned pages of 2.
func testListQuery(t *testing.T, m *testMock, example string, vars config.Variables,
	checks []querycheck.QueryResultCheck, route string, minCalls int) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   requires(featureQuery),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Query:             true,
			Config:            m.providerBlock() + readExample(t, example),
			ConfigVariables:   vars,
			QueryResultChecks: checks,
		}},
	})
	if n := len(m.RequestsTo(route)); n < minCalls {
		t.Errorf("list route called %d times, want at least %d (pages of 2)", n, minCalls)
	}
}
