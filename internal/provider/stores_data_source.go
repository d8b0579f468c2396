package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

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

func (d *storesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := "Lists every store of an account, all pages, in the order asked for. The account's " +
		"list includes the stores that services made for it through the `/system` routes."
	if d.f.isSystem() {
		desc = "Lists every store the calling service manages for an account (the `/system` routes), " +
			"all pages, in the order asked for. Configure the provider with the service's token. " +
			"Stores of the account that the service does not manage are not listed."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: desc,
		Attributes: map[string]schema.Attribute{
			d.f.accountAttr: dataSourceAccountAttribute(d.f),
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
	if !d.configured(&resp.Diagnostics) {
		return
	}
	account := dataSourceGetString(ctx, req.Config, d.f.accountAttr, &resp.Diagnostics)
	order := dataSourceGetString(ctx, req.Config, "order", &resp.Diagnostics)
	direction := dataSourceGetString(ctx, req.Config, "direction", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	owner := d.f.owner(account, d.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	stores, err := d.data.Client.ListStores(ctx, owner, client.ListStoresOptions{
		Order:     order.ValueString(),
		Direction: direction.ValueString(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, d.f,
			fmt.Sprintf("Could not list the stores of %s %s", d.f.accountAttr, owner.Account), err)
		return
	}

	items := make([]dataSourceStoreItem, 0, len(stores))
	for _, s := range stores {
		items = append(items, dataSourceStoreFrom(s, owner.Account))
	}
	resp.State.Raw = req.Config.Raw.Copy()
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.f.accountAttr), owner.Account)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stores"), items)...)
}
