package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// featureImportForEachFromData is what "Adopting many secrets" needs: OpenTofu 1.11.0 rejects an
// import block's for_each that refers to a data source ("Invalid for_each argument"); 1.12.3 and
// 1.12.6 accept it.
var featureImportForEachFromData = cliFeature{"import blocks with for_each over a data source", tfversion.Version1_7_0, tfversion.Version1_12_0}

// The guides (templates/guides/*.md.tmpl) are read by people who copy their snippets into an
// empty folder. These tests hold them to that: every guide's first `terraform` snippet is a whole
// configuration (required_providers, the provider's credentials), every variable a guide uses is
// declared in one of its snippets, and the first snippet runs through the CLI as written. The two
// guides with examples of their own (examples/guides/*) are applied in full below.

// guideSnippet is one `terraform` snippet of a guide: a fenced block or an example file included
// with tffile.
type guideSnippet struct {
	where string // "GUIDE snippet N" or the example's path, for messages
	text  string
}

// guideBlock is one top-level block of a snippet.
type guideBlock struct {
	kind   string // resource, variable, terraform…
	labels []string
	body   string // the lines between the braces
}

var (
	guideFencePattern  = regexp.MustCompile("(?s)```terraform\\n(.*?)\\n```|\\{\\{\\s*tffile\\s+\"([^\"]+)\"\\s*\\}\\}")
	blockStartPattern  = regexp.MustCompile(`^([a-z_]+)((?:\s+"[^"]*")*)\s*\{(.*)$`)
	blockLabelPattern  = regexp.MustCompile(`"([^"]*)"`)
	varReferencePattrn = regexp.MustCompile(`\bvar\.([A-Za-z_][A-Za-z0-9_-]*)`)
	requiredProvider   = regexp.MustCompile(`(?m)^\s*([a-z0-9_-]+)\s*=\s*\{[^}]*?\bsource\s*=\s*"([^"]+)"`)
)

// guideNames lists the guides: the names of templates/guides/*.md.tmpl without the extension.
func guideNames(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "templates", "guides", "*.md.tmpl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no guide templates: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".md.tmpl"))
	}
	return names
}

// guideSnippets returns a guide's terraform snippets in page order.
func guideSnippets(t testing.TB, guide string) []guideSnippet {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", guide+".md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []guideSnippet
	for i, m := range guideFencePattern.FindAllStringSubmatch(string(b), -1) {
		if m[2] == "" {
			out = append(out, guideSnippet{where: fmt.Sprintf("%s snippet %d", guide, i+1), text: m[1] + "\n"})
			continue
		}
		ex, err := os.ReadFile(filepath.Join("..", "..", m[2]))
		if err != nil {
			t.Fatalf("%s: tffile %s: %v", guide, m[2], err)
		}
		out = append(out, guideSnippet{where: m[2], text: string(ex)})
	}
	if len(out) == 0 {
		t.Fatalf("guide %s has no terraform snippet", guide)
	}
	return out
}

// blocks splits a snippet into its top-level blocks. Snippets are formatted as `terraform fmt`
// writes them (TestAccGuides_firstSnippets checks it): a block opens on a line at column 0 and
// closes with a "}" at column 0, or opens and closes on one line.
func (s guideSnippet) blocks(t testing.TB) []guideBlock {
	t.Helper()
	var out []guideBlock
	var open *guideBlock
	for n, line := range strings.Split(s.text, "\n") {
		switch {
		case open != nil && line == "}":
			out, open = append(out, *open), nil
		case open != nil:
			open.body += line + "\n"
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//"):
		default:
			m := blockStartPattern.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s, line %d: %q is neither a block nor a comment at the top level", s.where, n+1, line)
			}
			b := guideBlock{kind: m[1]}
			for _, l := range blockLabelPattern.FindAllStringSubmatch(m[2], -1) {
				b.labels = append(b.labels, l[1])
			}
			rest := strings.TrimSpace(m[3])
			if strings.HasPrefix(rest, "}") { // one line: `data "x" "y" {}`
				out = append(out, b)
				continue
			}
			open = &b
		}
	}
	if open != nil {
		t.Fatalf("%s: block %s %v is not closed at column 0", s.where, open.kind, open.labels)
	}
	return out
}

