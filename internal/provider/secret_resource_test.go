package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const secretAddr = "secretsstore_secret.test"

// secretConfig is a secretsstore_secret "test" in store storeID. body holds the value and
// optional attributes; the ephemeral variable secret_value feeds value_wo.
func secretConfig(m *testMock, storeID, name, body string) string {
	return secretConfigWith(m.providerBlock(), storeID, name, body)
}

func secretConfigWith(provider, storeID, name, body string) string {
	return provider + fmt.Sprintf(`
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = null
}

resource "secretsstore_secret" "test" {
  store_id = %q
  name     = %q
%s
}
`, storeID, name, body)
}

func secretValueVar(v string) config.Variables {
	return config.Variables{"secret_value": config.StringVariable(v)}
}

func secretAttr(attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New(attr), check)
}

// TestAccSecretResource_lifecycle walks a secret through its life: created with the legacy value,
// switched to value_wo in place, rotated, scopes and comment changed, scopes reordered (nothing
// to do), comment removed, renamed (replaced) and duplicated, destroyed. Each step checks the
// exact requests.
func TestAccSecretResource_lifecycle(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	reset := func() { m.ResetRequests() }

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkSecretCount(m, store, 0),
		Steps: []resource.TestStep{
			{
				// Create with the legacy value: it is sent once, and kept in state.
				PreConfig: reset,
				Config: secretConfig(m, store, "API_KEY", `
  value   = "legacy-1"
  scopes  = ["workers", "ai_gateway"]
  comment = "first"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(secretAddr, tfjsonpath.New("id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					secretAttr("status", knownvalue.StringExact("active")),
					secretAttr("account_id", knownvalue.StringExact(m.Account)),
					secretAttr("scopes", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("ai_gateway"), knownvalue.StringExact("workers")})),
					secretAttr("comment", knownvalue.StringExact("first")),
					secretAttr("value", knownvalue.StringExact("legacy-1")),
					secretAttr("value_wo", knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routeCreateSecrets,
						`[{"name":"API_KEY","value":"legacy-1","scopes":["ai_gateway","workers"],"comment":"first"}]`),
					checkStoredValue(m, store, "API_KEY", "legacy-1"),
				),
			},
			{
				// Switching to value_wo is an update in place that sends the value_wo value.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-1"),
				Config: secretConfig(m, store, "API_KEY", `
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers", "ai_gateway"]
  comment          = "first"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					secretAttr("value", knownvalue.Null()),
					secretAttr("value_wo", knownvalue.Null()),
					secretAttr("value_wo_version", knownvalue.StringExact("1")),
					secretAttr("status", knownvalue.StringExact("active")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"wo-1","scopes":["ai_gateway","workers"],"comment":"first"}`),
					checkBodies(m, routeCreateSecrets),
					checkStoredValue(m, store, "API_KEY", "wo-1"),
				),
			},
			{
				// Rotation: a new value_wo_version sends the new value by one PATCH, same id.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-2"),
				Config: secretConfig(m, store, "API_KEY", `
  value_wo         = var.secret_value
  value_wo_version = "2"
  scopes           = ["workers", "ai_gateway"]
  comment          = "first"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "value_wo_version"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					secretAttr("value_wo_version", knownvalue.StringExact("2")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"wo-2","scopes":["ai_gateway","workers"],"comment":"first"}`),
					checkStoredValue(m, store, "API_KEY", "wo-2"),
				),
			},
			{
				// Scopes and comment change in place without the value, even though the
				// variable changed: only value_wo_version sends it.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-3-not-sent"),
				Config: secretConfig(m, store, "API_KEY", `
  value_wo         = var.secret_value
  value_wo_version = "2"
  scopes           = ["workers", "access"]
  comment          = "second"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "scopes", "comment"),
					// No new value: the status stays known (only the value makes it pending).
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					secretAttr("comment", knownvalue.StringExact("second")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"scopes":["access","workers"],"comment":"second"}`),
					checkStoredValue(m, store, "API_KEY", "wo-2"),
				),
			},
			{
				// Reordered scopes are the same set: no change, no write.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-3-not-sent"),
				Config: secretConfig(m, store, "API_KEY", `
  value_wo         = var.secret_value
  value_wo_version = "2"
  scopes           = ["access", "workers"]
  comment          = "second"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: checkNoWrites(m),
			},
			{
				// Removing the comment clears it.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-3-not-sent"),
				Config: secretConfig(m, store, "API_KEY", `
  value_wo         = var.secret_value
  value_wo_version = "2"
  scopes           = ["access", "workers"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					newID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					secretAttr("comment", knownvalue.Null()),
				},
				Check: checkBodies(m, routePatchSecret, `{"scopes":["access","workers"],"comment":null}`),
			},
			{
				// A new name replaces the secret: created with the current value, old one
				// deleted. A copy of it is made server-side by source_secret_id.
				PreConfig:       reset,
				ConfigVariables: secretValueVar("wo-4"),
				Config: secretConfig(m, store, "API_KEY_2", `
  value_wo         = var.secret_value
  value_wo_version = "2"
  scopes           = ["access", "workers"]`) + fmt.Sprintf(`
resource "secretsstore_secret" "copy" {
  store_id         = %q
  name             = "API_KEY_COPY"
  source_secret_id = secretsstore_secret.test.id
  scopes           = ["workers"]
  comment          = "copy"
}
`, store),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("secretsstore_secret.copy", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(secretAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(secretAddr, tfjsonpath.New("id"),
						"secretsstore_secret.copy", tfjsonpath.New("source_secret_id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("secretsstore_secret.copy", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routeCreateSecrets, `[{"name":"API_KEY_2","value":"wo-4","scopes":["access","workers"]}]`),
					checkBodies(m, routeDuplicateSecret, `{"name":"API_KEY_COPY","scopes":["workers"],"comment":"copy"}`),
					checkStoredValue(m, store, "API_KEY_COPY", "wo-4"),
					func(*terraform.State) error {
						if got := len(m.RequestsTo(routeDeleteSecret)); got != 1 {
							return fmt.Errorf("got %d deletes, want 1", got)
						}
						if _, ok := m.SecretByName(store, "API_KEY"); ok {
							return fmt.Errorf("the old secret API_KEY still exists")
						}
						return nil
					},
					checkStoredValue(m, store, "API_KEY_2", "wo-4"),
				),
			},
		},
	})
}

// secretWO is the body of a secret fed by value_wo at version "1".
const secretWO = `
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = "imported"`

// TestAccSecretResource_import adopts a secret made outside Terraform with an import block
// (value_wo_version is null after an import, so the plan changes only value_wo_version, and
// applying it sends the configured value), then imports it by id and by name, with
// `terraform import` and with an import block, and refuses bad import ids.
func TestAccSecretResource_import(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	// The secret made outside Terraform matches the configuration in everything the API
	// returns, so adopting it may change only value_wo_version.
	importedComment := "imported"
	store := defaultStoreID(t, m)
	outside, err := apiClient(t, m, m.Token).CreateSecrets(context.Background(),
		client.Owner{Family: client.FamilyAccount, Account: m.Account}, store,
		[]client.SecretInput{{Name: "API_KEY", Value: "made-outside", Scopes: []string{"workers"}, Comment: &importedComment}})
	if err != nil {
		t.Fatal(err)
	}
	const hexName = "0123456789abcdef0123456789abcdef"
	hexNamed, err := apiClient(t, m, m.Token).CreateSecrets(context.Background(),
		client.Owner{Family: client.FamilyAccount, Account: m.Account}, store,
		[]client.SecretInput{{Name: hexName, Value: "x", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := secretConfig(m, store, "API_KEY", secretWO)
	vars := secretValueVar("import-value")
	byName := m.Account + "/" + store + "/API_KEY"
	byID := func(s *terraform.State) (string, error) {
		return m.Account + "/" + store + "/" + s.RootModule().Resources[secretAddr].Primary.ID, nil
	}
	// What the API cannot return: it stays null after an import.
	verifyIgnore := []string{"value_wo_version", "timeouts"}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:       func() { m.ResetRequests() },
				Config:          cfg + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", secretAddr, byName),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "value_wo_version"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					secretAttr("id", knownvalue.StringExact(outside[0].ID)),
					secretAttr("value_wo_version", knownvalue.StringExact("1")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"import-value","scopes":["workers"],"comment":"imported"}`),
					checkBodies(m, routeCreateSecrets),
					checkStoredValue(m, store, "API_KEY", "import-value"),
				),
			},
			{
				ResourceName: secretAddr, ImportState: true, ImportStateKind: resource.ImportCommandWithID,
				Config: cfg, ConfigVariables: vars,
				ImportStateIdFunc: byID, ImportStateVerify: true, ImportStateVerifyIgnore: verifyIgnore,
			},
			{
				ResourceName: secretAddr, ImportState: true, ImportStateKind: resource.ImportCommandWithID,
				Config: cfg, ConfigVariables: vars,
				ImportStateId: byName, ImportStateVerify: true, ImportStateVerifyIgnore: verifyIgnore,
			},
			{
				ResourceName: secretAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				Config: cfg, ConfigVariables: vars,
				ImportStateId:      byName,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "value_wo_version"),
				}},
			},
			{
				ResourceName: secretAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				Config: cfg, ConfigVariables: vars,
				ImportStateIdFunc:  byID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					planChangesOnly(secretAddr, "value_wo_version"),
				}},
			},
			{
				// A 32-hex last segment that is no secret's id is tried as a name.
				ResourceName: secretAddr, ImportState: true, Config: cfg, ConfigVariables: vars,
				ImportStateId: m.Account + "/" + store + "/" + hexName,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != hexNamed[0].ID {
						return fmt.Errorf("imported %v, want the secret named %s (%s)", states, hexName, hexNamed[0].ID)
					}
					return nil
				},
			},
			{
				ResourceName: secretAddr, ImportState: true, Config: cfg, ConfigVariables: vars,
				ImportStateId: m.Account + "/" + store + "/NO_SUCH_SECRET",
				ExpectError:   errText(`Could not import secret NO_SUCH_SECRET from store ` + store),
			},
			{
				ResourceName: secretAddr, ImportState: true, Config: cfg, ConfigVariables: vars,
				ImportStateId: store + "/API_KEY",
				ExpectError:   errText(`must have the form ACCOUNT_ID/STORE_ID/SECRET_ID_OR_NAME`),
			},
		},
	})
}

