package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretDuplicateAction_cliInvokeAndQuery drives the terraform binary itself, as a user
// would, against the provider built from this module with dev_overrides (no init, no registry),
// with examples/provider/provider.tf as the provider configuration:
//
//  1. `terraform apply -invoke=action.secretsstore_secret_duplicate.copy` copies a secret;
//  2. `terraform query -generate-config-out` over the list-resource examples writes import and
//     resource blocks, which `terraform apply` imports and a second plan finds clean.
//
// It needs TF_ACC and TF_ACC_TERRAFORM_PATH pointing at Terraform 1.14 or later (OpenTofu has
// neither actions nor `terraform query`).
func TestAccSecretDuplicateAction_cliInvokeAndQuery(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	invoke := newCLI(t, m)
	invoke.requires(featureActions)
	invoke.requires(featureQuery)
	storeID := m.Stores()[0].ID
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	src, err := apiClient(t, m, m.Token).CreateSecrets(t.Context(), owner, storeID,
		[]client.SecretInput{{Name: "SOURCE_KEY", Value: "exec-source-value", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}

	// 1. Invoke the action from the command line.
	invoke.config(fmt.Sprintf(`
action "secretsstore_secret_duplicate" "copy" {
  config {
    store_id  = %q
    secret_id = %q
    name      = "INVOKED_COPY"
    scopes    = ["workers", "ai_gateway"]
  }
}
`, storeID, src[0].ID))
	out := invoke.mustRun("apply", "-auto-approve", "-input=false", "-no-color",
		"-invoke=action.secretsstore_secret_duplicate.copy")
	cp, ok := m.SecretByName(storeID, "INVOKED_COPY")
	if !ok || cp.Value != "exec-source-value" || cp.Status != client.StatusActive {
		t.Fatalf("copy = %+v, %v: want an active copy holding the source's value\n%s", cp, ok, out)
	}
	if !strings.Contains(out, "INVOKED_COPY is active") {
		t.Errorf("the apply output shows no progress message:\n%s", out)
	}

	// 2. Query the examples, generate config, import it, and plan again.
	query := newCLI(t, m)
	query.config("")
	for _, ex := range []string{"secretsstore_store", "secretsstore_secret"} {
		execWriteFile(t, filepath.Join(query.dir, ex+".tfquery.hcl"), readExample(t, "list-resources/"+ex+"/list-resource.tfquery.hcl"))
	}
	query.env = append(query.env, "TF_VAR_store_id="+storeID)
	out = query.mustRun("query", "-no-color", "-generate-config-out=generated.tf")
	for _, name := range []string{"SOURCE_KEY", "INVOKED_COPY", "default_secrets_store"} {
		if !strings.Contains(out, name) {
			t.Errorf("terraform query does not list %s:\n%s", name, out)
		}
	}
	generated, err := os.ReadFile(filepath.Join(query.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(generated), "import {"); n != 3 {
		t.Fatalf("generated.tf has %d import blocks, want 3 (one store, two secrets):\n%s", n, generated)
	}
	out = query.mustRun("plan", "-input=false", "-no-color")
	if !regexp.MustCompile(`Plan: 3 to import, 0 to add, 0 to change, 0 to destroy`).MatchString(out) {
		t.Fatalf("the generated configuration does not plan as a clean import:\n%s\ngenerated.tf:\n%s", out, generated)
	}
	query.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	out = query.mustRun("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan after importing is not empty:\n%s", out)
	}
}
