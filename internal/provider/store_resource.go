package provider

import (
	"context"
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

// storeModel holds the attributes both families share; Account and InternalID are carried by
// the family's wrapper below, whose tags name them.
type storeModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Created      types.String `tfsdk:"created"`
	Modified     types.String `tfsdk:"modified"`
	ForceDestroy types.Bool   `tfsdk:"force_destroy"`
	Account      types.String `tfsdk:"-"`
	InternalID   types.Int64  `tfsdk:"-"`
}

type accountStoreModel struct {
	storeModel
	AccountID types.String `tfsdk:"account_id"`
}

type systemStoreModel struct {
	storeModel
	AccountTag        types.String `tfsdk:"account_tag"`
	AccountInternalID types.Int64  `tfsdk:"account_internal_id"`
}

// getStoreModel and setStoreModel read and write a store of family f through its wrapper, as
// getSecretModel and setSecretModel do for a secret.
func getStoreModel(ctx context.Context, f routeFamily, src modelGetter, m *storeModel) diag.Diagnostics {
	if f.isSystem() {
		var w systemStoreModel
		diags := src.Get(ctx, &w)
		*m = w.storeModel
		m.Account, m.InternalID = w.AccountTag, w.AccountInternalID
		return diags
	}
	var w accountStoreModel
	diags := src.Get(ctx, &w)
	*m = w.storeModel
	m.Account = w.AccountID
	return diags
}

func setStoreModel(ctx context.Context, f routeFamily, dst modelSetter, m storeModel) diag.Diagnostics {
	if f.isSystem() {
		return dst.Set(ctx, systemStoreModel{storeModel: m, AccountTag: m.Account, AccountInternalID: m.InternalID})
	}
	return dst.Set(ctx, accountStoreModel{storeModel: m, AccountID: m.Account})
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
		r.f.accountAttr: schema.StringAttribute{
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
	description := "Manages a Cloudflare Secrets Store store. An account holds only one store (and starts " +
		"with `default_secrets_store`): import that one rather than creating another."
	if r.f.isSystem() {
		description = "Manages a store that a calling service manages on an account's behalf through the " +
			"`/system` routes. Needs a service token (`api_token`). These stores do not count against the " +
			"account's one-store limit; their secrets count toward the account's quota."
		attrs["account_internal_id"] = schema.Int64Attribute{
			MarkdownDescription: "The account's numeric id, which the `/system` create route takes in its body. " +
				"Required to create a store. The API never returns it, so it is null after an import; setting " +
				"it then only fills the state. Changing it forces a new store once the state holds a value.",
			Optional:      true,
			Validators:    []validator.Int64{int64validator.AtLeast(1)},
			PlanModifiers: []planmodifier.Int64{int64ReplaceIfPriorSet()},
		}
		attrs[r.f.accountAttr] = schema.StringAttribute{
			MarkdownDescription: "The account tag (the account's 32-hex id) the store belongs to. Defaults to " +
				"the provider's `account_id`. Changing it forces a new store.",
			Optional:   true,
			Computed:   true,
			Validators: []validator.String{hexIDValidator()},
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: description, Attributes: attrs}
}

func (r *storeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(r.f, false)
}

func (r *storeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	planAccount(ctx, r.f, r.data, req.Config, req.State, resp)
	if r.f.isSystem() && req.State.Raw.IsNull() {
		var id types.Int64
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_internal_id"), &id)...)
		if id.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("account_internal_id"), "Missing account_internal_id",
				"Creating a system store needs account_internal_id: the account's numeric id, which the "+
					"/system create route takes in its body. (It is optional only for an imported store.)")
		}
	}
}

