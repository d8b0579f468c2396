package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretResource_cliChangedOutside drives the CLI: a value rotated through the API is
// reported once by `terraform plan` (and by `terraform apply`), naming that secret and no other,
// with an empty plan; the private state remembering Terraform's writes holds no value. Then,
// as the apply's prompt waits on a planned comment change, someone changes the secret's scopes:
// the confirmed apply succeeds and leaves the state and the API holding the plan.
func TestAccSecretResource_cliChangedOutside(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	store := defaultStoreID(t, m)
	const canary = "canary-cli-outside-41c9"
	c.env = append(c.env, "TF_VAR_secret_value="+canary)
	body := func(comment string) string {
		return fmt.Sprintf(`
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_secret" "rotated" {
  store_id         = %[1]q
  name             = "CLI_ROTATED"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = %[2]q
}

resource "secretsstore_secret" "untouched" {
  store_id         = %[1]q
  name             = "CLI_UNTOUCHED"
  value_wo         = var.secret_value
  value_wo_version = "1"
  scopes           = ["workers"]
}
`, store, comment)
	}
	c.config(body("c1"))
	c.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	c.checkPrivateHoldsNone(canary)
	if out := c.mustRun("plan", "-input=false", "-no-color"); strings.Contains(out, changedOutsideSummary) {
		t.Errorf("the plan after Terraform's own create warns:\n%s", out)
	}

	v := "rotated-by-a-colleague"
	changeOutside(t, m, store, "CLI_ROTATED", client.PatchSecretRequest{Value: &v})
	out, err := c.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err != nil {
		t.Errorf("the plan after a change outside is not empty (%v):\n%s", err, out)
	}
	if n := strings.Count(out, "Warning: "+changedOutsideSummary); n != 1 ||
		!errText("Warning: "+changedOutsideSummary, "secret CLI_ROTATED (", "was changed outside Terraform at").MatchString(out) ||
		strings.Contains(out, "CLI_UNTOUCHED") {
		t.Errorf("want one warning naming CLI_ROTATED only, got %d:\n%s", n, out)
	}

	// The apply's prompt waits on a planned comment change; the scopes change meanwhile.
	c.config(body("c2"))
	answer, yes := io.Pipe()
	c.stdin = answer
	out2 := &syncBuffer{}
	cmd := c.start(out2, "apply", "-no-color")
	waitFor(t, "the apply's prompt", func() bool { return strings.Contains(out2.String(), "Enter a value:") })
	changeOutside(t, m, store, "CLI_ROTATED", client.PatchSecretRequest{Scopes: []string{"ai_gateway", "workers"}})
	if _, err := io.WriteString(yes, "yes\n"); err != nil {
		t.Fatal(err)
	}
	_ = yes.Close() // Wait waits for the end of the input
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the confirmed apply failed: %v\n%s", err, out2.String())
	}
	if n := strings.Count(out2.String(), "Warning: "+changedOutsideSummary); n != 1 {
		t.Errorf("the apply warns %d times that CLI_ROTATED changed outside, want once:\n%s", n, out2.String())
	}
	for _, a := range c.stateResources()["secretsstore_secret"] {
		if a["name"] == "CLI_ROTATED" && (a["comment"] != "c2" || fmt.Sprint(a["scopes"]) != "[workers]") {
			t.Errorf("the state holds comment %v and scopes %v, want the plan's c2 and [workers]", a["comment"], a["scopes"])
		}
	}
	if err := checkHeld(m, store, "CLI_ROTATED", "c2", []string{"workers"}, v)(nil); err != nil {
		t.Error(err)
	}
	c.checkEmptyPlan("after the apply")
	c.checkStateHoldsNone(canary)
	c.checkPrivateHoldsNone(canary)
}

// checkPrivateHoldsNone fails the test unless every resource instance of terraform.tfstate has
// private state, and none holds any of values (it is base64 in the file, so checkStateHoldsNone
// cannot see into it).
func (c *cli) checkPrivateHoldsNone(values ...string) {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		c.t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			p, err := base64.StdEncoding.DecodeString(in.Private)
			if err != nil || !bytes.Contains(p, []byte(lastWriteKey)) {
				c.t.Errorf("an instance's private state does not remember a write (%v): %q", err, p)
			}
			if err := holdsNone("the private state", string(p), values...); err != nil {
				c.t.Error(err)
			}
		}
	}
}

// syncBuffer collects a command's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
