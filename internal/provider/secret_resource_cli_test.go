package provider

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// CLI-driven tests of secretsstore_secret (see cli_test.go): what only a real command shows.

// TestAccSecretResource_cliWarnsOnce: an unknown scope and the legacy value each warn once per
// command, not once per walk (Terraform validates in three walks), and a scope that is a typo
// of a known one is an error naming the one meant, before any request.
func TestAccSecretResource_cliWarnsOnce(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	store := defaultStoreID(t, m)
	c.config(fmt.Sprintf(`
resource "secretsstore_secret" "legacy" {
  store_id = %q
  name     = "LEGACY"
  value    = "legacy-value"
  scopes   = ["workers", "new_product"]
}
`, store))
	for _, cmd := range [][]string{
		{"validate", "-no-color"},
		{"plan", "-input=false", "-no-color"},
		{"apply", "-input=false", "-no-color", "-auto-approve"},
	} {
		out, err := c.run(cmd...)
		if cmd[0] == "apply" {
			// The mock refuses the unknown scope: the apply fails, naming it.
			if err == nil || !errText("secret_scope_invalid", `The scope the API refused is most likely "new_product"`).MatchString(out) {
				t.Fatalf("apply: want the API's refusal naming new_product, got %v:\n%s", err, out)
			}
		} else if err != nil {
			t.Fatalf("%s: %v\n%s", cmd[0], err, out)
		}
		for _, summary := range []string{"Warning: Unknown scope", "Warning: The secret value is stored in the state"} {
			if n := strings.Count(out, summary); n != 1 {
				t.Errorf("%s prints %q %d times, want once:\n%s", cmd[0], summary, n, out)
			}
		}
		if strings.Contains(out, "more similar warning") {
			t.Errorf("%s repeats a warning:\n%s", cmd[0], out)
		}
	}

	// A typo of a known scope is an error at plan time, naming the scope meant.
	c.config(fmt.Sprintf(`
resource "secretsstore_secret" "typo" {
  store_id = %q
  name     = "TYPO"
  value    = "v"
  scopes   = ["worker"]
}
`, store))
	m.ResetRequests()
	out, err := c.run("plan", "-input=false", "-no-color")
	if err == nil || !errText(`Error: Unknown scope`, `"worker": did you mean "workers"?`).MatchString(out) {
		t.Fatalf("plan: want the typo refused with a suggestion, got %v:\n%s", err, out)
	}
	if n := len(m.Requests()); n != 0 {
		t.Errorf("the refused plan made %d API requests, want none", n)
	}
}

