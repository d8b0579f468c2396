package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// clearProviderEnv makes each case independent of the developer's environment.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, env := range []string{envAPIToken, envAPIEmail, envAPIKey, envAccountID, envBaseURL} {
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
			want:     []string{"base_url", envBaseURL, "api.example.com", "loopback"},
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
			data := configureClient(tc.model, "test", "1.11.4", nil, &diags)
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
			data := configureClient(providerModel{}, "test", "1.11.4", nil, &diags)
			if diags.HasError() || data == nil {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if data.AccountID != "023e105f4ecef8ad9ca31a8372d0c353" {
				t.Errorf("account id from env not used: %q", data.AccountID)
			}
		})
	}
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
			data := configureClient(tc.model, "test", "1.11.4", nil, &diags)
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
	data := configureClient(providerModel{APIEmail: types.StringValue("a@b.c"), APIKey: types.StringValue("k")}, "test", "", nil, &diags)
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
