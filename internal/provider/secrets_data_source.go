package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure      = (*secretsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*secretsDataSource)(nil)
)

// secretsDataSource lists every secret of a store (secretsstore_secrets), or of a store the
// calling service manages (secretsstore_system_secrets), across all pages. Values are never
// part of it: the API does not return them.
type secretsDataSource struct {
	familyDataSource
}

func newSecretsDataSource() datasource.DataSource {
	return &secretsDataSource{familyDataSource{f: accountFamily}}
}

func newSystemSecretsDataSource() datasource.DataSource {
	return &secretsDataSource{familyDataSource{f: systemFamily}}
}

func (d *secretsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.f.typeName(req.ProviderTypeName, "secrets")
}

// secretsDataSourceModel is the configuration and state of secretsstore_secrets and
// secretsstore_system_secrets.
type secretsDataSourceModel struct {
	AccountID types.String           `tfsdk:"account_id"`
	StoreID   types.String           `tfsdk:"store_id"`
	Search    types.String           `tfsdk:"search"`
	Scopes    []string               `tfsdk:"scopes"`
	Order     types.String           `tfsdk:"order"`
	Direction types.String           `tfsdk:"direction"`
	Secrets   []dataSourceSecretItem `tfsdk:"secrets"`
}

func (d *secretsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := d.f.describe("Lists the secrets of a store (their metadata, never their values), all pages, "+
		"optionally filtered and in the order asked for.",
		"Lists the secrets of a store the calling service manages (the `/system` routes): their "+
			"metadata, never their values, all pages, optionally filtered and in the order asked for. "+
			"Configure the provider with the service's token.")
	resp.Schema = schema.Schema{
		MarkdownDescription: desc,
		Attributes: map[string]schema.Attribute{
			attrAccountID: dataSourceAccountAttribute(d.f),
			"store_id": schema.StringAttribute{
				MarkdownDescription: "Id (32 lowercase hex) of the store whose secrets are listed.",
				Required:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
			"search": schema.StringAttribute{
				MarkdownDescription: "Keep only secrets whose name or comment contains this text " +
					"(case-insensitive). Omit it to list all.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Keep only secrets bound to every one of these scopes. Known scopes: " +
					dataSourceBackticked(knownScopes) + "; a scope the provider does not know yet is sent " +
					"with a warning. Omit it to list all.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{scopesValidator()},
			},
			"order": dataSourceOneOfAttribute("Field to sort the secrets by. The API's default is "+
				"`created`; secrets without a comment sort first when ordering by `comment` ascending.",
				dataSourceSecretOrders),
			"direction": dataSourceOneOfAttribute("Sort direction. The API's default is `asc`.",
				dataSourceDirections),
			"secrets": schema.ListNestedAttribute{
				MarkdownDescription: "The secrets, in the order the API returned them.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceSecretAttributes()},
			},
		},
	}
}

// ValidateConfig warns, on the first validation of a command, about filter scopes the
// provider does not know.
func (d *secretsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	if firstValidation(d.data) {
		warnUnknownScopes(ctx, req.Config, path.Root("scopes"), &resp.Diagnostics)
	}
}

func (d *secretsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model secretsDataSourceModel
	owner, ok := d.readConfig(ctx, req.Config, &model, &model.AccountID, &resp.Diagnostics)
	if !ok {
		return
	}
	storeID := model.StoreID.ValueString()
	opts := client.ListSecretsOptions{
		Search:    model.Search.ValueString(),
		Scopes:    model.Scopes,
		Order:     model.Order.ValueString(),
		Direction: model.Direction.ValueString(),
	}
	secrets, err := d.data.Gateway.ListSecrets(ctx, owner, storeID, opts)
	if err != nil {
		if client.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("store_id"),
				fmt.Sprintf("Store %s not found", storeID),
				fmt.Sprintf("Could not list the secrets of store %s in account %s: the store was %s.\n\n%s",
					storeID, owner.Account, d.f.notFound, apiErrorDetail(d.f, err)))
			return
		}
		addAPIError(&resp.Diagnostics, d.f, fmt.Sprintf("Could not list the secrets of store %s", storeID), err)
		return
	}
	model.Secrets = make([]dataSourceSecretItem, 0, len(secrets))
	for _, s := range secrets {
		model.Secrets = append(model.Secrets, dataSourceSecretFrom(s, storeID))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
