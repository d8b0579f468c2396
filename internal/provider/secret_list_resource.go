package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var _ list.ListResourceWithConfigure = (*secretListResource)(nil)

// newSecretListResource is the secretsstore_secret list resource, for `terraform query`
// (Terraform 1.14+).
func newSecretListResource() list.ListResource {
	return &secretListResource{familyResource{f: accountFamily}}
}

// secretListResource lists every secret of a store with its identity and, on request, the
// state the secretsstore_secret resource would hold after importing it (no value: the API
// never returns one). Configure is the resources' (familyResource).
type secretListResource struct {
	familyResource
}

type secretListConfig struct {
	StoreID   types.String `tfsdk:"store_id"`
	AccountID types.String `tfsdk:"account_id"`
}

func (l *secretListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = l.f.typeName(req.ProviderTypeName, "secret")
}

func (l *secretListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every secret of a store, for `terraform query` (Terraform 1.14+). Each result " +
			"carries the `secretsstore_secret` identity (`account_id`, `store_id`, `secret_id`) and is named after " +
			"the secret; `terraform query -generate-config-out=FILE` writes `import` and `resource` blocks for " +
			"them. The API never returns values, so the generated blocks hold none: add `value_wo` and " +
			"`value_wo_version` to take over a value (the first apply then sends it), or leave them out to " +
			"manage only the scopes and comment.",
		Attributes: map[string]schema.Attribute{
			"store_id": schema.StringAttribute{
				MarkdownDescription: "The id (32 hex) of the store whose secrets are listed.",
				Required:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The account (32 hex) holding the store. Defaults to the provider's `account_id`.",
				Optional:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
		},
	}
}

func (l *secretListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg secretListConfig
	owner, diags := l.listConfig(ctx, req, &cfg, &cfg.AccountID)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	storeID := cfg.StoreID.ValueString()
	secrets, err := l.data.Gateway.ListSecrets(ctx, owner, storeID, client.ListSecretsOptions{})
	if err != nil {
		addAPIError(&diags, l.f, "Could not list the secrets of store "+storeID, err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var nullTimeouts timeouts.Value
	if req.IncludeResource {
		nullTimeouts, diags = nullTimeoutsOf(ctx, req.ResourceSchema)
		if diags.HasError() {
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
	}
	stream.Results = listResults(ctx, req, secrets, func(s *client.Secret, result *list.ListResult) {
		if s.StoreID == "" {
			s.StoreID = storeID
		}
		result.DisplayName = s.Name
		// The resource's own mapping, as after an import: no value, no version, no source.
		m := secretModel{
			ValueWO: types.StringNull(), ValueWOVersion: types.StringNull(), Value: types.StringNull(),
			SourceSecretID: types.StringNull(), Timeouts: nullTimeouts, AccountID: types.StringValue(owner.Account),
		}
		m.fill(s)
		result.Diagnostics.Append(setIdentity(ctx, result.Identity, m.identity())...)
		if req.IncludeResource {
			result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
		}
	})
}
