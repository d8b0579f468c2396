package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
