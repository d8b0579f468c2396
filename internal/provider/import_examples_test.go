package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// The placeholder ids of the import examples (examples/resources/TYPE/import*). Their account is
// the mock's own (mockserver.DefaultAccount); the store and secret ids are replaced by those of
// the objects each test makes.
const (
	exampleStoreID      = "9a7806061c88ada191ed06f989cc3dac"
	exampleSecretID     = "3fd85f74b32742f1bff64a85009dda07"
	exampleServiceToken = "import-examples-service-token"
	exampleInternalID   = 123456 // as in the system resource.tf examples
)

// importCase is what one resource type's import examples need.
type importCase struct {
	typeName string
	system   bool // provider token: the service's, not the account's
	// setup makes, outside Terraform, the objects the examples import (named as in the
	// examples), and returns the body of the resource block that adopts them and the real ids
	// that replace the placeholders.
	setup   func(t *testing.T, m *testMock, c *client.Client, o client.Owner) (body string, ids map[string]string)
	prelude string           // blocks the configuration needs besides the resource (variables)
	vars    config.Variables // values of the prelude's variables
	// The plan of an import block: its action and the only attributes it changes.
	action  plancheck.ResourceActionType
	changes []string
	// check runs after that plan is applied.
	check func(m *testMock, ids map[string]string) resource.TestCheckFunc
	// verifyIgnore: what `terraform import` cannot know but the state holds (see import.sh).
	verifyIgnore []string
}

// importExamples are a type's three import examples, their placeholders replaced.
type importExamples struct {
	addr       string      // the address they all import to
	commands   [][2]string // import.sh: address and id of each `terraform import`
	byID       string      // import-by-string-id.tf
	id         string      // its import block's id
	byIdentity string      // import-by-identity.tf
}

var (
	importCommandPattern = regexp.MustCompile(`^terraform import (\S+) (\S+)$`)
	importToPattern      = regexp.MustCompile(`(?m)^\s*to\s*=\s*(\S+)\s*$`)
	importIDPattern      = regexp.MustCompile(`(?m)^\s*id\s*=\s*"([^"]*)"\s*$`)
	hexIDAnywhere        = regexp.MustCompile(`[0-9a-f]{32}`)
)

// exampleSecretVariable declares the ephemeral variable %q that feeds value_wo, as the examples do.
const exampleSecretVariable = `
variable %q {
  type      = string
  sensitive = true
  ephemeral = true
}
`

// loadImportExamples reads the import examples of typeName and replaces the placeholder ids by ids. Every
// 32-hex id left must be the mock's account or one of ids (no unknown placeholder).
func loadImportExamples(t *testing.T, typeName, account string, ids map[string]string) importExamples {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", typeName, name))
		if err != nil {
			t.Fatalf("resource %s has no import example %s: %v", typeName, name, err)
		}
		text := string(b)
		for placeholder, id := range ids {
			text = strings.ReplaceAll(text, placeholder, id)
		}
		for _, id := range hexIDAnywhere.FindAllString(text, -1) {
			if id != account && !slices.Contains(slices.Collect(maps.Values(ids)), id) {
				t.Fatalf("%s/%s: id %s is neither the mock's account nor a known placeholder", typeName, name, id)
			}
		}
		return text
	}
	var ex importExamples
	for _, line := range strings.Split(read("import.sh"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := importCommandPattern.FindStringSubmatch(line)
		if c == nil {
			t.Fatalf("%s/import.sh: %q is not `terraform import ADDRESS ID`", typeName, line)
		}
		ex.commands = append(ex.commands, [2]string{c[1], c[2]})
	}
	if len(ex.commands) == 0 {
		t.Fatalf("%s/import.sh: no `terraform import` command", typeName)
	}
	ex.addr = ex.commands[0][0]
	ex.byID, ex.byIdentity = read("import-by-string-id.tf"), read("import-by-identity.tf")
	id := importIDPattern.FindStringSubmatch(ex.byID)
	if id == nil {
		t.Fatalf("%s/import-by-string-id.tf: no id in the import block", typeName)
	}
	ex.id = id[1]
	addrs := []string{ex.addr}
	for _, c := range ex.commands {
		addrs = append(addrs, c[0])
	}
	for _, text := range []string{ex.byID, ex.byIdentity} {
		to := importToPattern.FindStringSubmatch(text)
		if to == nil {
			t.Fatalf("%s: an import example has no `to`:\n%s", typeName, text)
		}
		addrs = append(addrs, to[1])
	}
	for _, a := range addrs {
		if a != ex.addr || !strings.HasPrefix(a, typeName+".") {
			t.Fatalf("%s: the import examples import to %v; want one address of type %s", typeName, addrs, typeName)
		}
	}
	return ex
}

