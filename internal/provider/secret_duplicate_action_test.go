package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// mockProviderData configures the provider's client against the mock with token, the way
// Configure does.
func mockProviderData(t *testing.T, m *testMock, token string) *providerData {
	t.Helper()
	var diags diag.Diagnostics
	data := configureClient(providerModel{
		APIToken:  types.StringValue(token),
		AccountID: types.StringValue(m.Account),
		BaseURL:   types.StringValue(m.URL),
	}, "test", "", tuning{client: func(c *client.Config) { c.RetryWaitMin = 10 * time.Millisecond }}, &diags)
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	return data
}

// duplicateActionConfig builds the action's configuration from its own schema; attributes not
// given are null.
func duplicateActionConfig(t *testing.T, a action.Action, vals map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	ctx := t.Context()
	var resp action.SchemaResponse
	a.Schema(ctx, action.SchemaRequest{}, &resp)
	typ := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	return tfsdk.Config{Schema: resp.Schema, Raw: tftypes.NewValue(typ, all)}
}

func strVal(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func scopesVal(scopes ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(scopes))
	for i, s := range scopes {
		elems[i] = strVal(s)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

// invokeDuplicate runs Invoke with a real SendProgress and returns the progress messages.
func invokeDuplicate(t *testing.T, a *secretDuplicateAction, vals map[string]tftypes.Value) ([]string, diag.Diagnostics) {
	t.Helper()
	var progress []string
	resp := action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) { progress = append(progress, e.Message) }}
	a.Invoke(t.Context(), action.InvokeRequest{Config: duplicateActionConfig(t, a, vals)}, &resp)
	return progress, resp.Diagnostics
}

