package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
// It needs TF_ACC and TF_ACC_TERRAFORM_PATH pointing at Terraform 1.14 or later.
func TestAccSecretDuplicateAction_cliInvokeAndQuery(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (and TF_ACC_TERRAFORM_PATH to Terraform 1.14 or later) to run it")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set: this test runs `terraform apply -invoke` and `terraform query`, " +
			"which need Terraform 1.14 or later; point TF_ACC_TERRAFORM_PATH at such a binary")
	}
	if v, ok := terraformAtLeast114(t, tf); !ok {
		t.Skipf("TF_ACC_TERRAFORM_PATH is Terraform %s: actions and `terraform query` need 1.14 or later", v)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	// The provider binary, built from the module root.
	bin := t.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "terraform-provider-secretsstore"), ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	m := startMock(t, mockserver.Options{})
	storeID := m.Stores()[0].ID
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	src, err := mockProviderData(t, m, m.Token).Client.CreateSecrets(ctx, owner, storeID,
		[]client.SecretInput{{Name: "SOURCE_KEY", Value: "exec-source-value", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}

	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	execWriteFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "secretsstore/secretsstore" = %q
  }
  direct {}
}
`, bin))
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"CLOUDFLARE_API_TOKEN="+m.Token, "CLOUDFLARE_ACCOUNT_ID="+m.Account, "CLOUDFLARE_BASE_URL="+m.URL,
		"TF_VAR_store_id="+storeID)
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// The provider example is the header of both configurations: credentials and the mock's
	// address come from the environment, as the example says.
	header := readExample(t, "provider/provider.tf")

	// 1. Invoke the action from the command line.
	invokeDir := t.TempDir()
	execWriteFile(t, filepath.Join(invokeDir, "main.tf"), header+fmt.Sprintf(`
action "secretsstore_secret_duplicate" "copy" {
  config {
    store_id  = %q
    secret_id = %q
    name      = "INVOKED_COPY"
    scopes    = ["workers", "ai_gateway"]
  }
}
`, storeID, src[0].ID))
	out := run(invokeDir, "apply", "-auto-approve", "-input=false", "-no-color",
		"-invoke=action.secretsstore_secret_duplicate.copy")
	cp, ok := m.SecretByName(storeID, "INVOKED_COPY")
	if !ok || cp.Value != "exec-source-value" || cp.Status != client.StatusActive {
		t.Fatalf("copy = %+v, %v: want an active copy holding the source's value\n%s", cp, ok, out)
	}
	if !strings.Contains(out, "INVOKED_COPY is active") {
		t.Errorf("the apply output shows no progress message:\n%s", out)
	}

	// 2. Query the examples, generate config, import it, and plan again.
	queryDir := t.TempDir()
	execWriteFile(t, filepath.Join(queryDir, "main.tf"), header)
	for _, ex := range []string{"secretsstore_store", "secretsstore_secret"} {
		execWriteFile(t, filepath.Join(queryDir, ex+".tfquery.hcl"), readExample(t, "list-resources/"+ex+"/list-resource.tfquery.hcl"))
	}
	out = run(queryDir, "query", "-no-color", "-generate-config-out=generated.tf")
	for _, name := range []string{"SOURCE_KEY", "INVOKED_COPY", "default_secrets_store"} {
		if !strings.Contains(out, name) {
			t.Errorf("terraform query does not list %s:\n%s", name, out)
		}
	}
	generated, err := os.ReadFile(filepath.Join(queryDir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(generated), "import {"); n != 3 {
		t.Fatalf("generated.tf has %d import blocks, want 3 (one store, two secrets):\n%s", n, generated)
	}
	out = run(queryDir, "plan", "-input=false", "-no-color")
	if !regexp.MustCompile(`Plan: 3 to import, 0 to add, 0 to change, 0 to destroy`).MatchString(out) {
		t.Fatalf("the generated configuration does not plan as a clean import:\n%s\ngenerated.tf:\n%s", out, generated)
	}
	run(queryDir, "apply", "-auto-approve", "-input=false", "-no-color")
	out = run(queryDir, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan after importing is not empty:\n%s", out)
	}
}

// terraformAtLeast114 reports the binary's version and whether it is 1.14 or later.
func terraformAtLeast114(t *testing.T, tf string) (string, bool) {
	t.Helper()
	out, err := exec.Command(tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	if len(parts) < 2 {
		return v.Version, false
	}
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	return v.Version, major > 1 || (major == 1 && minor >= 14)
}

func execWriteFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
