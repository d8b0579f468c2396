package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// routeFamily is what differs between the account types (secretsstore_store, …) and the
// system types (secretsstore_system_store, …): the routes they call and the words their
// messages use. Every type is written once and instantiated for both families, so a change
// to secret behaviour lands in both at once. The one structural difference, the system
// store's account_internal_id, lives in store_model.go.
type routeFamily struct {
	family client.Family
	// typeInfix goes between the provider's name and the type's own: "" for
	// secretsstore_secret, "system_" for secretsstore_system_secret.
	typeInfix string
	// notFound finishes "secret X was …" when the API answers 404.
	notFound string
	// tokenKind names the credential the family's routes accept, for error hints.
	tokenKind string
}

var (
	accountFamily = routeFamily{
		family:    client.FamilyAccount,
		notFound:  "not found",
		tokenKind: "an account API token with Secrets Store permissions",
	}
	systemFamily = routeFamily{
		family:    client.FamilySystem,
		typeInfix: "system_",
		notFound:  "not found, or not managed by this service",
		tokenKind: "a service token for the /system routes",
	}
)

// typeName builds a full type name, e.g. secretsstore_system_secret.
func (f routeFamily) typeName(providerTypeName, name string) string {
	return providerTypeName + "_" + f.typeInfix + name
}

func (f routeFamily) isSystem() bool { return f.family == client.FamilySystem }

// describe picks the wording of a description or message for the family.
func (f routeFamily) describe(account, system string) string {
	if f.isSystem() {
		return system
	}
	return account
}

// owner picks the account a type acts on: its own account_id when set, else the provider's.
// The error names both places so the user knows where to set it.
func (f routeFamily) owner(configured types.String, data *providerData, diags *diag.Diagnostics) client.Owner {
	account := configured.ValueString()
	if configured.IsNull() || configured.IsUnknown() {
		account = ""
		if data != nil {
			account = data.AccountID
		}
	}
	if account == "" {
		diags.AddAttributeError(path.Root(attrAccountID), "Missing account_id",
			fmt.Sprintf("Set account_id on this block, or in the provider block (or %s).", envAccountID))
	}
	return client.Owner{Family: f.family, Account: account}
}
