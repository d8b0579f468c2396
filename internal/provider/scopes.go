package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// knownScopes are the products a secret can be bound to, as documented when this release was
// made. Cloudflare adds products over time, so a scope the provider does not know only warns
// (the API decides), unless it is so close to a known one that it must be a typo.
var knownScopes = []string{"access", "ai_gateway", "containers", "dex", "websearch", "workers"}

// scopesValidator refuses empty scopes, blank ones and typos of known ones, at plan time. The
// warning for other unknown scopes is warnUnknownScopes's.
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
	for _, scope := range knownStrings(elems) {
		if strings.TrimSpace(scope) == "" || strings.ContainsAny(scope, " \t\n") {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid scope",
				fmt.Sprintf("%s holds %q, which is no scope name. Known scopes: %s.",
					req.Path, scope, strings.Join(knownScopes, ", ")))
			continue
		}
		if guess := scopeTypoOf(scope); guess != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Unknown scope",
				fmt.Sprintf("%s holds %q: did you mean %q? Known scopes: %s.",
					req.Path, scope, guess, strings.Join(knownScopes, ", ")))
		}
	}
}

// warnUnknownScopes warns once about each scope of the set at p that the provider does not
// know (typos are the validator's errors). Callers invoke it only on the first validation of
// a command (see firstValidation), so that the warning is not printed three times.
func warnUnknownScopes(ctx context.Context, config interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, p path.Path, diags *diag.Diagnostics) {
	var scopes types.Set
	if config.GetAttribute(ctx, p, &scopes).HasError() || scopes.IsNull() || scopes.IsUnknown() {
		return
	}
	for _, scope := range knownStrings(scopes.Elements()) {
		if slices.Contains(knownScopes, scope) || scopeTypoOf(scope) != "" || strings.TrimSpace(scope) == "" {
			continue
		}
		diags.AddAttributeWarning(p, "Unknown scope",
			fmt.Sprintf("Scope %q is not one this provider knows (%s). It is sent as written: if "+
				"Cloudflare has added it the apply succeeds, otherwise the API refuses it.",
				scope, strings.Join(knownScopes, ", ")))
	}
}

// scopeTypoOf returns the known scope that scope is a likely typo of ("Workers", "worker",
// "ai-gateway"), or "" when it is known or not close to any: a new product then.
func scopeTypoOf(scope string) string {
	if slices.Contains(knownScopes, scope) {
		return ""
	}
	best, bestDist := "", 3
	for _, k := range knownScopes {
		if strings.EqualFold(scope, k) {
			return k
		}
		// Close means at most two edits, and fewer than half the known scope's length
		// ("dev" is one edit from "dex", but "web" is not a typo of "dex").
		if d := editDistance(strings.ToLower(scope), k); d < bestDist && 2*d < len(k) {
			best, bestDist = k, d
		}
	}
	return best
}

// scopeRefusal names, after the API refused a scope (secret_scope_invalid), the scopes sent
// that the provider does not know: the API's answer does not say which one it refused.
func scopeRefusal(err error, sent []string) string {
	if !hasAPIReason(err, "secret_scope_invalid") {
		return ""
	}
	var unknown []string
	for _, s := range sent {
		if !slices.Contains(knownScopes, s) {
			unknown = append(unknown, fmt.Sprintf("%q", s))
		}
	}
	if len(unknown) == 0 {
		return "\n\nThe scopes sent were " + strings.Join(sent, ", ") + "."
	}
	return "\n\nThe scope the API refused is most likely " + strings.Join(unknown, ", ") +
		": this provider does not know it. Check the spelling, or whether Cloudflare offers it yet."
}

// editDistance is the Levenshtein distance between two short strings, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// knownStrings are the known, non-null string elements of a set.
func knownStrings(elems []attr.Value) []string {
	var out []string
	for _, e := range elems {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}