// requiredProviders returns the snippet's required_providers: local name → source.
func (s guideSnippet) requiredProviders(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range s.blocks(t) {
		if b.kind != "terraform" {
			continue
		}
		_, rest, ok := strings.Cut(b.body, "required_providers {")
		if !ok {
			continue
		}
		for _, m := range requiredProvider.FindAllStringSubmatch(rest, -1) {
			out[m[1]] = m[2]
		}
	}
	return out
}

// isConfiguration tells a whole configuration (it has a terraform block) from a fragment.
func (s guideSnippet) isConfiguration(t testing.TB) bool {
	return slices.ContainsFunc(s.blocks(t), func(b guideBlock) bool { return b.kind == "terraform" })
}

// TestGuides_selfContained: in every guide, the first terraform snippet requires the provider as
// secretsstore/secretsstore and configures it (a provider block, or a comment naming the
// environment variables it reads), and every var.NAME of the guide's snippets is declared by one
// of them. Every guide has an entry in guideRuns, which says how its first snippet is run.
func TestGuides_selfContained(t *testing.T) {
	names := guideNames(t)
	for _, guide := range names {
		t.Run(guide, func(t *testing.T) {
			snippets := guideSnippets(t, guide)
			first := snippets[0]
			if src := first.requiredProviders(t)["secretsstore"]; src != "secretsstore/secretsstore" {
				t.Errorf("%s: the first snippet's required_providers has secretsstore = %q, want source \"secretsstore/secretsstore\"", first.where, src)
			}
			hasProvider := slices.ContainsFunc(first.blocks(t), func(b guideBlock) bool {
				return b.kind == "provider" && slices.Equal(b.labels, []string{"secretsstore"})
			})
			if !hasProvider && !strings.Contains(first.text, "CLOUDFLARE_API_TOKEN") {
				t.Errorf("%s: the first snippet has no provider \"secretsstore\" block and no comment on CLOUDFLARE_API_TOKEN", first.where)
			}
			declared := map[string]bool{}
			for _, s := range snippets {
				for _, b := range s.blocks(t) {
					if b.kind == "variable" && len(b.labels) == 1 {
						declared[b.labels[0]] = true
					}
				}
			}
			for _, s := range snippets {
				for _, m := range varReferencePattrn.FindAllStringSubmatch(s.text, -1) {
					if !declared[m[1]] {
						t.Errorf("%s uses var.%s, which no snippet of the guide declares", s.where, m[1])
					}
				}
			}
			if _, ok := guideRuns[guide]; !ok {
				t.Errorf("guide %s has no entry in guideRuns: say how its first snippet runs", guide)
			}
		})
	}
	for guide := range guideRuns {
		if !slices.Contains(names, guide) {
			t.Errorf("guideRuns names %s, which is not a guide", guide)
		}
	}
}

// guideRun says how a guide's first snippet is run, and why that is the honest test of it.
type guideRun struct {
	command string            // "apply" (then a plan that must be empty), "plan" or "validate"
	vars    map[string]string // TF_VAR_ values
	why     string
	// setup makes what the snippet expects to exist, through the API.
	setup func(t *testing.T, m *testMock)
	// expect is text the command's output must contain.
	expect []string
	// after checks more once the command ran.
	after func(t *testing.T, c *cli, m *testMock)
	// requires is a CLI feature the snippet needs beyond the provider's own minimum.
	requires *cliFeature
}

