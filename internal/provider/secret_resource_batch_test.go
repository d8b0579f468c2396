package provider

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// Creates and deletes of one store go out in batches (internal/coalesce); batching must not
// change what users see: every secret its own outcome and error, no duplicates, nothing lost.

// tenSecrets is ten secrets BATCH_00… in store (count), with the legacy value so that the
// configuration needs no variable.
func tenSecrets(m *testMock, store string) string {
	return m.providerBlock() + fmt.Sprintf(`
resource "secretsstore_secret" "s" {
  count    = 10
  store_id = %q
  name     = format("BATCH_%%02d", count.index)
  value    = "batch-value-${count.index}"
  scopes   = ["workers"]
}
`, store)
}

// checkStoreHolds checks that the store holds exactly these secret names, each once; a
// BATCH_NN secret must hold the value tenSecrets gives it.
func checkStoreHolds(m *testMock, store string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		seen := map[string]int{}
		for _, s := range m.Secrets(store) {
			seen[s.Name]++
		}
		for _, n := range names {
			if seen[n] != 1 {
				return fmt.Errorf("the store holds %d secrets named %s, want 1 (all: %v)", seen[n], n, seen)
			}
		}
		if len(seen) != len(names) {
			return fmt.Errorf("the store holds %v, want exactly %v", seen, names)
		}
		return nil
	}
}

// checkBatchValues checks that each BATCH_NN secret but skip holds "batch-value-N".
func checkBatchValues(m *testMock, store string, skip ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, n := range batchNames() {
			if slices.Contains(skip, n) {
				continue
			}
			if err := checkStoredValue(m, store, n, fmt.Sprintf("batch-value-%d", i))(nil); err != nil {
				return err
			}
		}
		return nil
	}
}

func batchNames() []string {
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("BATCH_%02d", i)
	}
	return names
}

// TestAccSecretResource_batchNameClash: in a batch of ten creates, one name is taken: that
// secret alone fails, with the name-clash error and the import command; the nine others are
// created, each once.
func TestAccSecretResource_batchNameClash(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	taken, err := apiClient(t, m, m.Token).CreateSecrets(t.Context(), client.Owner{Family: client.FamilyAccount, Account: m.Account},
		store, []client.SecretInput{{Name: "BATCH_07", Value: "someone else's", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tenSecrets(m, store),
				ExpectError: errText("Could not create secret BATCH_07 in store "+store, "HTTP 409",
					"secret_name_already_exists: BATCH_07",
					"terraform import secretsstore_secret.<name> "+m.Account+"/"+store+"/"+taken[0].ID),
			},
			{
				// The nine others were created, each once, and recorded: the plan creates only
				// the clash.
				Config:             tenSecrets(m, store),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("secretsstore_secret.s[7]", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("secretsstore_secret.s[6]", plancheck.ResourceActionNoop),
					planCheckFunc(func(*tfjson.Plan) error {
						if err := checkStoreHolds(m, store, batchNames()...)(nil); err != nil {
							return err
						}
						return checkBatchValues(m, store, "BATCH_07")(nil)
					}),
				}},
			},
		},
		CheckDestroy: checkStoreHolds(m, store, "BATCH_07"),
	})
}

// TestAccSecretResource_batchAmbiguousAnswers: a batch the server carried out but answered 503,
// and one whose connection dropped after the server acted, are never resolved by adopting what
// the names hold (nothing proves it is this apply's): every create fails, saying the API may
// have acted and giving the import block, and nothing is recorded or sent twice. The import
// blocks then adopt the ten secrets, each created once.
func TestAccSecretResource_batchAmbiguousAnswers(t *testing.T) {
	for _, fault := range []mockserver.Fault{
		{Route: routeCreateSecrets, Status: 503, AfterAction: true},
		{Route: routeCreateSecrets, Drop: true, AfterAction: true},
	} {
		name := "503 after acting"
		if fault.Drop {
			name = "connection dropped after acting"
		}
		t.Run(name, func(t *testing.T) {
			m := startMock(t, mockserver.Options{})
			store := defaultStoreID(t, m)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						PreConfig: func() { m.FailNext(fault) },
						Config:    tenSecrets(m, store),
						ExpectError: errText("Could not create secret BATCH_", "The API may or may not have acted",
							"Terraform recorded nothing and changed nothing", "import {", "to = secretsstore_secret.<name>",
							`id = "`+m.Account+"/"+store+"/"),
					},
					{
						PreConfig: func() {
							if err := checkStoreHolds(m, store, batchNames()...)(nil); err != nil {
								t.Error(err)
							}
							// Terraform may start the ten creates as one batch or two; each name goes once.
							sent := map[string]int{}
							for _, r := range m.RequestsTo(routeCreateSecrets) {
								var items []struct{ Name string }
								if err := json.Unmarshal(r.Body, &items); err != nil {
									t.Fatal(err)
								}
								for _, it := range items {
									sent[it.Name]++
								}
							}
							for _, n := range batchNames() {
								if sent[n] != 1 {
									t.Errorf("%s was sent %d times, want once (never resent over a name that exists)", n, sent[n])
								}
							}
							if n := len(m.RequestsTo(routePatchSecret)); n != 0 {
								t.Errorf("%d PATCHes after the failed create", n)
							}
						},
						Config: tenSecrets(m, store) + fmt.Sprintf(`
import {
  for_each = { for i in range(10) : i => i } # OpenTofu takes a map or a set, not a list
  to       = secretsstore_secret.s[each.value]
  id       = "%s/%s/${format("BATCH_%%02d", each.value)}"
}
`, m.Account, store),
						Check: resource.ComposeTestCheckFunc(checkStoreHolds(m, store, batchNames()...), checkBatchValues(m, store)),
					},
				},
			})
		})
	}
}

// TestAccStoreResource_destroyedWithSecretsByLiteralID: a store and its secrets that name it
// by a literal id (as `terraform query -generate-config-out` writes them) are destroyed in one
// run, concurrently: the store's delete waits for its secrets' deletes and needs no
// force_destroy.
func TestAccStoreResource_destroyedWithSecretsByLiteralID(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 2})
	made, err := apiClient(t, m, m.Token).CreateStore(t.Context(), client.Owner{Family: client.FamilyAccount, Account: m.Account},
		client.CreateStoreRequest{Name: "literal"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: m.providerBlock() + fmt.Sprintf(`
import {
  to = secretsstore_store.s
  id = "%[1]s/%[2]s"
}

resource "secretsstore_store" "s" {
  name = "literal"
}

resource "secretsstore_secret" "s" {
  count    = 10
  store_id = %[2]q
  name     = format("LITERAL_%%02d", count.index)
  value    = "v"
  scopes   = ["workers"]
}
`, m.Account, made.ID),
		}},
		CheckDestroy: func(*terraform.State) error {
			for _, s := range m.Stores() {
				if s.ID == made.ID {
					return fmt.Errorf("store literal (%s) still exists, holding %d secrets", s.ID, len(m.Secrets(s.ID)))
				}
			}
			for _, r := range m.RequestsTo(routeDeleteStore) {
				if r.Query != "" {
					return fmt.Errorf("the store was deleted with %q: force_destroy was never set", r.Query)
				}
			}
			return nil
		},
	})
}
