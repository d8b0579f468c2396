package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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

// removeGone ends a Read that found the object gone (deleted outside Terraform): a warning,
// and the resource leaves the state so that the next plan creates it again. The framework
// wants an identity even for a removed resource (Terraform before 1.12 sends none): it keeps
// the one the state described.
func (r *familyResource) removeGone(ctx context.Context, resp *resource.ReadResponse, summary, detail string, id objectIdentity) {
	resp.Diagnostics.AddWarning(summary, detail)
	resp.State.RemoveResource(ctx)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
}

// importState imports a store (parts ACCOUNT_ID/STORE_ID) or a secret (ACCOUNT_ID/STORE_ID/
// SECRET_ID_OR_NAME) from an import id or from an import block's identity, and writes what
// it knows to the state: the ids (and force_destroy's default for a store). The next Read
// fills in the rest. resolve turns the id's segments into the identity (a secret's trailing
// segment may be a name to look up); it reports what went wrong in diags.
func (r *familyResource) importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse,
	parts []string, resolve func(segs []string, diags *diag.Diagnostics) objectIdentity) {
	withSecret := len(parts) == 3
	var id objectIdentity
	if req.ID != "" {
		segs, err := splitImportID(req.ID, parts, withSecret)
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id", err.Error()+".")
			return
		}
		id = resolve(segs, &resp.Diagnostics)
	} else {
		var diags diag.Diagnostics
		id, diags = readIdentity(ctx, req.Identity, r.f, r.data, withSecret)
		resp.Diagnostics.Append(diags...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attrAccountID), id.Account)...)
	if withSecret {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("store_id"), id.StoreID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.SecretID)...)
	} else {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.StoreID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("force_destroy"), false)...)
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
}