var guideRuns = map[string]guideRun{
	"getting-started": {
		command: "apply", vars: map[string]string{"stripe_key": "sk_test_guide_value"},
		why:    "the guide applies it against the mock",
		expect: []string{`quota = "2 of 100 secrets used"`, `"status" = "active"`},
	},
	"rotating-a-secret": {
		command: "apply", vars: map[string]string{"stripe_key": "sk_live_first", "stripe_key_version": "2026-09-01"},
		why: "the guide's point is the rotation: applied, then a new version plans one update in place",
		after: func(t *testing.T, c *cli, m *testMock) {
			c.env = append(c.env, "TF_VAR_stripe_key=sk_live_second", "TF_VAR_stripe_key_version=2026-10-01")
			out := c.mustRun("plan", "-input=false", "-no-color")
			for _, want := range []string{`~ value_wo_version = "2026-09-01" -> "2026-10-01"`, "Plan: 0 to add, 1 to change, 0 to destroy."} {
				if !strings.Contains(out, want) {
					t.Errorf("the plan after a new version lacks %q:\n%s", want, out)
				}
			}
		},
	},
	"workers-binding": {
		command: "apply", vars: map[string]string{"stripe_key": "sk_live_bound"},
		why:    "the secret must exist and be active before a Worker binds it",
		expect: []string{`"secret_name" = "STRIPE_KEY"`},
	},
	"adopting-existing": {
		command: "apply", why: "it only reads the default store",
		after: func(t *testing.T, _ *cli, m *testMock) {
			if err := checkNoWrites(m)(nil); err != nil {
				t.Error(err)
			}
		},
	},
	"adopting-many-secrets": {
		command: "plan", why: "TestAccGuides_adoptingManySecrets applies it",
		requires: &featureImportForEachFromData,
		setup: func(t *testing.T, m *testMock) {
			fx := accountFixtures(t, m)
			for _, n := range []string{"A_KEY", "B_KEY", "C_KEY"} {
				fx.secret(defaultStoreID(t, m), n, "", "workers")
			}
		},
		expect: []string{"Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."},
	},
	"generating-a-value": {
		command: "apply", why: "hashicorp/random cannot be installed here: a stand-in with its ephemeral random_password runs it (TestAccGuides_generatingAValue tests the rotation)",
	},
	"testing-your-module": {
		command: "validate",
		why:     "it is a module, configured by its caller; TestAccTestingYourModule runs its tests with `test` against the mock",
	},
	"migrating-from-cloudflare": {
		command: "validate",
		why: "it is the configuration before the migration, managed by Cloudflare's provider, which cannot be installed here: " +
			"a stand-in with the v5 schema of cloudflare_secrets_store_secret validates it (TestAccSecretResource_movedFromCloudflare runs the move)",
	},
}

// standins are the providers from the Registry that the guides use, served by stand-ins.
var standins = map[string]func() (string, error){
	"cloudflare/cloudflare": cloudflareStandin,
	"hashicorp/random":      randomStandin,
}

// guideCLI is a CLI in an empty folder holding snippet as main.tf, with every provider it
// requires overridden: the provider under test, or a stand-in. ok is false when a provider has
// no stand-in.
func guideCLI(t *testing.T, m *testMock, s guideSnippet) (c *cli, ok bool) {
	t.Helper()
	c = newCLI(t, m)
	for _, src := range s.requiredProviders(t) {
		if src == "secretsstore/secretsstore" {
			continue
		}
		build, known := standins[src]
		if !known {
			return c, false
		}
		dir, err := build()
		if err != nil {
			t.Fatal(err)
		}
		c.override(src, dir)
	}
	execWriteFile(t, filepath.Join(c.dir, "main.tf"), s.text)
	return c, true
}

