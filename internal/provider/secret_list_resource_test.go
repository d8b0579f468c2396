package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// seedSecrets creates n secrets KEY_0…KEY_n-1 in one request; KEY_1 has a comment and two scopes.
func seedSecrets(t *testing.T, m *testMock, storeID string, n int) []client.Secret {
	t.Helper()
	in := make([]client.SecretInput, n)
	for i := range in {
		in[i] = client.SecretInput{Name: fmt.Sprintf("KEY_%d", i), Value: fmt.Sprintf("value-%d", i), Scopes: []string{"workers"}}
	}
	comment := "the second key"
	in[1].Comment, in[1].Scopes = &comment, []string{"workers", "ai_gateway"}
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	out, err := apiClient(t, m, m.Token).CreateSecrets(t.Context(), owner, storeID, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAccSecretListResource_query runs examples/list-resources/secretsstore_secret over five
// secrets: three pages of two.
func TestAccSecretListResource_query(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	storeID := m.Stores()[0].ID
	secrets := seedSecrets(t, m, storeID, 5)
	identity := func(s client.Secret) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"account_id": knownvalue.StringExact(m.Account),
			"store_id":   knownvalue.StringExact(storeID),
			"secret_id":  knownvalue.StringExact(s.ID),
		}
	}
	const addr = "secretsstore_secret.all"
	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength(addr, len(secrets))}
	for _, s := range secrets {
		checks = append(checks, listedAs(addr, identity(s), s.Name)...)
	}
	checks = append(checks, querycheck.ExpectResourceKnownValues(addr, queryfilter.ByDisplayName(knownvalue.StringExact("KEY_1")),
		[]querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(secrets[1].ID)},
			{Path: tfjsonpath.New("comment"), KnownValue: knownvalue.StringExact("the second key")},
			{Path: tfjsonpath.New("scopes"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
				knownvalue.StringExact("ai_gateway"), knownvalue.StringExact("workers")})},
			{Path: tfjsonpath.New("status"), KnownValue: knownvalue.NotNull()},
			{Path: tfjsonpath.New("value"), KnownValue: knownvalue.Null()},
			{Path: tfjsonpath.New("account_id"), KnownValue: knownvalue.StringExact(m.Account)},
		}))

	testListQuery(t, m, "list-resources/secretsstore_secret/list-resource.tfquery.hcl",
		config.Variables{"store_id": config.StringVariable(storeID)}, checks,
		"GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets", 3)
}
