package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce"
)

var (
	_ resource.ResourceWithConfigure      = (*secretResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*secretResource)(nil)
	_ resource.ResourceWithValidateConfig = (*secretResource)(nil)
	_ resource.ResourceWithImportState    = (*secretResource)(nil)
	_ resource.ResourceWithIdentity       = (*secretResource)(nil)
)

// defaultSecretTimeout bounds a create or update, the wait for "active" included.
const defaultSecretTimeout = 5 * time.Minute

// newSecretResource is secretsstore_secret: a secret on the account routes, which also accepts a
// state moved from Cloudflare's provider (secret_move_from_cloudflare.go).
func newSecretResource() resource.Resource {
	return &movableSecretResource{secretResource{familyResource{f: accountFamily}}}
}

// newSystemSecretResource is secretsstore_system_secret: a secret in a store managed through /system.
func newSystemSecretResource() resource.Resource {
	return &secretResource{familyResource{f: systemFamily}}
}

// secretResource is one implementation for both families.
type secretResource struct {
	familyResource
}

func (r *secretResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.f.typeName(req.ProviderTypeName, "secret")
}

func (r *secretResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	description := r.f.describe("Manages a secret in a Cloudflare Secrets Store store.",
		"Manages a secret in a store that a calling service manages through the `/system` routes "+
			"(needs a service token).") +
		"\n\nSet the value with the write-only `value_wo` and bump `value_wo_version` to send a new " +
		"one: the value never enters the plan or the state. The legacy `value` is kept in the state " +
		"(sensitive, but readable by anyone who can read the state): use it only with Terraform before 1.11. " +
		"Alternatively `source_secret_id` copies another secret's value server-side. After a create or a value " +
		"change the provider waits until the secret is `active`."

	resp.Schema = schema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]schema.Attribute{
			"value_wo": schema.StringAttribute{
				MarkdownDescription: "The secret's value, 1 to 65,536 bytes. **Write-only** (Terraform 1.11+): it " +
					"is never stored in the plan or the state, so feed it from an ephemeral source, such as a " +
					"variable with `ephemeral = true`. Terraform cannot see a change to it: change " +
					"`value_wo_version` to send a new value. Conflicts with `value` and `source_secret_id`.",
				Optional: true,
				// Not Sensitive: a write-only value is never stored nor shown (plans print
				// "(write-only attribute)"), while the flag gives every secret's state a second
				// sensitive path, which Terraform 1.11 writes in a random order, so its
				// refresh-only plans exit 2 with "No changes" (hashicorp/terraform#36403).
				WriteOnly:  true,
				Validators: []validator.String{valueLengthValidator(), stringvalidator.AlsoRequires(path.MatchRoot("value_wo_version"))},
			},
			"value_wo_version": schema.StringAttribute{
				MarkdownDescription: "Any string, set together with `value_wo` (each requires the other). Changing it sends the current " +
					"`value_wo` to the API in place (a PATCH: same id, no downtime for bindings). After an " +
					"import it is null, so the first plan shows only `value_wo_version` changing (null to the " +
					"configured string), and applying it sends the configured `value_wo`: the imported " +
					"secret's value is replaced by the configuration's.",
				Optional: true,
				// Without value_wo a new version would send nothing, and the user would believe
				// the secret rotated.
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("value_wo"))},
			},
			"value": schema.StringAttribute{
				MarkdownDescription: "**Legacy, prefer `value_wo`.** The secret's value, 1 to 65,536 bytes. " +
					"Sensitive, but **stored in the state** in clear: anyone who can read the state can read " +
					"it. Exists for Terraform before 1.11 and for configurations migrated from Cloudflare's " +
					"provider. Changing it sends the new value in place. Switching from `value` to " +
					"`value_wo` is an in-place update that sends `value_wo`.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{valueLengthValidator()},
			},
			"source_secret_id": schema.StringAttribute{
				MarkdownDescription: "Create the secret by duplicating this secret (its id, 32 hex, in the same " +
					"store): the API copies the value server-side and Terraform never knows it. Used only on " +
					"create; conflicts with `value_wo` and `value`. Changing it forces a new secret, except " +
					"after an import, when the state holds no value yet: setting it then only fills the state.",
				Optional:      true,
				Validators:    []validator.String{hexIDValidator()},
				PlanModifiers: []planmodifier.String{stringReplaceIfPriorSet()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The secret's name, unique in its store (case-sensitive): 1 to 255 " +
					"letters, digits, `_` or `-`. Changing it forces a new secret.",
				Required:      true,
				Validators:    []validator.String{objectNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"store_id": schema.StringAttribute{
				MarkdownDescription: r.f.describe("The store's id (32 hex).",
					"The id (32 hex) of a store managed by the calling service through `/system`.") +
					" Changing it forces a new secret.",
				Required:      true,
				Validators:    []validator.String{hexIDValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			attrAccountID: schema.StringAttribute{
				MarkdownDescription: "The account (32 hex) holding the store. Defaults to the provider's `account_id`. " +
					"Changing it forces a new secret.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{hexIDValidator()},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The products that may use the secret, at least one: " +
					"`" + strings.Join(knownScopes, "`, `") + "`. A scope this provider does not know yet is " +
					"sent with a warning (the API decides). Updated in place.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Set{scopesValidator()},
			},
			"comment": schema.StringAttribute{
				MarkdownDescription: "A note about the secret, 1 to 1,024 characters; omit it for none. " +
					"Updated in place.",
				Optional:   true,
				Validators: []validator.String{commentValidator()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The secret's id (32 hex).",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`pending` or `active`. The provider waits for `active` after a create or " +
					"a value change, so it is `active` in the state.",
				Computed: true,
			},
			"created": schema.StringAttribute{
				MarkdownDescription: "When the secret was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"modified": schema.StringAttribute{
				MarkdownDescription: "When the secret was last modified (RFC 3339).",
				Computed:            true,
			},
			attrResendValue: schema.BoolAttribute{
				MarkdownDescription: "When `true` and someone else wrote the secret since Terraform last did " +
					"(`changed_outside`), the next plan updates the secret in place and the apply sends the " +
					"configured value (`value_wo` or `value`) again, overwriting a value replaced in the dashboard " +
					"or by another tool. Defaults to `false`: such a change is only reported, with a warning at plan.",
				Optional: true,
			},
			"changed_outside": schema.BoolAttribute{
				MarkdownDescription: "`true` when someone else wrote the secret since Terraform last did: the API " +
					"reports a `modified` time other than the one it answered to Terraform's last create or update. " +
					"Its value may have been replaced (the API never returns values); each plan then warns, naming " +
					"the secret, until Terraform writes it again. Nothing is known before Terraform's first write: " +
					"`false` after an import or a move from Cloudflare's provider, null in a state written by an " +
					"earlier version of this provider.",
				Computed: true,
			},
			"timeouts": secretTimeouts(ctx),
		},
	}
}

// attrResendValue opts in to sending the configured value again after a change outside Terraform.
const attrResendValue = "resend_value_if_changed_outside"

// secretTimeouts is the `timeouts = { create = "5m", update = "5m" }` attribute.
func secretTimeouts(ctx context.Context) schema.Attribute {
	const unit = ` A duration such as "30s" or "10m" (units s, m, h). Defaults to "5m".`
	a := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true, Update: true,
		CreateDescription: "How long a create (or duplicate) may take, the wait for `active` included." + unit,
		UpdateDescription: "How long an update may take, the wait for `active` after a value change included." + unit,
	})
	if n, ok := a.(schema.SingleNestedAttribute); ok {
		n.MarkdownDescription = "How long the provider waits for a create or an update, including the wait " +
			"until the secret is `active`: `timeouts = { create = \"5m\", update = \"5m\" }`."
		return n
	}
	return a
}

func (r *secretResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(true)
}

// ValidateConfig refuses more than one source for the value, before any request. On the first
// validation of a command it also warns about scopes the provider does not know and about the
// legacy value, which lands in the state.
func (r *secretResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config secretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if set := config.valueSources(false); len(set) > 1 {
		resp.Diagnostics.AddAttributeError(path.Root(set[1]), "Conflicting secret value attributes",
			fmt.Sprintf("Secret %s sets %s: set exactly one of value_wo (with value_wo_version), value "+
				"(legacy, kept in state) or source_secret_id.", config.Name.ValueString(), strings.Join(set, " and ")))
	}
	if !firstValidation(r.data) {
		return
	}
	warnUnknownScopes(ctx, req.Config, path.Root("scopes"), &resp.Diagnostics)
	if !config.Value.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("value"), "The secret value is stored in the state",
			fmt.Sprintf("Secret %s sets the legacy value, which Terraform stores in clear in the state (and in "+
				"saved plans): anyone who can read them can read it. With Terraform 1.11 or later, set "+
				"value_wo instead (write-only: never stored) and value_wo_version (change it to send a new "+
				"value); switching is an update in place.", config.Name.ValueString()))
	}
}