// checkFormatted fails when `terraform fmt` would change the snippet.
func checkFormatted(t *testing.T, c *cli, s guideSnippet) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), c.tf, "fmt", "-no-color", "-")
	cmd.Env, cmd.Stdin = c.env, strings.NewReader(s.text)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Errorf("%s: fmt: %v\n%s", s.where, err, errOut.String())
		return
	}
	if out.String() != s.text {
		t.Errorf("%s is not formatted as `terraform fmt` writes it; formatted:\n%s", s.where, out.String())
	}
}

// TestAccGuides_firstSnippets runs every guide's first snippet through the CLI as written, in an
// empty folder, with variables from TF_VAR_ values and the provider configured from the
// environment: apply (then an empty plan), plan or validate, as guideRuns says. Every other
// snippet that is a whole configuration validates, and every snippet is formatted as `terraform
// fmt` writes it. Cloudflare's provider and hashicorp/random are served by stand-ins.
func TestAccGuides_firstSnippets(t *testing.T) {
	for _, guide := range guideNames(t) {
		t.Run(guide, func(t *testing.T) {
			run, ok := guideRuns[guide]
			if !ok {
				t.Fatalf("guide %s has no entry in guideRuns", guide)
			}
			skipWithoutTFAcc(t)
			t.Parallel()
			m := startMock(t, mockserver.Options{})
			if run.setup != nil {
				run.setup(t, m)
			}
			snippets := guideSnippets(t, guide)
			c, ok := guideCLI(t, m, snippets[0])
			if !ok {
				t.Fatalf("%s needs a provider from the Registry that has no stand-in", snippets[0].where)
			}
			if run.requires != nil {
				c.requires(*run.requires)
			}
			t.Logf("%s: %s, because %s", snippets[0].where, run.command, run.why)
			for name, v := range run.vars {
				c.env = append(c.env, "TF_VAR_"+name+"="+v)
			}
			for _, s := range snippets {
				checkFormatted(t, c, s)
			}

			var out string
			switch run.command {
			case "apply":
				out = c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
				c.checkEmptyPlan("after the apply")
				var values []string
				for name, v := range run.vars {
					if !strings.HasSuffix(name, "_version") {
						values = append(values, v)
					}
				}
				c.checkStateHoldsNone(values...)
			case "plan":
				out = c.mustRun("plan", "-input=false", "-no-color")
			case "validate":
				out = c.mustRun("validate", "-no-color")
			default:
				t.Fatalf("unknown command %q", run.command)
			}
			for _, want := range run.expect {
				if !strings.Contains(out, want) {
					t.Errorf("the %s output lacks %q:\n%s", run.command, want, out)
				}
			}
			if run.after != nil {
				run.after(t, c, m)
			}

			for _, s := range snippets[1:] {
				if !s.isConfiguration(t) {
					continue
				}
				v, ok := guideCLI(t, m, s)
				if !ok {
					t.Logf("%s: not validated: it needs a provider from the Registry that has no stand-in", s.where)
					continue
				}
				v.mustRun("validate", "-no-color")
				t.Logf("%s: validated", s.where)
			}
		})
	}
}

