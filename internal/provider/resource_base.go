package provider

import (
	"context"
	"iter"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// familyResource is what the store and secret resources, and their list resources, share: the
// route family they were instantiated for and the configured provider.
type familyResource struct {
	f    routeFamily
	data *providerData
}

func (r *familyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// listConfig starts a list resource's List: it reads the configuration into cfg, picks the
// owner from account (cfg's account attribute) and checks the provider is configured. The
// diagnostics hold an error when the List cannot go on.
func (r *familyResource) listConfig(ctx context.Context, req list.ListRequest, cfg any, account *types.String) (client.Owner, diag.Diagnostics) {
	diags := req.Config.Get(ctx, cfg)
	owner := r.f.owner(*account, r.data, &diags)
	requireConfigured(r.data, "this list resource was queried", &diags)
	return owner, diags
}

// listResults streams one result per item, at most req.Limit when it is set; fill gives each
// result its name, identity and, on request, the resource's state.
func listResults[T any](ctx context.Context, req list.ListRequest, items []T, fill func(item *T, result *list.ListResult)) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		for i := range items {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			fill(&items[i], &result)
			if !push(result) {
				return
			}
		}
	}
}

// objectNamePattern is the API's rule for store and secret names.
var objectNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// objectNameValidator refuses at plan time a name the API would refuse, naming the rule.
func objectNameValidator() validator.String {
	return stringvalidator.RegexMatches(objectNamePattern,
		"must be 1 to 255 characters, each a letter (A-Z, a-z), a digit, '_' or '-' (no spaces)")
}

// modelGetter is tfsdk.Plan, tfsdk.State or tfsdk.Config; modelSetter is *tfsdk.Plan or *tfsdk.State.
type (
	modelGetter interface {
		Get(context.Context, any) diag.Diagnostics
	}
	modelSetter interface {
		Set(context.Context, any) diag.Diagnostics
	}
)
