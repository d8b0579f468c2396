package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// addAPIError turns a failed call into one diagnostic. The summary names the operation and
// the object ("Could not create secret STRIPE_KEY in store 9a78…"); the detail carries the
// HTTP status, Cloudflare's codes and messages, and a hint when the failure is a known one.
func addAPIError(diags *diag.Diagnostics, f routeFamily, summary string, err error) {
	diags.AddError(summary, apiErrorDetail(f, err))
}

func apiErrorDetail(f routeFamily, err error) string {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The API answered HTTP %d", apiErr.StatusCode)
	for _, m := range apiErr.Errors {
		fmt.Fprintf(&b, "\n- error %d: %s", m.Code, m.Message)
	}
	if apiErr.MoreErrors > 0 {
		fmt.Fprintf(&b, "\n- and %d more errors", apiErr.MoreErrors)
	}
	if len(apiErr.Errors) == 0 && apiErr.Body != "" {
		fmt.Fprintf(&b, " with a body that is not the API's JSON: %s", apiErr.Body)
	}
	if hint := apiErrorHint(f, apiErr); hint != "" {
		b.WriteString("\n\n")
		b.WriteString(hint)
	}
	return b.String()
}

// isAPIError reports an answer from the API (as opposed to no answer).
func isAPIError(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr)
}

// hasAPIReason reports whether err is an API error with this reason (see client.APIError.HasReason).
func hasAPIReason(err error, reason string) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.HasReason(reason)
}

// permissionHint names what the operation (by its HTTP method) needs, after a 403 with
// Cloudflare's authentication code: the permission for an account token, the service token
// for the /system routes.
func permissionHint(f routeFamily, method string) string {
	account := "This change needs an account API token for this account with the \"Secrets Store Write\" " +
		"permission (\"Secrets Store Read\" is not enough). A service token is refused on the account routes."
	if method == http.MethodGet {
		account = "Reading needs an account API token for this account with the \"Secrets Store Read\" " +
			"(or \"Secrets Store Write\") permission. A service token is refused on the account routes."
	}
	return f.describe(account, "The /system routes need the calling service's token; an account API token is "+
		"refused there. Set api_token to the service token (a separate provider configuration keeps the "+
		"account token for the account types).")
}

// apiErrorHint says what to do about the failures users can cause and fix themselves.
func apiErrorHint(f routeFamily, e *client.APIError) string {
	switch {
	case e.StatusCode == 401:
		return "The API did not accept the credentials: check api_token (" + envAPIToken +
			") or api_email and api_key (" + envAPIEmail + ", " + envAPIKey + ")."
	case client.IsWrongTokenKind(e):
		return permissionHint(f, e.Method)
	case e.StatusCode == 403:
		return "The credentials are not allowed to do this. This type needs " + f.tokenKind + "."
	case e.StatusCode == 429:
		return "The API's rate limit (1,200 requests per 5 minutes per token) was still exceeded " +
			"after the provider's retries. Raise max_retries or retry_wait_max, or run Terraform " +
			"with a lower -parallelism."
	case e.HasReason("maximum_stores_exceeded"):
		return "An account can hold only one store, and every account starts with " +
			"default_secrets_store. Use it instead: read it with the secretsstore_store data " +
			"source, or import it into a secretsstore_store resource."
	case e.HasReason("maximum_secrets_exceeded"):
		return "The account's secret quota is used up (the secretsstore_quota data source shows it). " +
			"Delete secrets you no longer need, or ask Cloudflare to raise the limit."
	case e.HasReason("secret_name_already_exists"), e.HasReason("store_name_already_exists"):
		return "The name is already taken. Choose another name, or import the existing object."
	case e.HasReason("secret_scope_invalid"):
		return "The API does not accept one of the scopes. Scopes this provider knows: " +
			strings.Join(knownScopes, ", ") + "."
	case e.HasReason("account_id_mismatch"):
		return "This account is already bound to a different numeric account id through the " +
			"/system routes: use the same account_internal_id as before."
	case e.StatusCode == 404:
		return "The object was " + f.notFound + "."
	}
	return ""
}
