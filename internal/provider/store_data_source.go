package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// defaultStoreName is the store every account starts with.
const defaultStoreName = "default_secrets_store"

var (
	_ datasource.DataSourceWithConfigure        = (*storeDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*storeDataSource)(nil)
)

// storeDataSource reads one store of an account (secretsstore_store): by id, by name, or the
// account's default store.
type storeDataSource struct {
	familyDataSource
}

func newStoreDataSource() datasource.DataSource {
	return &storeDataSource{familyDataSource{f: accountFamily}}
}

func (d *storeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.f.typeName(req.ProviderTypeName, "store")
}

func (d *storeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := dataSourceStoreAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The store's id (32 lowercase hex). Set it to read that store; " +
			"conflicts with `name`.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{hexIDValidator()},
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The store's name. Set it to read the store of that name; " +
			"conflicts with `id`.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["account_id"] = dataSourceAccountAttribute(d.f)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one store of an account, by `id` or by `name` (at most one of them). " +
			"With neither, it reads the store named `" + defaultStoreName + "` (every account starts " +
			"with it), else the account's only store; an account with several stores and no `" +
			defaultStoreName + "` is an error that lists them, so that you can choose one.",
		Attributes: attrs,
	}
}

func (d *storeDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *storeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model dataSourceStoreItem
	owner, ok := d.readConfig(ctx, req.Config, &model, &model.AccountID, &resp.Diagnostics)
	if !ok {
		return
	}

	var store *client.Store
	if !model.ID.IsNull() {
		store = d.byID(ctx, owner, model.ID.ValueString(), &resp.Diagnostics)
	} else {
		store = d.byNameOrDefault(ctx, owner, model.Name, &resp.Diagnostics)
	}
	if store == nil || resp.Diagnostics.HasError() {
		return
	}

	model = dataSourceStoreFrom(*store, owner.Account)
	// The account asked for, which the configuration may have set.
	model.AccountID = types.StringValue(owner.Account)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// byID reads the store with this id; a missing store is an error naming it and the account.
func (d *storeDataSource) byID(ctx context.Context, owner client.Owner, id string, diags *diag.Diagnostics) *client.Store {
	store, err := d.data.Gateway.ReadStore(ctx, owner, id)
	switch {
	case client.IsNotFound(err):
		diags.AddAttributeError(path.Root("id"), fmt.Sprintf("Store %s not found", id),
			fmt.Sprintf("No store with id %s in account %s.\n\n%s",
				id, owner.Account, apiErrorDetail(d.f, err)))
		return nil
	case err != nil:
		addAPIError(diags, d.f, fmt.Sprintf("Could not read store %s", id), err)
		return nil
	case store == nil:
		diags.AddAttributeError(path.Root("id"), fmt.Sprintf("Store %s not found", id),
			fmt.Sprintf("The API returned no store for id %s in account %s.", id, owner.Account))
		return nil
	}
	return store
}

// byNameOrDefault lists the account's stores and picks the one named name; with no name, the
// store named default_secrets_store, else the only store. Anything else is an error that
// lists the stores, names and ids, so the user can choose.
func (d *storeDataSource) byNameOrDefault(ctx context.Context, owner client.Owner, name types.String, diags *diag.Diagnostics) *client.Store {
	stores, err := d.data.Gateway.ListStores(ctx, owner, client.ListStoresOptions{Order: "name", Direction: "asc"})
	if err != nil {
		addAPIError(diags, d.f,
			fmt.Sprintf("Could not list the stores of account %s", owner.Account), err)
		return nil
	}
	find := func(n string) *client.Store {
		for i := range stores {
			if stores[i].Name == n {
				return &stores[i]
			}
		}
		return nil
	}

	if !name.IsNull() {
		if s := find(name.ValueString()); s != nil {
			return s
		}
		detail := fmt.Sprintf("No store named %q in account %s.", name.ValueString(), owner.Account)
		if len(stores) == 0 {
			detail += " The account holds no stores."
		} else {
			detail += " Its stores:" + dataSourceStoreList(stores)
		}
		diags.AddAttributeError(path.Root("name"), fmt.Sprintf("Store %q not found", name.ValueString()), detail)
		return nil
	}

	if s := find(defaultStoreName); s != nil {
		return s
	}
	switch len(stores) {
	case 1:
		return &stores[0]
	case 0:
		diags.AddError("No store to read",
			fmt.Sprintf("Account %s holds no stores. Create one with the secretsstore_store resource.",
				owner.Account))
	default:
		names := make([]string, len(stores))
		for i, s := range stores {
			names[i] = s.Name
		}
		diags.AddError("Several stores and no "+defaultStoreName,
			fmt.Sprintf("Account %s holds %d stores (%s) and none is named %s: set name or id to choose one. Its stores:%s",
				owner.Account, len(stores), strings.Join(names, ", "),
				defaultStoreName, dataSourceStoreList(stores)))
	}
	return nil
}
