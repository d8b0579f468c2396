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

// addCallError reports a failed call of an operation whose context may have ended, saying only
// what is true: a request whose outcome is unknown (in flight when the operation timed out or
// was interrupted, and unanswered while the provider waited for it afterwards) is said to be
// so, followed by unknown, which says what it may have left behind and what to do; a call that
// ended before its request was sent changed nothing; anything else is the API's failure.
func addCallError(ctx context.Context, diags *diag.Diagnostics, f routeFamily, summary, detail string, err error, unknown string) {
	var taken *client.NameExistsError
	switch {
	case errors.As(err, &taken):
		diags.AddError(summary, nameExistsDetail(f, taken))
	case errors.Is(err, coalesce.ErrOutcomeUnknown):
		diags.AddError(summary, fmt.Sprintf("The operation %s while the request was in flight, and no answer "+
			"came while the provider waited for it afterwards: whether it took effect is unknown. %s%s",
			howEnded(ctx), unknown, raiseHint(ctx)))
	case ctx.Err() != nil && notSent(err):
		diags.AddError(summary, fmt.Sprintf("The operation %s before the request was sent: nothing was changed.%s%s",
			howEnded(ctx), raiseHint(ctx), budgetHint(err)))
	default:
		diags.AddError(summary, apiErrorDetail(f, err)+detail)
	}
}

// notSent reports an error that is the operation's own context ending: the gateway returns
// it only for a request it never sent (one in flight is awaited, and then its own outcome or
// ErrOutcomeUnknown is returned).
func notSent(err error) bool {
	return !errors.Is(err, coalesce.ErrOutcomeUnknown) && !isAPIError(err) &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// unknownCreate says what a create (or duplicate) whose outcome is unknown may have left: what
// ("Secret API_KEY") may exist where ("in store S"), unrecorded; the next apply creates it
// again and meets a name clash if it does; and the import block that adopts it instead. id is
// the import id, or a form of it to fill in.
func unknownCreate(what, where, id, findID string) string {
	return fmt.Sprintf("%s may now exist %s, but Terraform did not record it in the state. The next apply "+
		"will try to create it again, and fails with a name clash if it exists. If it exists, adopt it "+
		"instead with an import block%s:\n\n%s\n\n"+
		"where ADDRESS is this resource's address, shown above.", what, where, findID, importBlock("ADDRESS", id))
}

// unknownSecretCreate is unknownCreate for a secret: the import id may end with its name.
func unknownSecretCreate(owner client.Owner, storeID, name string) string {
	return unknownCreate("Secret "+name, "in store "+storeID,
		fmt.Sprintf("%s/%s/%s", owner.Account, storeID, name), "")
}

// unknownDelete says what a delete whose outcome is unknown leaves: the object may be gone,
// the state still holds it, and the next refresh finds out.
func unknownDelete(object string) string {
	return fmt.Sprintf("%s may have been deleted. The state still holds it: the next plan (or destroy) reads "+
		"it again, and removes it from the state if it is gone.", upperFirst(object))
}

// unknownUpdate says what an update whose outcome is unknown leaves: the change may be in
// effect, the state is the one before the update, so the next apply sends it again.
func unknownUpdate(valueSent bool) string {
	what := "The change"
	if valueSent {
		what = "The new value"
	}
	return what + " may have been applied (and be in use already). Terraform kept the secret's previous " +
		"state, so the next plan shows this update again and the next apply sends it again: a merge-patch, " +
		"so sending it twice is harmless."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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

// warnUpdatedUnconfirmed reports an update the API applied although the operation timed out
// or was interrupted: its answer came only after that (late, awaited as an in-flight request
// is), or, with a new value, the secret was not seen active before it (waitErr: the wait's
// *coalesce.WaitError, nil when the wait never began). The update is recorded in the state, so
// the next plan does not send it again; a warning, as for a create: it took effect.
func warnUpdatedUnconfirmed(ctx context.Context, diags *diag.Diagnostics, object string, valueSent, late bool, waitErr error) {
	what, summary := "the change", "Updated "+object+" after the operation ended"
	if valueSent {
		what, summary = "the new value", "Updated "+object+", not confirmed active"
	}
	var b strings.Builder
	if late {
		fmt.Fprintf(&b, "The operation %s while the update request was in flight. The provider waited for "+
			"its answer: the API applied %s.", howEnded(ctx), what)
	} else {
		fmt.Fprintf(&b, "The API applied %s.", what)
	}
	b.WriteString(" The update is recorded in the state, so the next plan does not send it again.")
	if valueSent {
		var w *coalesce.WaitError
		if errors.As(waitErr, &w) {
			fmt.Fprintf(&b, " The secret was still %s after %s of waiting for it to become active: the operation %s.",
				w.LastStatus, w.Waited.Round(time.Millisecond), howEnded(ctx))
		} else {
			b.WriteString(" Its activation was not awaited.")
		}
		b.WriteString(" The API activates it on its own; until then a Worker that binds it may fail to deploy.")
	}
	b.WriteString(raiseHint(ctx))
	diags.AddWarning(summary, b.String())
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
