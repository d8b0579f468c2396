package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// clearProviderEnv makes each case independent of the developer's environment.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, env := range []string{envAPIToken, envAPIEmail, envAPIKey, envAccountID, envBaseURL, envAllowInsecureHTTP} {
		t.Setenv(env, "")
	}
}

func TestConfigureClientErrorsNameAttributeAndEnv(t *testing.T) {
	cases := []struct {
		name     string
		model    providerModel
		env      map[string]string
		wantAttr string
		want     []string
		lacks    string // no diagnostic may hold it (a password)
	}{
		{
			name:     "missing credentials",
			model:    providerModel{},
			wantAttr: "api_token",
			want:     []string{"api_token", envAPIToken, "api_email", "api_key"},
		},
		{
			name:     "token conflicts with legacy credentials",
			model:    providerModel{APIToken: types.StringValue("t"), APIEmail: types.StringValue("a@b.c"), APIKey: types.StringValue("k")},
			wantAttr: "api_token",
			want:     []string{"not both", "api_token", "api_email"},
		},
		{
			name:     "email without key",
			model:    providerModel{APIEmail: types.StringValue("a@b.c")},
			wantAttr: "api_key",
			want:     []string{"api_key", envAPIKey},
		},
		{
			name:     "key from env without email",
			env:      map[string]string{envAPIKey: "k"},
			wantAttr: "api_email",
			want:     []string{"api_email", envAPIEmail},
		},
		{
			name:     "malformed account id",
			model:    providerModel{APIToken: types.StringValue("t"), AccountID: types.StringValue("ABC")},
			wantAttr: "account_id",
			want:     []string{"account_id", envAccountID, "32 lowercase hexadecimal"},
		},
		{
			name:     "malformed account id from env",
			model:    providerModel{APIToken: types.StringValue("t")},
			env:      map[string]string{envAccountID: "not-hex"},
			wantAttr: "account_id",
			want:     []string{envAccountID},
		},
		{
			name:     "plain http to a remote host",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("http://api.example.com/client/v4")},
			wantAttr: "base_url",
			want: []string{"base_url", envBaseURL, "api.example.com", "loopback",
				attrAllowInsecureHTTP, envAllowInsecureHTTP, "-tls-dir", "SSL_CERT_FILE"},
		},
		{
			name: "plain http to a service container, the opt-in false in the block beats the environment",
			model: providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("http://mockserver:8787/client/v4"),
				AllowInsecureHTTP: types.BoolValue(false)},
			env:      map[string]string{envAllowInsecureHTTP: "true"},
			wantAttr: "base_url",
			want:     []string{"Insecure base_url", "mockserver", attrAllowInsecureHTTP},
		},
		{
			name:     "opt-in from env that is not a boolean",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("http://mockserver:8787/client/v4")},
			env:      map[string]string{envAllowInsecureHTTP: "yes please"},
			wantAttr: attrAllowInsecureHTTP,
			want:     []string{envAllowInsecureHTTP, "true or false", `"yes please"`},
		},
		{
			name:     "opt-in known only after apply",
			model:    providerModel{APIToken: types.StringValue("t"), AllowInsecureHTTP: types.BoolUnknown()},
			wantAttr: attrAllowInsecureHTTP,
			want:     []string{"known only after apply", envAllowInsecureHTTP},
		},
		{
			name: "the opt-in still refuses a password in the URL",
			model: providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("http://user:PW-canary@mockserver:8787/"),
				AllowInsecureHTTP: types.BoolValue(true)},
			wantAttr: "base_url",
			want:     []string{"user name or password"},
			lacks:    "PW-canary",
		},
		{
			name: "the opt-in does not accept another scheme",
			model: providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("ftp://mockserver/"),
				AllowInsecureHTTP: types.BoolValue(true)},
			wantAttr: "base_url",
			want:     []string{"https://"},
		},
		{
			name:     "relative base url",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("api.example.com")},
			wantAttr: "base_url",
			want:     []string{"base_url", "https://"},
		},
		{
			name:     "empty base url",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("")},
			wantAttr: "base_url",
			want:     []string{"base_url is empty", "remove the attribute", defaultBaseURL},
		},
		{
			name:     "password in a base url of another scheme",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("ftp://user:PW-canary@host/")},
			wantAttr: "base_url",
			want:     []string{"https://"},
			lacks:    "PW-canary",
		},
		{
			name:     "password in an http base url with a query",
			model:    providerModel{APIToken: types.StringValue("t"), BaseURL: types.StringValue("http://user:PW-canary@host/?x=1")},
			wantAttr: "base_url",
			want:     []string{"user name or password", "api_token"},
			lacks:    "PW-canary",
		},
		{
			name:     "password in the base url from env",
			model:    providerModel{APIToken: types.StringValue("t")},
			env:      map[string]string{envBaseURL: "https://user:PW-canary@api.example.com/client/v4"},
			wantAttr: "base_url",
			want:     []string{envBaseURL, "user name or password"},
			lacks:    "PW-canary",
		},
		{
			name:     "blank token",
			model:    providerModel{APIToken: types.StringValue("   ")},
			wantAttr: "api_token",
			want:     []string{"api_token", envAPIToken, "only whitespace"},
		},
		{
			name:     "token from env with a trailing newline",
			env:      map[string]string{envAPIToken: "tok-canary\n"},
			wantAttr: "api_token",
			want:     []string{envAPIToken, "whitespace"},
			lacks:    "tok-canary",
		},
		{
			name:     "bad duration",
			model:    providerModel{APIToken: types.StringValue("t"), RetryWaitMax: types.StringValue("soon")},
			wantAttr: "retry_wait_max",
			want:     []string{"retry_wait_max", `"soon"`},
		},
		{
			name:     "unknown token",
			model:    providerModel{APIToken: types.StringUnknown()},
			wantAttr: "api_token",
			want:     []string{"known only after apply", envAPIToken},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var diags diag.Diagnostics
			data := configureClient(tc.model, "test", "1.11.4", tuning{}, &diags)
			if data != nil || !diags.HasError() {
				t.Fatalf("configureClient accepted %s", tc.name)
			}
			errs := diags.Errors()
			d, ok := errs[0].(diag.DiagnosticWithPath)
			if !ok {
				t.Fatalf("error has no attribute path: %v", errs[0])
			}
			if got := d.Path().String(); got != tc.wantAttr {
				t.Errorf("error path = %s, want %s", got, tc.wantAttr)
			}
			text := d.Summary() + " " + d.Detail()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("error %q does not mention %q", text, w)
				}
			}
			if tc.lacks != "" {
				for _, e := range diags {
					if strings.Contains(e.Summary()+e.Detail(), tc.lacks) {
						t.Errorf("a diagnostic shows %q: %s %s", tc.lacks, e.Summary(), e.Detail())
					}
				}
			}
		})
	}
}

