package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*storesDataSource)(nil)

// storesDataSource lists every store of an account (secretsstore_stores) or every store the
// calling service manages (secretsstore_system_stores), across all pages.
type storesDataSource struct {
	familyDataSource
}

func newStoresDataSource() datasource.DataSource {
	return &storesDataSource{familyDataSource{f: accountFamily}}
}

func newSystemStoresDataSource() datasource.DataSource {
	return &storesDataSource{familyDataSource{f: systemFamily}}
}

func (d *storesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.f.typeName(req.ProviderTypeName, "stores")
}

// storesDataSourceModel is the configuration and state of secretsstore_stores and
// secretsstore_system_stores.
type storesDataSourceModel struct {
	AccountID types.String          `tfsdk:"account_id"`
	Order     types.String          `tfsdk:"order"`
	Direction types.String          `tfsdk:"direction"`
	Stores    []dataSourceStoreItem `tfsdk:"stores"`
}

func (d *storesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: d.f.describe("Lists every store of an account, all pages, in the order asked for. "+
			"The account's list includes the stores that services made for it through the `/system` routes.",
			"Lists every store the calling service manages for an account (the `/system` routes), all pages, "+
				"in the order asked for. Configure the provider with the service's token. Stores of the account "+
				"that the service does not manage are not listed."),
		Attributes: map[string]schema.Attribute{
			attrAccountID: dataSourceAccountAttribute(d.f),
			"order": dataSourceOneOfAttribute("Field to sort the stores by. The API's default is `created`.",
				dataSourceStoreOrders),
			"direction": dataSourceOneOfAttribute("Sort direction. The API's default is `asc`.",
				dataSourceDirections),
			"stores": schema.ListNestedAttribute{
				MarkdownDescription: "The stores, in the order the API returned them.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceStoreAttributes()},
			},
		},
	}
}

func (d *storesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model storesDataSourceModel
	owner, ok := d.readConfig(ctx, req.Config, &model, &model.AccountID, &resp.Diagnostics)
	if !ok {
		return
	}
	stores, err := d.data.Gateway.ListStores(ctx, owner, client.ListStoresOptions{
		Order:     model.Order.ValueString(),
		Direction: model.Direction.ValueString(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, d.f, "Could not list the stores of account "+owner.Account, err)
		return
	}
	model.Stores = make([]dataSourceStoreItem, 0, len(stores))
	for _, s := range stores {
		model.Stores = append(model.Stores, dataSourceStoreFrom(s, owner.Account))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
