package provider

// Acceptance tests of the /system route family (secretsstore_system_store, _system_secret,
// _system_stores, _system_secrets, _system_secret_duplicate) against one mock serving the account
// and two calling services, svc-a and svc-b. Helpers are in provider_test.go.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

const (
	systemStoreA  = "secretsstore_system_store.a"
	systemSecretA = "secretsstore_system_secret.a"
	systemStoreB  = "secretsstore_system_store.b"
	systemSecretB = "secretsstore_system_secret.b"
)

// TestAccSystemFamily_twoServices: two services each create a system store and secret; each
// lists only its own while the account lists all; changing service A's secret leaves B's alone;
// removing B's objects leaves A's; and A's objects, refreshed with B's token, read as gone (a
// warning, planned for creation again), not as an error.
func TestAccSystemFamily_twoServices(t *testing.T) {
	m := startSystemMock(t)
	rec := &diagRecorder{}
	// The default provider is service A's; svcb is B's, acct the account's.
	providers := func(tokenA string) string {
		return m.providerNamed("secretsstore", tokenA) + m.providerNamed("svcb", serviceTokenB) + m.providerNamed("acct", m.Token)
	}
	lists := `
data "secretsstore_system_stores" "a" {
  depends_on = [secretsstore_system_store.a, secretsstore_system_store.b]
}

data "secretsstore_system_stores" "b" {
  provider   = svcb
  depends_on = [secretsstore_system_store.a, secretsstore_system_store.b]
}

data "secretsstore_system_secrets" "a" {
  store_id   = secretsstore_system_store.a.id
  depends_on = [secretsstore_system_secret.a, secretsstore_system_secret.b]
}

data "secretsstore_system_secrets" "b" {
  provider   = svcb
  store_id   = secretsstore_system_store.b.id
  depends_on = [secretsstore_system_secret.a, secretsstore_system_secret.b]
}

data "secretsstore_stores" "account" {
  provider   = acct
  order      = "name"
  depends_on = [secretsstore_system_store.a, secretsstore_system_store.b]
}
`
	// Ids and B's last modification, taken after the first step.
	var storeA, storeB string
	var modifiedB time.Time
	record := func(*terraform.State) error {
		a, _ := storeNamed(m, "svc_a_store")
		b, _ := storeNamed(m, "svc_b_store")
		storeA, storeB = a.ID, b.ID
		sb, ok := m.SecretByName(storeB, "B_KEY")
		if !ok {
			return fmt.Errorf("no B_KEY in store %s", storeB)
		}
		modifiedB = sb.Modified
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec, "svcb", "acct"),
		CheckDestroy:             checkNoServiceStores(m),
		Steps: []resource.TestStep{
			{
				Config: providers(serviceTokenA) + serviceConfig("a", "", "first") + serviceConfig("b", "svcb", "first") + lists,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(systemStoreA, tfjsonpath.New("account_id"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(systemStoreA, tfjsonpath.New("account_internal_id"), knownvalue.Int64Exact(testInternalID)),
					statecheck.ExpectKnownValue(systemStoreA, tfjsonpath.New("id"), knownvalue.StringRegexp(hexIDPattern)),
					statecheck.ExpectKnownValue(systemSecretA, tfjsonpath.New("account_id"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(systemSecretA, tfjsonpath.New("status"), knownvalue.StringExact(client.StatusActive)),
					statecheck.ExpectKnownValue(systemSecretB, tfjsonpath.New("status"), knownvalue.StringExact(client.StatusActive)),
					expectNames("data.secretsstore_system_stores.a", "stores", "svc_a_store"),
					expectNames("data.secretsstore_system_stores.b", "stores", "svc_b_store"),
					expectNames("data.secretsstore_system_secrets.a", "secrets", "A_KEY"),
					expectNames("data.secretsstore_system_secrets.b", "secrets", "B_KEY"),
					expectNames("data.secretsstore_stores.account", "stores", "default_secrets_store", "svc_a_store", "svc_b_store"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkManagedBy(m, "svc_a_store", serviceA, "A_KEY"),
					checkManagedBy(m, "svc_b_store", serviceB, "B_KEY"),
					checkSystemCreateBodies(m,
						fmt.Sprintf(`{"account_id":%d,"name":"svc_a_store"}`, testInternalID),
						fmt.Sprintf(`{"account_id":%d,"name":"svc_b_store"}`, testInternalID)),
					record,
				),
			},
			{
				// A changes its secret's comment: one PATCH, to A's store; B's secret is untouched.
				PreConfig: func() { m.ResetRequests() },
				Config:    providers(serviceTokenA) + serviceConfig("a", "", "second") + serviceConfig("b", "svcb", "first") + lists,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemSecretA, plancheck.ResourceActionUpdate),
					planChangesOnly(systemSecretA, "comment"),
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(systemStoreB, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(systemSecretB, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.secretsstore_system_secrets.a", tfjsonpath.New("secrets").AtSliceIndex(0).AtMapKey("comment"),
						knownvalue.StringExact("second")),
					statecheck.ExpectKnownValue("data.secretsstore_system_secrets.b", tfjsonpath.New("secrets").AtSliceIndex(0).AtMapKey("comment"),
						knownvalue.StringExact("first")),
				},
				Check: func(*terraform.State) error {
					patches := m.RequestsTo(routeSystemPatchSecret)
					if len(patches) != 1 || !strings.Contains(patches[0].Path, "/stores/"+storeA+"/") {
						return fmt.Errorf("want one PATCH to A's store %s, got %d: %v", storeA, len(patches), patches)
					}
					a, _ := m.SecretByName(storeA, "A_KEY")
					if a.Comment == nil || *a.Comment != "second" {
						return fmt.Errorf("A_KEY's comment is %v, want second", a.Comment)
					}
					b, _ := m.SecretByName(storeB, "B_KEY")
					if !b.Modified.Equal(modifiedB) || b.Comment == nil || *b.Comment != "first" {
						return fmt.Errorf("B_KEY changed: comment %v, modified %s (was %s)", b.Comment, b.Modified, modifiedB)
					}
					return nil
				},
			},
			{
				// B's objects leave the configuration: they are destroyed, A's stay as they were.
				PreConfig: func() { m.ResetRequests() },
				Config:    providers(serviceTokenA) + serviceConfig("a", "", "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemStoreB, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(systemSecretB, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(systemSecretA, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkManagedBy(m, "svc_a_store", serviceA, "A_KEY"),
					func(*terraform.State) error {
						if _, ok := storeNamed(m, "svc_b_store"); ok {
							return fmt.Errorf("store svc_b_store still exists")
						}
						for _, r := range m.Requests() {
							if r.Method == "GET" {
								continue
							}
							if r.Method != "DELETE" || !strings.Contains(r.Path, "/stores/"+storeB) || strings.Contains(r.Path, storeA) {
								return fmt.Errorf("removing B's objects sent %s %s (A's store is %s, B's %s)", r.Method, r.Path, storeA, storeB)
							}
						}
						return nil
					},
				),
			},
			{
				// A's configuration with B's token: B cannot see A's objects, so the refresh drops
				// them with a warning and plans them anew. Nothing is written.
				PreConfig: func() {
					rec.reset()
					m.ResetRequests()
				},
				Config:             providers(serviceTokenB) + serviceConfig("a", "", "second"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(systemSecretA, plancheck.ResourceActionCreate),
					rec.expectWarning("secretsstore_system_store", "Store "+notManagedWarning, "svc_a_store", "will be planned for creation again"),
					rec.expectWarning("secretsstore_system_secret", "Secret "+notManagedWarning, "A_KEY", "planned for creation again"),
					planCheckFunc(func(*tfjson.Plan) error { return checkNoWrites(m)(nil) }),
				}},
			},
			{
				// Back to A's token: A's objects are found again, unchanged; nothing to do.
				PreConfig: func() { rec.reset() },
				Config:    providers(serviceTokenA) + serviceConfig("a", "", "second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkManagedBy(m, "svc_a_store", serviceA, "A_KEY"),
					rec.expectNone(),
				),
			},
		},
	})
}

