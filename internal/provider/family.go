package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// routeFamily is everything that differs between the account types (secretsstore_store, …)
// and the system types (secretsstore_system_store, …). Each type is written once and
// instantiated for both families: a change to secret behaviour lands in both at once.
type routeFamily struct {
	family client.Family
	// typePrefix goes between the provider type name and the type's own name.
	typePrefix string
	// accountAttr is the attribute naming the account: account_id or account_tag.
	accountAttr string
	// notFound finishes "secret X was …" when the API answers 404.
	notFound string
	// tokenKind names the credential the family's routes accept, for error hints.
	tokenKind string
}

var (
	accountFamily = routeFamily{
		family:      client.FamilyAccount,
		typePrefix:  "_",
		accountAttr: "account_id",
		notFound:    "not found",
		tokenKind:   "an account API token with Secrets Store permissions",
	}
	systemFamily = routeFamily{
		family:      client.FamilySystem,
		typePrefix:  "_system_",
		accountAttr: "account_tag",
		notFound:    "not found, or not managed by this service",
		tokenKind:   "a service token for the /system routes",
	}
)

// typeName builds a full type name, e.g. secretsstore_system_secret.
func (f routeFamily) typeName(providerTypeName, name string) string {
	return providerTypeName + f.typePrefix + name
}

func (f routeFamily) isSystem() bool { return f.family == client.FamilySystem }

// importAccountSegment names the account segment of an import id: ACCOUNT_ID or ACCOUNT_TAG.
func (f routeFamily) importAccountSegment() string { return strings.ToUpper(f.accountAttr) }

// owner picks the account a type acts on: its own attribute when set, else the provider's
// account_id. The error names both places so the user knows where to set it.
func (f routeFamily) owner(configured types.String, data *providerData, diags *diag.Diagnostics) client.Owner {
	account := configured.ValueString()
	if configured.IsNull() || configured.IsUnknown() {
		account = ""
		if data != nil {
			account = data.AccountID
		}
	}
	if account == "" {
		diags.AddAttributeError(path.Root(f.accountAttr), "Missing "+f.accountAttr,
			fmt.Sprintf("Set %s on this block, or account_id in the provider block (or %s).", f.accountAttr, envAccountID))
	}
	return client.Owner{Family: f.family, Account: account}
}
