// Package provider implements the secretsstore Terraform provider on terraform-plugin-framework.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ provider.Provider                  = (*secretsStoreProvider)(nil)
	_ provider.ProviderWithActions       = (*secretsStoreProvider)(nil)
	_ provider.ProviderWithListResources = (*secretsStoreProvider)(nil)
)

// New returns a constructor for the provider at the given release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &secretsStoreProvider{version: version}
	}
}

type secretsStoreProvider struct {
	version string
	// tune lets in-process tests adjust what Configure builds.
	tune tuning
}

func (p *secretsStoreProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "secretsstore"
	resp.Version = p.version
}

func (p *secretsStoreProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Cloudflare Secrets Store stores and secrets. Secret values are " +
			"sent from write-only attributes and never stored in Terraform state.",
		Attributes: map[string]schema.Attribute{
			attrAPIToken: schema.StringAttribute{
				MarkdownDescription: "API token sent as `Authorization: Bearer`: an account token with " +
					"Secrets Store permissions, or a service token for the `system_*` types. " +
					"Falls back to `" + envAPIToken + "`. Conflicts with `api_email`/`api_key`.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot(attrAPIEmail), path.MatchRoot(attrAPIKey)),
					credentialValidator(),
				},
			},
			attrAPIEmail: schema.StringAttribute{
				MarkdownDescription: "Legacy authentication: the account's email, sent with `api_key`. " +
					"Falls back to `" + envAPIEmail + "`.",
				Optional:   true,
				Validators: []validator.String{credentialValidator()},
			},
			attrAPIKey: schema.StringAttribute{
				MarkdownDescription: "Legacy authentication: the global API key, sent with `api_email`. " +
					"Falls back to `" + envAPIKey + "`.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{credentialValidator()},
			},
			attrAccountID: schema.StringAttribute{
				MarkdownDescription: "Default account id (32 lowercase hex) for the account-scoped types; " +
					"each type may override it. Falls back to `" + envAccountID + "`.",
				Optional:   true,
				Validators: []validator.String{hexIDValidator()},
			},
			attrBaseURL: schema.StringAttribute{
				MarkdownDescription: "API base URL. Defaults to `" + defaultBaseURL + "`. Plain `http://` " +
					"is accepted only for loopback hosts (the bundled mock server), unless `" + attrAllowInsecureHTTP +
					"` is true. Falls back to `" + envBaseURL + "`.",
				Optional:   true,
				Validators: []validator.String{baseURLValidator()},
			},
			attrAllowInsecureHTTP: schema.BoolAttribute{
				MarkdownDescription: "**For tests only.** Accept a plain `http://` `base_url` to a host other " +
					"than the local machine, such as a mock server in a CI service container " +
					"(`http://mockserver:8787/client/v4`). The API token then crosses that network " +
					"**unencrypted**: never set it for Cloudflare's API. Prefer the mock over TLS " +
					"(`-tls-dir`, with `SSL_CERT_FILE` naming its CA). Defaults to `false`. Falls back to `" +
					envAllowInsecureHTTP + "` (`true` or `false`).",
				Optional: true,
			},
			attrMaxRetries: schema.Int64Attribute{
				MarkdownDescription: "How many times a failed request is retried after the first attempt " +
					"(rate limits, 502/503/504, connection errors). Defaults to `4`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			attrRetryWaitMax: schema.StringAttribute{
				MarkdownDescription: "Longest single wait between retries, `Retry-After` included, as a " +
					"Go duration such as `\"30s\"`. Defaults to `\"30s\"`.",
				Optional:   true,
				Validators: []validator.String{durationValidator()},
			},
			attrMaxRPM: schema.NumberAttribute{
				MarkdownDescription: "The most requests this provider process sends in any 60 seconds, " +
					"retries, list pages and polls included: a request waits for a slot, and the time it " +
					"waited is reported like other waits. A whole number of at least 1; unset, no limit. " +
					"Use it to share a token's budget (1,200 requests per 5 minutes) between pipelines.",
				Optional:   true,
				Validators: []validator.Number{requestBudgetValidator()},
			},
			attrBatching: schema.BoolAttribute{
				MarkdownDescription: "Whether creates and deletes of secrets in one store that Terraform " +
					"runs at the same time travel together, as one create request and one bulk delete " +
					"(up to 100 secrets each). Defaults to `true`. `false` sends every create and delete " +
					"on its own: a baseline, and a way out. Reads share a store's listing and waits for " +
					"`active` share its polls either way.",
				Optional: true,
			},
		},
	}
}

func (p *secretsStoreProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := configureClient(model, p.version, req.TerraformVersion, p.tune, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

// The registries below are the one place every type is wired in.

func (p *secretsStoreProvider) Resources(_ context.Context) []func() resource.Resource {
	return resourceConstructors
}

func (p *secretsStoreProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSourceConstructors
}

func (p *secretsStoreProvider) Actions(_ context.Context) []func() action.Action {
	return actionConstructors
}

func (p *secretsStoreProvider) ListResources(_ context.Context) []func() list.ListResource {
	return listResourceConstructors
}
