package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// knownScopes are the products a secret can be bound to, as documented when this release was
// made. Cloudflare adds products over time, so an unknown scope only warns: the API decides.
var knownScopes = []string{"access", "ai_gateway", "containers", "dex", "websearch", "workers"}

// scopesValidator refuses empty scopes and warns about scopes the provider does not know yet.
func scopesValidator() validator.Set { return scopesCheck{} }

type scopesCheck struct{}

func (scopesCheck) Description(context.Context) string {
	return "at least one scope; known scopes: " + strings.Join(knownScopes, ", ")
}

func (v scopesCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v scopesCheck) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if len(elems) == 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "No scopes",
			fmt.Sprintf("%s needs at least one scope. Known scopes: %s.", req.Path, strings.Join(knownScopes, ", ")))
		return
	}
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if strings.TrimSpace(s.ValueString()) == "" || strings.ContainsAny(s.ValueString(), " \t\n") {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid scope",
				fmt.Sprintf("%s holds %q, which is no scope name. Known scopes: %s.",
					req.Path, s.ValueString(), strings.Join(knownScopes, ", ")))
			continue
		}
		if !slices.Contains(knownScopes, s.ValueString()) {
			resp.Diagnostics.AddAttributeWarning(req.Path, "Unknown scope",
				fmt.Sprintf("Scope %q is not one this provider knows (%s). It is sent as written: if "+
					"Cloudflare has added it the apply succeeds, otherwise the API refuses it.",
					s.ValueString(), strings.Join(knownScopes, ", ")))
		}
	}
}
