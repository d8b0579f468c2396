package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const replaceIfPriorSetDescription = "Changing this forces a new resource, unless the prior state holds " +
	"no value (after an import): then setting it only fills the state."

// stringReplaceIfPriorSet forces replacement when a string attribute changes, except when the
// prior state holds null: after an import the attribute is unknown to the API, and setting it
// from the configuration must not destroy the imported object.
func stringReplaceIfPriorSet() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		},
		replaceIfPriorSetDescription, replaceIfPriorSetDescription)
}

// int64ReplaceIfPriorSet is stringReplaceIfPriorSet for numbers.
func int64ReplaceIfPriorSet() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		},
		replaceIfPriorSetDescription, replaceIfPriorSetDescription)
}

// planAccount sets account_id in the plan: the configured value, else the provider's
// account_id, else the prior state's. A resolved account that differs from the prior state's
// forces replacement (an object cannot move between accounts). It runs in ModifyPlan rather
// than as an attribute plan modifier because the fallback needs the configured provider.
// Without any account on create it reports where to set one.
func planAccount(ctx context.Context, f routeFamily, data *providerData, config tfsdk.Config, state tfsdk.State,
	resp *resource.ModifyPlanResponse) {
	p := path.Root(attrAccountID)
	var configured types.String
	resp.Diagnostics.Append(config.GetAttribute(ctx, p, &configured)...)
	prior := types.StringNull()
	if !state.Raw.IsNull() {
		resp.Diagnostics.Append(state.GetAttribute(ctx, p, &prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if configured.IsUnknown() {
		if !prior.IsNull() {
			resp.RequiresReplace = append(resp.RequiresReplace, p)
		}
		return
	}
	want := configured
	if want.IsNull() {
		switch {
		case data != nil && data.AccountID != "":
			want = types.StringValue(data.AccountID)
		case !prior.IsNull():
			want = prior
		case data != nil:
			f.owner(types.StringNull(), data, &resp.Diagnostics) // reports the missing account
			return
		default:
			return // provider not configured yet: leave the value unknown
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, want)...)
	if !prior.IsNull() && !prior.Equal(want) {
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}
