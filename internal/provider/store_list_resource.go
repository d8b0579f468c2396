package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var _ list.ListResourceWithConfigure = (*storeListResource)(nil)

// newStoreListResource is the secretsstore_store list resource, for `terraform query`
// (Terraform 1.14+).
func newStoreListResource() list.ListResource {
	return &storeListResource{familyResource{f: accountFamily}}
}

// storeListResource lists every store of an account with its identity and, on request, the
// state the secretsstore_store resource would hold after importing it. Configure is the
// resources' (familyResource).
type storeListResource struct {
	familyResource
}

type storeListConfig struct {
	AccountID types.String `tfsdk:"account_id"`
}

func (l *storeListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = l.f.typeName(req.ProviderTypeName, "store")
}

func (l *storeListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every store of an account, for `terraform query` (Terraform 1.14+). Each result " +
			"carries the `secretsstore_store` identity (`account_id`, `store_id`) and is named after the store; " +
			"`terraform query -generate-config-out=FILE` writes `import` and `resource` blocks for them.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{
				MarkdownDescription: "The account (32 hex) whose stores are listed. Defaults to the provider's `account_id`.",
				Optional:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
		},
	}
}

func (l *storeListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg storeListConfig
	owner, diags := l.listConfig(ctx, req, &cfg, &cfg.AccountID)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stores, err := l.data.Gateway.ListStores(ctx, owner, client.ListStoresOptions{})
	if err != nil {
		addAPIError(&diags, l.f, "Could not list the stores of account "+owner.Account, err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = listResults(ctx, req, stores, func(st *client.Store, result *list.ListResult) {
		result.DisplayName = st.Name
		// The resource's own state mapping, so imported and listed states agree.
		m := storeModel{AccountID: types.StringValue(owner.Account), ForceDestroy: types.BoolValue(false)}
		m.fill(st)
		result.Diagnostics.Append(setIdentity(ctx, result.Identity, m.identity())...)
		if req.IncludeResource {
			result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
		}
	})
}
