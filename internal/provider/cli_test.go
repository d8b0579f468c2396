package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Some behaviours only the CLI shows: how often a warning is printed across a command's walks,
// what `terraform destroy` does, what an interrupt does. plugin-testing cannot send a signal or
// show warnings, so these tests drive the binary of TF_ACC_TERRAFORM_PATH themselves, as a user
// would, against the provider built from this module through dev_overrides (no init, no
// registry).

// Provider binaries the CLI tests reach through dev_overrides, each built once per test binary:
// this module's provider, and stand-ins for Registry providers that cannot be installed here
// (Terraform plans a move only when it can load the provider the state names; a guide uses
// hashicorp/random).
var (
	providerBinary    = buildOnce(".", "terraform-provider-secretsstore")
	cloudflareStandin = buildOnce("./internal/provider/testdata/cloudflare-standin", "terraform-provider-cloudflare")
	randomStandin     = buildOnce("./internal/provider/testdata/random-standin", "terraform-provider-random")
)

// builtDirs are the directories buildOnce made; TestMain removes them when the tests end.
var (
	builtDirsMu sync.Mutex
	builtDirs   []string
)

// buildOnce builds the package pkg (relative to the module root) the first time it is called,
// into a temporary directory as binary, with go build's extra flags, and returns that directory.
func buildOnce(pkg, binary string, flags ...string) func() (string, error) {
	return sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", binary+"-")
		if err != nil {
			return "", err
		}
		builtDirsMu.Lock()
		builtDirs = append(builtDirs, dir)
		builtDirsMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		build := exec.CommandContext(ctx, "go", append(append([]string{"build"}, flags...), "-o", filepath.Join(dir, binary), pkg)...)
		build.Dir = filepath.Join("..", "..")
		if out, err := build.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
		}
		return dir, nil
	})
}

// TestMain removes the binaries the CLI tests built (tens of MB each) once every test ended.
func TestMain(m *testing.M) {
	code := m.Run()
	builtDirsMu.Lock()
	for _, dir := range builtDirs {
		_ = os.RemoveAll(dir)
	}
	builtDirsMu.Unlock()
	os.Exit(code)
}

// cli runs the CLI in one working directory, with the provider configured from the
// environment (examples/provider/provider.tf reads it) to talk to the test's mock.
type cli struct {
	t   testing.TB
	tf  string
	dir string
	env []string
	// overrides are the dev_overrides of the CLI configuration: provider source → directory.
	overrides map[string]string
	cliConfig string
	// stdin is what start feeds the command (answers to a prompt); nil for none.
	stdin io.Reader
}

// newCLI skips unless acceptance tests run with a CLI binary at TF_ACC_TERRAFORM_PATH.
func newCLI(t testing.TB, m *testMock) *cli {
	t.Helper()
	skipWithoutTFAcc(t)
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set: this test drives the CLI binary itself")
	}
	bin, err := providerBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, tf: tf, dir: t.TempDir(), cliConfig: filepath.Join(t.TempDir(), "terraformrc"), overrides: map[string]string{}}
	c.env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+c.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"CLOUDFLARE_API_TOKEN="+m.Token, "CLOUDFLARE_ACCOUNT_ID="+m.Account, "CLOUDFLARE_BASE_URL="+m.URL)
	c.override("secretsstore/secretsstore", bin)
	return c
}

// override points the CLI at the provider binary in dir for source ("namespace/type"): with
// dev_overrides for every provider a configuration uses, no init is needed.
func (c *cli) override(source, dir string) {
	c.t.Helper()
	c.overrides[source] = dir
	var lines strings.Builder
	for src, d := range c.overrides {
		fmt.Fprintf(&lines, "    %q = %q\n", src, d)
	}
	execWriteFile(c.t, c.cliConfig, "provider_installation {\n  dev_overrides {\n"+lines.String()+"  }\n  direct {}\n}\n")
}

// config writes main.tf: the provider example (credentials and address from the environment)
// followed by body.
func (c *cli) config(body string) {
	c.t.Helper()
	execWriteFile(c.t, filepath.Join(c.dir, "main.tf"), readExample(c.t, "provider/provider.tf")+body)
}

// run runs a command to its end and returns its combined output and error.
func (c *cli) run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.tf, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustRun runs a command that must succeed.
func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(c.tf), strings.Join(args, " "), err, out)
	}
	return out
}

// checkEmptyPlan fails the test unless a plan shows no changes; when says at which point
// ("after the apply").
func (c *cli) checkEmptyPlan(when string) {
	c.t.Helper()
	if out, err := c.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		c.t.Errorf("the plan %s is not empty (%v):\n%s", when, err, out)
	}
}

// checkStateHoldsNone fails the test if terraform.tfstate holds any of values.
func (c *cli) checkStateHoldsNone(values ...string) {
	c.t.Helper()
	st, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := holdsNone("the state", string(st), values...); err != nil {
		c.t.Error(err)
	}
}

// start starts a command and returns it running, its output collected in out.
func (c *cli) start(out io.Writer, args ...string) *exec.Cmd {
	c.t.Helper()
	cmd := exec.Command(c.tf, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	cmd.Stdout, cmd.Stderr, cmd.Stdin = out, out, c.stdin
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// stateResources reads the resources of terraform.tfstate: type name → instances' attributes.
func (c *cli) stateResources() map[string][]map[string]any {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		c.t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		c.t.Fatalf("terraform.tfstate: %v", err)
	}
	out := map[string][]map[string]any{}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			out[r.Type] = append(out[r.Type], in.Attributes)
		}
	}
	return out
}

// secretsConfig is n secrets named PREFIX_000… in store, fed by the ephemeral variable
// secret_value.
func secretsConfig(store, prefix string, n int) string {
	return fmt.Sprintf(`
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_secret" "s" {
  count            = %d
  store_id         = %q
  name             = format("%s%%03d", count.index)
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`, n, store, prefix)
}

func execWriteFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls until holds reports true, for up to two minutes: far beyond a busy machine's
// delays, so the test never bets on a duration. what names the awaited event.
func waitFor(t testing.TB, what string, holds func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !holds(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come within 2 minutes", what)
		}
	}
}

// waitForText waits until the file holds text.
func waitForText(t testing.TB, file, text string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%q in %s", text, file), func() bool {
		b, _ := os.ReadFile(file)
		return strings.Contains(string(b), text)
	})
}