// TestAccGuides_adoptingManySecrets applies the "Adopting many secrets" example
// (examples/guides/adopting-many-secrets) as written, in an empty folder, to a store holding 12
// secrets made through the API, and checks what the guide says: the plan imports all 12 and
// changes nothing, the apply sends no write and leaves every value as it was, the next plan is
// empty; a secret left out of the map and removed from the state stays at Cloudflare; a secret
// made afterwards shows as one more import; and with the guide's value_wo block, one apply sends
// each secret its value once, in place.
func TestAccGuides_adoptingManySecrets(t *testing.T) {
	skipWithoutTFAcc(t)
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	c.requires(featureImportForEachFromData)
	store := defaultStoreID(t, m)
	fx := accountFixtures(t, m)
	ids := map[string]string{}
	for i := range 12 {
		name := fmt.Sprintf("SERVICE_%02d_KEY", i+1)
		comment, scopes := "", []string{"workers"}
		if i%3 == 0 {
			comment, scopes = "made in the dashboard", []string{"workers", "ai_gateway"}
		}
		ids[name] = fx.secret(store, name, comment, scopes...).ID
	}

	example := readExample(t, "guides/adopting-many-secrets/main.tf")
	execWriteFile(t, filepath.Join(c.dir, "main.tf"), example)

	m.ResetRequests()
	out := c.mustRun("plan", "-input=false", "-no-color", "-out=tfplan")
	if !strings.Contains(out, "Plan: 12 to import, 0 to add, 0 to change, 0 to destroy.") ||
		strings.Count(out, "will be imported") != 12 {
		t.Fatalf("the plan does not import the 12 secrets and nothing else:\n%s", out)
	}
	c.mustRun("apply", "-input=false", "-no-color", "tfplan")
	if err := checkNoWrites(m)(nil); err != nil {
		t.Errorf("the adoption sent a write: %v", err)
	}
	adopted := map[string]string{}
	for _, attrs := range c.stateResources()["secretsstore_secret"] {
		name, _ := attrs["name"].(string)
		id, _ := attrs["id"].(string)
		adopted[name] = id
	}
	if fmt.Sprint(adopted) != fmt.Sprint(ids) {
		t.Errorf("the state holds secrets %v, want %v", adopted, ids)
	}
	for name := range ids {
		if err := checkStoredValue(m, store, name, "value-of-"+name)(nil); err != nil {
			t.Error(err)
		}
	}
	c.checkEmptyPlan("after the adoption")

	// Stop managing one: out of the map and out of the state.
	const dropped = "SERVICE_12_KEY"
	filtered := strings.Replace(example, "s.name => s }", `s.name => s if s.name != "`+dropped+`" }`, 1)
	if filtered == example {
		t.Fatal("the example's map has changed: update this test")
	}
	execWriteFile(t, filepath.Join(c.dir, "main.tf"), filtered)
	c.mustRun("state", "rm", "-no-color", `secretsstore_secret.adopted["`+dropped+`"]`)
	c.checkEmptyPlan("after dropping " + dropped)
	if _, ok := m.SecretByName(store, dropped); !ok {
		t.Errorf("%s is gone from the store", dropped)
	}

	// A secret made afterwards is adopted by the next apply.
	const later = "MADE_LATER_KEY"
	fx.secret(store, later, "", "workers")
	out = c.mustRun("plan", "-input=false", "-no-color", "-out=tfplan")
	if !strings.Contains(out, "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.") ||
		!strings.Contains(out, `secretsstore_secret.adopted["`+later+`"] will be imported`) {
		t.Fatalf("the plan does not import the secret made later:\n%s", out)
	}
	c.mustRun("apply", "-input=false", "-no-color", "tfplan")

	// Taking the values over with the guide's resource block.
	var takeOver string
	for _, s := range guideSnippets(t, "adopting-many-secrets") {
		if strings.Contains(s.text, `variable "secret_values"`) {
			takeOver = s.text
		}
	}
	resourceStart := strings.Index(filtered, `resource "secretsstore_secret" "adopted"`)
	if takeOver == "" || resourceStart < 0 {
		t.Fatal("the guide has no snippet declaring secret_values, or the example no adopted resource")
	}
	execWriteFile(t, filepath.Join(c.dir, "main.tf"), filtered[:resourceStart]+takeOver)
	managed := map[string]string{}
	var pairs []string
	for name := range ids {
		if name != dropped {
			managed[name] = "taken-over-" + name
		}
	}
	managed[later] = "taken-over-" + later
	for name, v := range managed {
		pairs = append(pairs, fmt.Sprintf("%q = %q", name, v))
	}
	c.env = append(c.env, "TF_VAR_secret_values={"+strings.Join(pairs, ", ")+"}")
	m.ResetRequests()
	out = c.mustRun("plan", "-input=false", "-no-color", "-out=tfplan")
	if want := fmt.Sprintf("Plan: 0 to add, %d to change, 0 to destroy.", len(managed)); !strings.Contains(out, want) ||
		strings.Count(out, `+ value_wo_version = "1"`) != len(managed) {
		t.Fatalf("the plan is not %d updates setting value_wo_version:\n%s", len(managed), out)
	}
	c.mustRun("apply", "-input=false", "-no-color", "tfplan")
	if n := len(m.RequestsTo(routePatchSecret)); n != len(managed) || len(m.RequestsTo(routeCreateSecrets))+len(m.RequestsTo(routeDeleteSecret)) != 0 {
		t.Errorf("taking the values over sent %d PATCH requests (want %d) and %v", n, len(managed), m.Stats().Routes)
	}
	for name, v := range managed {
		if err := checkStoredValue(m, store, name, v)(nil); err != nil {
			t.Error(err)
		}
	}
	if err := checkStoredValue(m, store, dropped, "value-of-"+dropped)(nil); err != nil {
		t.Error(err)
	}
	c.checkEmptyPlan("after taking the values over")
}

