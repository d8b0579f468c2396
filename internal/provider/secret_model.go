package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// secretModel is the state of secretsstore_secret and secretsstore_system_secret.
type secretModel struct {
	ID             types.String   `tfsdk:"id"`
	AccountID      types.String   `tfsdk:"account_id"`
	StoreID        types.String   `tfsdk:"store_id"`
	Name           types.String   `tfsdk:"name"`
	ValueWO        types.String   `tfsdk:"value_wo"`
	ValueWOVersion types.String   `tfsdk:"value_wo_version"`
	Value          types.String   `tfsdk:"value"`
	SourceSecretID types.String   `tfsdk:"source_secret_id"`
	Scopes         types.Set      `tfsdk:"scopes"`
	Comment        types.String   `tfsdk:"comment"`
	Status         types.String   `tfsdk:"status"`
	Created        types.String   `tfsdk:"created"`
	Modified       types.String   `tfsdk:"modified"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
	// ChangedOutside: someone else wrote the secret since this provider last did
	// (secret_outside.go); ResendValue opts in to sending the configured value then.
	ChangedOutside types.Bool `tfsdk:"changed_outside"`
	ResendValue    types.Bool `tfsdk:"resend_value_if_changed_outside"`
}

// fill copies the secret's metadata as the API returns it into the model. The value attributes,
// source_secret_id and timeouts are the configuration's: the API never returns them.
func (m *secretModel) fill(s *client.Secret) {
	if s.StoreID != "" {
		m.StoreID = types.StringValue(s.StoreID)
	}
	m.Name = types.StringValue(s.Name)
	m.Scopes = apiScopes(s.Scopes)
	m.Comment = apiComment(s.Comment)
	m.fillComputed(s)
}

// fillComputed copies only what the API decides: id, status and the times. After an update the
// scopes and comment stay as planned: they were sent, and a view read later (the wait for
// "active") may already hold someone else's change, which the plan did not promise.
func (m *secretModel) fillComputed(s *client.Secret) {
	m.ID = types.StringValue(s.ID)
	m.Status = types.StringValue(s.Status)
	m.Created = apiTime(s.Created)
	m.Modified = apiTime(s.Modified)
}

// identity is the secret's resource identity.
func (m *secretModel) identity() objectIdentity {
	return objectIdentity{Account: m.AccountID.ValueString(), StoreID: m.StoreID.ValueString(), SecretID: m.ID.ValueString()}
}

// describe names the secret in messages: "secret NAME (ID) in store STORE".
func (m *secretModel) describe() string {
	return "secret " + m.Name.ValueString() + " (" + m.ID.ValueString() + ") in store " + m.StoreID.ValueString()
}

// scopeList is the set of scopes as the API takes them, sorted.
func (m *secretModel) scopeList() []string {
	out := knownStrings(m.Scopes.Elements())
	slices.Sort(out)
	return out
}

// configuredValue is the value to send, read from the configuration: value_wo, else the legacy
// value. ok is false when neither is set.
func (m *secretModel) configuredValue() (value string, ok bool) {
	switch {
	case !m.ValueWO.IsNull() && !m.ValueWO.IsUnknown():
		return m.ValueWO.ValueString(), true
	case !m.Value.IsNull() && !m.Value.IsUnknown():
		return m.Value.ValueString(), true
	}
	return "", false
}

// valueSources names the value attributes the configuration sets: value_wo, value,
// source_secret_id. withUnknown counts a value not known yet as set.
func (m *secretModel) valueSources(withUnknown bool) []string {
	var set []string
	for _, a := range []struct {
		name string
		v    types.String
	}{{"value_wo", m.ValueWO}, {"value", m.Value}, {"source_secret_id", m.SourceSecretID}} {
		if !a.v.IsNull() && (withUnknown || !a.v.IsUnknown()) {
			set = append(set, a.name)
		}
	}
	return set
}

// secretChanges is what applying a plan over a prior state changes on the API side.
type secretChanges struct {
	scopes, comment bool
	// value: the value is sent, because value or value_wo_version changed, or someone else
	// wrote the secret and resend_value_if_changed_outside is set, and the configuration has a
	// value to send.
	value bool
	// replace: an attribute that forces a new secret changed.
	replace bool
}

// changesOf compares plan and prior state; config tells whether a value can be sent.
func changesOf(plan, state, config secretModel) secretChanges {
	hasValue := !config.ValueWO.IsNull() || !config.Value.IsNull() // an unknown value counts
	return secretChanges{
		scopes:  !plan.Scopes.Equal(state.Scopes),
		comment: !plan.Comment.Equal(state.Comment),
		value: hasValue && (!plan.Value.Equal(state.Value) || !plan.ValueWOVersion.Equal(state.ValueWOVersion) ||
			(state.ChangedOutside.ValueBool() && config.ResendValue.ValueBool())),
		replace: !plan.Name.Equal(state.Name) || !plan.StoreID.Equal(state.StoreID) ||
			!plan.AccountID.Equal(state.AccountID) ||
			(!state.SourceSecretID.IsNull() && !plan.SourceSecretID.Equal(state.SourceSecretID)),
	}
}

// apiUnchanged reports that only attributes held in the state alone differ (timeouts, or
// value_wo_version or source_secret_id with nothing to send): no request is needed, and status
// and modified keep their values.
func (c secretChanges) apiUnchanged() bool {
	return !c.scopes && !c.comment && !c.value && !c.replace
}

// nullTimeoutsOf is a null timeouts value typed as the secret resource's schema declares it,
// for a secret's state made without a plan (a listing, a moved state).
func nullTimeoutsOf(ctx context.Context, sch interface {
	TypeAtPath(context.Context, path.Path) (attr.Type, diag.Diagnostics)
}) (timeouts.Value, diag.Diagnostics) {
	typ, diags := sch.TypeAtPath(ctx, path.Root("timeouts"))
	withAttrs, ok := typ.(attr.TypeWithAttributeTypes)
	if diags.HasError() || !ok {
		diags.AddError("Unexpected resource schema",
			"The secretsstore_secret resource schema has no timeouts object. This is a bug in the provider: please report it.")
		return timeouts.Value{}, diags
	}
	return timeouts.Value{Object: types.ObjectNull(withAttrs.AttributeTypes())}, diags
}