// ModifyPlan resolves the account, checks the value attributes, and keeps status and modified
// from the state when applying would not change them (so a second plan is empty, and a comment
// change does not show the status as known only after apply).
func (r *secretResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	planAccount(ctx, r.f, r.data, req.Config, req.State, resp)
	var plan, config secretModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A create needs a source for the value (ValidateConfig refused more than one); Create
	// refuses to go on without one. Here it is only a warning, because the same plan runs
	// before `terraform destroy` (hashicorp/terraform#32208): a secret deleted outside
	// Terraform is planned for creation there, and an error would block the destroy. An
	// imported secret, or one generated by `terraform query`, plans without a value source.
	if req.State.Raw.IsNull() {
		if len(config.valueSources(true)) == 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("value_wo"), "Missing secret value",
				missingValueDetail(plan.Name.ValueString())+" Applying this plan would fail before any request.")
		}
		return
	}

	var state secretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ch := changesOf(plan, state, config)
	// A value sent again after a change outside Terraform is no change of the configuration:
	// the framework left status and modified known, so they are set here either way.
	status, modified, changedOutside := types.StringUnknown(), types.StringUnknown(), types.BoolValue(false)
	if ch.apiUnchanged() || (!ch.value && !ch.replace && state.Status.ValueString() == client.StatusActive) {
		// Nothing is sent, or nothing that makes an active secret pending again.
		status = state.Status
	}
	if ch.apiUnchanged() {
		modified, changedOutside = state.Modified, state.ChangedOutside
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), status)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("modified"), modified)...)
	// Any write by Terraform is remembered as its last: the next refresh compares with it.
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("changed_outside"), changedOutside)...)
}