// TestAccGuides_generatingAValue applies the "Generating a value" example
// (examples/guides/generating-a-value) as written, with a stand-in for hashicorp/random, and
// checks what the guide says: the secret gets a generated value that no plan or state holds;
// with value_wo_version unchanged nothing is sent and the value stays; a new version sends a
// new value, in place; and two write-only arguments fed by the same ephemeral value in one run
// get the same value.
func TestAccGuides_generatingAValue(t *testing.T) {
	skipWithoutTFAcc(t)
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	example := readExample(t, "guides/generating-a-value/main.tf")
	c, ok := guideCLI(t, m, guideSnippet{where: "generating-a-value/main.tf", text: example})
	if !ok {
		t.Fatal("the example needs a provider that has no stand-in")
	}
	const name = "INTERNAL_API_TOKEN"
	alnum := regexp.MustCompile(`^[A-Za-z0-9]{48}$`)
	stored := func() string {
		t.Helper()
		s, ok := m.SecretByName(store, name)
		if !ok {
			t.Fatalf("the mock holds no %s", name)
		}
		if !alnum.MatchString(s.Value) {
			t.Errorf("%s holds a value that is not 48 letters and digits (%d bytes)", name, len(s.Value))
		}
		return s.Value
	}
	c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	first := stored()
	c.checkStateHoldsNone(first)

	m.ResetRequests()
	c.checkEmptyPlan("with the same version")
	c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	if n := len(m.RequestsTo(routePatchSecret)); n != 0 || stored() != first {
		t.Errorf("with the same version the value changed (%d PATCH requests)", n)
	}

	c.env = append(c.env, "TF_VAR_token_version=2")
	out := c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	if !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
		t.Errorf("the new version was not one update in place:\n%s", out)
	}
	second := stored()
	if n := len(m.RequestsTo(routePatchSecret)); n != 1 || second == first {
		t.Errorf("the new version sent %d PATCH requests; the value changed: %v", n, second != first)
	}
	c.checkStateHoldsNone(first, second)

	// Two write-only arguments fed by the same ephemeral value, their versions changed together.
	const copyName = "INTERNAL_API_TOKEN_COPY"
	execWriteFile(t, filepath.Join(c.dir, "copy.tf"), `
resource "secretsstore_secret" "token_copy" {
  store_id         = data.secretsstore_store.default.id
  name             = "`+copyName+`"
  value_wo         = ephemeral.random_password.token.result
  value_wo_version = var.token_version
  scopes           = ["workers"]
}
`)
	c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	c.env = append(c.env, "TF_VAR_token_version=3")
	c.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	third := stored()
	cp, _ := m.SecretByName(store, copyName)
	if third == second || cp.Value != third {
		t.Errorf("one run with both versions changed did not give both secrets the same new value")
	}
	c.checkStateHoldsNone(first, second, third)
}
