package provider

// How an operation's time is bounded and reported: its timeout, an interrupt (Ctrl-C, a
// cancelled CI job), the wait for a secret to become active, and a warning when an operation
// spent long waiting, so that CI logs say why.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
)

// notFoundGrace is how long a 404 is retried right after a create or duplicate: a new secret
// may take a moment to be visible to reads.
const notFoundGrace = 10 * time.Second

// longWait is how long an operation may take before it ends with a warning saying where the
// time went (rate limits, retries, activation). A variable so that a test can lower it.
var longWait = 20 * time.Second

// operationTimeout is the cause of a context that ended because the operation's timeout ran
// out; it names the attribute that sets it.
type operationTimeout struct {
	attr  string // "timeouts.create"
	after time.Duration
}

func (e *operationTimeout) Error() string {
	return fmt.Sprintf("the operation timed out after %s (%s)", e.after, e.attr)
}

// withOperationTimeout bounds ctx by timeout, set by the attribute attr. Its requests' attempts
// may use that time (client.WithOperationDeadline), beyond the client's 30s attempt bound.
func withOperationTimeout(ctx context.Context, attr string, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, &operationTimeout{attr: attr, after: timeout})
	return client.WithOperationDeadline(ctx), cancel
}

// timedOut returns the operation's timeout when that is what ended ctx, nil for an interrupt
// or a context still running.
func timedOut(ctx context.Context) *operationTimeout {
	var t *operationTimeout
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &t) {
		return t
	}
	return nil
}

// howEnded says why ctx ended, for a message: "timed out after 5m0s (timeouts.create)" or
// "was interrupted (Terraform was asked to stop: Ctrl-C, or a cancelled CI job)".
func howEnded(ctx context.Context) string {
	if t := timedOut(ctx); t != nil {
		return fmt.Sprintf("timed out after %s (%s)", t.after, t.attr)
	}
	return "was interrupted (Terraform was asked to stop: Ctrl-C, or a cancelled CI job)"
}

// raiseHint is the advice after a timeout: raise the attribute that set it.
func raiseHint(ctx context.Context) string {
	if t := timedOut(ctx); t != nil && strings.HasPrefix(t.attr, "timeouts.") {
		return fmt.Sprintf(" If the API is slow, raise %s.", t.attr)
	}
	return ""
}

// addCallError reports a failed call of an operation whose context may have ended: the
// timeout or interrupt is named rather than a bare "context deadline exceeded", and an
// outcome the API never told is said to be unknown.
func addCallError(ctx context.Context, diags *diag.Diagnostics, f routeFamily, summary, detail string, err error) {
	var taken *client.NameExistsError
	switch {
	case errors.As(err, &taken):
		diags.AddError(summary, nameExistsDetail(f, taken))
	case errors.Is(err, coalesce.ErrOutcomeUnknown):
		diags.AddError(summary, fmt.Sprintf("The operation %s while the request was in flight, and no answer "+
			"came afterwards: it may have taken effect. The next plan reads what exists.%s", howEnded(ctx), raiseHint(ctx)))
	case ctx.Err() != nil && !isAPIError(err):
		diags.AddError(summary, fmt.Sprintf("The operation %s before the API answered; nothing was changed.%s%s",
			howEnded(ctx), raiseHint(ctx), budgetHint(err)))
	default:
		diags.AddError(summary, apiErrorDetail(f, err)+detail)
	}
}

// budgetHint says that a request stopped while it waited for the request budget, so the
// limit, not the API, took the time.
func budgetHint(err error) string {
	if !client.StoppedAtBudget(err) {
		return ""
	}
	return fmt.Sprintf(" It was waiting for the request budget (%s): raise it, or give the operation more time.", attrMaxRPM)
}

// addWaitError reports a failed wait for "active" on object ("secret X (id) in store S", "the
// copy X"). A timeout names the attribute to raise (advice says what else to do); an interrupt
// is said to be one; anything else is an API failure.
func addWaitError(ctx context.Context, diags *diag.Diagnostics, f routeFamily, summary, object, advice string, err error) {
	var w *coalesce.WaitError
	if !errors.As(err, &w) {
		addAPIError(diags, f, summary, err)
		return
	}
	diags.AddError(summary, fmt.Sprintf("%s was still %s (after waiting %s for it to become active): the "+
		"operation %s.%s %s", object, w.LastStatus, w.Waited.Round(time.Millisecond), howEnded(ctx), raiseHint(ctx), advice))
}

// warnLongWait warns when an operation took long, saying where the time went: the wait for
// activation, the API's rate limit, retries after errors. CI logs otherwise show only "Still
// creating… [1m0s elapsed]".
func warnLongWait(diags *diag.Diagnostics, operation string, took, activation time.Duration, tally *client.WaitTally) {
	if took < longWait {
		return
	}
	var parts []string
	if activation > 0 {
		parts = append(parts, fmt.Sprintf("%s waiting for the secret to become active", activation.Round(time.Second)))
	}
	if d := tally.RateLimitWait(); d > 0 {
		parts = append(parts, fmt.Sprintf("%s waiting out the API's rate limit (HTTP 429)", d.Round(time.Second)))
	}
	if d := tally.RetryWait(); d > 0 {
		parts = append(parts, fmt.Sprintf("%s waiting to retry after gateway or connection errors", d.Round(time.Second)))
	}
	if d := tally.BudgetWait(); d > 0 {
		parts = append(parts, fmt.Sprintf("%s waiting for the request budget (%s)", d.Round(time.Second), attrMaxRPM))
	}
	detail := fmt.Sprintf("%s took %s", operation, took.Round(time.Second))
	if len(parts) == 0 {
		detail += ", in API requests that answered slowly."
	} else {
		detail += ": " + strings.Join(parts, "; ") + "."
	}
	switch n := tally.Retries(); {
	case n == 1:
		detail += " One request was retried."
	case n > 1:
		detail += fmt.Sprintf(" Requests were retried %d times in all.", n)
	}
	if tally.RateLimitWait() > 0 {
		detail += " The API allows 1,200 requests per 5 minutes per token: other runs with the same token share it " +
			"(" + attrMaxRPM + " gives each run a share)."
	}
	diags.AddWarning("Slow operation", detail)
}