// seedSecret creates a secret through the client and returns it.
func seedSecret(t *testing.T, c *client.Client, owner client.Owner, storeID, name, value string) client.Secret {
	t.Helper()
	out, err := c.CreateSecrets(t.Context(), owner, storeID, []client.SecretInput{{Name: name, Value: value, Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return out[0]
}

func TestSecretDuplicateActionInvoke(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	data := mockProviderData(t, m, m.Token)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	storeID := m.Stores()[0].ID
	src := seedSecret(t, apiClient(t, m, m.Token), owner, storeID, "STRIPE_KEY", "sk_live_source")

	a := &secretDuplicateAction{f: accountFamily, data: data}
	progress, diags := invokeDuplicate(t, a, map[string]tftypes.Value{
		"store_id": strVal(storeID), "secret_id": strVal(src.ID), "name": strVal("STRIPE_KEY_COPY"),
		"scopes": scopesVal("workers", "ai_gateway"), "comment": strVal("copied"),
	})
	if diags.HasError() {
		t.Fatalf("invoke: %v", diags)
	}
	cp, ok := m.SecretByName(storeID, "STRIPE_KEY_COPY")
	if !ok {
		t.Fatal("the copy is not in the mock")
	}
	if cp.Value != "sk_live_source" || cp.Status != client.StatusActive || cp.Comment == nil || *cp.Comment != "copied" ||
		strings.Join(cp.Scopes, ",") != "ai_gateway,workers" {
		t.Errorf("copy = %+v (value %q), want the source's value, active, comment and both scopes", cp, cp.Value)
	}
	want := []string{
		"Duplicating secret STRIPE_KEY (" + src.ID + ") as STRIPE_KEY_COPY in store " + storeID,
		"Waiting for STRIPE_KEY_COPY (id " + cp.ID + ") to become active",
		"STRIPE_KEY_COPY is active (id " + cp.ID + ")",
	}
	if len(progress) != len(want) {
		t.Fatalf("progress = %q, want %d messages", progress, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(progress[i], w) {
			t.Errorf("progress[%d] = %q, want prefix %q", i, progress[i], w)
		}
	}
}

func TestSecretDuplicateActionInvokeErrors(t *testing.T) {
	m := startMock(t, mockserver.Options{SecretQuota: 2})
	data := mockProviderData(t, m, m.Token)
	owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
	storeID := m.Stores()[0].ID
	src := seedSecret(t, apiClient(t, m, m.Token), owner, storeID, "SOURCE", "v1")
	a := &secretDuplicateAction{f: accountFamily, data: data}
	base := func(secretID, name string) map[string]tftypes.Value {
		return map[string]tftypes.Value{
			"store_id": strVal(storeID), "secret_id": strVal(secretID), "name": strVal(name), "scopes": scopesVal("workers"),
		}
	}
	cases := []struct {
		name     string
		setup    func()
		secretID string
		newName  string
		want     []string
	}{
		{"source missing", nil, strings.Repeat("ab", 16), "COPY_A",
			[]string{strings.Repeat("ab", 16), "COPY_A", "not found", "HTTP 404"}},
		{"name taken", nil, src.ID, "SOURCE",
			[]string{"SOURCE (" + src.ID + ") as SOURCE", "secret_name_already_exists", "already taken"}},
		{"quota exhausted", func() { seedSecret(t, apiClient(t, m, m.Token), owner, storeID, "FILLER", "v") }, src.ID, "COPY_B",
			[]string{"SOURCE (" + src.ID + ") as COPY_B", "maximum_secrets_exceeded", "quota"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			_, diags := invokeDuplicate(t, a, base(tc.secretID, tc.newName))
			if !diags.HasError() {
				t.Fatal("want an error")
			}
			got := diags.Errors()[0].Summary() + "\n" + diags.Errors()[0].Detail()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("diagnostic lacks %q:\n%s", w, got)
				}
			}
			if _, ok := m.SecretByName(storeID, tc.newName); ok && tc.newName != "SOURCE" {
				t.Errorf("%s was created despite the error", tc.newName)
			}
		})
	}
}

func TestSystemSecretDuplicateActionInvoke(t *testing.T) {
	m := startMock(t, mockserver.Options{Services: map[string]string{"svc": "svc-token"}})
	data := mockProviderData(t, m, "svc-token")
	owner := client.Owner{Family: client.FamilySystem, Account: m.Account}
	internalID := int64(42)
	st, err := apiClient(t, m, "svc-token").CreateStore(t.Context(), owner, client.CreateStoreRequest{Name: "svc_store", AccountInternalID: &internalID})
	if err != nil {
		t.Fatal(err)
	}
	src := seedSecret(t, apiClient(t, m, "svc-token"), owner, st.ID, "SVC_KEY", "svc-value")

	a := &secretDuplicateAction{f: systemFamily, data: data}
	progress, diags := invokeDuplicate(t, a, map[string]tftypes.Value{
		"account_id": strVal(m.Account), "store_id": strVal(st.ID), "secret_id": strVal(src.ID),
		"name": strVal("SVC_KEY_COPY"), "scopes": scopesVal("workers"),
	})
	if diags.HasError() {
		t.Fatalf("invoke: %v", diags)
	}
	if cp, ok := m.SecretByName(st.ID, "SVC_KEY_COPY"); !ok || cp.Value != "svc-value" || cp.Status != client.StatusActive {
		t.Errorf("copy = %+v, %v; want an active copy holding the source's value", cp, ok)
	}
	if len(progress) == 0 || !strings.Contains(progress[len(progress)-1], "SVC_KEY_COPY is active") {
		t.Errorf("progress = %q", progress)
	}
	if n := len(m.RequestsTo("POST /system/accounts/{account_tag}/stores/{store_id}/secrets/{secret_id}/duplicate")); n != 1 {
		t.Errorf("system duplicate route called %d times, want 1", n)
	}
}

// checkCopy checks inside the mock that the copy exists, is active and holds the source's value.
func checkCopy(m *testMock, storeID func() string, source, copyName string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		sid := storeID()
		src, ok := m.SecretByName(sid, source)
		if !ok {
			return fmt.Errorf("source %s not in store %s", source, sid)
		}
		cp, ok := m.SecretByName(sid, copyName)
		switch {
		case !ok:
			return fmt.Errorf("the action made no copy %s in store %s", copyName, sid)
		case cp.Value != src.Value || cp.Value == "":
			return fmt.Errorf("copy %s does not hold the source's value", copyName)
		case cp.Status != client.StatusActive:
			return fmt.Errorf("copy %s is %s, want active", copyName, cp.Status)
		}
		return nil
	}
}

// TestAccSecretDuplicateAction_example applies examples/actions/secretsstore_secret_duplicate:
// the action runs from an after_create trigger and copies the value server-side.
func TestAccSecretDuplicateAction_example(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	storeID := m.Stores()[0].ID
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   requires(featureActions),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:          m.providerBlock() + readExample(t, "actions/secretsstore_secret_duplicate/action.tf"),
			ConfigVariables: config.Variables{"stripe_key": config.StringVariable("sk_test_example_value")},
			Check: resource.ComposeTestCheckFunc(
				checkCopy(m, func() string { return storeID }, "STRIPE_KEY", "STRIPE_KEY_STAGING"),
				func(*terraform.State) error {
					cp, _ := m.SecretByName(storeID, "STRIPE_KEY_STAGING")
					if cp.Comment == nil || *cp.Comment != "Copy of STRIPE_KEY for the staging Worker" {
						return fmt.Errorf("copy comment = %v", cp.Comment)
					}
					if n := len(m.RequestsTo("POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}/duplicate")); n != 1 {
						return fmt.Errorf("duplicate route called %d times, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccSecretDuplicateAction_system applies the system example with a service token.
func TestAccSecretDuplicateAction_system(t *testing.T) {
	m := startMock(t, mockserver.Options{Services: map[string]string{"billing": "svc-token"}})
	storeID := func() string {
		for _, st := range m.Stores() {
			if st.Name == "billing_service_store" {
				return st.ID
			}
		}
		return ""
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   requires(featureActions),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:          m.providerBlockWithToken("svc-token") + readExample(t, "actions/secretsstore_system_secret_duplicate/action.tf"),
			ConfigVariables: config.Variables{"service_key": config.StringVariable("svc_example_value")},
			Check:           checkCopy(m, storeID, "BILLING_API_KEY", "BILLING_API_KEY_PREVIOUS"),
		}},
	})
}

// TestAccSecretDuplicateAction_refusedAtPlan: an empty scope set is refused before any request.
func TestAccSecretDuplicateAction_refusedAtPlan(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	storeID := m.Stores()[0].ID
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   requires(featureActions),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: m.providerBlock() + fmt.Sprintf(`
action "secretsstore_secret_duplicate" "bad" {
  config {
    store_id  = %[1]q
    secret_id = %[1]q
    name      = "COPY"
    scopes    = []
  }
}

resource "terraform_data" "trigger" {
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.secretsstore_secret_duplicate.bad]
    }
  }
}
`, storeID),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`No scopes`),
		}},
	})
	if n := m.Stats().Total; n != 0 {
		t.Errorf("the mock received %d requests, want none", n)
	}
}
