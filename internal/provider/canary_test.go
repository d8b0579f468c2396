package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretResource_canary follows two canary values fed through value_wo (create, then a
// rotation) and checks that neither they nor the API token appear in the state, the saved plans
// or a TF_LOG=TRACE log of the whole run, Terraform's and the provider's, while the mock did
// receive them. A third rotation sends a common word, "name": the log still shows the
// User-Agent, the bodies of exchanges without a value and the known fields of those with one,
// and never "name" as a value.
func TestAccSecretResource_canary(t *testing.T) {
	const (
		canary1 = "CANARY-3b1e9f0c-value-one"
		canary2 = "CANARY-5d2a7c41-value-two"
		word    = "name"
		token   = "TOKEN-9f8e7d6c-canary"
	)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")          // the provider's logs (in-process) ...
	t.Setenv("TF_LOG_PATH", logFile)     // ... go to this file
	t.Setenv("TF_ACC_LOG_PATH", logFile) // and so do Terraform's

	// The token comes from the environment: a literal in the provider block would be in the
	// plan's copy of the configuration, which is Terraform's doing, not the provider's.
	t.Setenv(envAPIToken, token)
	m := startMock(t, mockserver.Options{Token: token})
	provider := fmt.Sprintf("provider \"secretsstore\" {\n  base_url   = %q\n  account_id = %q\n}\n", m.URL, m.Account)
	store := defaultStoreID(t, m)
	secrets := []string{canary1, canary2, token}
	body := func(version string) string {
		return `
  value_wo         = var.secret_value
  value_wo_version = "` + version + `"
  scopes           = ["workers"]`
	}
	step := func(value, version string) resource.TestStep {
		return resource.TestStep{
			Config:          secretConfigWith(provider, store, "CANARY", body(version)),
			ConfigVariables: secretValueVar(value),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{planHoldsNone(secrets...)},
				PostApplyPostRefresh: []plancheck.PlanCheck{planHoldsNone(secrets...)},
			},
			ConfigStateChecks: []statecheck.StateCheck{stateHoldsNone(secrets...)},
			Check:             checkStoredValue(m, store, "CANARY", value),
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{step(canary1, "1"), step(canary2, "2"), step(word, "3")},
	})

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	log := string(raw)
	// The log must be a real trace of this run: the provider's requests are in it.
	for _, want := range []string{"/secrets_store/stores/" + store + "/secrets", "PATCH"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the trace log (%d bytes) does not show %q: is TF_LOG honoured?", len(log), want)
		}
	}
	if err := holdsNone("the TF_LOG=TRACE log", log, secrets...); err != nil {
		t.Error(err)
	}
	// A common word is in ordinary text: the log shows what a value's neighbours show, and
	// the word never as the value of a "value" key, at any depth of JSON escaping.
	for what, re := range map[string]string{
		"the User-Agent":                `http\.request\.headers="map\[[^"]*User-Agent:terraform-provider-secretsstore/`,
		"a body without a value":        `http\.response\.body="\{\\"success\\":true[^\n]*\\"name\\":\\"CANARY\\"`,
		"the withheld body's known ids": `http\.response\.result_ids=\["[0-9a-f]{32}"\]`,
		"the create's masked value":     `\\"value\\":\\"\*\*\*\\"`,
	} {
		if !regexp.MustCompile(re).MatchString(log) {
			t.Errorf("the trace log does not show %s (%s)", what, re)
		}
	}
	if regexp.MustCompile(`value\\*"\s*:\s*\\*"` + word + `\\*"`).MatchString(log) {
		t.Errorf("the trace log holds %q as a value", word)
	}
}
