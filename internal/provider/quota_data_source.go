package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*quotaDataSource)(nil)

// quotaDataSource reads an account's secret quota and usage (secretsstore_quota).
type quotaDataSource struct {
	familyDataSource
}

func newQuotaDataSource() datasource.DataSource {
	return &quotaDataSource{familyDataSource{f: accountFamily}}
}

type quotaDataSourceModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Quota     types.Int64  `tfsdk:"quota"`
	Usage     types.Int64  `tfsdk:"usage"`
	Remaining types.Int64  `tfsdk:"remaining"`
}

func (d *quotaDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.f.typeName(req.ProviderTypeName, "quota")
}

func (d *quotaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads how many secrets an account may hold and how many it holds, counted " +
			"across all its stores, including the stores services made for it through the `/system` routes.",
		Attributes: map[string]schema.Attribute{
			"account_id": dataSourceAccountAttribute(d.f),
			"quota": schema.Int64Attribute{
				MarkdownDescription: "How many secrets the account may hold.",
				Computed:            true,
			},
			"usage": schema.Int64Attribute{
				MarkdownDescription: "How many secrets the account holds.",
				Computed:            true,
			},
			"remaining": schema.Int64Attribute{
				MarkdownDescription: "How many more secrets the account may create: `quota - usage` " +
					"(negative if the quota was lowered below the usage).",
				Computed: true,
			},
		},
	}
}

func (d *quotaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model quotaDataSourceModel
	owner, ok := d.readConfig(ctx, req.Config, &model, &model.AccountID, &resp.Diagnostics)
	if !ok {
		return
	}

	q, err := d.data.Gateway.GetQuota(ctx, owner.Account)
	if err != nil {
		addAPIError(&resp.Diagnostics, d.f,
			fmt.Sprintf("Could not read the secret quota of account %s", owner.Account), err)
		return
	}
	if q == nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Could not read the secret quota of account %s", owner.Account),
			"The API returned no quota.")
		return
	}

	model.Quota = types.Int64Value(q.Quota)
	model.Usage = types.Int64Value(q.Usage)
	model.Remaining = types.Int64Value(q.Quota - q.Usage)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
