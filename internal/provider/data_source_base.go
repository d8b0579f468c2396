package provider

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

// configured reports, as an error, a Read on an unconfigured provider.
func (d *familyDataSource) configured(diags *diag.Diagnostics) bool {
	return requireConfigured(d.data, "this data source was read", diags)
}

// readConfig starts a Read whose model is a tagged struct: it checks the provider is
// configured, reads the configuration into model and picks the owner from account, the
// model's account attribute. ok is false when an error was reported.
func (d *familyDataSource) readConfig(ctx context.Context, cfg tfsdk.Config, model any, account *types.String, diags *diag.Diagnostics) (owner client.Owner, ok bool) {
	if !d.configured(diags) {
		return owner, false
	}
	diags.Append(cfg.Get(ctx, model)...)
	if diags.HasError() {
		return owner, false
	}
	owner = d.f.owner(*account, d.data, diags)
	return owner, !diags.HasError()
}
