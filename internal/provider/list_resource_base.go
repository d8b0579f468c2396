package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// listConfig starts a list resource's List: it reads the configuration into cfg, picks the
// owner from account (cfg's account_id, read after cfg is filled) and checks the provider is
// configured. The diagnostics hold an error when the List cannot go on.
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
