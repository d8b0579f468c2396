package provider

import (
	"fmt"
	"slices"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// changeOutside changes the secret named name through the API, as another writer would.
func changeOutside(t *testing.T, m *testMock, storeID, name string, patch client.PatchSecretRequest) {
	t.Helper()
	s, ok := m.SecretByName(storeID, name)
	if !ok {
		t.Fatalf("the mock holds no secret %s", name)
	}
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	if _, err := apiClient(t, m, m.Token).PatchSecret(t.Context(), owner, storeID, s.ID, patch); err != nil {
		t.Fatalf("changing %s outside Terraform: %v", name, err)
	}
}

// changeBeforeApply is a plan check run between plan-time and apply-time (plugin-testing saves
// the plan, runs the PreApply checks, then applies the saved plan): someone changes the secret.
func changeBeforeApply(t *testing.T, m *testMock, storeID, name string, patch client.PatchSecretRequest) plancheck.PlanCheck {
	return planCheckFunc(func(*tfjson.Plan) error {
		changeOutside(t, m, storeID, name, patch)
		return nil
	})
}

// checkHeld checks what the mock holds for the secret named name: its comment ("" for none),
// sorted scopes and value.
func checkHeld(m *testMock, storeID, name, comment string, scopes []string, value string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		sec, ok := m.SecretByName(storeID, name)
		if !ok {
			return fmt.Errorf("the mock holds no secret %s", name)
		}
		got := ""
		if sec.Comment != nil {
			got = *sec.Comment
		}
		if got != comment || !slices.Equal(sec.Scopes, scopes) {
			return fmt.Errorf("the API holds comment %q and scopes %v for %s, want the plan's %q and %v", got, sec.Scopes, name, comment, scopes)
		}
		return checkStoredValue(m, storeID, name, value)(s)
	}
}

func setOf(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// TestAccSecretResource_changedBetweenPlanAndApply: someone changes a secret after its plan was
// made and before it is applied (a saved plan, or the apply's prompt waiting). The apply
// succeeds, records what the plan said, and leaves the API holding it: a comment change meets
// changed scopes, a rotation meets a changed comment and scopes, a scope change (status planned
// "active") meets a value rotated outside (the secret pending again).
func TestAccSecretResource_changedBetweenPlanAndApply(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	const name = "RACED"
	body := func(version, comment string, scopes string) string {
		return fmt.Sprintf(`
  value_wo         = var.secret_value
  value_wo_version = %q
  scopes           = %s
  comment          = %q`, version, scopes, comment)
	}
	other, elsewhere := "changed outside", "rotated-elsewhere"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSecretCount(m, store, 0),
		Steps: []resource.TestStep{
			{
				Config: secretConfig(m, store, name, body("1", "c1", `["workers"]`)), ConfigVariables: secretValueVar("v1"),
			},
			{
				// A comment change planned; the scopes changed before the apply.
				Config: secretConfig(m, store, name, body("1", "c2", `["workers"]`)), ConfigVariables: secretValueVar("v1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planChangesOnly(secretAddr, "comment"),
					changeBeforeApply(t, m, store, name, client.PatchSecretRequest{Scopes: []string{"ai_gateway", "workers"}}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					secretAttr("comment", knownvalue.StringExact("c2")),
					secretAttr("scopes", setOf("workers")),
				},
				Check: checkHeld(m, store, name, "c2", []string{"workers"}, "v1"),
			},
			{
				// A rotation planned; the comment and scopes changed before the apply.
				Config: secretConfig(m, store, name, body("2", "c2", `["workers"]`)), ConfigVariables: secretValueVar("v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planChangesOnly(secretAddr, "value_wo_version"),
					changeBeforeApply(t, m, store, name, client.PatchSecretRequest{Comment: &other, Scopes: []string{"access"}}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					secretAttr("comment", knownvalue.StringExact("c2")),
					secretAttr("scopes", setOf("workers")),
					secretAttr("status", knownvalue.StringExact("active")),
				},
				Check: checkHeld(m, store, name, "c2", []string{"workers"}, "v2"),
			},
			{
				// A scope change planned with the status known ("active"); a value rotated
				// before the apply makes the secret pending: the apply waits until it is active.
				Config: secretConfig(m, store, name, body("2", "c2", `["workers", "access"]`)), ConfigVariables: secretValueVar("v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planChangesOnly(secretAddr, "scopes"),
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					changeBeforeApply(t, m, store, name, client.PatchSecretRequest{Value: &elsewhere, Comment: &other}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					secretAttr("comment", knownvalue.StringExact("c2")),
					secretAttr("scopes", setOf("access", "workers")),
					secretAttr("status", knownvalue.StringExact("active")),
				},
				// The plan sent no value: the one rotated elsewhere stays.
				Check: checkHeld(m, store, name, "c2", []string{"access", "workers"}, elsewhere),
			},
		},
	})
}