// missingValueDetail says what a create without a value source needs.
func missingValueDetail(name string) string {
	return fmt.Sprintf("Creating secret %s needs exactly one of value_wo (with value_wo_version), value "+
		"(legacy, kept in state) or source_secret_id.", name)
}

// Create sends the value from the configuration (write-only values are never in the plan),
// batched with other creates into the same store, then waits for the secret to be active. A
// create whose request is in flight when the operation times out or is interrupted is not
// abandoned: its outcome is awaited briefly and a created secret is recorded in the state.
func (r *secretResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config secretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	owner := r.f.owner(plan.AccountID, r.data, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultSecretTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	storeID, name := plan.StoreID.ValueString(), plan.Name.ValueString()
	if len(config.valueSources(false)) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("value_wo"), "Missing secret value", missingValueDetail(name))
		return
	}
	start := time.Now()
	ctx, cancel := withOperationTimeout(ctx, "timeouts.create", timeout)
	defer cancel()
	ctx, tally := client.WithWaitTally(ctx)

	gw := r.data.Gateway
	scopes, comment := plan.scopeList(), plan.Comment.ValueStringPointer()
	var s *client.Secret
	var err error
	if src := plan.SourceSecretID; !src.IsNull() {
		s, err = gw.DuplicateSecret(ctx, owner, storeID, src.ValueString(),
			client.DuplicateSecretRequest{Name: name, Scopes: scopes, Comment: comment})
	} else {
		value, _ := config.configuredValue() // read from the configuration: value_wo is never in the plan
		s, err = gw.CreateSecret(ctx, owner, storeID, client.SecretInput{Name: name, Value: value, Scopes: scopes, Comment: comment})
	}
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, r.f, fmt.Sprintf("Could not create secret %s in store %s", name, storeID),
			r.importHint(ctx, owner, storeID, name, err)+scopeRefusal(err, scopes), err, unknownSecretCreate(owner, storeID, name))
		return
	}
	tflog.Info(ctx, "created secret", map[string]any{"store_id": storeID, "secret_id": s.ID, "name": name,
		"duplicate_of": plan.SourceSecretID.ValueString()})

	// Record the secret before anything else can fail: Terraform must never lose track of an
	// object that exists.
	plan.AccountID = types.StringValue(owner.Account)
	plan.fill(s)
	plan.ChangedOutside = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(rememberWrite(ctx, resp.Private, s)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.identity())...)
	if resp.Diagnostics.HasError() {
		return
	}
	if ctx.Err() != nil { // the request outlived the operation's timeout, or an interrupt
		warnNotConfirmedActive(ctx, &resp.Diagnostics, plan.describe(), nil)
		return
	}
	active, waited, err := gw.WaitActive(ctx, owner, storeID, s, notFoundGrace)
	switch {
	case err == nil:
		plan.fillComputed(active)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		warnLongWait(&resp.Diagnostics, "Creating "+plan.describe(), time.Since(start), waited, tally)
	case errors.Is(err, coalesce.ErrDeletedWhileWaiting) || client.IsNotFound(err):
		// Gone before it became active: nothing to record.
		resp.State.RemoveResource(ctx)
		addAPIError(&resp.Diagnostics, r.f, "Could not confirm "+plan.describe()+" is active", err)
	default:
		warnNotConfirmedActive(ctx, &resp.Diagnostics, plan.describe(), err)
	}
}