// TestAccSecretResource_cliDestroyNotBlocked: a secret adopted without a value (the import
// guide's "not now" path) and then deleted outside Terraform is planned for creation by the
// plan that runs before `terraform destroy`. That plan warns instead of failing, so destroy
// runs; a real apply of the create still fails before any request, saying what it needs.
func TestAccSecretResource_cliDestroyNotBlocked(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	c := newCLI(t, m)
	store := defaultStoreID(t, m)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	api := apiClient(t, m, m.Token)
	made, err := api.CreateSecrets(t.Context(), owner, store,
		[]client.SecretInput{{Name: "ADOPTED", Value: "made-outside", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	c.config(fmt.Sprintf(`
import {
  to = secretsstore_secret.adopted
  id = "%[1]s/%[2]s/ADOPTED"
}

resource "secretsstore_secret" "adopted" {
  store_id = %[2]q
  name     = "ADOPTED"
  scopes   = ["workers"]
}
`, m.Account, store))
	c.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	if err := api.DeleteSecret(t.Context(), owner, store, made[0].ID); err != nil {
		t.Fatal(err)
	}

	out := c.mustRun("plan", "-input=false", "-no-color")
	if !errText("Warning: Missing secret value", "Creating secret ADOPTED needs exactly one of value_wo").MatchString(out) ||
		!strings.Contains(out, "1 to add") {
		t.Errorf("plan: want a create with the missing-value warning:\n%s", out)
	}

	m.ResetRequests()
	out, err = c.run("apply", "-input=false", "-no-color", "-auto-approve")
	if err == nil || !errText("Error: Missing secret value", "Creating secret ADOPTED needs exactly one of").MatchString(out) {
		t.Fatalf("apply: want the create refused, got %v:\n%s", err, out)
	}
	if err := checkNoWrites(m)(nil); err != nil {
		t.Errorf("the refused create reached the API: %v", err)
	}

	out = c.mustRun("destroy", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "Destroy complete!") {
		t.Errorf("destroy did not complete:\n%s", out)
	}
	if res := c.stateResources(); len(res["secretsstore_secret"]) != 0 {
		t.Errorf("the state still holds %v", res)
	}
}

// TestAccSecretResource_cliInterruptLeavesNoOrphans: an apply of 50 secrets interrupted at
// several moments (SIGINT, as a cancelled CI job sends) leaves no secret the state does not
// know, whatever was in flight; a second apply then converges to an empty plan.
func TestAccSecretResource_cliInterruptLeavesNoOrphans(t *testing.T) {
	m := startMock(t, mockserver.Options{Latency: 300 * time.Millisecond, ActivationDelay: 400 * time.Millisecond, SecretQuota: 1000})
	store := defaultStoreID(t, m)
	// Interrupt when the first create is in flight, then with some and with most secrets made.
	for run, made := range []int{0, 15, 35} {
		t.Run(fmt.Sprintf("after %d made", made), func(t *testing.T) {
			c := newCLI(t, m)
			c.env = append(c.env, "TF_VAR_secret_value=interrupted-value")
			prefix := fmt.Sprintf("RUN%d_", run)
			c.config(secretsConfig(store, prefix, 50))
			createsBefore := len(m.RequestsTo(routeCreateSecrets))
			var out bytes.Buffer
			cmd := c.start(&out, "apply", "-auto-approve", "-input=false", "-no-color")
			for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the apply never reached %d secrets:\n%s", made, out.String())
				}
				// The mock logs a request when it arrives, 300ms before it answers: a create
				// is in flight.
				if len(m.RequestsTo(routeCreateSecrets)) > createsBefore && countPrefix(m, store, prefix) >= made {
					break
				}
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Logf("the interrupted apply exited: %v", err) // an interrupted apply fails, as it should
			case <-time.After(2 * time.Minute):
				t.Fatalf("terraform did not stop within 2 minutes of SIGINT:\n%s", out.String())
			}

			// An interrupt is called one, not a timeout to raise.
			if strings.Contains(out.String(), "raise timeouts.create") || strings.Contains(out.String(), "context canceled") {
				t.Errorf("the interrupted apply blames a timeout or prints a bare context error:\n%s", out.String())
			}
			inState := map[string]bool{}
			for _, a := range c.stateResources()["secretsstore_secret"] {
				inState[fmt.Sprint(a["id"])] = true
			}
			for _, s := range m.Secrets(store) {
				if strings.HasPrefix(s.Name, prefix) && !inState[s.ID] {
					t.Errorf("orphan: %s (%s) exists but the state does not know it", s.Name, s.ID)
				}
			}
			t.Logf("interrupted with %d made: %d of 50 secrets exist, %d in the state", made, countPrefix(m, store, prefix), len(inState))

			c.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
			c.checkEmptyPlan("after the second apply")
			if n := countPrefix(m, store, prefix); n != 50 {
				t.Errorf("the store holds %d secrets of this run, want 50", n)
			}
		})
	}
}

// countPrefix counts the secrets of the store whose name starts with prefix.
func countPrefix(m *testMock, storeID, prefix string) int {
	n := 0
	for _, s := range m.Secrets(storeID) {
		if strings.HasPrefix(s.Name, prefix) {
			n++
		}
	}
	return n
}