// TestAccSecretResource_planTimeErrors: what the API would refuse is refused at plan time,
// before any request, with the rule or the valid choices named.
func TestAccSecretResource_planTimeErrors(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := "9a7806061c88ada191ed06f989cc3dac" // never reached: nothing is sent
	woBody := `
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]`
	step := func(name, body string, vars config.Variables, want string) resource.TestStep {
		return resource.TestStep{
			Config:          secretConfig(m, store, name, body),
			ConfigVariables: vars,
			ExpectError:     errText(want),
		}
	}
	nameRule := `must be 1 to 255 characters, each a letter (A-Z, a-z), a digit, '_' or '-' (no spaces)`
	v := secretValueVar("ok")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("my secret", woBody, v, nameRule),
			step("API.KEY", woBody, v, nameRule),
			step(strings.Repeat("A", 256), woBody, v, nameRule),
			step("EMPTY_SCOPES", `
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = []`, v, `needs at least one scope. Known scopes: access, ai_gateway, containers, dex, websearch, workers.`),
			step("TOO_LONG", woBody, secretValueVar(strings.Repeat("x", maxValueBytes+1)),
				`Attribute value_wo string length must be between 1 and 65536, got: 65537`),
			step("TOO_LONG_LEGACY", `
  value  = "`+strings.Repeat("x", maxValueBytes+1)+`"
  scopes = ["workers"]`, nil, `Attribute value string length must be between 1 and 65536, got: 65537`),
			step("TWO_VALUES", woBody+`
  value = "legacy"`, v, `sets value_wo and value: set exactly one of value_wo (with value_wo_version), value (legacy, kept in state) or source_secret_id.`),
			step("VALUE_AND_SOURCE", `
  value            = "legacy"
  source_secret_id = "3fd85f74b32742f1bff64a85009dda07"
  scopes           = ["workers"]`, nil, `sets value and source_secret_id: set exactly one of`),
			// Without a value source the plan only warns (it also runs before a destroy); applying
			// it fails before any request (TestAccSecretResource_cliDestroyNotBlocked).
			step("NO_VALUE", `
  scopes = ["workers"]`, nil, `Creating secret NO_VALUE needs exactly one of value_wo (with value_wo_version), value (legacy, kept in state) or source_secret_id.`),
			step("TYPO_SCOPE", strings.Replace(woBody, `["workers"]`, `["Workers", "ai-gateway"]`, 1), v,
				`holds "Workers": did you mean "workers"?`),
			step("TYPO_SCOPE_2", strings.Replace(woBody, `["workers"]`, `["ai-gateway"]`, 1), v,
				`holds "ai-gateway": did you mean "ai_gateway"?`),
			step("NO_VERSION", `
  value_wo = var.secret_value
  scopes   = ["workers"]`, v, `Attribute "value_wo_version" must be specified when "value_wo" is specified`),
			step("BLANK_SCOPE", strings.Replace(woBody, `["workers"]`, `["workers", ""]`, 1), v,
				`holds "", which is no scope name. Known scopes: access, ai_gateway`),
			step("VERSION_WITHOUT_VALUE_WO", `
  value            = "legacy"
  value_wo_version = "2"
  scopes           = ["workers"]`, nil, `Attribute "value_wo" must be specified when "value_wo_version" is specified`),
			step("EMPTY_COMMENT", woBody+`
  comment = ""`, v, `comment must not be empty: omit the comment attribute (or set it to null) for a secret without one.`),
			step("LONG_COMMENT", woBody+`
  comment = "`+strings.Repeat("é", maxCommentChars+1)+`"`, v, `comment must be at most 1,024 characters, got 1025.`),
			{
				// No account anywhere: neither on the block nor in the provider.
				SkipFunc: func() (bool, error) { return os.Getenv(envAccountID) != "", nil },
				Config: secretConfigWith(fmt.Sprintf("provider \"secretsstore\" {\n  base_url  = %q\n  api_token = %q\n}\n",
					m.URL, m.Token), store, "NO_ACCOUNT", woBody),
				ConfigVariables: v,
				ExpectError:     errText(`Missing account_id`),
			},
			step("BAD_ACCOUNT", strings.Replace(woBody, "value_wo ", "account_id = \"nope\"\n  value_wo ", 1), v,
				`must be 32 lowercase hexadecimal characters`),
		},
	})
	if st := m.Stats(); st.Total != 0 {
		t.Errorf("steps refused at plan time made %d API requests: %v", st.Total, st.Routes)
	}
}

