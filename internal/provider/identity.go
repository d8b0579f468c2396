package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Identity attribute names shared by the store and secret resources of both families.
const (
	identityStoreID  = "store_id"
	identitySecretID = "secret_id"
)

// objectIdentity is a store's or secret's resource identity: the account, the store, and for a
// secret its id. It is what an `import { identity = {…} }` block names (Terraform 1.12+).
type objectIdentity struct {
	Account  string
	StoreID  string
	SecretID string // empty for a store
}

// identitySchema is the identity schema of a store (withSecret false) or a secret. The account
// may be left out of an import block: the provider's account_id is used then.
func identitySchema(withSecret bool) identityschema.Schema {
	attrs := map[string]identityschema.Attribute{
		attrAccountID: identityschema.StringAttribute{
			OptionalForImport: true,
			Description:       "The account (32 hex). Defaults to the provider's account_id on import.",
		},
		identityStoreID: identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The store's id (32 hex).",
		},
	}
	if withSecret {
		attrs[identitySecretID] = identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The secret's id (32 hex).",
		}
	}
	return identityschema.Schema{Attributes: attrs}
}

// setIdentity writes id into a response's identity, when the resource has one.
func setIdentity(ctx context.Context, dst *tfsdk.ResourceIdentity, id objectIdentity) diag.Diagnostics {
	var diags diag.Diagnostics
	if dst == nil {
		return diags
	}
	diags.Append(dst.SetAttribute(ctx, path.Root(attrAccountID), id.Account)...)
	diags.Append(dst.SetAttribute(ctx, path.Root(identityStoreID), id.StoreID)...)
	if id.SecretID != "" {
		diags.Append(dst.SetAttribute(ctx, path.Root(identitySecretID), id.SecretID)...)
	}
	return diags
}

// readIdentity reads an import block's identity. A missing account falls back to the
// provider's account_id; the ids must be 32 hex.
func readIdentity(ctx context.Context, src *tfsdk.ResourceIdentity, f routeFamily, data *providerData, withSecret bool) (objectIdentity, diag.Diagnostics) {
	var diags diag.Diagnostics
	var account, storeID, secretID types.String
	diags.Append(src.GetAttribute(ctx, path.Root(attrAccountID), &account)...)
	diags.Append(src.GetAttribute(ctx, path.Root(identityStoreID), &storeID)...)
	if withSecret {
		diags.Append(src.GetAttribute(ctx, path.Root(identitySecretID), &secretID)...)
	}
	if diags.HasError() {
		return objectIdentity{}, diags
	}
	owner := f.owner(account, data, &diags)
	if diags.HasError() {
		return objectIdentity{}, diags
	}
	id := objectIdentity{Account: owner.Account, StoreID: storeID.ValueString(), SecretID: secretID.ValueString()}
	check := func(name, v string) {
		if !hexIDPattern.MatchString(v) {
			diags.AddAttributeError(path.Root(name), "Invalid identity",
				"The identity's "+name+" must be 32 lowercase hexadecimal characters, got \""+v+"\".")
		}
	}
	check(attrAccountID, id.Account)
	check(identityStoreID, id.StoreID)
	if withSecret {
		check(identitySecretID, id.SecretID)
	}
	return id, diags
}
