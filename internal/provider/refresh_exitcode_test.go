package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// Drift-detection jobs run `plan -refresh-only -detailed-exitcode` and read exit code 2 as
// "something changed". Terraform 1.11 writes an instance's sensitive_attributes in a random
// order (hashicorp/terraform#36403; 1.12.0 sorts them), and compares the refreshed state with
// the stored one in memory, order included: with two sensitive paths such a plan exits 2 with
// "No changes" about half the time. The schema's Sensitive flag marks a path even when the
// attribute is null, so value_wo is not Sensitive (write-only: never stored, never shown),
// leaving a secret one sensitive path, value. value_wo gets a second one when the configuration
// feeds it a value marked sensitive (a variable with `sensitive = true`): that mark comes from
// the configuration, and no provider can drop it.

// featureStableSensitiveOrder is a CLI whose refresh-only plan does not depend on the order of
// sensitive paths: Terraform sorts them since 1.12.0; OpenTofu is measured at 1.12.6.
var featureStableSensitiveOrder = cliFeature{"stable order of sensitive_attributes (hashicorp/terraform#36403)",
	tfversion.Version1_12_0, version.Must(version.NewVersion("1.12.6"))}

// refreshSecretsConfig is a secret fed by value_wo, one by the legacy value and a system
// secret fed by value_wo in systemStore (through a second provider configuration holding the
// service token), all fed by one ephemeral variable.
func refreshSecretsConfig(store, systemStore string, sensitiveVar bool) string {
	sensitive := ""
	if sensitiveVar {
		sensitive = "\n  sensitive = true"
	}
	return fmt.Sprintf(`
variable "secret_value" {
  type      = string
  ephemeral = true%[4]s
}

provider "secretsstore" {
  alias     = "service"
  api_token = %[3]q
}

resource "secretsstore_secret" "wo" {
  store_id         = %[1]q
  name             = "WO"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}

resource "secretsstore_secret" "legacy" {
  store_id = %[1]q
  name     = "LEGACY"
  value    = "legacy-refresh-canary"
  scopes   = ["workers"]
}

resource "secretsstore_system_secret" "wo" {
  provider         = secretsstore.service
  store_id         = %[2]q
  name             = "SYSTEM_WO"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
  timeouts         = { create = "2m" }
}
`, store, systemStore, serviceTokenA, sensitive)
}

// TestAccSecretResource_cliRefreshOnlyExitCode: straight after an apply, `plan -refresh-only
// -detailed-exitcode` and `plan -detailed-exitcode` exit 0, every time, for secrets fed by
// value_wo, by the legacy value, and for a system secret. With value_wo fed from a variable
// marked sensitive (two sensitive paths), only on CLIs that order the paths stably.
func TestAccSecretResource_cliRefreshOnlyExitCode(t *testing.T) {
	for _, sensitiveVar := range []bool{false, true} {
		t.Run(fmt.Sprintf("sensitive variable %t", sensitiveVar), func(t *testing.T) {
			m := startSystemMock(t)
			c := newCLI(t, m)
			if sensitiveVar {
				c.requires(featureStableSensitiveOrder)
			}
			c.env = append(c.env, "TF_VAR_secret_value=refresh-exitcode-canary")
			systemStore := fixturesAs(t, m, serviceTokenA, client.FamilySystem).store("service_store")
			c.config(refreshSecretsConfig(defaultStoreID(t, m), systemStore.ID, sensitiveVar))
			c.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
			for i := range 4 {
				for _, args := range [][]string{
					{"plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color"},
					{"plan", "-detailed-exitcode", "-input=false", "-no-color"},
				} {
					if out, err := c.run(args...); err != nil {
						t.Errorf("run %d: %s exits %v, want 0:\n%s\nsensitive_attributes: %s",
							i+1, strings.Join(args[:2], " "), err, out, c.sensitiveAttributes())
					}
				}
			}
		})
	}
}

// sensitiveAttributes lists each instance's sensitive_attributes as the state file holds them.
func (c *cli) sensitiveAttributes() string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"sensitive_attributes"`) || strings.Contains(line, `"value": "value`) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, " ")
}

// TestAccSecretResource_cliWriteOnlyValueNeverShown: value_wo is not Sensitive, and fed by an
// ephemeral variable not marked sensitive (the way round the above on Terraform 1.11), its value
// still appears nowhere: not in the plan output, the saved plan (as JSON), the apply output, the
// state or the TRACE log, for a create and for a rotation.
func TestAccSecretResource_cliWriteOnlyValueNeverShown(t *testing.T) {
	const canary = "wo-canary-5f3e9a"
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	c.env = append(c.env, "TF_VAR_secret_value="+canary, "TF_LOG=TRACE", "TF_LOG_PATH="+logFile)
	store := defaultStoreID(t, m)
	for _, version := range []string{"1", "2"} {
		c.config(ephemeralSecretConfig("shown", store, "SHOWN", version))
		plan := c.mustRun("plan", "-out=tfplan", "-input=false", "-no-color")
		shown := c.mustRun("show", "-json", "tfplan")
		applied := c.mustRun("apply", "-input=false", "-no-color", "tfplan")
		if version == "1" && !strings.Contains(plan, "(write-only attribute)") {
			t.Errorf("the create's plan does not show value_wo as a write-only attribute:\n%s", plan)
		}
		for where, text := range map[string]string{"the plan output": plan, "the plan JSON": shown, "the apply output": applied} {
			if err := holdsNone(where+" (version "+version+")", text, canary); err != nil {
				t.Error(err)
			}
		}
		if err := checkStoredValue(m, store, "SHOWN", canary)(nil); err != nil {
			t.Fatal(err) // the canary was sent: its absence elsewhere means something
		}
	}
	c.checkStateHoldsNone(canary)
	trace, err := os.ReadFile(logFile)
	if err != nil || len(trace) == 0 {
		t.Fatalf("the TRACE log: %v (%d bytes)", err, len(trace))
	}
	if err := holdsNone("the TRACE log", string(trace), canary); err != nil {
		t.Error(err)
	}
}