func (r *storeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m storeModel
	resp.Diagnostics.Append(getStoreModel(ctx, r.f, req.Plan, &m)...)
	owner := r.f.owner(m.Account, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in := client.CreateStoreRequest{Name: m.Name.ValueString()}
	if r.f.isSystem() && !m.InternalID.IsNull() && !m.InternalID.IsUnknown() {
		n := m.InternalID.ValueInt64()
		in.AccountInternalID = &n
	}
	st, err := r.data.Client.CreateStore(ctx, owner, in)
	if err != nil {
		summary := fmt.Sprintf("Could not create store %s in account %s", in.Name, owner.Account)
		resp.Diagnostics.AddError(summary, apiErrorDetail(r.f, err)+r.storeImportHint(ctx, owner, in.Name, err))
		return
	}
	tflog.Info(ctx, "created store", map[string]any{"store_id": st.ID, "name": st.Name})
	m.Account = types.StringValue(owner.Account)
	m.fill(st)
	resp.Diagnostics.Append(setStoreModel(ctx, r.f, &resp.State, m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.f, objectIdentity{Account: owner.Account, StoreID: st.ID})...)
}

// storeImportHint gives, after a name clash or with the account's store limit reached, the
// commands that import the existing stores (the one holding the name, or all of them).
func (r *storeResource) storeImportHint(ctx context.Context, owner client.Owner, name string, err error) string {
	taken := hasAPIReason(err, "store_name_already_exists")
	if !taken && !hasAPIReason(err, "maximum_stores_exceeded") {
		return ""
	}
	stores, lerr := r.data.Client.ListStores(ctx, owner, client.ListStoresOptions{})
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

// fill copies what the API returns into the model.
func (m *storeModel) fill(st *client.Store) {
	m.ID = types.StringValue(st.ID)
	m.Name = types.StringValue(st.Name)
	m.Created = apiTime(st.Created)
	m.Modified = apiTime(st.Modified)
}

func (r *storeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m storeModel
	resp.Diagnostics.Append(getStoreModel(ctx, r.f, req.State, &m)...)
	owner := r.f.owner(m.Account, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	st, err := r.data.Client.GetStore(ctx, owner, m.ID.ValueString())
	if client.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Store "+r.f.notFound,
			fmt.Sprintf("Store %s (%s) in account %s was %s, perhaps deleted outside Terraform. It is removed "+
				"from the state and will be planned for creation again.", m.Name.ValueString(), m.ID.ValueString(),
				owner.Account, r.f.notFound))
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a removed resource (Terraform before 1.12
		// sends none): keep the one the state describes.
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.f,
			objectIdentity{Account: owner.Account, StoreID: m.ID.ValueString()})...)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, r.f, fmt.Sprintf("Could not read store %s (%s)", m.Name.ValueString(), m.ID.ValueString()), err)
		return
	}
	m.Account = types.StringValue(owner.Account)
	m.fill(st)
	if m.ForceDestroy.IsNull() {
		m.ForceDestroy = types.BoolValue(false) // after an import
	}
	resp.Diagnostics.Append(setStoreModel(ctx, r.f, &resp.State, m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.f, objectIdentity{Account: owner.Account, StoreID: st.ID})...)
}

// Update only changes what lives in the state alone (force_destroy, account_internal_id after an
// import): everything the API holds forces a new store.
func (r *storeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m storeModel
	resp.Diagnostics.Append(getStoreModel(ctx, r.f, req.Plan, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setStoreModel(ctx, r.f, &resp.State, m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.f,
		objectIdentity{Account: m.Account.ValueString(), StoreID: m.ID.ValueString()})...)
}

func (r *storeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m storeModel
	resp.Diagnostics.Append(getStoreModel(ctx, r.f, req.State, &m)...)
	owner := r.f.owner(m.Account, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id, name := m.ID.ValueString(), m.Name.ValueString()
	force := m.ForceDestroy.ValueBool()
	err := r.data.Client.DeleteStore(ctx, owner, id, force)
	if err == nil || client.IsNotFound(err) {
		tflog.Info(ctx, "deleted store", map[string]any{"store_id": id, "force": force})
		return
	}
	summary := fmt.Sprintf("Could not delete store %s (%s)", name, id)
	if !force && hasAPIReason(err, "store_not_empty") {
		held := "secrets"
		if secrets, lerr := r.data.Client.ListSecrets(ctx, owner, id, client.ListSecretsOptions{}); lerr == nil {
			held = fmt.Sprintf("%d secret(s)", len(secrets))
		}
		resp.Diagnostics.AddError(summary,
			fmt.Sprintf("Store %s (%s) still holds %s, and force_destroy is false. Set force_destroy = true and "+
				"apply before destroying to delete them together with the store, or delete them first.\n\n%s",
				name, id, held, apiErrorDetail(r.f, err)))
		return
	}
	addAPIError(&resp.Diagnostics, r.f, summary, err)
}

func (r *storeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id objectIdentity
	if req.ID != "" {
		segs, err := splitImportID(req.ID, []string{r.f.importAccountSegment(), "STORE_ID"}, false)
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id", err.Error()+".")
			return
		}
		id = objectIdentity{Account: segs[0], StoreID: segs[1]}
	} else {
		var diags diag.Diagnostics
		id, diags = readIdentity(ctx, req.Identity, r.f, r.data, false)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.f.accountAttr), id.Account)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.StoreID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("force_destroy"), false)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.f, id)...)
}