// planImports is a plan check: the plan imports addr, by the id want or (want "") by identity.
func planImports(addr, want string) plancheck.PlanCheck {
	return planCheckFunc(func(p *tfjson.Plan) error {
		for _, rc := range p.ResourceChanges {
			if rc.Address != addr {
				continue
			}
			imp := rc.Change.Importing
			switch {
			case imp == nil:
				return fmt.Errorf("%s: the plan does not import it (actions %v)", addr, rc.Change.Actions)
			case want != "" && imp.ID != want:
				return fmt.Errorf("%s: the plan imports id %q, want %q", addr, imp.ID, want)
			case want == "" && imp.Identity == nil:
				return fmt.Errorf("%s: the plan imports id %q, not by identity", addr, imp.ID)
			}
			return nil
		}
		return fmt.Errorf("%s: not in the plan", addr)
	})
}

// TestAccImportExamples runs every resource's import examples (examples/resources/TYPE/import.sh,
// import-by-string-id.tf and import-by-identity.tf) as written, against its own mock, with the
// placeholder store and secret ids replaced by those of objects made outside Terraform under the
// examples' names: the import block adopts the objects (its plan changes only what the
// examples' comments say), every `terraform import` of import.sh imports the same state, and
// (Terraform 1.12+) the identity import block adopts them again once they are made anew.
func TestAccImportExamples(t *testing.T) {
	ctx := context.Background()
	secretBody := func(store, name, variable, scopes, comment string) string {
		return fmt.Sprintf(`
  store_id         = %q
  name             = %q
  value_wo         = var.%s
  value_wo_version = "1"
  scopes           = %s%s
`, store, name, variable, scopes, comment)
	}
	// systemStore is the mock's service store named name, made if missing.
	systemStore := func(t *testing.T, m *testMock, c *client.Client, o client.Owner, name string) string {
		if s, ok := storeNamed(m, name); ok {
			return s.ID
		}
		internal := int64(exampleInternalID)
		s, err := c.CreateStore(ctx, o, client.CreateStoreRequest{Name: name, AccountInternalID: &internal})
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	createSecret := func(t *testing.T, c *client.Client, o client.Owner, store string, in client.SecretInput) string {
		s, err := c.CreateSecrets(ctx, o, store, []client.SecretInput{in})
		if err != nil {
			t.Fatal(err)
		}
		return s[0].ID
	}
	comment := "Stripe live key"
	cases := []importCase{
		{
			typeName: "secretsstore_store",
			setup: func(t *testing.T, _ *testMock, c *client.Client, o client.Owner) (string, map[string]string) {
				s, err := c.CreateStore(ctx, o, client.CreateStoreRequest{Name: "payments"})
				if err != nil {
					t.Fatal(err)
				}
				return `
  name          = "payments"
  force_destroy = false
`, map[string]string{exampleStoreID: s.ID}
			},
			action: plancheck.ResourceActionNoop,
			check:  func(m *testMock, _ map[string]string) resource.TestCheckFunc { return checkNoWrites(m) },
		},
		{
			typeName: "secretsstore_secret",
			setup: func(t *testing.T, m *testMock, c *client.Client, o client.Owner) (string, map[string]string) {
				store := defaultStoreID(t, m)
				id := createSecret(t, c, o, store, client.SecretInput{Name: "STRIPE_KEY", Value: "made-outside",
					Scopes: []string{"workers", "ai_gateway"}, Comment: &comment})
				return secretBody(store, "STRIPE_KEY", "stripe_key", `["workers", "ai_gateway"]`, "\n  comment          = \"Stripe live key\""),
					map[string]string{exampleStoreID: store, exampleSecretID: id}
			},
			prelude: fmt.Sprintf(exampleSecretVariable, "stripe_key"),
			vars:    config.Variables{"stripe_key": config.StringVariable("stripe-value")},
			action:  plancheck.ResourceActionUpdate, changes: []string{"value_wo_version"},
			check: func(m *testMock, ids map[string]string) resource.TestCheckFunc {
				return checkStoredValue(m, ids[exampleStoreID], "STRIPE_KEY", "stripe-value")
			},
			verifyIgnore: []string{"value_wo_version"},
		},
		{
			typeName: "secretsstore_system_store",
			system:   true,
			setup: func(t *testing.T, m *testMock, c *client.Client, o client.Owner) (string, map[string]string) {
				return fmt.Sprintf(`
  account_id          = %q
  name                = "managed_by_my_service"
  account_internal_id = %d
`, m.Account, exampleInternalID), map[string]string{exampleStoreID: systemStore(t, m, c, o, "managed_by_my_service")}
			},
			// account_internal_id only fills the state.
			action: plancheck.ResourceActionUpdate, changes: []string{"account_internal_id"},
			check:        func(m *testMock, _ map[string]string) resource.TestCheckFunc { return checkNoWrites(m) },
			verifyIgnore: []string{"account_internal_id"},
		},
		{
			typeName: "secretsstore_system_secret",
			system:   true,
			setup: func(t *testing.T, m *testMock, c *client.Client, o client.Owner) (string, map[string]string) {
				store := systemStore(t, m, c, o, "managed_by_my_service")
				id := createSecret(t, c, o, store, client.SecretInput{Name: "CUSTOMER_API_KEY", Value: "made-outside",
					Scopes: []string{"workers"}})
				return secretBody(store, "CUSTOMER_API_KEY", "customer_api_key", `["workers"]`, ""),
					map[string]string{exampleStoreID: store, exampleSecretID: id}
			},
			prelude: fmt.Sprintf(exampleSecretVariable, "customer_api_key"),
			vars:    config.Variables{"customer_api_key": config.StringVariable("customer-value")},
			action:  plancheck.ResourceActionUpdate, changes: []string{"value_wo_version"},
			check: func(m *testMock, ids map[string]string) resource.TestCheckFunc {
				return checkStoredValue(m, ids[exampleStoreID], "CUSTOMER_API_KEY", "customer-value")
			},
			verifyIgnore: []string{"value_wo_version"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.typeName, func(t *testing.T) {
			skipWithoutTFAcc(t)
			t.Parallel()
			m := startMock(t, mockserver.Options{MaxStores: 2, Services: map[string]string{"example": exampleServiceToken}})
			token, owner := m.Token, client.Owner{Family: client.FamilyAccount, Account: m.Account}
			if tc.system {
				token, owner.Family = exampleServiceToken, client.FamilySystem
			}
			c := apiClient(t, m, token)
			// load makes the objects and reads the examples with their ids.
			load := func(t *testing.T) (importExamples, string, map[string]string) {
				body, ids := tc.setup(t, m, c, owner)
				ex := loadImportExamples(t, tc.typeName, m.Account, ids)
				label := strings.TrimPrefix(ex.addr, tc.typeName+".")
				cfg := m.providerBlockWithToken(token) + tc.prelude +
					fmt.Sprintf("\nresource %q %q {%s}\n", tc.typeName, label, body)
				return ex, cfg, ids
			}
			importStep := func(ex importExamples, cfg, importBlock, id string, ids map[string]string) resource.TestStep {
				return resource.TestStep{
					PreConfig:       m.ResetRequests,
					Config:          cfg + "\n" + importBlock,
					ConfigVariables: tc.vars,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						planImports(ex.addr, id),
						plancheck.ExpectResourceAction(ex.addr, tc.action),
						planChangesOnly(ex.addr, tc.changes...),
					}},
					Check: tc.check(m, ids),
				}
			}

			t.Run("import_block_and_command", func(t *testing.T) {
				ex, cfg, ids := load(t)
				steps := []resource.TestStep{importStep(ex, cfg, ex.byID, ex.id, ids)}
				for _, cmd := range ex.commands {
					steps = append(steps, resource.TestStep{
						ResourceName: cmd[0], ImportState: true, ImportStateKind: resource.ImportCommandWithID,
						ImportStateId: cmd[1], Config: cfg, ConfigVariables: tc.vars,
						ImportStateVerify: true, ImportStateVerifyIgnore: tc.verifyIgnore,
					})
				}
				resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
			})
			// The objects went with the destroy that ended the test above: made anew, they are
			// adopted by identity.
			t.Run("import_by_identity", func(t *testing.T) {
				ex, cfg, ids := load(t)
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					TerraformVersionChecks:   requires(featureIdentityImport),
					Steps:                    []resource.TestStep{importStep(ex, cfg, ex.byIdentity, "", ids)},
				})
			})
		})
	}
}