func TestConfigureClientAcceptsLoopbackHTTPAndEnvFallbacks(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:8787", "http://localhost:8787/client/v4", "http://[::1]:8787", "https://api.cloudflare.com/client/v4"} {
		t.Run(base, func(t *testing.T) {
			clearProviderEnv(t)
			t.Setenv(envAPIToken, "from-env")
			t.Setenv(envAccountID, "023e105f4ecef8ad9ca31a8372d0c353")
			t.Setenv(envBaseURL, base)
			var diags diag.Diagnostics
			data := configureClient(providerModel{}, "test", "1.11.4", tuning{}, &diags)
			if diags.HasError() || data == nil {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if data.AccountID != "023e105f4ecef8ad9ca31a8372d0c353" {
				t.Errorf("account id from env not used: %q", data.AccountID)
			}
		})
	}
}

// TestConfigureClientInsecureHTTPOptIn: plain http to a host by name (a CI service container) is
// accepted once allow_insecure_http is true in the block or SECRETSSTORE_ALLOW_INSECURE_HTTP is
// true, and the client then uses that URL. (TestConfigureClientErrorsNameAttributeAndEnv holds the
// refusals; TestAccProviderInsecureHTTPOptIn sends requests through the CLI.)
func TestConfigureClientInsecureHTTPOptIn(t *testing.T) {
	const base = "http://mockserver:8787/client/v4"
	cases := []struct {
		name  string
		model providerModel
		env   string
	}{
		{name: "in the block", model: providerModel{AllowInsecureHTTP: types.BoolValue(true)}},
		{name: "in the environment", env: "true"},
		{name: "in the environment as 1", env: "1"},
		{name: "the block's true beats the environment's false", model: providerModel{AllowInsecureHTTP: types.BoolValue(true)}, env: "false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			t.Setenv(envAllowInsecureHTTP, tc.env)
			tc.model.APIToken = types.StringValue("t")
			tc.model.BaseURL = types.StringValue(base)
			var diags diag.Diagnostics
			data := configureClient(tc.model, "test", "1.11.4", tuning{}, &diags)
			if diags.HasError() || data == nil {
				t.Fatalf("refused: %v", diags)
			}
		})
	}
}

