package provider

// Schema pieces and element models shared by the data sources (secretsstore_store, _stores,
// _secret, _secrets, _quota and their system variants): the account and filter attributes, the
// store and secret objects, and the conversion of API objects into them.

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Values the list data sources accept for order and direction, as the API names them.
var (
	dataSourceStoreOrders  = []string{"name", "created", "modified"}
	dataSourceSecretOrders = []string{"name", "comment", "created", "modified", "status"}
	dataSourceDirections   = []string{"asc", "desc"}
)

// dataSourceAccountAttribute is the optional account_id of a data source: set from the block,
// else the provider's account_id, and always the account used in state.
func dataSourceAccountAttribute(f routeFamily) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: f.describe("Account id (32 lowercase hex) to read from.",
			"Account id (32 lowercase hex) the calling service acts for.") +
			" Defaults to the provider's `account_id`.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{hexIDValidator()},
	}
}

// dataSourceOneOfAttribute is an optional string limited to values, checked at plan time.
func dataSourceOneOfAttribute(desc string, values []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc + " One of " + dataSourceBackticked(values) + ".",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.OneOf(values...)},
	}
}

// dataSourceBackticked renders values as Markdown code, comma-separated.
func dataSourceBackticked(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

// dataSourceStoreItem is one element of the stores list.
type dataSourceStoreItem struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	AccountID types.String `tfsdk:"account_id"`
	Created   types.String `tfsdk:"created"`
	Modified  types.String `tfsdk:"modified"`
}

func dataSourceStoreFrom(s client.Store, account string) dataSourceStoreItem {
	if s.AccountID != "" {
		account = s.AccountID
	}
	return dataSourceStoreItem{
		ID:        types.StringValue(s.ID),
		Name:      types.StringValue(s.Name),
		AccountID: types.StringValue(account),
		Created:   apiTime(s.Created),
		Modified:  apiTime(s.Modified),
	}
}

// dataSourceSecretItem is one element of the secrets list.
type dataSourceSecretItem struct {
	ID       types.String `tfsdk:"id"`
	StoreID  types.String `tfsdk:"store_id"`
	Name     types.String `tfsdk:"name"`
	Comment  types.String `tfsdk:"comment"`
	Scopes   types.Set    `tfsdk:"scopes"`
	Status   types.String `tfsdk:"status"`
	Created  types.String `tfsdk:"created"`
	Modified types.String `tfsdk:"modified"`
}

func dataSourceSecretFrom(s client.Secret, storeID string) dataSourceSecretItem {
	if s.StoreID != "" {
		storeID = s.StoreID
	}
	return dataSourceSecretItem{
		ID:       types.StringValue(s.ID),
		StoreID:  types.StringValue(storeID),
		Name:     types.StringValue(s.Name),
		Comment:  apiComment(s.Comment),
		Scopes:   apiScopes(s.Scopes),
		Status:   types.StringValue(s.Status),
		Created:  apiTime(s.Created),
		Modified: apiTime(s.Modified),
	}
}

// dataSourceIsStoreNotFound tells a missing store from a missing secret in a 404.
func dataSourceIsStoreNotFound(err error) bool {
	return client.IsNotFound(err) && hasAPIReason(err, "store_not_found")
}

// dataSourceStoreList renders stores for an error message, one per line.
func dataSourceStoreList(stores []client.Store) string {
	var b strings.Builder
	for _, s := range stores {
		fmt.Fprintf(&b, "\n  - %s (id %s)", s.Name, s.ID)
	}
	return b.String()
}

// Schema attributes shared by the element objects and the single-object data sources.

func dataSourceStoreAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The store's id (32 lowercase hex).",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The store's name.",
			Computed:            true,
		},
		"account_id": schema.StringAttribute{
			MarkdownDescription: "The account (32 lowercase hex) the store belongs to.",
			Computed:            true,
		},
		"created": schema.StringAttribute{
			MarkdownDescription: "When the store was created (RFC 3339).",
			Computed:            true,
		},
		"modified": schema.StringAttribute{
			MarkdownDescription: "When the store was last modified (RFC 3339).",
			Computed:            true,
		},
	}
}

func dataSourceSecretAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The secret's id (32 lowercase hex).",
			Computed:            true,
		},
		"store_id": schema.StringAttribute{
			MarkdownDescription: "The id of the store holding the secret.",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The secret's name, unique in its store.",
			Computed:            true,
		},
		"comment": schema.StringAttribute{
			MarkdownDescription: "The secret's comment; null when it has none.",
			Computed:            true,
		},
		"scopes": schema.SetAttribute{
			MarkdownDescription: "The products the secret is bound to, such as `workers` or `ai_gateway`.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"status": schema.StringAttribute{
			MarkdownDescription: "`pending` right after the secret's value was set, `active` once it can be used.",
			Computed:            true,
		},
		"created": schema.StringAttribute{
			MarkdownDescription: "When the secret was created (RFC 3339).",
			Computed:            true,
		},
		"modified": schema.StringAttribute{
			MarkdownDescription: "When the secret was last modified (RFC 3339).",
			Computed:            true,
		},
	}
}
