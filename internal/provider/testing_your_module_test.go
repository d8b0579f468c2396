package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// The guide "Testing your module" (templates/guides/testing-your-module.md.tmpl) shows a module
// with two test files: tests/mock_server.tftest.hcl runs against the mock server, and
// tests/unit.tftest.hcl runs offline with mock_provider. TestAccTestingYourModule runs both as a
// user's CI job would, with `test` in a copy of examples/guides/testing-your-module, and breaks
// each on purpose once to show that they can fail.

// moduleTestDir copies the guide's example module into an empty working directory of c.
func moduleTestDir(t *testing.T, c *cli) {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "guides", "testing-your-module")
	if err := os.CopyFS(c.dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// editModuleTest replaces from by to in one of the module's files, which must hold from.
func editModuleTest(t *testing.T, c *cli, file, from, to string) {
	t.Helper()
	name := filepath.Join(c.dir, filepath.FromSlash(file))
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), from) {
		t.Fatalf("%s does not hold %q", file, from)
	}
	execWriteFile(t, name, strings.Replace(string(b), from, to, 1))
}

func TestAccTestingYourModule(t *testing.T) {
	skipWithoutTFAcc(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("the module's digest check runs curl, which is not on PATH")
	}
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	moduleTestDir(t, c)
	// `get` installs the test helper module (tests/digest) without asking a registry.
	c.mustRun("get", "-no-color")

	out := c.mustRun("test", "-no-color")
	for _, want := range []string{
		`run "creates_the_secrets"... pass`,
		`run "stripe_key_holds_its_value"... pass`,
		`run "a_new_version_rotates"... pass`,
		`run "stripe_key_holds_the_rotated_value"... pass`,
		`run "refuses_a_lower_case_prefix"... pass`,
		`run "names_and_store"... pass`,
		"6 passed, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the test output lacks %q:\n%s", want, out)
		}
	}
	if err := holdsNone("the test output", out, "sk_test_module_value", "sk_test_rotated_value", "whsec_module_value"); err != nil {
		t.Error(err)
	}
	// `test` destroys what its runs made: the next run starts from the same mock.
	if err := checkSecretCount(m, defaultStoreID(t, m), 0)(nil); err != nil {
		t.Errorf("after the test: %v", err)
	}
	// values_version is the module's: the rotation updates both secrets in place.
	if got := m.Stats().Routes["PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"]; got != 2 {
		t.Errorf("the rotation sent %d PATCH requests, want 2", got)
	}

	t.Run("a wrong value fails the digest check", func(t *testing.T) {
		editModuleTest(t, c, "tests/mock_server.tftest.hcl",
			`secret_id = run.creates_the_secrets.secret_ids["STRIPE_KEY"]
    value     = "sk_test_module_value"`,
			`secret_id = run.creates_the_secrets.secret_ids["STRIPE_KEY"]
    value     = "sk_test_some_other_value"`)
		out, err := c.run("test", "-no-color", "-filter=tests/mock_server.tftest.hcl")
		if err == nil || !strings.Contains(out, `run "stripe_key_holds_its_value"... fail`) ||
			!strings.Contains(out, "does not hold the expected value") {
			t.Errorf("a digest of another value passed (%v):\n%s", err, out)
		}
		if err := checkSecretCount(m, defaultStoreID(t, m), 0)(nil); err != nil {
			t.Errorf("after the failed test: %v", err)
		}
	})

	t.Run("mock_provider without the id defaults fails the id validator", func(t *testing.T) {
		editModuleTest(t, c, "tests/unit.tftest.hcl", `id = "0123456789abcdef0123456789abcdef"`, `# no id`)
		out, err := c.run("test", "-no-color", "-filter=tests/unit.tftest.hcl")
		if err == nil || !strings.Contains(out, "must be 32 lowercase hexadecimal characters") {
			t.Errorf("mock_provider's own ids passed the store_id validator (%v):\n%s", err, out)
		}
	})
}