// TestBaseURLValidatorReadsTheOptIn: the plan-time check of base_url reads allow_insecure_http
// from the same provider block, and its environment variable when the block leaves it unset.
func TestBaseURLValidatorReadsTheOptIn(t *testing.T) {
	const base = "http://mockserver:8787/client/v4"
	cases := []struct {
		name    string
		allow   types.Bool
		env     string
		refused bool
	}{
		{name: "unset", allow: types.BoolNull(), refused: true},
		{name: "true in the block", allow: types.BoolValue(true)},
		{name: "false in the block", allow: types.BoolValue(false), env: "true", refused: true},
		{name: "true in the environment", allow: types.BoolNull(), env: "true"},
		{name: "not known yet: left to Configure", allow: types.BoolUnknown()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			t.Setenv(envAllowInsecureHTTP, tc.env)
			req := validator.StringRequest{
				Path:        path.Root(attrBaseURL),
				ConfigValue: types.StringValue(base),
				Config:      providerConfig(t, map[string]attr.Value{attrBaseURL: types.StringValue(base), attrAllowInsecureHTTP: tc.allow}),
			}
			var resp validator.StringResponse
			baseURLValidator().ValidateString(t.Context(), req, &resp)
			if got := resp.Diagnostics.HasError(); got != tc.refused {
				t.Errorf("refused = %v, want %v: %v", got, tc.refused, resp.Diagnostics)
			}
		})
	}
}

// providerConfig is a provider block of the real schema holding values (every other attribute
// null).
func providerConfig(t *testing.T, values map[string]attr.Value) tfsdk.Config {
	t.Helper()
	var sresp provider.SchemaResponse
	New("test")().Schema(t.Context(), provider.SchemaRequest{}, &sresp)
	raw := map[string]tftypes.Value{}
	for name, a := range sresp.Schema.Attributes {
		typ := a.GetType().TerraformType(t.Context())
		raw[name] = tftypes.NewValue(typ, nil)
		if v, ok := values[name]; ok {
			tv, err := v.ToTerraformValue(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			raw[name] = tv
		}
	}
	return tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(t.Context()), raw)}
}

// TestConfigureClientCredentialLayers: a method set in the provider block wins over the
// environment, each half of the legacy pair falls back to its own variable, and two methods in
// the environment use the token with a warning.
func TestConfigureClientCredentialLayers(t *testing.T) {
	cases := []struct {
		name        string
		model       providerModel
		env         map[string]string
		wantWarning string
	}{
		{
			name:  "configured email, key from the environment",
			model: providerModel{APIEmail: types.StringValue("a@b.c")},
			env:   map[string]string{envAPIKey: "k"},
		},
		{
			name:  "configured key, email from the environment",
			model: providerModel{APIKey: types.StringValue("k")},
			env:   map[string]string{envAPIEmail: "a@b.c"},
		},
		{
			name:  "configured token beats a legacy pair left in the environment",
			model: providerModel{APIToken: types.StringValue("t")},
			env:   map[string]string{envAPIEmail: "a@b.c", envAPIKey: "k"},
		},
		{
			name:  "configured legacy pair beats a token in the environment",
			model: providerModel{APIEmail: types.StringValue("a@b.c"), APIKey: types.StringValue("k")},
			env:   map[string]string{envAPIToken: "t"},
		},
		{
			name:        "both methods in the environment",
			env:         map[string]string{envAPIToken: "t", envAPIEmail: "a@b.c", envAPIKey: "k"},
			wantWarning: envAPIToken,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var diags diag.Diagnostics
			data := configureClient(tc.model, "test", "1.11.4", tuning{}, &diags)
			if diags.HasError() || data == nil {
				t.Fatalf("refused: %v", diags)
			}
			warnings := diags.Warnings()
			switch {
			case tc.wantWarning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings: %v", warnings)
			case tc.wantWarning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), tc.wantWarning)):
				t.Errorf("want one warning naming %s, got %v", tc.wantWarning, warnings)
			}
		})
	}
}

