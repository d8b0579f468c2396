package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

var (
	_ action.ActionWithConfigure      = (*secretDuplicateAction)(nil)
	_ action.ActionWithValidateConfig = (*secretDuplicateAction)(nil)
)

// duplicateActiveTimeout bounds the wait for the copy to become active. Actions have no
// timeouts block; this matches the secret resource's default create timeout.
const duplicateActiveTimeout = 5 * time.Minute

// newSecretDuplicateAction is secretsstore_secret_duplicate (Terraform 1.14+).
func newSecretDuplicateAction() action.Action { return &secretDuplicateAction{f: accountFamily} }

// newSystemSecretDuplicateAction is secretsstore_system_secret_duplicate (Terraform 1.14+).
func newSystemSecretDuplicateAction() action.Action { return &secretDuplicateAction{f: systemFamily} }

// secretDuplicateAction copies a secret server-side under a new name. One implementation
// serves both route families.
type secretDuplicateAction struct {
	f    routeFamily
	data *providerData
}

// duplicateArgs is the action's configuration.
type duplicateArgs struct {
	AccountID types.String `tfsdk:"account_id"`
	StoreID   types.String `tfsdk:"store_id"`
	SecretID  types.String `tfsdk:"secret_id"`
	Name      types.String `tfsdk:"name"`
	Scopes    []string     `tfsdk:"scopes"`
	Comment   types.String `tfsdk:"comment"`
}

func (a *secretDuplicateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = a.f.typeName(req.ProviderTypeName, "secret_duplicate")
}

func (a *secretDuplicateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	description := a.f.describe("", "Duplicates a secret of a store that a calling service manages through "+
		"the `/system` routes (needs a service token). ") +
		"Duplicates a secret server-side under a new name in the same store: the API copies the " +
		"value, which never passes through Terraform. The action waits until the copy is `active`. Needs " +
		"Terraform 1.14 or later.\n\n" +
		"~> **The copy is not managed by Terraform.** No resource tracks it: `terraform destroy` leaves it in " +
		"place, it counts toward the account's secret quota, and it keeps its store non-empty (destroying the " +
		"store then needs `force_destroy = true`). To manage a copy, use the `source_secret_id` argument of " +
		"the `secretsstore_secret` resource instead, or import the copy afterwards."
	resp.Schema = schema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]schema.Attribute{
			"store_id": schema.StringAttribute{
				MarkdownDescription: "The id (32 hex) of the store holding the source secret; the copy is made in the same store.",
				Required:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
			"secret_id": schema.StringAttribute{
				MarkdownDescription: "The id (32 hex) of the secret to copy (the source).",
				Required:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The copy's name: 1 to 255 letters, digits, `_` or `-`, not yet taken in the store.",
				Required:            true,
				Validators:          []validator.String{objectNameValidator()},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The products the copy is bound to, at least one (for example `workers`, " +
					"`ai_gateway`). They are not copied from the source.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Set{scopesValidator()},
			},
			"comment": schema.StringAttribute{
				MarkdownDescription: "The copy's comment, 1 to 1,024 characters. Not copied from the source: omit it for none.",
				Optional:            true,
				Validators:          []validator.String{commentValidator()}, // the secret resource's rule
			},
			attrAccountID: schema.StringAttribute{
				MarkdownDescription: "The account (32 hex) holding the store. Defaults to the provider's `account_id`.",
				Optional:            true,
				Validators:          []validator.String{hexIDValidator()},
			},
		},
	}
}

func (a *secretDuplicateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig warns, on the first validation of a command, about scopes the provider does
// not know.
func (a *secretDuplicateAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	if firstValidation(a.data) {
		warnUnknownScopes(ctx, req.Config, path.Root("scopes"), &resp.Diagnostics)
	}
}

func (a *secretDuplicateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	progress := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Info(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	var args duplicateArgs
	resp.Diagnostics.Append(req.Config.Get(ctx, &args)...)
	if resp.Diagnostics.HasError() || !requireConfigured(a.data, "the action ran", &resp.Diagnostics) {
		return
	}
	owner := a.f.owner(args.AccountID, a.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	scopes := args.Scopes
	storeID, sourceID, name := args.StoreID.ValueString(), args.SecretID.ValueString(), args.Name.ValueString()
	in := client.DuplicateSecretRequest{Name: name, Scopes: scopes, Comment: args.Comment.ValueStringPointer()}
	summary := fmt.Sprintf("Could not duplicate secret %s as %s in store %s", sourceID, name, storeID)

	ctx, cancel := withOperationTimeout(ctx, "the action's fixed bound", duplicateActiveTimeout)
	defer cancel()

	// Look the source up first: a missing source is reported before anything is attempted, and
	// the messages can use its name.
	gw := a.data.Gateway
	source, err := gw.ReadSecret(ctx, owner, storeID, sourceID)
	if err != nil {
		if client.IsNotFound(err) {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("The source secret %s was %s in store %s of account %s.\n\n%s",
				sourceID, a.f.notFound, storeID, owner.Account, apiErrorDetail(a.f, err)))
			return
		}
		addCallError(ctx, &resp.Diagnostics, a.f, summary, "", err, "")
		return
	}
	sourceLabel := fmt.Sprintf("%s (%s)", source.Name, sourceID)
	summary = fmt.Sprintf("Could not duplicate secret %s as %s in store %s", sourceLabel, name, storeID)

	progress("Duplicating secret %s as %s in store %s…", sourceLabel, name, storeID)
	// Run to completion even when interrupted, so that the copy, if made, is reported.
	copied, err := gw.DuplicateSecret(ctx, owner, storeID, sourceID, in)
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, a.f, summary, scopeRefusal(err, scopes), err,
			fmt.Sprintf("The copy %s may now exist in store %s. It is not managed by Terraform: look for it with the "+
				"%s data source. Invoking the action again fails with a name clash if it exists.",
				name, storeID, a.f.typeName("secretsstore", "secrets")))
		return
	}
	tflog.Info(ctx, "duplicated secret", map[string]any{"store_id": storeID, "source_id": sourceID, "secret_id": copied.ID})

	if copied.Status != client.StatusActive {
		progress("Waiting for %s (id %s) to become active…", name, copied.ID)
		copied, _, err = gw.WaitActive(ctx, owner, storeID, copied, notFoundGrace)
		if err != nil {
			addWaitError(ctx, &resp.Diagnostics, a.f, fmt.Sprintf("Could not confirm the copy %s in store %s is active", name, storeID),
				"The copy "+name, "It exists and is not managed by Terraform; check it later with the "+
					"secretsstore_secret data source.", err)
			return
		}
	}
	progress("%s is active (id %s). It is not managed by Terraform: it stays when Terraform destroys "+
		"its configuration, and counts toward the account's secret quota.", name, copied.ID)
}
