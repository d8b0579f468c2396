package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccSecretResource_longWaitWarning: an operation that spent long waiting ends with one
// warning saying where the time went: the API's rate limit, and the wait for the secret to
// become active. CI logs otherwise show only "Still creating… [1m0s elapsed]". The threshold is
// lowered for the test (20s in use), so this test does not run in parallel with others.
func TestAccSecretResource_longWaitWarning(t *testing.T) {
	saved := longWait
	longWait = 500 * time.Millisecond
	t.Cleanup(func() { longWait = saved })

	m := startMock(t, mockserver.Options{ActivationDelay: 800 * time.Millisecond})
	store := defaultStoreID(t, m)
	rec := &diagRecorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				m.FailNext(mockserver.Fault{Route: routeCreateSecrets, Status: 429, RetryAfter: time.Second})
				rec.reset()
			},
			Config: secretConfig(m, store, "SLOW_START", `
  value  = "slow-value"
  scopes = ["workers"]`),
			Check: func(*terraform.State) error {
				var warnings []string
				for _, d := range rec.all() {
					if d.d.Severity == tfprotov6.DiagnosticSeverityWarning && d.d.Summary == "Slow operation" {
						warnings = append(warnings, d.d.Detail)
					}
				}
				if len(warnings) != 1 {
					return fmt.Errorf("want one slow-operation warning, got %d:%s", len(warnings), rec)
				}
				for _, want := range []string{"Creating secret SLOW_START", "waiting for the secret to become active",
					"waiting out the API's rate limit (HTTP 429)", "One request was retried."} {
					if !strings.Contains(warnings[0], want) {
						return fmt.Errorf("the warning %q does not say %q", warnings[0], want)
					}
				}
				return nil
			},
		}},
	})
}

// TestWarnLongWaitStaysQuietForQuickOperations: below the threshold nothing is said.
func TestWarnLongWaitStaysQuietForQuickOperations(t *testing.T) {
	var diags = warnLongWaitDiags(longWait-time.Millisecond, 0)
	if len(diags) != 0 {
		t.Errorf("a quick operation warned: %v", diags)
	}
	if diags := warnLongWaitDiags(longWait, 3*time.Second); len(diags) != 1 ||
		!strings.Contains(diags[0].Detail(), "3s waiting for the secret to become active") {
		t.Errorf("a slow operation: %v", diags)
	}
}

// warnLongWaitDiags is what warnLongWait says of an operation that took took, of which
// activation waiting for "active", with no rate limit or retry.
func warnLongWaitDiags(took, activation time.Duration) diag.Diagnostics {
	var d diag.Diagnostics
	warnLongWait(&d, "Creating secret X", took, activation, nil)
	return d
}
