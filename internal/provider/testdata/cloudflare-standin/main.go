// Command cloudflare-standin is a stand-in for Cloudflare's Terraform provider in tests of the
// `moved` block from cloudflare_secrets_store_secret to secretsstore_secret: Terraform plans a
// move only when it can load the provider the state names. It serves that one resource type
// with the v5 schema's attribute names and version, and nothing else: the tests write the
// source state by hand, so no create, read or delete of it ever runs.
//
// It lives under testdata so that `go build ./...` and the linters leave it alone; the test
// builds it.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	// Terraform starts it through dev_overrides, so the address is only a name here.
	err := providerserver.Serve(context.Background(), func() provider.Provider { return standin{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/cloudflare/cloudflare"})
	if err != nil {
		log.Fatal(err)
	}
}

type standin struct{}

func (standin) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudflare"
}

func (standin) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (standin) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}

func (standin) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return secret{} }}
}

func (standin) DataSources(context.Context) []func() datasource.DataSource { return nil }

// secret has the attributes of cloudflare_secrets_store_secret in provider v5.22, schema 500.
type secret struct{}

func (secret) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secrets_store_secret"
}

func (secret) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 500,
		Attributes: map[string]schema.Attribute{
			"id":         schema.StringAttribute{Computed: true},
			"account_id": schema.StringAttribute{Required: true},
			"store_id":   schema.StringAttribute{Required: true},
			"name":       schema.StringAttribute{Required: true},
			"value":      schema.StringAttribute{Required: true, Sensitive: true},
			"scopes":     schema.ListAttribute{Required: true, ElementType: types.StringType},
			"comment":    schema.StringAttribute{Optional: true},
			"status":     schema.StringAttribute{Computed: true},
			"created":    schema.StringAttribute{Computed: true},
			"modified":   schema.StringAttribute{Computed: true},
		},
	}
}

func (secret) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("stand-in", "the Cloudflare stand-in creates nothing")
}

func (secret) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State = req.State
}

func (secret) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("stand-in", "the Cloudflare stand-in updates nothing")
}

func (secret) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError("stand-in", "the Cloudflare stand-in deletes nothing")
}