// TestAccSystemFamily_refusals: an account token on a system type and a service token on an
// account type fail saying which kind of token the type needs; a system store whose
// account_internal_id differs from the number the account is bound to is refused with the hint.
func TestAccSystemFamily_refusals(t *testing.T) {
	m := startSystemMock(t)
	defaultStore := defaultStoreID(t, m)
	// The default provider holds the account's token; svca and svcb the services'.
	providers := m.providerBlock() + m.providerNamed("svca", serviceTokenA) + m.providerNamed("svcb", serviceTokenB)
	first := `
resource "secretsstore_system_store" "first" {
  provider            = svca
  name                = "first"
  account_internal_id = 4242
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(nil, "svca", "svcb"),
		CheckDestroy:             checkNoServiceStores(m),
		Steps: []resource.TestStep{
			{
				Config: providers + `
resource "secretsstore_system_store" "wrong_token" {
  name                = "wrong_kind"
  account_internal_id = 4242
}
`,
				ExpectError: errText("Could not create store wrong_kind", "HTTP 403",
					"The /system routes need the calling service's token; an account API token is refused there."),
			},
			{
				Config: providers + fmt.Sprintf(`
resource "secretsstore_secret" "wrong_token" {
  provider         = svca
  store_id         = %q
  name             = "WRONG_KIND"
  value_wo         = "x"
  value_wo_version = "1"
  scopes           = ["workers"]
}
`, defaultStore),
				ExpectError: errText("Could not create secret WRONG_KIND", "HTTP 403",
					`This change needs an account API token for this account with the "Secrets Store Write" permission`,
					"A service token is refused on the account routes."),
			},
			{
				// The first store binds 4242; another number is refused, whichever service asks.
				Config: providers + first + `
resource "secretsstore_system_store" "second" {
  provider            = svcb
  name                = "second"
  account_internal_id = 999
  depends_on          = [secretsstore_system_store.first]
}
`,
				ExpectError: errText("Could not create store second", "account_id_mismatch",
					"use the same account_internal_id as before"),
			},
			{
				Config: providers + first,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkBodies(m, routeSystemCreateStore,
						`{"account_id":4242,"name":"wrong_kind"}`,
						`{"account_id":4242,"name":"first"}`,
						`{"account_id":999,"name":"second"}`),
					func(*terraform.State) error {
						var names []string
						for _, s := range m.Stores() {
							names = append(names, s.Name+"/"+s.ManagedBy)
						}
						if got := strings.Join(names, ","); got != "default_secrets_store/,first/"+serviceA {
							return fmt.Errorf("the mock holds stores %s, want default_secrets_store and first (svc-a)", got)
						}
						if n := len(m.Secrets(defaultStore)); n != 0 {
							return fmt.Errorf("the default store holds %d secrets, want none", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccSystemFamily_importAndForceDestroy imports a system store and secret by every id form
// (an imported store's null account_internal_id only fills the state, it never replaces the
// store), then refuses to destroy the store while it holds a secret Terraform does not manage,
// until force_destroy is set.
func TestAccSystemFamily_importAndForceDestroy(t *testing.T) {
	m := startSystemMock(t)
	providers := m.providerNamed("secretsstore", serviceTokenA)
	cfg := providers + serviceConfig("a", "", "imported")
	storeID := func() string {
		s, _ := storeNamed(m, "svc_a_store")
		return s.ID
	}
	importID := func(parts ...string) resource.ImportStateIdFunc {
		return func(*terraform.State) (string, error) {
			return strings.Join(append([]string{m.Account, storeID()}, parts...), "/"), nil
		}
	}
	secretID := func() string {
		s, _ := m.SecretByName(storeID(), "A_KEY")
		return s.ID
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkNoServiceStores(m)(s); err != nil {
				return err
			}
			deletes := m.RequestsTo(routeSystemDeleteStore)
			if n := len(deletes); n == 0 || deletes[n-1].Query != "force=true" {
				return fmt.Errorf("the last system store delete was not forced: %v", deletes)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  checkManagedBy(m, "svc_a_store", serviceA, "A_KEY"),
			},
			{
				ResourceName: systemStoreA, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: importID(), Config: cfg, ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionUpdate),
					planChangesOnly(systemStoreA, "account_internal_id"),
				}},
			},
			{
				ResourceName: systemStoreA, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:       importID(),
				ImportStateVerifyIgnore: []string{"account_internal_id"},
			},
			{
				ResourceName: systemStoreA, ImportState: true, ImportStateId: "not-an-id",
				ExpectError: errText("must have the form ACCOUNT_ID/STORE_ID"),
			},
			{
				ResourceName: systemSecretA, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return importID(secretID())(s) },
				Config:            cfg, ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemSecretA, plancheck.ResourceActionUpdate),
					planChangesOnly(systemSecretA, "value_wo_version"),
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionNoop),
				}},
			},
			{
				ResourceName: systemSecretA, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:       importID("A_KEY"),
				ImportStateVerifyIgnore: []string{"value_wo_version"},
			},
			{
				// A secret made outside Terraform keeps the store from being destroyed.
				PreConfig: func() {
					_, err := apiClient(t, m, serviceTokenA).CreateSecrets(context.Background(),
						client.Owner{Family: client.FamilySystem, Account: m.Account}, storeID(),
						[]client.SecretInput{{Name: "STRAY", Value: "stray-value", Scopes: []string{"workers"}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      providers,
				ExpectError: errText("still holds 1 secret(s) that this run does not delete: STRAY.", "set force_destroy = true"),
			},
			{
				// A_KEY went, the store stayed; force_destroy is set in place. The final destroy
				// then deletes the store with STRAY in it.
				Config: providers + fmt.Sprintf(`
resource "secretsstore_system_store" "a" {
  name                = "svc_a_store"
  account_internal_id = %d
  force_destroy       = true
}
`, testInternalID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(systemStoreA, plancheck.ResourceActionUpdate),
					planChangesOnly(systemStoreA, "force_destroy"),
				}},
				Check: func(*terraform.State) error {
					if secrets := m.Secrets(storeID()); len(secrets) != 1 || secrets[0].Name != "STRAY" {
						return fmt.Errorf("the store holds %v, want STRAY only", secrets)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSystemFamily_duplicateAction (Terraform 1.14+): service A's duplicate action copies a
// secret within A's store, value included; service B cannot copy from A's store. The copy keeps
// the store non-empty, so the final destroy needs (and has) force_destroy.
func TestAccSystemFamily_duplicateAction(t *testing.T) {
	m := startSystemMock(t)
	providers := m.providerNamed("secretsstore", serviceTokenA) + m.providerNamed("svcb", serviceTokenB)
	base := providers + fmt.Sprintf(`
resource "secretsstore_system_store" "a" {
  name                = "svc_a_store"
  account_internal_id = %d
  force_destroy       = true
}

resource "secretsstore_system_secret" "a" {
  store_id         = secretsstore_system_store.a.id
  name             = "A_KEY"
  value_wo         = "a-value"
  value_wo_version = "1"
  scopes           = ["workers"]
}

action "secretsstore_system_secret_duplicate" "copy" {
  config {
    store_id  = secretsstore_system_store.a.id
    secret_id = secretsstore_system_secret.a.id
    name      = "A_KEY_COPY"
    scopes    = ["workers", "ai_gateway"]
    comment   = "copied by svc-a"
  }
}

resource "terraform_data" "copy" {
  input = secretsstore_system_secret.a.id
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.secretsstore_system_secret_duplicate.copy]
    }
  }
}
`, testInternalID)
	storeA := func() string {
		s, _ := storeNamed(m, "svc_a_store")
		return s.ID
	}

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   requires(featureActions),
		ProtoV6ProviderFactories: testProviderFactoriesNamed(nil, "svcb"),
		CheckDestroy:             checkNoServiceStores(m),
		Steps: []resource.TestStep{
			{
				Config: base,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkCopy(m, storeA, "A_KEY", "A_KEY_COPY"),
					func(*terraform.State) error {
						st, _ := storeNamed(m, "svc_a_store")
						if st.ManagedBy != serviceA {
							return fmt.Errorf("store svc_a_store is managed by %q", st.ManagedBy)
						}
						cp, _ := m.SecretByName(st.ID, "A_KEY_COPY")
						if cp.Comment == nil || *cp.Comment != "copied by svc-a" || strings.Join(cp.Scopes, ",") != "ai_gateway,workers" {
							return fmt.Errorf("copy: comment %v, scopes %v", cp.Comment, cp.Scopes)
						}
						dups := m.RequestsTo(routeSystemDuplicate)
						if len(dups) != 1 || !strings.Contains(dups[0].Path, "/stores/"+st.ID+"/") {
							return fmt.Errorf("want one system duplicate request on store %s, got %v", st.ID, dups)
						}
						return nil
					},
				),
			},
			{
				// B's action names A's store and secret: B cannot see them.
				Config: base + `
