package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
)

var (
	_ resource.ResourceWithConfigure   = (*storeResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*storeResource)(nil)
	_ resource.ResourceWithImportState = (*storeResource)(nil)
	_ resource.ResourceWithIdentity    = (*storeResource)(nil)
)

// newStoreResource is secretsstore_store: a store on the account routes.
func newStoreResource() resource.Resource { return &storeResource{familyResource{f: accountFamily}} }

// newSystemStoreResource is secretsstore_system_store: a store a service manages through /system.
func newSystemStoreResource() resource.Resource {
	return &storeResource{familyResource{f: systemFamily}}
}

// storeResource is one implementation for both families.
type storeResource struct {
	familyResource
}

func (r *storeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.f.typeName(req.ProviderTypeName, "store")
}

func (r *storeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The store's id (32 hex).",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The store's name: 1 to 255 letters, digits, `_` or `-`, unique in the account. " +
				"The API cannot rename a store: changing it forces a new store.",
			Required:      true,
			Validators:    []validator.String{objectNameValidator()},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		attrAccountID: schema.StringAttribute{
			MarkdownDescription: "The account (32 hex) the store belongs to. Defaults to the provider's " +
				"`account_id`. Changing it forces a new store.",
			Optional:   true,
			Computed:   true,
			Validators: []validator.String{hexIDValidator()},
		},
		"created": schema.StringAttribute{
			MarkdownDescription: "When the store was created (RFC 3339).",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"modified": schema.StringAttribute{
			MarkdownDescription: "When the store was last modified (RFC 3339).",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"force_destroy": schema.BoolAttribute{
			MarkdownDescription: "Whether destroying the store also deletes the secrets it holds, including " +
				"secrets Terraform does not manage. Defaults to `false`: destroying a store that still holds " +
				"secrets then fails and says how many it holds. Set it to `true` and apply before destroying.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
	}
	if r.f.isSystem() {
		attrs["account_internal_id"] = schema.Int64Attribute{
			MarkdownDescription: "The account's numeric id, which the `/system` create route takes in its body. " +
				"Required to create a store. The API never returns it, so it is null after an import; setting " +
				"it then only fills the state. Changing it forces a new store once the state holds a value.",
			Optional:      true,
			Validators:    []validator.Int64{int64validator.AtLeast(1)},
			PlanModifiers: []planmodifier.Int64{int64ReplaceIfPriorSet()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: r.f.describe("Manages a Cloudflare Secrets Store store. An account holds only one "+
			"store (and starts with `default_secrets_store`): import that one rather than creating another.",
			"Manages a store that a calling service manages on an account's behalf through the "+
				"`/system` routes. Needs a service token (`api_token`). These stores do not count against the "+
				"account's one-store limit; their secrets count toward the account's quota."),
		Attributes: attrs,
	}
}

func (r *storeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(false)
}

func (r *storeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	planAccount(ctx, r.f, r.data, req.Config, req.State, resp)
	if !req.State.Raw.IsNull() {
		return // an update: account_internal_id is needed only to create
	}
	var config systemStoreModel
	view := config.schemaView(r.f)
	resp.Diagnostics.Append(req.Config.Get(ctx, view)...)
	// Only the system store's view holds account_internal_id.
	if _, system := view.(*systemStoreModel); system && config.AccountInternalID.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("account_internal_id"), "Missing account_internal_id",
			"Creating a system store needs account_internal_id: the account's numeric id, which the "+
				"/system create route takes in its body. (It is optional only for an imported store.)")
	}
}

func (r *storeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m systemStoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, m.schemaView(r.f))...)
	owner := r.f.owner(m.AccountID, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in := client.CreateStoreRequest{Name: m.Name.ValueString()}
	if !m.AccountInternalID.IsNull() && !m.AccountInternalID.IsUnknown() {
		n := m.AccountInternalID.ValueInt64()
		in.AccountInternalID = &n
	}
	// Run to completion even when interrupted: a store that was created is recorded.
	st, err := r.data.Gateway.CreateStore(ctx, owner, in)
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, r.f, fmt.Sprintf("Could not create store %s in account %s", in.Name, owner.Account),
			r.storeImportHint(ctx, owner, in.Name, err), err, unknownCreate("Store "+in.Name, "in account "+owner.Account,
				owner.Account+"/STORE_ID", " (STORE_ID is its id: the "+r.f.typeName("secretsstore", "stores")+" data source lists the account's stores)"))
		return
	}
	tflog.Info(ctx, "created store", map[string]any{"store_id": st.ID, "name": st.Name})
	m.AccountID = types.StringValue(owner.Account)
	m.fill(st)
	resp.Diagnostics.Append(resp.State.Set(ctx, m.schemaView(r.f))...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.identity())...)
	if ctx.Err() != nil {
		resp.Diagnostics.AddWarning("Interrupted after creating "+m.describe(),
			fmt.Sprintf("The operation %s after %s was created. It is recorded in the state.", howEnded(ctx), m.describe()))
	}
}

