package provider

import (
	"fmt"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const changedOutsideSummary = "Secret changed outside Terraform"

// noChangedOutsideWarning is a plan check: no refresh since the last reset warned that a
// secret was changed outside Terraform.
func (r *diagRecorder) noChangedOutsideWarning() plancheck.PlanCheck {
	return planCheckFunc(func(*tfjson.Plan) error {
		for _, d := range r.all() {
			if d.d.Summary == changedOutsideSummary {
				return fmt.Errorf("unexpected warning: %s", d.d.Detail)
			}
		}
		return nil
	})
}

// changedOutsideOnlyFor is a plan check: the refreshes since the last reset warned once that
// the secret named name was changed outside Terraform, and about no other secret.
func (r *diagRecorder) changedOutsideOnlyFor(name string) plancheck.PlanCheck {
	return planCheckFunc(func(*tfjson.Plan) error {
		var found []string
		for _, d := range r.all() {
			if d.d.Summary == changedOutsideSummary && d.d.Severity == tfprotov6.DiagnosticSeverityWarning {
				found = append(found, d.d.Detail)
			}
		}
		if len(found) != 1 || !strings.HasPrefix(found[0], "secret "+name+" (") {
			return fmt.Errorf("want one %q warning naming %s, got %d: %q", changedOutsideSummary, name, len(found), found)
		}
		return nil
	})
}

// TestAccSecretResource_changedOutside: a value rotated through the API by someone else is
// reported at plan, naming that secret only, with an empty plan; no warning follows the
// provider's own create, rotation, comment change or the activation they cause. With
// resend_value_if_changed_outside the plan updates the secret in place and the apply sends the
// configured value again. Nothing is reported for an imported secret before Terraform's first
// write.
func TestAccSecretResource_changedOutside(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	rec := &diagRecorder{}
	const canary = "canary-outside-7f3a"
	cfg := func(version, otherComment, optIn string) string {
		return secretConfig(m, store, "ROTATED", fmt.Sprintf(`
  value_wo         = var.secret_value
  value_wo_version = %q
  scopes           = ["workers"]%s`, version, optIn)) + fmt.Sprintf(`
resource "secretsstore_secret" "other" {
  store_id         = %q
  name             = "UNTOUCHED"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = %q
}
`, store, otherComment)
	}
	const optIn = "\n  resend_value_if_changed_outside = true"
	rotateOutside := func() {
		v := "rotated-in-the-dashboard"
		changeOutside(t, m, store, "ROTATED", client.PatchSecretRequest{Value: &v})
		rec.reset()
		m.ResetRequests()
	}
	reset := func() { rec.reset(); m.ResetRequests() }
	adopted := fmt.Sprintf(`
import {
  to = secretsstore_secret.adopted
  id = "%[1]s/%[2]s/ADOPTED"
}

resource "secretsstore_secret" "adopted" {
  store_id = %[2]q
  name     = "ADOPTED"
  scopes   = ["workers"]
}
`, m.Account, store)
	changedOutside := func(addr string, want bool) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("changed_outside"), knownvalue.Bool(want))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		CheckDestroy:             checkSecretCount(m, store, 0),
		Steps: []resource.TestStep{
			{
				Config: cfg("1", "first", ""), ConfigVariables: secretValueVar(canary),
				ConfigStateChecks: []statecheck.StateCheck{
					changedOutside(secretAddr, false), stateHoldsNone(canary),
				},
			},
			{
				// After the create and its activation: nothing to report.
				PreConfig: reset, Config: cfg("1", "first", ""), ConfigVariables: secretValueVar(canary),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(), rec.noChangedOutsideWarning(),
				}},
			},
			{
				// Terraform's own rotation and comment change.
				PreConfig: reset, Config: cfg("2", "second", ""), ConfigVariables: secretValueVar(canary + "-2"),
			},
			{
				PreConfig: reset, Config: cfg("2", "second", ""), ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(), rec.noChangedOutsideWarning(),
				}},
			},
			{
				// Rotated through the API: a warning naming that secret only, and an empty plan.
				PreConfig: rotateOutside, Config: cfg("2", "second", ""), ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(), rec.changedOutsideOnlyFor("ROTATED"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					changedOutside(secretAddr, true), changedOutside("secretsstore_secret.other", false),
				},
				Check: resource.ComposeTestCheckFunc(checkNoWrites(m), checkStoredValue(m, store, "ROTATED", "rotated-in-the-dashboard")),
			},
			{
				// Opting in sends the configured value again, in place.
				PreConfig: reset, Config: cfg("2", "second", optIn), ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("secretsstore_secret.other", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{changedOutside(secretAddr, false)},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"`+canary+`-2","scopes":["workers"],"comment":null}`),
					checkStoredValue(m, store, "ROTATED", canary+"-2")),
			},
			{
				// Opted in, a new change outside is one update that only flips changed_outside.
				PreConfig: rotateOutside, Config: cfg("2", "second", optIn), ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "changed_outside"),
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("changed_outside"), knownvalue.Bool(false)),
					rec.changedOutsideOnlyFor("ROTATED"),
					planHoldsNone(canary),
				}},
				ConfigStateChecks: []statecheck.StateCheck{changedOutside(secretAddr, false), stateHoldsNone(canary)},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"`+canary+`-2","scopes":["workers"],"comment":null}`),
					checkStoredValue(m, store, "ROTATED", canary+"-2")),
			},
			{
				// The resent value is Terraform's own write: nothing to report.
				PreConfig: reset, Config: cfg("2", "second", optIn), ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(), rec.noChangedOutsideWarning(),
				}},
			},
			{
				// An imported secret: no write of Terraform's is known yet.
				PreConfig: func() {
					accountFixtures(t, m).secret(store, "ADOPTED", "", "workers")
				},
				Config: cfg("2", "second", optIn) + adopted, ConfigVariables: secretValueVar(canary + "-2"),
			},
			{
				// So a change outside before Terraform's first write is not reported.
				PreConfig: func() {
					v := "rotated-again"
					changeOutside(t, m, store, "ADOPTED", client.PatchSecretRequest{Value: &v})
					rec.reset()
				},
				Config: cfg("2", "second", optIn) + adopted, ConfigVariables: secretValueVar(canary + "-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(), rec.noChangedOutsideWarning(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{changedOutside("secretsstore_secret.adopted", false)},
			},
		},
	})
}
