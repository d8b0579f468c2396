package provider

// The data sources' base: the route family and the provider data every data source holds, and
// the one way they read their configuration. Schema pieces and element models they share are in
// data_source_schema.go.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// familyDataSource is what the data sources share, as familyResource is for the resources:
// the route family they were instantiated for and the configured provider.
type familyDataSource struct {
	f    routeFamily
	data *providerData
}

func (d *familyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// readConfig starts every Read: it checks the provider is configured, reads the configuration
// into model (a tfsdk-tagged struct) and picks the owner from account, the model's account_id.
// ok is false when an error was reported. The model's account_id is set to the owner's account,
// which the state then records.
func (d *familyDataSource) readConfig(ctx context.Context, cfg tfsdk.Config, model any, account *types.String, diags *diag.Diagnostics) (owner client.Owner, ok bool) {
	if !requireConfigured(d.data, "this data source was read", diags) {
		return owner, false
	}
	diags.Append(cfg.Get(ctx, model)...)
	if diags.HasError() {
		return owner, false
	}
	owner = d.f.owner(*account, d.data, diags)
	*account = types.StringValue(owner.Account)
	return owner, !diags.HasError()
}