// TestAccSecretResource_retries: transient failures are retried and each apply converges with
// one object: a burst of 429s on create (and 404s while the new secret becomes visible), a 503
// on the rotation's PATCH, and a 502 answered before the create was done (the client finds the
// name free and sends the create once more).
func TestAccSecretResource_retries(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	body := func(version string) string {
		return `
  value_wo         = var.secret_value
  value_wo_version = "` + version + `"
  scopes           = ["workers"]`
	}
	onlySecret := func(name string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			all := m.Secrets(store)
			if len(all) != 1 || all[0].Name != name {
				return fmt.Errorf("the store holds %d secrets (%v), want only %s", len(all), all, name)
			}
			return nil
		}
	}
	count := func(route string, want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := len(m.RequestsTo(route)); got != want {
				return fmt.Errorf("%s: %d requests, want %d", route, got, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					m.ResetRequests()
					m.FailNext(mockserver.Fault{Route: routeCreateSecrets, Count: 3, Status: 429})
					m.FailNext(mockserver.Fault{Route: routeGetSecret, Count: 2, Status: 404})
				},
				Config: secretConfig(m, store, "RETRIED", body("1")), ConfigVariables: secretValueVar("r1"),
				Check: resource.ComposeTestCheckFunc(
					count(routeCreateSecrets, 4), onlySecret("RETRIED"), checkStoredValue(m, store, "RETRIED", "r1")),
			},
			{
				PreConfig: func() {
					m.ResetRequests()
					m.FailNext(mockserver.Fault{Route: routePatchSecret, Status: 503})
				},
				Config: secretConfig(m, store, "RETRIED", body("2")), ConfigVariables: secretValueVar("r2"),
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"value":"r2","scopes":["workers"],"comment":null}`, `{"value":"r2","scopes":["workers"],"comment":null}`),
					onlySecret("RETRIED"), checkStoredValue(m, store, "RETRIED", "r2")),
			},
			{
				PreConfig: func() {
					m.ResetRequests()
					// Before acting: the name is looked up, found free, and the create resent.
					m.FailNext(mockserver.Fault{Route: routeCreateSecrets, Status: 502})
				},
				Config: secretConfig(m, store, "RENAMED", body("2")), ConfigVariables: secretValueVar("r3"),
				Check: resource.ComposeTestCheckFunc(
					count(routeCreateSecrets, 2), onlySecret("RENAMED"), checkStoredValue(m, store, "RENAMED", "r3")),
			},
		},
	})
}

// TestSecretResourceReadNotFound: a secret the API no longer has is removed from the state with
// a warning that names it and says it will be created again, in the family's words.
func TestSecretResourceReadNotFound(t *testing.T) {
	ctx := t.Context()
	m := startMock(t, mockserver.Options{Services: map[string]string{"svc": "svc-token"}})
	const storeID, secretID = "9a7806061c88ada191ed06f989cc3dac", "3fd85f74b32742f1bff64a85009dda07"
	for _, tc := range []struct {
		f     routeFamily
		token string
	}{{accountFamily, m.Token}, {systemFamily, "svc-token"}} {
		r := &secretResource{familyResource{f: tc.f, data: newProviderData(apiClient(t, m, tc.token), coalesce.Options{}, m.Account)}}
		var sr fwresource.SchemaResponse
		r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
		var ir fwresource.IdentitySchemaResponse
		r.IdentitySchema(ctx, fwresource.IdentitySchemaRequest{}, &ir)
		state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		diags := state.Set(ctx, &secretModel{
			ID: types.StringValue(secretID), StoreID: types.StringValue(storeID), Name: types.StringValue("API_KEY"),
			Scopes:    types.SetValueMust(types.StringType, []attr.Value{types.StringValue("workers")}),
			Timeouts:  timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType})},
			AccountID: types.StringValue(m.Account),
		})
		if diags.HasError() {
			t.Fatalf("building the state: %v", diags)
		}
		resp := fwresource.ReadResponse{State: state, Identity: &tfsdk.ResourceIdentity{
			Schema: ir.IdentitySchema, Raw: tftypes.NewValue(ir.IdentitySchema.Type().TerraformType(ctx), nil)}}
		r.Read(ctx, fwresource.ReadRequest{State: state}, &resp)

		if resp.Diagnostics.HasError() || len(resp.Diagnostics) != 1 {
			t.Fatalf("%s: want one warning, got %v", tc.f.family, resp.Diagnostics)
		}
		want := "secret API_KEY (" + secretID + ") in store " + storeID + " was " + tc.f.notFound +
			" (deleted outside Terraform, or its store was). It is removed from the state; it will be planned for creation again."
		if got := resp.Diagnostics[0].Detail(); got != want {
			t.Errorf("%s: warning\n got %q\nwant %q", tc.f.family, got, want)
		}
		if !resp.State.Raw.IsNull() {
			t.Errorf("%s: the secret is still in the state", tc.f.family)
		}
	}
}

// TestAccSecretResource_slowActivationAndGoneOnDelete: a secret still pending when
// timeouts.create runs out is recorded in the state with a warning that says so and which
// timeout to raise (no replacement churn: the API activates it on its own), and a 404 answering
// the destroy's DELETE counts as already gone.
func TestAccSecretResource_slowActivationAndGoneOnDelete(t *testing.T) {
	// Wide margins: the create itself must finish well within the short timeout on a loaded machine.
	m := startMock(t, mockserver.Options{ActivationDelay: 3 * time.Second})
	store := defaultStoreID(t, m)
	withTimeout := func(create string) string {
		return secretConfig(m, store, "SLOW", secretWO+fmt.Sprintf("\n  timeouts = { create = %q }", create))
	}
	vars := secretValueVar("slow-value")
	rec := &diagRecorder{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		Steps: []resource.TestStep{
			{
				PreConfig:       rec.reset,
				Config:          withTimeout("1s"),
				ConfigVariables: vars,
				Check: resource.ComposeTestCheckFunc(
					rec.expectApplyWarning("secretsstore_secret", "Created secret SLOW", "not confirmed active",
						"was still pending after", "timed out after 1s (timeouts.create)", "raise timeouts.create"),
					checkStoredValue(m, store, "SLOW", "slow-value"),
					checkSecretCount(m, store, 1),
				),
			},
			{
				// Raising the timeout changes only the state: no request, the same secret.
				PreConfig:       m.ResetRequests,
				Config:          withTimeout("1m"),
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					planChangesOnly(secretAddr, "timeouts"),
				}},
				Check: resource.ComposeTestCheckFunc(checkNoWrites(m), checkSecretCount(m, store, 1)),
			},
			{
				PreConfig: func() {
					m.FailNext(mockserver.Fault{Route: routeDeleteSecret, Status: http.StatusNotFound})
				},
				Config:          withTimeout("1m"),
				ConfigVariables: vars,
				Destroy:         true,
				Check: func(*terraform.State) error {
					if got := m.RequestsTo(routeDeleteSecret); len(got) != 1 || got[0].Status != http.StatusNotFound {
						return fmt.Errorf("want the destroy's DELETE answered 404, got %+v", got)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSecretResource_createTimeoutLeavesNoOrphans: with a create timeout shorter than the
// API's answer (timeouts.create = "100ms", 300ms of latency), every create in flight is
// finished and recorded, none abandoned, each with a warning naming the timeout: the store
// holds exactly the configured secrets, all in the state, and the next apply needs no create.
func TestAccSecretResource_createTimeoutLeavesNoOrphans(t *testing.T) {
	m := startMock(t, mockserver.Options{Latency: 300 * time.Millisecond})
	store := defaultStoreID(t, m)
	cfg := func(timeout string) string {
		return m.providerBlock() + fmt.Sprintf(`
resource "secretsstore_secret" "s" {
  count    = 20
  store_id = %q
  name     = format("TIMED_%%02d", count.index)
  value    = "timeout-value"
  scopes   = ["workers"]
  timeouts = { create = %q }
}
`, store, timeout)
	}
	rec := &diagRecorder{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		CheckDestroy:             checkSecretCount(m, store, 0),
		Steps: []resource.TestStep{
			{
				PreConfig: rec.reset,
				Config:    cfg("100ms"),
				Check: resource.ComposeTestCheckFunc(
					checkSecretCount(m, store, 20),
					rec.expectApplyWarning("secretsstore_secret", "not confirmed active",
						"the operation timed out after 100ms (timeouts.create)"),
				),
			},
			{
				// Every secret made by the timed-out apply is in the state: nothing to create.
				PreConfig: m.ResetRequests,
				Config:    cfg("2m"),
				Check:     resource.ComposeTestCheckFunc(checkNoWrites(m), checkSecretCount(m, store, 20)),
			},
		},
	})
}