action "secretsstore_system_secret_duplicate" "b_copy" {
  provider = svcb
  config {
    store_id  = secretsstore_system_store.a.id
    secret_id = secretsstore_system_secret.a.id
    name      = "B_STOLEN"
    scopes    = ["workers"]
  }
}

resource "terraform_data" "b_copy" {
  input = secretsstore_system_secret.a.id
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.secretsstore_system_secret_duplicate.b_copy]
    }
  }
}
`,
				ExpectError: errText(notManagedWarning),
			},
		},
	})
	// After the destroy: B copied nothing (checked here, the store is gone by now via force_destroy).
	for _, r := range m.RequestsTo(routeSystemDuplicate) {
		if strings.Contains(string(r.Body), "B_STOLEN") {
			t.Errorf("B's duplicate request reached the API: %s %s", r.Method, r.Path)
		}
	}
}

// TestAccSystemResources: one round for the /system family with a service token: a system
// store needs account_internal_id to be created (checked at plan time), store and secret are
// created and destroyed. Their imports (after which account_internal_id is null, and setting it
// from the configuration is an update, not a replacement) are in
// TestAccSystemFamily_importAndForceDestroy.
func TestAccSystemResources(t *testing.T) {
	m := startMock(t, mockserver.Options{Services: map[string]string{"svc-a": "svc-a-token"}})
	provider := m.providerBlockWithToken("svc-a-token")
	const systemStoreAddr, systemSecretAddr = "secretsstore_system_store.test", "secretsstore_system_secret.test"
	cfg := provider + `
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_system_store" "test" {
  name                = "svc_store"
  account_internal_id = 4242
}

resource "secretsstore_system_secret" "test" {
  store_id         = secretsstore_system_store.test.id
  name             = "SVC_KEY"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`
	vars := secretValueVar("svc-value")
	mark := 0

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoServiceStores(m),
		Steps: []resource.TestStep{
			{
				Config: provider + `
resource "secretsstore_system_store" "test" {
  name = "svc_store"
}`,
				ExpectError: errText(`Creating a system store needs account_internal_id`),
			},
			{
				PreConfig: failOnRequestsSince(t, m, &mark),
				Config:    cfg, ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(systemStoreAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(systemSecretAddr, tfjsonpath.New("account_id"), knownvalue.StringExact(m.Account)),
					statecheck.ExpectKnownValue(systemSecretAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routeSystemCreateStore, `{"account_id":4242,"name":"svc_store"}`),
					// The value rule of checkManagedBy gives SVC_KEY "svc-value", as configured.
					checkManagedBy(m, "svc_store", "svc-a", "SVC_KEY"),
				),
			},
		},
	})
}
