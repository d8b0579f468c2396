package provider

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
)

// Provider attribute names and their environment fallbacks.
const (
	attrAPIToken     = "api_token"
	attrAPIEmail     = "api_email"
	attrAPIKey       = "api_key"
	attrAccountID    = "account_id"
	attrBaseURL      = "base_url"
	attrMaxRetries   = "max_retries"
	attrRetryWaitMax = "retry_wait_max"
	attrMaxRPM       = "max_requests_per_minute"
	// attrAllowInsecureHTTP lets tests reach a mock in a service container by host name over plain
	// http; the token then crosses that network in clear.
	attrAllowInsecureHTTP = "allow_insecure_http"
	attrBatching          = "batching"

	envAPIToken  = "CLOUDFLARE_API_TOKEN"
	envAPIEmail  = "CLOUDFLARE_EMAIL"
	envAPIKey    = "CLOUDFLARE_API_KEY"
	envAccountID = "CLOUDFLARE_ACCOUNT_ID"
	envBaseURL   = "CLOUDFLARE_BASE_URL"
	// Not a CLOUDFLARE_ variable: no other Cloudflare tool should read it.
	envAllowInsecureHTTP = "SECRETSSTORE_ALLOW_INSECURE_HTTP"

	defaultBaseURL      = "https://api.cloudflare.com/client/v4"
	defaultMaxRetries   = 4
	defaultRetryWaitMax = 30 * time.Second
)

