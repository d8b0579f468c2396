// Command random-standin is a stand-in for hashicorp/random in the tests of the "Generating a
// value" guide (examples/guides/generating-a-value), which uses random's ephemeral
// random_password: no Registry provider can be installed where the tests run. It serves that one
// ephemeral resource with the attributes of random 3.7's, and generates a fresh value from
// crypto/rand on every open, as random does. It honours length, special, upper, lower, numeric
// and override_special; the min_* attributes are accepted and not enforced.
//
// It lives under testdata so that `go build ./...` and the linters leave it alone; the test
// builds it.
package main

import (
	"context"
	"crypto/rand"
	"log"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	// Terraform starts it through dev_overrides, so the address is only a name here.
	err := providerserver.Serve(context.Background(), func() provider.Provider { return standin{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/hashicorp/random"})
	if err != nil {
		log.Fatal(err)
	}
}

type standin struct{}

var _ provider.ProviderWithEphemeralResources = standin{}

func (standin) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "random"
}

func (standin) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (standin) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}

func (standin) Resources(context.Context) []func() resource.Resource { return nil }

func (standin) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (standin) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{func() ephemeral.EphemeralResource { return password{} }}
}

// password has the attributes of random's ephemeral random_password.
type password struct{}

type passwordModel struct {
	Length          types.Int64  `tfsdk:"length"`
	Special         types.Bool   `tfsdk:"special"`
	Upper           types.Bool   `tfsdk:"upper"`
	Lower           types.Bool   `tfsdk:"lower"`
	Numeric         types.Bool   `tfsdk:"numeric"`
	MinNumeric      types.Int64  `tfsdk:"min_numeric"`
	MinUpper        types.Int64  `tfsdk:"min_upper"`
	MinLower        types.Int64  `tfsdk:"min_lower"`
	MinSpecial      types.Int64  `tfsdk:"min_special"`
	OverrideSpecial types.String `tfsdk:"override_special"`
	Result          types.String `tfsdk:"result"`
	BcryptHash      types.String `tfsdk:"bcrypt_hash"`
}

func (password) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_password"
}

func (password) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	optionalBool := schema.BoolAttribute{Optional: true, Computed: true}
	optionalInt := schema.Int64Attribute{Optional: true, Computed: true}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"length":           schema.Int64Attribute{Required: true},
			"special":          optionalBool,
			"upper":            optionalBool,
			"lower":            optionalBool,
			"numeric":          optionalBool,
			"min_numeric":      optionalInt,
			"min_upper":        optionalInt,
			"min_lower":        optionalInt,
			"min_special":      optionalInt,
			"override_special": schema.StringAttribute{Optional: true},
			"result":           schema.StringAttribute{Computed: true, Sensitive: true},
			"bcrypt_hash":      schema.StringAttribute{Computed: true, Sensitive: true},
		},
	}
}

func (password) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m passwordModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	on := func(b types.Bool) bool { return b.IsNull() || b.IsUnknown() || b.ValueBool() }
	special := "!@#$%&*()-_=+[]{}<>:?"
	if !m.OverrideSpecial.IsNull() {
		special = m.OverrideSpecial.ValueString()
	}
	var chars string
	for _, set := range []struct {
		on    bool
		chars string
	}{
		{on(m.Upper), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{on(m.Lower), "abcdefghijklmnopqrstuvwxyz"},
		{on(m.Numeric), "0123456789"},
		{on(m.Special), special},
	} {
		if set.on {
			chars += set.chars
		}
	}
	if chars == "" || m.Length.ValueInt64() < 1 {
		resp.Diagnostics.AddError("random stand-in", "no characters to choose from, or a length below 1")
		return
	}
	out := make([]byte, m.Length.ValueInt64())
	for i := range out {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			resp.Diagnostics.AddError("random stand-in", err.Error())
			return
		}
		out[i] = chars[n.Int64()]
	}
	set := func(b *types.Bool) { *b = types.BoolValue(on(*b)) }
	set(&m.Special)
	set(&m.Upper)
	set(&m.Lower)
	set(&m.Numeric)
	for _, n := range []*types.Int64{&m.MinNumeric, &m.MinUpper, &m.MinLower, &m.MinSpecial} {
		if n.IsNull() || n.IsUnknown() {
			*n = types.Int64Value(0)
		}
	}
	m.Result = types.StringValue(string(out))
	m.BcryptHash = types.StringValue("") // not computed by the stand-in
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
}