// warnNotConfirmedActive reports a secret that was created and recorded, but not seen active:
// the operation timed out or was interrupted first (err nil or a wait error), or the API failed
// while it was watched. It is a warning: the secret exists with the configured value and the API
// activates it on its own (the next plan reads its status), and a create that returns its state
// with an error makes Terraform taint it (the next apply would replace a secret that works) and
// crashes Terraform 1.16.0 when many creates fail at once.
func warnNotConfirmedActive(ctx context.Context, diags *diag.Diagnostics, object string, err error) {
	why := "the operation " + howEnded(ctx) + " before it was seen active." + raiseHint(ctx)
	var w *coalesce.WaitError
	switch {
	case errors.As(err, &w):
		why = fmt.Sprintf("it was still %s after %s of waiting: the operation %s.%s",
			w.LastStatus, w.Waited.Round(time.Millisecond), howEnded(ctx), raiseHint(ctx))
	case err != nil:
		why = "watching it failed: " + err.Error()
	}
	diags.AddWarning("Created "+object+", not confirmed active",
		fmt.Sprintf("%s was created with the configured value and is recorded in the state, but %s The API "+
			"activates a new secret on its own; until then a Worker that binds it fails to deploy.", object, why))
}

// importHint gives, after a name clash, the import ids of the secret holding the name.
func (r *secretResource) importHint(ctx context.Context, owner client.Owner, storeID, name string, err error) string {
	if !hasAPIReason(err, "secret_name_already_exists") {
		return ""
	}
	byName := fmt.Sprintf("%s/%s/%s", owner.Account, storeID, name)
	id := byName
	if existing, ferr := r.data.Gateway.FindSecretByName(ctx, owner, storeID, name); ferr == nil && existing != nil {
		id = fmt.Sprintf("%s/%s/%s", owner.Account, storeID, existing.ID)
	}
	address := r.f.typeName("secretsstore", "secret") + ".<name>"
	return fmt.Sprintf("\n\nSecret %s already exists in store %s. To manage it with Terraform, import it:\n\n"+
		"  terraform import %s %s\n\n(or by name: %s), or with an import block:\n\n%s\n\n"+
		"After the import, the first apply sends the configured value.",
		name, storeID, address, id, byName, importBlock(address, id))
}

