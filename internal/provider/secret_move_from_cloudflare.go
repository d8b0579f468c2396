package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// cloudflareSecretType is Cloudflare's own resource for a Secrets Store secret, which keeps the
// value in the state in clear. A `moved` block takes its state over in one step (Terraform
// 1.8+): the ids, name, scopes and comment carry over, the value does not.
const cloudflareSecretType = "cloudflare_secrets_store_secret"

var _ resource.ResourceWithMoveState = (*movableSecretResource)(nil)

// movableSecretResource is secretsstore_secret: the secret resource, which also accepts the
// state of Cloudflare's cloudflare_secrets_store_secret. Its /system twin does not: Cloudflare's
// provider has no counterpart for it.
type movableSecretResource struct {
	secretResource
}

func (r *movableSecretResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: r.moveFromCloudflare}}
}

// cloudflareSecretState is what this provider reads of a cloudflare_secrets_store_secret state,
// of any v5 release: schema version 500 or 0, the value as `value` or the early `secret_text`
// (never read: it is the plaintext this move leaves behind), times as `created` and `modified`
// or the early `created_at` and `modified_at`, scopes as a list or a set (both are JSON arrays).
type cloudflareSecretState struct {
	ID         string   `json:"id"`
	AccountID  string   `json:"account_id"`
	StoreID    string   `json:"store_id"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes"`
	Comment    *string  `json:"comment"`
	Status     string   `json:"status"`
	Created    string   `json:"created"`
	CreatedAt  string   `json:"created_at"`
	Modified   string   `json:"modified"`
	ModifiedAt string   `json:"modified_at"`
}

// isCloudflareProvider accepts Cloudflare's provider from either registry
// (registry.terraform.io/cloudflare/cloudflare, registry.opentofu.org/cloudflare/cloudflare),
// and the bare type name "cloudflare" that OpenTofu before 1.12.4 sends instead of the address.
func isCloudflareProvider(address string) bool {
	return address == "cloudflare" || strings.HasSuffix(address, "/cloudflare/cloudflare")
}

// moveFromCloudflare turns a cloudflare_secrets_store_secret state into this resource's. The
// value, value_wo_version and source_secret_id are null afterwards, as after an import: the
// first apply sends the configured value_wo once, by PATCH, to the same secret.
func (r *movableSecretResource) moveFromCloudflare(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != cloudflareSecretType || !isCloudflareProvider(req.SourceProviderAddress) {
		return // not ours: the framework reports that no mover matched
	}
	if req.SourceRawState == nil {
		resp.Diagnostics.AddError("Cannot move "+cloudflareSecretType, "The source state is empty.")
		return
	}
	var src cloudflareSecretState
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil {
		resp.Diagnostics.AddError("Cannot move "+cloudflareSecretType,
			fmt.Sprintf("The %s state (schema version %d) could not be read: %v.", cloudflareSecretType, req.SourceSchemaVersion, err))
		return
	}
	for _, id := range []struct{ name, value string }{{"id", src.ID}, {"account_id", src.AccountID}, {"store_id", src.StoreID}} {
		if !hexIDPattern.MatchString(id.value) {
			resp.Diagnostics.AddAttributeError(path.Root(id.name), "Cannot move "+cloudflareSecretType,
				fmt.Sprintf("The %s state's %s is %q, not a 32-hex id.", cloudflareSecretType, id.name, id.value))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	slices.Sort(src.Scopes)
	m := secretModel{
		ID:             types.StringValue(src.ID),
		AccountID:      types.StringValue(src.AccountID),
		StoreID:        types.StringValue(src.StoreID),
		Name:           types.StringValue(src.Name),
		ValueWO:        types.StringNull(),
		ValueWOVersion: types.StringNull(),
		Value:          types.StringNull(),
		SourceSecretID: types.StringNull(),
		Scopes:         apiScopes(slices.Compact(src.Scopes)),
		Comment:        apiComment(src.Comment),
		Status:         types.StringNull(),
		Created:        movedTime(src.Created, src.CreatedAt),
		Modified:       movedTime(src.Modified, src.ModifiedAt),
		ChangedOutside: types.BoolValue(false), // as after an import: no write of ours to compare with
	}
	if src.Status != "" {
		m.Status = types.StringValue(src.Status)
	}
	var diags diag.Diagnostics
	m.Timeouts, diags = nullTimeoutsOf(ctx, resp.TargetState.Schema)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	if resp.TargetIdentity != nil {
		resp.Diagnostics.Append(setIdentity(ctx, resp.TargetIdentity, m.identity())...)
	}
}

// movedTime is the first of Cloudflare's time fields that is set, in this provider's form; the
// next refresh reads the API's own anyway.
func movedTime(candidates ...string) types.String {
	for _, c := range candidates {
		if t, err := time.Parse(time.RFC3339Nano, c); err == nil {
			return apiTime(t)
		}
	}
	return types.StringNull()
}
