package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
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

// endedBy returns a context that ended as the operation ends: a timeout of timeouts.update, or
// an interrupt.
func endedBy(t *testing.T, timeout bool) context.Context {
	t.Helper()
	if timeout {
		ctx, cancel := withOperationTimeout(t.Context(), "timeouts.update", 0)
		t.Cleanup(cancel)
		<-ctx.Done()
		return ctx
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// addCallError tells an outcome the provider does not know from a request never sent, and
// says "nothing was changed" only of the latter.
func TestAddCallErrorSaysWhatIsKnown(t *testing.T) {
	const unknown = "WHAT IT MAY HAVE LEFT."
	transport := errors.New("read tcp: connection reset by peer")
	for _, tc := range []struct {
		name    string
		timeout bool
		err     error
		want    []string
		wantNot []string
	}{{
		name: "in flight past the grace, timeout", timeout: true,
		err:     fmt.Errorf("%w (%w)", coalesce.ErrOutcomeUnknown, context.DeadlineExceeded),
		want:    []string{"timed out after 0s (timeouts.update) while the request was in flight", "whether it took effect is unknown", unknown, "raise timeouts.update"},
		wantNot: []string{"nothing was changed"},
	}, {
		name: "in flight past the grace, interrupt",
		err:  fmt.Errorf("%w (%w)", coalesce.ErrOutcomeUnknown, context.Canceled),
		want: []string{"was interrupted", "whether it took effect is unknown", unknown}, wantNot: []string{"raise", "nothing was changed"},
	}, {
		name: "never sent", timeout: true, err: fmt.Errorf("wrapped: %w", context.DeadlineExceeded),
		want: []string{"timed out after 0s (timeouts.update) before the request was sent: nothing was changed."}, wantNot: []string{unknown},
	}, {
		// An answer awaited after the operation ended is the API's, not the context's.
		name: "answered after the operation ended", err: transport,
		want: []string{"connection reset by peer", "DETAIL"}, wantNot: []string{"nothing was changed", unknown},
	}} {
		var diags diag.Diagnostics
		addCallError(endedBy(t, tc.timeout), &diags, accountFamily, "SUMMARY", "DETAIL", tc.err, unknown)
		if len(diags) != 1 || diags[0].Summary() != "SUMMARY" {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		checkSays(t, tc.name, diags[0].Detail(), tc.want, tc.wantNot)
	}
}

// A create whose outcome is unknown says the name may exist unrecorded, what the next apply
// does, and gives the import block by name.
func TestUnknownSecretCreateGivesTheImportBlock(t *testing.T) {
	got := unknownSecretCreate(client.Owner{Account: "acc"}, "store1", "API_KEY")
	for _, want := range []string{"Secret API_KEY may now exist in store store1", "Terraform did not record it",
		"The next apply will try to create it again, and fails with a name clash if it exists",
		"import {\n    to = ADDRESS\n    id = \"acc/store1/API_KEY\"\n  }", "ADDRESS is this resource's address, shown above"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not say %q", got, want)
		}
	}
	if strings.Contains(got, "reads what exists") {
		t.Errorf("%q claims the next plan finds it", got)
	}
}

// An update applied after its operation ended is reported as applied and recorded, with how
// the operation ended and, for a value, that activation was not confirmed.
func TestWarnUpdatedUnconfirmed(t *testing.T) {
	for _, tc := range []struct {
		name          string
		timeout       bool
		value, late   bool
		waitErr       error
		summary       string
		want, wantNot []string
	}{{
		name: "rotation answered late", timeout: true, value: true, late: true,
		summary: "Updated X, not confirmed active",
		want: []string{"timed out after 0s (timeouts.update) while the update request was in flight",
			"the API applied the new value", "recorded in the state, so the next plan does not send it again",
			"Its activation was not awaited", "raise timeouts.update"},
	}, {
		name: "rotation not seen active", value: true,
		waitErr: &coalesce.WaitError{LastStatus: "pending", Waited: 2 * time.Second},
		summary: "Updated X, not confirmed active",
		want:    []string{"The API applied the new value.", "still pending after 2s of waiting", "was interrupted"},
		wantNot: []string{"in flight", "raise"},
	}, {
		name: "comment answered late", late: true, summary: "Updated X after the operation ended",
		want: []string{"was interrupted (Terraform was asked to stop: Ctrl-C, or a cancelled CI job) while the update request was in flight", "the API applied the change"}, wantNot: []string{"active"},
	}} {
		var diags diag.Diagnostics
		warnUpdatedUnconfirmed(endedBy(t, tc.timeout), &diags, "X", tc.value, tc.late, tc.waitErr)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != tc.summary {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		checkSays(t, tc.name, diags[0].Detail(), tc.want, tc.wantNot)
	}
}

// checkSays fails the test unless text says every one of want and none of wantNot.
func checkSays(t *testing.T, name, text string, want, wantNot []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: %q does not say %q", name, text, w)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(text, w) {
			t.Errorf("%s: %q says %q", name, text, w)
		}
	}
}
