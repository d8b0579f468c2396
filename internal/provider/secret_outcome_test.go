package provider

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// What a write cut short by its timeout says, and whether it is true: the mock is checked
// in-process for what it holds, the state and the next plan against it.

// answerHeld serves the mock so that it acts on a write (POST, PATCH) at once, but its answer
// reaches the client only once hold(r) returns, and never if the client gave up first: as when
// the API applied a request and its answer is slow to come back (in flight, taken effect).
func answerHeld(hold func(r *http.Request)) func(*mockserver.Server) http.Handler {
	return func(next *mockserver.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost && r.Method != http.MethodPatch {
				next.ServeHTTP(w, r)
				return
			}
			answer := httptest.NewRecorder()
			next.ServeHTTP(answer, r)
			if hold(r); r.Context().Err() != nil {
				return // the client gave up: the answer is lost
			}
			maps.Copy(w.Header(), answer.Header())
			w.WriteHeader(answer.Code)
			_, _ = w.Write(answer.Body.Bytes())
		})
	}
}

// answeringLate is answerHeld for delay.
func answeringLate(delay time.Duration) func(*mockserver.Server) http.Handler {
	return answerHeld(func(r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	})
}

// rotationConfig is the secret ROTATED fed by value_wo at version, with timeouts.update.
func rotationConfig(m *testMock, store, version, update string) string {
	return secretConfig(m, store, "ROTATED", fmt.Sprintf(`
  value_wo         = var.secret_value
  value_wo_version = %q
  scopes           = ["workers"]
  timeouts         = { update = %q }`, version, update))
}

// TestAccSecretResource_rotationPastTimeoutIsAwaited: a rotation whose PATCH is still in flight
// when timeouts.update runs out (100ms, the API answering after 300ms) is awaited. The API
// applied it, and the warning says so; the state records the new version, so the plan after
// the apply is empty (the framework checks), agreeing with what the mock holds.
func TestAccSecretResource_rotationPastTimeoutIsAwaited(t *testing.T) {
	m := startMock(t, mockserver.Options{Latency: 300 * time.Millisecond})
	store := defaultStoreID(t, m)
	rec := &diagRecorder{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		Steps: []resource.TestStep{
			{Config: rotationConfig(m, store, "1", "1m"), ConfigVariables: secretValueVar("first-value")},
			{
				PreConfig:       rec.reset,
				Config:          rotationConfig(m, store, "2", "100ms"),
				ConfigVariables: secretValueVar("second-value"),
				Check: resource.ComposeTestCheckFunc(
					checkStoredValue(m, store, "ROTATED", "second-value"),
					rec.expectApplyWarning("secretsstore_secret", "Updated secret ROTATED", "not confirmed active",
						"timed out after 100ms (timeouts.update) while the update request was in flight",
						"the API applied the new value", "so the next plan does not send it again"),
				),
				ConfigStateChecks: []statecheck.StateCheck{secretAttr("value_wo_version", knownvalue.StringExact("2"))},
			},
		},
	})
}

// TestAccSecretResource_rotationOutcomeUnknown: when the in-flight grace runs out too (50ms
// here), the error says the outcome is unknown, that the value may be in use, and that the next
// apply sends it again. All true: the API did apply it (the mock acts at once and its answer
// is lost), the state keeps version 1, the next plan shows the update, and applying it sends
// the value again and converges.
func TestAccSecretResource_rotationOutcomeUnknown(t *testing.T) {
	m := startMockBehind(t, mockserver.Options{}, answeringLate(300*time.Millisecond))
	store := defaultStoreID(t, m)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesGrace(nil, 50*time.Millisecond),
		Steps: []resource.TestStep{
			{Config: rotationConfig(m, store, "1", "1m"), ConfigVariables: secretValueVar("first-value")},
			{
				Config:          rotationConfig(m, store, "2", "100ms"),
				ConfigVariables: secretValueVar("second-value"),
				ExpectError: errText("Could not update secret ROTATED",
					"timed out after 100ms (timeouts.update) while the request was in flight",
					"whether it took effect is unknown", "The new value may have been applied",
					"Terraform kept the secret's previous state, so the next plan shows this update again and the next apply sends it again"),
			},
			{
				// What the message said: the value is applied, the state is version 1, and the
				// next apply sends version 2 again.
				PreConfig: func() {
					if err := checkStoredValue(m, store, "ROTATED", "second-value")(nil); err != nil {
						t.Error(err)
					}
					m.ResetRequests()
				},
				Config:          rotationConfig(m, store, "2", "1m"),
				ConfigVariables: secretValueVar("second-value"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					checkBodies(m, routePatchSecret, `{"comment":null,"scopes":["workers"],"value":"second-value"}`),
					checkStoredValue(m, store, "ROTATED", "second-value"),
				),
			},
		},
	})
}

