package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*secretDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*secretDataSource)(nil)
)

// secretDataSource reads one secret's metadata (secretsstore_secret) by id or by name.
// The API never returns a value, and neither does this data source.
type secretDataSource struct {
	familyDataSource
}

func newSecretDataSource() datasource.DataSource {
	return &secretDataSource{familyDataSource{f: accountFamily}}
}

// secretDataSourceModel is a secrets list element plus the account it was read from.
type secretDataSourceModel struct {
	dataSourceSecretItem
	AccountID types.String `tfsdk:"account_id"`
}

func (d *secretDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.f.typeName(req.ProviderTypeName, "secret")
}

func (d *secretDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := dataSourceSecretAttributes()
	attrs["store_id"] = schema.StringAttribute{
		MarkdownDescription: "Id (32 lowercase hex) of the store holding the secret.",
		Required:            true,
		Validators:          []validator.String{hexIDValidator()},
	}
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The secret's id (32 lowercase hex). Exactly one of `id` and `name` must be set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{hexIDValidator()},
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The secret's name in the store (case-sensitive). Exactly one of `id` and " +
			"`name` must be set.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["account_id"] = dataSourceAccountAttribute(d.f)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one secret's metadata, by `id` or by `name` in a store. The API never " +
			"returns a secret's value, so neither does this data source: bind the secret where it is used " +
			"(a Worker, AI Gateway) by its store and secret id.",
		Attributes: attrs,
	}
}

func (d *secretDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *secretDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model secretDataSourceModel
	owner, ok := d.readConfig(ctx, req.Config, &model, &model.AccountID, &resp.Diagnostics)
	if !ok {
		return
	}
	storeID := model.StoreID.ValueString()

	var (
		secret *client.Secret
		err    error
		// what describes the secret looked for, attr the attribute that named it.
		what string
		attr = "id"
	)
	if !model.ID.IsNull() {
		what = "with id " + model.ID.ValueString()
		secret, err = d.data.Gateway.ReadSecret(ctx, owner, storeID, model.ID.ValueString())
	} else {
		what = fmt.Sprintf("named %q", model.Name.ValueString())
		attr = "name"
		secret, err = d.data.Gateway.FindSecretByName(ctx, owner, storeID, model.Name.ValueString())
	}

	switch {
	case dataSourceIsStoreNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("store_id"), fmt.Sprintf("Store %s not found", storeID),
			fmt.Sprintf("Could not look up the secret %s: store %s was %s in account %s.\n\n%s",
				what, storeID, d.f.notFound, owner.Account, apiErrorDetail(d.f, err)))
		return
	case client.IsNotFound(err) || (err == nil && (secret == nil || secret.Status == client.StatusDeleted)):
		detail := fmt.Sprintf("Store %s in account %s holds no secret %s.", storeID, owner.Account, what)
		if attr == "name" {
			detail += " Secret names are case-sensitive."
		}
		if err != nil && attr == "id" {
			// By name, the 404 is the client's verdict after listing the store, not the API's.
			detail += "\n\n" + apiErrorDetail(d.f, err)
		}
		resp.Diagnostics.AddAttributeError(path.Root(attr),
			fmt.Sprintf("Secret %s not found in store %s", what, storeID), detail)
		return
	case err != nil:
		addAPIError(&resp.Diagnostics, d.f,
			fmt.Sprintf("Could not read secret %s in store %s", what, storeID), err)
		return
	}

	item := dataSourceSecretFrom(*secret, storeID)
	item.StoreID = model.StoreID // the store asked for, as configured
	model = secretDataSourceModel{dataSourceSecretItem: item, AccountID: types.StringValue(owner.Account)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
