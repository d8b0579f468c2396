package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// storeModel is the state of secretsstore_store.
type storeModel struct {
	ID           types.String `tfsdk:"id"`
	AccountID    types.String `tfsdk:"account_id"`
	Name         types.String `tfsdk:"name"`
	Created      types.String `tfsdk:"created"`
	Modified     types.String `tfsdk:"modified"`
	ForceDestroy types.Bool   `tfsdk:"force_destroy"`
}

// systemStoreModel is the state of secretsstore_system_store: a store plus the account's
// numeric id, which the /system create route takes in its body. It is the one structural
// difference between the two families.
type systemStoreModel struct {
	storeModel
	AccountInternalID types.Int64 `tfsdk:"account_internal_id"`
}

// schemaView is what Get and Set map onto a store resource's schema of family f: the whole
// model for the system store, only its storeModel part for the account store, whose schema
// has no account_internal_id (which then stays null).
func (m *systemStoreModel) schemaView(f routeFamily) any {
	if f.isSystem() {
		return m
	}
	return &m.storeModel
}

// fill copies what the API returns into the model.
func (m *storeModel) fill(st *client.Store) {
	m.ID = types.StringValue(st.ID)
	m.Name = types.StringValue(st.Name)
	m.Created = apiTime(st.Created)
	m.Modified = apiTime(st.Modified)
}

// identity is the store's resource identity.
func (m *storeModel) identity() objectIdentity {
	return objectIdentity{Account: m.AccountID.ValueString(), StoreID: m.ID.ValueString()}
}

// describe names the store in messages: "store NAME (ID)".
func (m *storeModel) describe() string {
	return "store " + m.Name.ValueString() + " (" + m.ID.ValueString() + ")"
}