type providerModel struct {
	APIToken     types.String `tfsdk:"api_token"`
	APIEmail     types.String `tfsdk:"api_email"`
	APIKey       types.String `tfsdk:"api_key"`
	AccountID    types.String `tfsdk:"account_id"`
	BaseURL      types.String `tfsdk:"base_url"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	RetryWaitMax types.String `tfsdk:"retry_wait_max"`
	MaxRPM       types.Number `tfsdk:"max_requests_per_minute"`
	// AllowInsecureHTTP: see attrAllowInsecureHTTP.
	AllowInsecureHTTP types.Bool `tfsdk:"allow_insecure_http"`
	Batching          types.Bool `tfsdk:"batching"`
}

// providerData is what Configure hands to every resource, data source, action and list resource.
type providerData struct {
	// Gateway is every type's one way to the API: it merges the reads, creates and deletes of
	// concurrent calls per store (Terraform runs up to -parallelism of them on this one provider
	// process).
	Gateway *coalesce.Gateway
	// AccountID is the provider's default account (may be empty: types then require their own).
	AccountID string
}

// newProviderData is the provider data over c, with the provider's default account.
func newProviderData(c *client.Client, opts coalesce.Options, accountID string) *providerData {
	return &providerData{Gateway: coalesce.New(c, opts), AccountID: accountID}
}

// coalesceOptions is what the batching attribute asks of the gateway. batching = false sends
// every create and delete on its own; reads still share a store's listing and waits for
// "active" still share its polls: those cost no caller any time, and are not batches of writes.
func coalesceOptions(batching types.Bool) coalesce.Options {
	if batching.ValueBool() || batching.IsNull() || batching.IsUnknown() {
		return coalesce.Options{}
	}
	return coalesce.Options{Unbatched: true}
}

// providerDataOf takes the provider's data in the Configure of a resource, data source, action
// or list resource. It is nil while Terraform validates a configuration before the provider is
// configured.
func providerDataOf(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", v))
		return nil
	}
	return data
}

// firstValidation reports whether a validation runs before the provider is configured.
// Terraform validates a configuration in each walk of a command (validate, plan and apply),
// each walk in a new provider process, and only the first walk runs before the provider is
// configured. Warnings that need no API (an unknown scope, the legacy value) are given only
// then, so that a command prints each once rather than three times.
func firstValidation(data *providerData) bool { return data == nil }

// requireConfigured reports, as an error, a call on an unconfigured provider; when finishes
// "The provider was not configured before …".
func requireConfigured(data *providerData, when string, diags *diag.Diagnostics) bool {
	if data == nil || data.Gateway == nil {
		diags.AddError("Provider not configured",
			"The provider was not configured before "+when+". This is a bug in the provider: please report it.")
		return false
	}
	return true
}

// blockValue returns the provider block's value of attribute name ("" when unset). A value known
// only after apply (from a resource not yet created) is reported: the provider needs it before
// any request.
func blockValue(v types.String, name, env string, diags *diag.Diagnostics) string {
	if v.IsUnknown() {
		diags.AddAttributeError(path.Root(name), "Provider attribute not known yet",
			fmt.Sprintf("%q depends on a value known only after apply. The provider needs it before "+
				"any request: set it from a variable, or set %s in the environment.", name, env))
	}
	return v.ValueString()
}

// blockOrEnv returns the provider block's value, else the environment variable's.
func blockOrEnv(v types.String, name, env string, diags *diag.Diagnostics) string {
	return cmp.Or(blockValue(v, name, env, diags), os.Getenv(env))
}

// configureClient resolves the provider configuration with its environment fallbacks,
// validates it before any request, and builds the API client.
// tuning lets in-process tests adjust what configureClient builds (page size, retry waits,
// attempt bounds, the in-flight grace); the zero value changes nothing.
type tuning struct {
	client  func(*client.Config)
	gateway func(*coalesce.Options)
}

func configureClient(m providerModel, version, terraformVersion string, tune tuning, diags *diag.Diagnostics) *providerData {
	token, email, key := resolveCredentials(m, diags)
	// The validators check the block's credentials at plan time; these may come from the
	// environment.
	for _, c := range []struct{ attr, env, value string }{
		{attrAPIToken, envAPIToken, token}, {attrAPIEmail, envAPIEmail, email}, {attrAPIKey, envAPIKey, key},
	} {
		if problem := credentialProblem(c.value); problem != "" {
			diags.AddAttributeError(path.Root(c.attr), "Invalid "+c.attr,
				fmt.Sprintf("%s (or %s) %s.", c.attr, c.env, problem))
		}
	}
	accountID := blockOrEnv(m.AccountID, attrAccountID, envAccountID, diags)
	baseURL := blockOrEnv(m.BaseURL, attrBaseURL, envBaseURL, diags)
	allowInsecure := insecureHTTPAllowed(m.AllowInsecureHTTP, diags)
	for name, v := range map[string]attr.Value{attrMaxRetries: m.MaxRetries, attrRetryWaitMax: m.RetryWaitMax, attrMaxRPM: m.MaxRPM, attrBatching: m.Batching} {
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(name), "Provider attribute not known yet",
				fmt.Sprintf("%q depends on a value known only after apply. The provider needs it before "+
					"any request: set it from a variable or a literal.", name))
		}
	}
	if diags.HasError() {
		return nil
	}

	if accountID != "" && !hexIDPattern.MatchString(accountID) {
		diags.AddAttributeError(path.Root(attrAccountID), "Invalid account_id",
			fmt.Sprintf("account_id (or %s) must be 32 lowercase hexadecimal characters, got %q.", envAccountID, accountID))
	}

	if baseURL == "" && m.BaseURL.IsNull() {
		baseURL = defaultBaseURL // unset in the block and in the environment
	}
	if summary, detail := baseURLProblem(baseURL, allowInsecure); summary != "" {
		diags.AddAttributeError(path.Root(attrBaseURL), summary, detail)
	}

	maxRetries := int64(defaultMaxRetries)
	if !m.MaxRetries.IsNull() && !m.MaxRetries.IsUnknown() {
		maxRetries = m.MaxRetries.ValueInt64()
	}
	retryWaitMax := defaultRetryWaitMax
	if !m.RetryWaitMax.IsNull() && !m.RetryWaitMax.IsUnknown() {
		d, ok := positiveDuration(m.RetryWaitMax.ValueString())
		if !ok {
			diags.AddAttributeError(path.Root(attrRetryWaitMax), "Invalid retry_wait_max",
				fmt.Sprintf("retry_wait_max must be a positive duration such as \"30s\" or \"2m\", got %q.", m.RetryWaitMax.ValueString()))
		}
		retryWaitMax = d
	}
	maxRPM, problem := requestBudget(m.MaxRPM)
	if problem != "" {
		diags.AddAttributeError(path.Root(attrMaxRPM), "Invalid "+attrMaxRPM, problem)
	}
	if diags.HasError() {
		return nil
	}

	cfg := client.Config{
		BaseURL:      baseURL,
		APIToken:     token,
		APIEmail:     email,
		APIKey:       key,
		MaxRetries:   int(maxRetries),
		RetryWaitMax: retryWaitMax,
		UserAgent:    userAgent(version, terraformVersion),

		MaxRequestsPerMinute: maxRPM,
	}
	if tune.client != nil {
		tune.client(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		diags.AddError("Could not configure the Secrets Store client", err.Error())
		return nil
	}
	opts := coalesceOptions(m.Batching)
	if tune.gateway != nil {
		tune.gateway(&opts)
	}
	return newProviderData(c, opts, accountID)
}

// resolveCredentials picks one authentication method. A method set in the provider block wins
// over the environment (a leftover CLOUDFLARE_EMAIL does not break a configured api_token), and
// each half of the legacy pair falls back to its own variable. Both methods in the environment:
// the token is used, with a warning.
func resolveCredentials(m providerModel, diags *diag.Diagnostics) (token, email, key string) {
	cfgToken := blockValue(m.APIToken, attrAPIToken, envAPIToken, diags)
	cfgEmail := blockValue(m.APIEmail, attrAPIEmail, envAPIEmail, diags)
	cfgKey := blockValue(m.APIKey, attrAPIKey, envAPIKey, diags)
	if diags.HasError() {
		return "", "", ""
	}

	switch {
	case cfgToken != "" && (cfgEmail != "" || cfgKey != ""):
		diags.AddAttributeError(path.Root(attrAPIToken), "Conflicting credentials",
			"The provider block sets api_token and the legacy api_email/api_key: set one method, not both.")
		return "", "", ""
	case cfgToken != "":
		return cfgToken, "", ""
	case cfgEmail != "" || cfgKey != "":
		email, key = cmp.Or(cfgEmail, os.Getenv(envAPIEmail)), cmp.Or(cfgKey, os.Getenv(envAPIKey))
	default:
		token, email, key = os.Getenv(envAPIToken), os.Getenv(envAPIEmail), os.Getenv(envAPIKey)
		if token != "" {
			if email != "" || key != "" {
				diags.AddWarning("Two sets of credentials in the environment",
					fmt.Sprintf("%s and the legacy %s/%s are all set; the provider uses the API token. "+
						"Unset the ones you do not mean to use.", envAPIToken, envAPIEmail, envAPIKey))
			}
			return token, "", ""
		}
	}

	switch {
	case email != "" && key == "":
		diags.AddAttributeError(path.Root(attrAPIKey), "Missing api_key",
			fmt.Sprintf("api_email (or %s) is set, so api_key (or %s) is required with it.", envAPIEmail, envAPIKey))
	case key != "" && email == "":
		diags.AddAttributeError(path.Root(attrAPIEmail), "Missing api_email",
			fmt.Sprintf("api_key (or %s) is set, so api_email (or %s) is required with it.", envAPIKey, envAPIEmail))
	case email == "" && key == "":
		diags.AddAttributeError(path.Root(attrAPIToken), "Missing credentials",
			fmt.Sprintf("Set api_token in the provider block or %s in the environment "+
				"(or the legacy api_email and api_key, %s and %s).", envAPIToken, envAPIEmail, envAPIKey))
	}
	return "", email, key
}

// insecureHTTPAllowed resolves allow_insecure_http: the provider block's value, else
// SECRETSSTORE_ALLOW_INSECURE_HTTP (a value strconv.ParseBool reads), else false.
func insecureHTTPAllowed(v types.Bool, diags *diag.Diagnostics) bool {
	switch {
	case v.IsUnknown():
		diags.AddAttributeError(path.Root(attrAllowInsecureHTTP), "Provider attribute not known yet",
			fmt.Sprintf("%q depends on a value known only after apply. The provider needs it before "+
				"any request: set it from a variable or a literal, or set %s in the environment.", attrAllowInsecureHTTP, envAllowInsecureHTTP))
		return false
	case !v.IsNull():
		return v.ValueBool()
	}
	env := os.Getenv(envAllowInsecureHTTP)
	if env == "" {
		return false
	}
	allowed, err := strconv.ParseBool(env)
	if err != nil {
		diags.AddAttributeError(path.Root(attrAllowInsecureHTTP), "Invalid "+envAllowInsecureHTTP,
			fmt.Sprintf("%s must be true or false, got %q.", envAllowInsecureHTTP, env))
	}
	return allowed
}

// baseURLProblem refuses anything but https, except plain http to a loopback host (or to any
// host with allowInsecure), so a token is never sent in clear over a network unless the user
// said so, and a URL holding a user or password. It returns the summary and detail of the error,
// or "" when the URL is fine. Messages show the URL with any password hidden.
func baseURLProblem(raw string, allowInsecure bool) (summary, detail string) {
	shown := maskedURL(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "Empty base_url", "base_url is empty: remove the attribute to use " + defaultBaseURL + "."
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "Invalid base_url", fmt.Sprintf("base_url (or %s) must be an absolute https:// URL, got %q.", envBaseURL, shown)
	case u.User != nil:
		return "Invalid base_url", fmt.Sprintf("base_url (or %s) must not hold a user name or password (%q): "+
			"set the credentials in api_token, or api_email and api_key.", envBaseURL, shown)
	case u.Scheme == "http" && !isLoopback(u.Hostname()) && !allowInsecure:
		return "Insecure base_url", fmt.Sprintf("base_url (or %s) uses plain http:// with the non-loopback host %q: "+
			"credentials would cross the network unencrypted. Use https:// (for the bundled mock: start it "+
			"with -tls-dir DIR and set SSL_CERT_FILE to DIR/ca.pem), or http:// only for 127.0.0.1, ::1 or "+
			"localhost. For a test network only, %s = true (or %s=true) accepts it: the token then "+
			"travels in clear.", envBaseURL, u.Hostname(), attrAllowInsecureHTTP, envAllowInsecureHTTP)
	}
	return "", ""
}

// userInfoPattern finds the user part of a URL that does not parse.
var userInfoPattern = regexp.MustCompile(`//[^/?#]*@`)

// maskedURL is raw for messages, with any user and password replaced by "***".
func maskedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("***")
		return u.String()
	}
	return userInfoPattern.ReplaceAllString(raw, "//***@")
}

// credentialProblem says what is wrong with a credential's text, or "" when nothing is. The
// credential itself is never part of the answer.
func credentialProblem(v string) string {
	switch {
	case v == "":
		return ""
	case strings.TrimSpace(v) == "":
		return "holds only whitespace"
	case strings.TrimSpace(v) != v:
		return "starts or ends with whitespace (a newline from a file or a copy?): remove it"
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func userAgent(version, terraformVersion string) string {
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return fmt.Sprintf("terraform-provider-secretsstore/%s terraform/%s", version, terraformVersion)
}