func TestConfigureClientLegacyCredentials(t *testing.T) {
	clearProviderEnv(t)
	var diags diag.Diagnostics
	data := configureClient(providerModel{APIEmail: types.StringValue("a@b.c"), APIKey: types.StringValue("k")}, "test", "", tuning{}, &diags)
	if diags.HasError() || data == nil {
		t.Fatalf("legacy credentials refused: %v", diags)
	}
}

func TestUserAgentNamesProviderAndTerraform(t *testing.T) {
	if got, want := userAgent("1.2.3", "1.16.0"), "terraform-provider-secretsstore/1.2.3 terraform/1.16.0"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
}

// TestAccProviderConfigErrorsBeforeAnyRequest runs real Terraform against misconfigured
// providers: each error names the attribute and its environment variable, and the mock
// receives nothing.
func TestAccProviderConfigErrorsBeforeAnyRequest(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	clearProviderEnv(t)
	quota := "\ndata \"secretsstore_quota\" \"q\" {}\n"
	provider := func(body string) string { return "provider \"secretsstore\" {\n" + body + "\n}\n" + quota }
	base := fmt.Sprintf("  base_url = %q\n", m.URL)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      provider(base + `  account_id = "` + m.Account + `"`),
				ExpectError: errText("Missing credentials", "api_token", envAPIToken),
			},
			{
				Config:      provider(base + `  api_token = "t"` + "\n" + `  api_email = "a@example.com"`),
				ExpectError: errText("Invalid Attribute Combination", `"api_email" cannot be specified when "api_token" is specified`),
			},
			{
				Config:      provider(base + `  api_token = "t"` + "\n" + `  account_id = "ABC"`),
				ExpectError: errText("account_id", "32 lowercase hexadecimal"),
			},
			{
				Config:      provider(`  base_url = "http://api.example.com/client/v4"` + "\n" + `  api_token = "t"`),
				ExpectError: errText("Insecure base_url", envBaseURL, "api.example.com"),
			},
			{
				Config:      provider(base + `  api_token = "t"` + "\n" + `  retry_wait_max = "soon"`),
				ExpectError: errText("retry_wait_max", `"soon"`),
			},
			{
				Config:      provider(base + `  api_token = "  "`),
				ExpectError: errText("Invalid api_token", "api_token holds only whitespace"),
			},
			{
				Config:      provider(`  base_url = ""` + "\n" + `  api_token = "t"`),
				ExpectError: errText("Empty base_url", "remove the attribute to use", defaultBaseURL),
			},
		},
	})
	if got := m.Stats().Total; got != 0 {
		t.Errorf("misconfigured providers sent %d requests: %v", got, m.Stats().Routes)
	}
}

// TestAccProviderCredentialLayers proves through the real schema that the legacy pair may be
// split between the provider block and the environment, and that a configured api_token is
// not upset by a legacy pair left in the environment.
func TestAccProviderCredentialLayers(t *testing.T) {
	m := startMock(t, mockserver.Options{Email: "ops@example.com", Key: "legacy-key"})
	clearProviderEnv(t)
	t.Setenv(envAPIKey, "legacy-key")
	quota := "\ndata \"secretsstore_quota\" \"q\" {}\n"
	usage := resource.TestCheckResourceAttr("data.secretsstore_quota.q", "usage", "0")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf("provider \"secretsstore\" {\n  base_url = %q\n  account_id = %q\n  api_email = %q\n}\n",
					m.URL, m.Account, "ops@example.com") + quota,
				Check: usage,
			},
			{
				PreConfig: func() { t.Setenv(envAPIEmail, "ops@example.com") },
				Config: fmt.Sprintf("provider \"secretsstore\" {\n  base_url = %q\n  account_id = %q\n  api_token = %q\n}\n",
					m.URL, m.Account, m.Token) + quota,
				Check: usage,
			},
		},
	})
}
