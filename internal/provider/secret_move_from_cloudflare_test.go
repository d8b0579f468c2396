package provider

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretResource_movedFromCloudflare: a `moved` block takes a cloudflare_secrets_store_secret
// over in one apply, whatever v5 release wrote its state: the plan shows the move and an
// update in place, the apply sends the configured value once by PATCH to the same secret (no
// create, no delete), the plaintext Cloudflare's provider kept leaves the state, and the next
// plan is empty.
func TestAccSecretResource_movedFromCloudflare(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	api := apiClient(t, m, m.Token)
	const plaintext, newValue = "cloudflare-kept-this-in-state", "sent-once-after-the-move"

	cases := []struct {
		name          string
		schemaVersion int
		// attrs is the source state's attributes for secret s, as that release wrote them.
		attrs func(s client.Secret) map[string]any
	}{
		{"v5.22, schema 500", 500, func(s client.Secret) map[string]any {
			return map[string]any{"id": s.ID, "account_id": m.Account, "store_id": store, "name": s.Name,
				"value": plaintext, "scopes": []string{"ai_gateway", "workers"}, "comment": "moved",
				"status": "active", "created": s.Created.Format(time.RFC3339Nano), "modified": s.Modified.Format(time.RFC3339Nano)}
		}},
		{"generated releases, schema 0", 0, func(s client.Secret) map[string]any {
			return map[string]any{"id": s.ID, "account_id": m.Account, "store_id": store, "name": s.Name,
				"value": plaintext, "scopes": []string{"workers", "ai_gateway"}, "comment": "moved",
				"status": "active", "created": s.Created.Format(time.RFC3339), "modified": nil}
		}},
		{"early releases: secret_text, created_at, modified_at", 500, func(s client.Secret) map[string]any {
			return map[string]any{"id": s.ID, "account_id": m.Account, "store_id": store, "name": s.Name,
				"secret_text": plaintext, "scopes": []string{"workers", "ai_gateway"}, "comment": "moved",
				"status": "active", "created_at": s.Created.Format(time.RFC3339Nano), "modified_at": s.Modified.Format(time.RFC3339Nano)}
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, m)
			standin, err := cloudflareStandin()
			if err != nil {
				t.Fatal(err)
			}
			c.override("cloudflare/cloudflare", standin)
			c.env = append(c.env, "TF_VAR_new_value="+newValue)
			name := fmt.Sprintf("MOVED_%d", i)
			comment := "moved"
			made, err := api.CreateSecrets(t.Context(), owner, store, []client.SecretInput{
				{Name: name, Value: plaintext, Scopes: []string{"workers", "ai_gateway"}, Comment: &comment}})
			if err != nil {
				t.Fatal(err)
			}
			c.writeState(fmt.Sprintf(`provider[%q]`, c.registryHost()+"/cloudflare/cloudflare"),
				cloudflareSecretType, "x", tc.schemaVersion, tc.attrs(made[0]))
			execWriteFile(t, filepath.Join(c.dir, "main.tf"), fmt.Sprintf(`
terraform {
  required_providers {
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
    cloudflare = {
      source = "cloudflare/cloudflare"
    }
  }
}

provider "secretsstore" {}

variable "new_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

moved {
  from = cloudflare_secrets_store_secret.x
  to   = secretsstore_secret.x
}

resource "secretsstore_secret" "x" {
  store_id         = %q
  name             = %q
  value_wo         = var.new_value
  value_wo_version = "1"
  scopes           = ["workers", "ai_gateway"]
  comment          = "moved"
}
`, store, name))

			m.ResetRequests()
			out := c.mustRun("plan", "-input=false", "-no-color", "-out=tfplan")
			if !strings.Contains(out, "# secretsstore_secret.x will be updated in-place\n  # (moved from cloudflare_secrets_store_secret.x)") ||
				!strings.Contains(out, "Plan: 0 to add, 1 to change, 0 to destroy.") {
				t.Fatalf("the plan is not a move with one update in place:\n%s", out)
			}
			c.mustRun("apply", "-input=false", "-no-color", "tfplan")

			if n := len(m.RequestsTo(routeCreateSecrets)) + len(m.RequestsTo(routeDeleteSecret)); n != 0 {
				t.Errorf("the move created or deleted secrets: %d requests", n)
			}
			if err := checkBodies(m, routePatchSecret, `{"value":"`+newValue+`","scopes":["ai_gateway","workers"],"comment":"moved"}`)(nil); err != nil {
				t.Error(err)
			}
			if err := checkStoredValue(m, store, name, newValue)(nil); err != nil {
				t.Error(err)
			}
			c.checkStateHoldsNone(plaintext, newValue)
			res := c.stateResources()
			if len(res[cloudflareSecretType]) != 0 || len(res["secretsstore_secret"]) != 1 ||
				res["secretsstore_secret"][0]["id"] != made[0].ID {
				t.Errorf("state after the move: %v; want only secretsstore_secret.x with id %s", res, made[0].ID)
			}
			c.checkEmptyPlan("after the move")
		})
	}
}

// writeState writes a terraform.tfstate holding one resource instance, as the CLI would have.
func (c *cli) writeState(provider, typeName, name string, schemaVersion int, attrs map[string]any) {
	c.t.Helper()
	st := map[string]any{
		"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "5ca1ab1e-0000-4000-8000-000000000001",
		"outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": typeName, "name": name, "provider": provider,
			"instances": []any{map[string]any{
				"schema_version": schemaVersion, "attributes": attrs,
				"sensitive_attributes": []any{}, "identity_schema_version": 0,
			}},
		}},
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		c.t.Fatal(err)
	}
	execWriteFile(c.t, filepath.Join(c.dir, "terraform.tfstate"), string(b))
}

// registryHost is the CLI's default registry: OpenTofu's or Terraform's.
func (c *cli) registryHost() string {
	if isOpenTofu(c.tf) {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// TestIsCloudflareProvider: the move is offered for Cloudflare's provider from either registry,
// and for the bare type name older OpenTofu sends; not for a namesake of another namespace.
func TestIsCloudflareProvider(t *testing.T) {
	for address, want := range map[string]bool{
		"registry.terraform.io/cloudflare/cloudflare": true,
		"registry.opentofu.org/cloudflare/cloudflare": true,
		"cloudflare": true,
		"registry.terraform.io/hashicorp/cloudflare":    false,
		"registry.terraform.io/someone/cloudflare":      false,
		"registry.terraform.io/cloudflare/secretsstore": false,
		"": false,
	} {
		if got := isCloudflareProvider(address); got != want {
			t.Errorf("isCloudflareProvider(%q) = %v, want %v", address, got, want)
		}
	}
}