// TestAccSecretResource_createOutcomeUnknown: a create that outlives timeouts.create and the
// in-flight grace (50ms here) fails saying the secret may exist unrecorded, that the next
// apply meets a name clash, and giving the import block. Each is true: the mock holds the
// secret, the state does not, the next apply fails with the clash, and the import block
// adopts it (then sends the configured value, as after any import).
func TestAccSecretResource_createOutcomeUnknown(t *testing.T) {
	m := startMockBehind(t, mockserver.Options{}, answeringLate(300*time.Millisecond))
	store := defaultStoreID(t, m)
	cfg := func(create string) string {
		return secretConfig(m, store, "LOST", secretWO+fmt.Sprintf("\n  timeouts = { create = %q }", create))
	}
	importBlock := fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", secretAddr, m.Account+"/"+store+"/LOST")
	vars := secretValueVar("lost-value")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesGrace(nil, 50*time.Millisecond),
		Steps: []resource.TestStep{
			{
				Config: cfg("100ms"), ConfigVariables: vars,
				ExpectError: errText("Could not create secret LOST in store "+store,
					"timed out after 100ms (timeouts.create) while the request was in flight",
					"Secret LOST may now exist in store "+store+", but Terraform did not record it in the state",
					"The next apply will try to create it again, and fails with a name clash if it exists",
					fmt.Sprintf("id = %q", m.Account+"/"+store+"/LOST"),
					"ADDRESS is this resource's address, shown above"),
			},
			{
				PreConfig: func() {
					if err := checkSecretCount(m, store, 1)(nil); err != nil {
						t.Error("the create the message speaks of: ", err)
					}
				},
				Config: cfg("1m"), ConfigVariables: vars,
				ExpectError: errText("Could not create secret LOST", "secret_name_already_exists"),
			},
			{
				PreConfig: m.ResetRequests,
				Config:    cfg("1m") + importBlock, ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					checkSecretCount(m, store, 1),
					checkStoredValue(m, store, "LOST", "lost-value"),
					checkBodies(m, routeCreateSecrets),
				),
			},
		},
	})
}

// TestAccSecretResource_cliRotationInterrupted: SIGINT while a rotation's PATCH is in flight
// (the API has applied it; its answer comes half a second later). The provider awaits the
// answer and says the new value was applied and recorded; the state holds the new version, the
// mock the new value, and the next plan is empty.
func TestAccSecretResource_cliRotationInterrupted(t *testing.T) {
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	m := startMockBehind(t, mockserver.Options{}, answerHeld(func(r *http.Request) {
		if r.Method != http.MethodPatch {
			return
		}
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) })
	c := newCLI(t, m)
	store := defaultStoreID(t, m)
	c.config(ephemeralSecretConfig("rotated", store, "ROTATED", "1"))
	env := c.env
	c.env = append(env, "TF_VAR_secret_value=first-value")
	c.mustRun("apply", "-auto-approve", "-input=false", "-no-color")

	c.config(ephemeralSecretConfig("rotated", store, "ROTATED", "2"))
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	c.env = append(env, "TF_VAR_secret_value=second-value", "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logFile)
	var out bytes.Buffer
	cmd := c.start(&out, "apply", "-auto-approve", "-input=false", "-no-color")
	select {
	case <-arrived:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the rotation's PATCH never came:\n%s", out.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// The answer is released only once the provider has seen the interrupt with its PATCH in
	// flight: it says so in its log.
	waitForText(t, logFile, "interrupted with a write in flight")
	release <- struct{}{}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Logf("the interrupted apply exited: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatalf("terraform did not stop within 2 minutes of SIGINT:\n%s", out.String())
	}

	text := out.String()
	if !errText("Warning: Updated secret ROTATED", "not confirmed active", "was interrupted",
		"while the update request was in flight", "the API applied the new value",
		"so the next plan does not send it again").MatchString(text) {
		t.Errorf("the interrupted rotation does not say the value was applied:\n%s", text)
	}
	if strings.Contains(text, "nothing was changed") || strings.Contains(text, "context canceled") {
		t.Errorf("the interrupted rotation claims nothing changed, or prints a bare context error:\n%s", text)
	}
	if err := checkStoredValue(m, store, "ROTATED", "second-value")(nil); err != nil {
		t.Error(err)
	}
	if got := c.stateResources()["secretsstore_secret"]; len(got) != 1 || got[0]["value_wo_version"] != "2" {
		t.Errorf("the state holds %v, want value_wo_version 2", got)
	}
	c.checkEmptyPlan("after the interrupted rotation")
	c.checkStateHoldsNone("first-value", "second-value")
}

// ephemeralSecretConfig is secretsstore_secret LABEL named NAME in store, fed by value_wo from
// the ephemeral variable secret_value (not marked sensitive) at version.
func ephemeralSecretConfig(label, store, name, version string) string {
	return fmt.Sprintf(`
variable "secret_value" {
  type      = string
  ephemeral = true
}

resource "secretsstore_secret" %q {
  store_id         = %q
  name             = %q
  value_wo         = var.secret_value
  value_wo_version = %q
  scopes           = ["workers"]
}
`, label, store, name, version)
}