func (r *secretResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m secretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	owner := r.f.owner(m.AccountID, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	m.AccountID = types.StringValue(owner.Account)
	// From the store's listing, shared by every read of the store in this plan; a secret the
	// listing lacks is confirmed with its own GET before it is declared gone.
	s, err := r.data.Gateway.ReadSecret(ctx, owner, m.StoreID.ValueString(), m.ID.ValueString())
	if client.IsNotFound(err) || (err == nil && s.Status == client.StatusDeleted) {
		r.removeGone(ctx, resp, "Secret "+r.f.notFound,
			fmt.Sprintf("%s was %s (deleted outside Terraform, or its store was). It is removed from the "+
				"state; it will be planned for creation again.", m.describe(), r.f.notFound), m.identity())
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, r.f, "Could not read "+m.describe(), err)
		return
	}
	m.fill(s)
	// Without a remembered write (after an import or a move, or in a state from before this
	// provider version) changed_outside keeps what the state holds: false, or null for the last.
	last, remembered := rememberedWrite(ctx, req.Private)
	if remembered {
		m.ChangedOutside = types.BoolValue(last.writtenByOthers(s))
	}
	if remembered && m.ChangedOutside.ValueBool() {
		warnChangedOutside(&resp.Diagnostics, m.describe(), last, s, m.ResendValue.ValueBool())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.identity())...)
}

func (r *secretResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config secretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	owner := r.f.owner(plan.AccountID, r.data, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Update(ctx, defaultSecretTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.identity())...)
	ch := changesOf(plan, state, config)
	if ch.apiUnchanged() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	start := time.Now()
	ctx, cancel := withOperationTimeout(ctx, "timeouts.update", timeout)
	defer cancel()
	ctx, tally := client.WithWaitTally(ctx)

	storeID, id := state.StoreID.ValueString(), state.ID.ValueString()
	// Scopes and comment are sent as planned even when the prior state holds them already:
	// someone may have changed them since the plan, and the API must end up holding the plan.
	patch := client.PatchSecretRequest{
		Scopes:       plan.scopeList(),
		Comment:      plan.Comment.ValueStringPointer(),
		ClearComment: plan.Comment.IsNull(),
	}
	if ch.value {
		value, _ := config.configuredValue() // read from the configuration: value_wo is never in the plan
		patch.Value = &value
	}
	// A patch in flight when the operation times out or is interrupted is awaited (briefly), so
	// that what is reported and recorded is what the API did.
	s, err := r.data.Gateway.PatchSecret(ctx, owner, storeID, id, patch)
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, r.f, "Could not update "+state.describe(), scopeRefusal(err, patch.Scopes), err,
			unknownUpdate(ch.value))
		return
	}
	// Remembered at once: whatever fails next, this write is Terraform's own.
	resp.Diagnostics.Append(rememberWrite(ctx, resp.Private, s)...)
	tflog.Info(ctx, "updated secret", map[string]any{"store_id": storeID, "secret_id": id,
		"scopes_changed": ch.scopes, "comment_changed": ch.comment, "value_sent": ch.value})
	var waited time.Duration
	// The plan promised "active" when no value is sent; a value someone else sent since the plan
	// may have made the secret pending, so it is awaited as after a value change. An answer that
	// came after the operation ended is recorded as is.
	late := ctx.Err() != nil
	if late || ch.value || (!plan.Status.IsUnknown() && s.Status != plan.Status.ValueString()) {
		var active *client.Secret
		if !late {
			active, waited, err = r.data.Gateway.WaitActive(ctx, owner, storeID, s, 0)
		}
		switch {
		case late || (err != nil && ctx.Err() != nil):
			// Applied, but the operation ended first: record it, so it is not sent twice.
			warnUpdatedUnconfirmed(ctx, &resp.Diagnostics, state.describe(), ch.value, late, err)
		case err == nil:
			s = active
		default:
			// Terraform keeps the previous state: the next apply sends the value again.
			next := "Terraform kept the secret's previous state, so the next apply sends it again."
			if errors.Is(err, coalesce.ErrDeletedWhileWaiting) || client.IsNotFound(err) {
				next = "The secret was then deleted: the next plan finds it gone and plans its creation."
			}
			applied := "The API applied the update."
			if ch.value {
				applied = "The API applied the new value."
			}
			resp.Diagnostics.AddError("Could not confirm "+state.describe()+" is active", apiErrorDetail(r.f, err)+
				"\n\n"+applied+" "+next)
			return
		}
	}
	status := plan.Status // an interrupt may leave a pending status the plan did not promise
	plan.fillComputed(s)
	if !status.IsUnknown() {
		plan.Status = status
	}
	plan.ChangedOutside = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	warnLongWait(&resp.Diagnostics, "Updating "+state.describe(), time.Since(start), waited, tally)
}

