package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// secretModel holds the attributes both secret families share; Account is carried by the
// family's wrapper below, whose tag names it (account_id or account_tag).
type secretModel struct {
	ID             types.String   `tfsdk:"id"`
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
	Account        types.String   `tfsdk:"-"`
}

type accountSecretModel struct {
	secretModel
	AccountID types.String `tfsdk:"account_id"`
}

type systemSecretModel struct {
	secretModel
	AccountTag types.String `tfsdk:"account_tag"`
}

func getSecretModel(ctx context.Context, f routeFamily, src modelGetter, m *secretModel) diag.Diagnostics {
	if f.isSystem() {
		var w systemSecretModel
		diags := src.Get(ctx, &w)
		*m = w.secretModel
		m.Account = w.AccountTag
		return diags
	}
	var w accountSecretModel
	diags := src.Get(ctx, &w)
	*m = w.secretModel
	m.Account = w.AccountID
	return diags
}

func setSecretModel(ctx context.Context, f routeFamily, dst modelSetter, m secretModel) diag.Diagnostics {
	if f.isSystem() {
		return dst.Set(ctx, systemSecretModel{secretModel: m, AccountTag: m.Account})
	}
	return dst.Set(ctx, accountSecretModel{secretModel: m, AccountID: m.Account})
}

// fill copies the secret's metadata as the API returns it into the model. The value attributes,
// source_secret_id and timeouts are the configuration's: the API never returns them.
func (m *secretModel) fill(s *client.Secret) {
	m.ID = types.StringValue(s.ID)
	if s.StoreID != "" {
		m.StoreID = types.StringValue(s.StoreID)
	}
	m.Name = types.StringValue(s.Name)
	m.Scopes = apiScopes(s.Scopes)
	m.Comment = apiComment(s.Comment)
	m.Status = types.StringValue(s.Status)
	m.Created = apiTime(s.Created)
	m.Modified = apiTime(s.Modified)
}

// scopeList is the set of scopes as the API takes them, sorted.
func (m *secretModel) scopeList() []string {
	var out []string
	for _, e := range m.Scopes.Elements() {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
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
	// value: the value is sent, because value or value_wo_version changed and the
	// configuration has a value to send.
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
		value:   hasValue && (!plan.Value.Equal(state.Value) || !plan.ValueWOVersion.Equal(state.ValueWOVersion)),
		replace: !plan.Name.Equal(state.Name) || !plan.StoreID.Equal(state.StoreID) ||
			!plan.Account.Equal(state.Account) ||
			(!state.SourceSecretID.IsNull() && !plan.SourceSecretID.Equal(state.SourceSecretID)),
	}
}

// apiUnchanged reports that only attributes held in the state alone differ (timeouts, or
// value_wo_version or source_secret_id with nothing to send): no request is needed, and status
// and modified keep their values.
func (c secretChanges) apiUnchanged() bool {
	return !c.scopes && !c.comment && !c.value && !c.replace
}