// storeImportHint gives, after a name clash or with the account's store limit reached, the
// commands that import the existing stores (the one holding the name, or all of them).
func (r *storeResource) storeImportHint(ctx context.Context, owner client.Owner, name string, err error) string {
	taken := hasAPIReason(err, "store_name_already_exists")
	if !taken && !hasAPIReason(err, "maximum_stores_exceeded") {
		return ""
	}
	stores, lerr := r.data.Gateway.ListStores(ctx, owner, client.ListStoresOptions{})
	if lerr != nil {
		return ""
	}
	var b strings.Builder
	for _, s := range stores {
		if !taken || s.Name == name {
			fmt.Fprintf(&b, "\n  terraform import %s.<name> %s/%s    # %s",
				r.f.typeName("secretsstore", "store"), owner.Account, s.ID, s.Name)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n\nTo manage an existing store with Terraform instead, import it:\n" + b.String()
}

func (r *storeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m systemStoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, m.schemaView(r.f))...)
	owner := r.f.owner(m.AccountID, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	m.AccountID = types.StringValue(owner.Account)
	st, err := r.data.Gateway.ReadStore(ctx, owner, m.ID.ValueString())
	if client.IsNotFound(err) {
		r.removeGone(ctx, resp, "Store "+r.f.notFound,
			fmt.Sprintf("Store %s (%s) in account %s was %s, perhaps deleted outside Terraform. It is removed "+
				"from the state and will be planned for creation again.", m.Name.ValueString(), m.ID.ValueString(),
				owner.Account, r.f.notFound), m.identity())
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, r.f, "Could not read "+m.describe(), err)
		return
	}
	m.fill(st)
	if m.ForceDestroy.IsNull() {
		m.ForceDestroy = types.BoolValue(false) // after an import
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.schemaView(r.f))...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.identity())...)
}

// Update only changes what lives in the state alone (force_destroy, account_internal_id after an
// import): everything the API holds forces a new store.
func (r *storeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m systemStoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, m.schemaView(r.f))...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.schemaView(r.f))...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.identity())...)
}

// Delete deletes the store once this process's deletes of its secrets are done (Terraform
// deletes a store and secrets that name it by a literal id at the same time). A store that
// still holds secrets then holds secrets this run does not delete: they are named, and only
// then is force_destroy suggested.
func (r *storeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m systemStoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, m.schemaView(r.f))...)
	owner := r.f.owner(m.AccountID, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.ID.ValueString()
	force := m.ForceDestroy.ValueBool()
	err := r.data.Gateway.DeleteStore(ctx, owner, id, force)
	if notEmpty := (*coalesce.StoreNotEmptyError)(nil); errors.As(err, &notEmpty) {
		resp.Diagnostics.AddError("Could not delete "+m.describe(), storeNotEmptyDetail(m.describe(), notEmpty.Remaining, notEmpty.ListErr)+
			"\n\n"+apiErrorDetail(r.f, err))
		return
	}
	if err != nil && !client.IsNotFound(err) {
		addCallError(ctx, &resp.Diagnostics, r.f, "Could not delete "+m.describe(), "", err, unknownDelete(m.describe()))
		return
	}
	tflog.Info(ctx, "deleted store", map[string]any{"store_id": id, "force": force})
}

// storeNotEmptyDetail names the secrets a store still holds after this run's deletes: secrets
// Terraform does not manage here (or not in this destroy). force_destroy would delete them too.
// listErr is the failure to list them, if any.
func storeNotEmptyDetail(store string, remaining []client.Secret, listErr error) string {
	held := "secrets that this run does not delete"
	if listErr == nil {
		const shown = 10
		names := make([]string, 0, shown+1)
		for i, s := range remaining {
			if i == shown {
				names = append(names, fmt.Sprintf("and %d more", len(remaining)-shown))
				break
			}
			names = append(names, s.Name)
		}
		held = fmt.Sprintf("%d secret(s) that this run does not delete: %s", len(remaining), strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s still holds %s. They are not managed by this configuration, or not part of this "+
		"destroy. Delete or import them first, or set force_destroy = true and apply before destroying to "+
		"delete them together with the store (they are lost).", store, held)
}

// ImportState takes ACCOUNT_ID/STORE_ID, or an identity.
func (r *storeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	r.importState(ctx, req, resp, []string{"ACCOUNT_ID", "STORE_ID"},
		func(segs []string, _ *diag.Diagnostics) objectIdentity {
			return objectIdentity{Account: segs[0], StoreID: segs[1]}
		})
}