func (r *secretResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m secretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	owner := r.f.owner(m.AccountID, r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	storeID, id := m.StoreID.ValueString(), m.ID.ValueString()
	// Batched with the other deletes of the store into one bulk delete; gone already is done.
	if err := r.data.Gateway.DeleteSecret(ctx, owner, storeID, id); err != nil {
		addCallError(ctx, &resp.Diagnostics, r.f, "Could not delete "+m.describe(), "", err, unknownDelete(m.describe()))
		return
	}
	tflog.Info(ctx, "deleted secret", map[string]any{"store_id": storeID, "secret_id": id})
}

// ImportState takes ACCOUNT_ID/STORE_ID/SECRET_ID or ACCOUNT_ID/STORE_ID/SECRET_NAME, or an identity.
func (r *secretResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	r.importState(ctx, req, resp, []string{"ACCOUNT_ID", "STORE_ID", "SECRET_ID_OR_NAME"},
		func(segs []string, diags *diag.Diagnostics) objectIdentity {
			owner := client.Owner{Family: r.f.family, Account: segs[0]}
			s, err := r.lookup(ctx, owner, segs[1], segs[2])
			if err != nil {
				addAPIError(diags, r.f, fmt.Sprintf("Could not import secret %s from store %s", segs[2], segs[1]), err)
				return objectIdentity{}
			}
			return objectIdentity{Account: segs[0], StoreID: segs[1], SecretID: s.ID}
		})
	if !resp.Diagnostics.HasError() {
		// Nothing written by Terraform is remembered yet, so nothing can be told apart from it.
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("changed_outside"), false)...)
	}
}

// lookup finds a secret by the last import segment: a 32-hex segment is tried as an id first,
// then (like any other) as a name.
func (r *secretResource) lookup(ctx context.Context, owner client.Owner, storeID, idOrName string) (*client.Secret, error) {
	if hexIDPattern.MatchString(idOrName) {
		s, err := r.data.Gateway.ReadSecret(ctx, owner, storeID, idOrName)
		if err == nil || !client.IsNotFound(err) {
			return s, err
		}
	}
	s, err := r.data.Gateway.FindSecretByName(ctx, owner, storeID, idOrName)
	if err == nil && s == nil {
		err = fmt.Errorf("store %s holds no secret with the id or name %q", storeID, idOrName)
	}
	return s, err
}
