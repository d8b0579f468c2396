package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretsDataSource lists five secrets (three pages) in every order and direction and
// with every filter, and refuses bad filters at plan time without calling the API.
func TestAccSecretsDataSource(t *testing.T) {
	m, fx := startFixtureMock(t)
	store := fx.storeNamed("default_secrets_store")
	// Created in this order; API_KEY is modified last.
	fx.secret(store.ID, "DB_PASSWORD", "primary database", "workers")
	api := fx.secret(store.ID, "API_KEY", "stripe api", "workers", "ai_gateway")
	token := fx.secret(store.ID, "TOKEN_C", "", "ai_gateway")
	fx.secret(store.ID, "DB_REPLICA", "replica db", "workers", "dex")
	fx.secret(store.ID, "ZETA", "alpha note", "access")
	if _, err := fx.c.PatchSecret(t.Context(), fx.owner, store.ID, api.ID,
		client.PatchSecretRequest{Scopes: []string{"workers", "ai_gateway", "dex"}}); err != nil {
		t.Fatalf("patching API_KEY: %v", err)
	}
	mark := m.Stats().Total
	time.Sleep(60 * time.Millisecond) // past the mock's activation delay: every secret is active

	// Every status is "active", so ordering by status falls back to the id.
	byID := m.Secrets(store.ID)
	slices.SortFunc(byID, func(a, b mockserver.SecretRecord) int { return strings.Compare(a.ID, b.ID) })
	idOrder := make([]string, len(byID))
	for i, s := range byID {
		idOrder[i] = s.Name
	}
	created := []string{"DB_PASSWORD", "API_KEY", "TOKEN_C", "DB_REPLICA", "ZETA"}
	modified := []string{"DB_PASSWORD", "TOKEN_C", "DB_REPLICA", "ZETA", "API_KEY"}
	byName := []string{"API_KEY", "DB_PASSWORD", "DB_REPLICA", "TOKEN_C", "ZETA"}
	// A null comment sorts first ascending.
	byComment := []string{"TOKEN_C", "ZETA", "DB_PASSWORD", "DB_REPLICA", "API_KEY"}

	cases := []struct {
		label, filters string // filters: attribute assignments separated by "; "
		want           []string
	}{
		{"all", ``, created},
		{"name_asc", `order = "name"`, byName},
		{"name_desc", `order = "name"; direction = "desc"`, reversed(byName)},
		{"comment_asc", `order = "comment"; direction = "asc"`, byComment},
		{"comment_desc", `order = "comment"; direction = "desc"`, reversed(byComment)},
		{"created_asc", `order = "created"; direction = "asc"`, created},
		{"created_desc", `order = "created"; direction = "desc"`, reversed(created)},
		{"modified_asc", `order = "modified"`, modified},
		{"modified_desc", `order = "modified"; direction = "desc"`, reversed(modified)},
		{"status_asc", `order = "status"`, idOrder},
		{"status_desc", `order = "status"; direction = "desc"`, reversed(idOrder)},
		{"desc_only", `direction = "desc"`, reversed(created)},
		{"search_name", `search = "db"`, []string{"DB_PASSWORD", "DB_REPLICA"}},
		{"search_comment", `search = "NOTE"`, []string{"ZETA"}},
		{"one_scope", `scopes = ["workers"]`, []string{"DB_PASSWORD", "API_KEY", "DB_REPLICA"}},
		{"all_scopes", `scopes = ["workers", "dex"]`, []string{"API_KEY", "DB_REPLICA"}},
		{"combined", `search = "db"; scopes = ["workers"]; order = "name"; direction = "desc"`, []string{"DB_REPLICA", "DB_PASSWORD"}},
		{"none_match", `search = "nothing-like-this"`, []string{}},
	}
	var cfg strings.Builder
	cfg.WriteString(m.providerBlock())
	checks := []statecheck.StateCheck{}
	for _, c := range cases {
		fmt.Fprintf(&cfg, "data \"secretsstore_secrets\" %q {\n  store_id = %q\n", c.label, store.ID)
		for _, f := range strings.Split(c.filters, "; ") {
			if f != "" {
				fmt.Fprintf(&cfg, "  %s\n", f)
			}
		}
		cfg.WriteString("}\n")
		checks = append(checks, expectNames("data.secretsstore_secrets."+c.label, "secrets", c.want...))
	}
	checks = append(checks,
		expectAttr("data.secretsstore_secrets.all", "account_id", knownvalue.StringExact(m.Account)),
		statecheck.ExpectKnownValue("data.secretsstore_secrets.all", tfjsonpath.New("secrets").AtSliceIndex(2),
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":       knownvalue.StringExact(token.ID),
				"store_id": knownvalue.StringExact(store.ID),
				"name":     knownvalue.StringExact("TOKEN_C"),
				"comment":  knownvalue.Null(),
				"scopes":   knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ai_gateway")}),
				"status":   knownvalue.StringExact("active"),
				"created":  knownvalue.StringExact(token.Created.UTC().Format(time.RFC3339Nano)),
				"modified": knownvalue.StringExact(token.Modified.UTC().Format(time.RFC3339Nano)),
			})),
		statecheck.ExpectKnownValue("data.secretsstore_secrets.all", tfjsonpath.New("secrets").AtSliceIndex(1).AtMapKey("scopes"),
			knownvalue.SetExact([]knownvalue.Check{
				knownvalue.StringExact("ai_gateway"), knownvalue.StringExact("dex"), knownvalue.StringExact("workers"),
			})),
	)

	bad := func(attr, value string) string {
		storeID := fmt.Sprintf("%q", store.ID)
		if attr == "store_id" {
			storeID, attr, value = value, "search", `"x"`
		}
		return m.providerBlock() + fmt.Sprintf(`
data "secretsstore_secrets" "bad" {
  store_id = %s
  %s = %s
}`, storeID, attr, value)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      bad("order", `"size"`),
				ExpectError: errText(`Attribute order value must be one of: ["name" "comment" "created" "modified" "status"], got: "size"`),
			},
			{
				Config:      bad("direction", `"up"`),
				ExpectError: errText(`Attribute direction value must be one of: ["asc" "desc"], got: "up"`),
			},
			{
				Config:      bad("scopes", `[]`),
				ExpectError: errText(`scopes needs at least one scope. Known scopes: access, ai_gateway`),
			},
			{
				Config:      bad("search", `""`),
				ExpectError: errText(`Attribute search string length must be at least 1, got: 0`),
			},
			{
				Config:      bad("store_id", `"not-an-id"`),
				ExpectError: errText(`must be 32 lowercase hexadecimal characters`),
			},
			{
				// A scope the provider does not know yet only warns at plan time: it reaches
				// the API, which decides (here: refuses it).
				PreConfig:   failOnRequestsSince(t, m, &mark),
				Config:      bad("scopes", `["future_product"]`),
				ExpectError: errText(`error 1001: invalid_query`),
			},
			{
				Config:            cfg.String(),
				ConfigStateChecks: checks,
				Check:             checkPaged(m, "GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets"),
			},
		},
	})
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
