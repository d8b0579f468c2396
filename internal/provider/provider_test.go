package provider

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// testMock is a mock Secrets Store API started for one test.
type testMock struct {
	*mockserver.Server
	URL     string
	Account string
	Token   string
}

// startMock starts the bundled mock on a free loopback port for the length of the test.
// Secrets turn active quickly so tests that wait for "active" stay fast.
func startMock(t *testing.T, opts mockserver.Options) *testMock {
	t.Helper()
	if opts.Account == "" {
		opts.Account = mockserver.DefaultAccount
	}
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = 50 * time.Millisecond
	}
	srv := mockserver.New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testMock{Server: srv, URL: hs.URL, Account: opts.Account, Token: opts.Token}
}

// providerBlock is the provider configuration pointing at the mock with the write token.
func (m *testMock) providerBlock() string {
	return m.providerBlockWithToken(m.Token)
}

func (m *testMock) providerBlockWithToken(token string) string {
	return fmt.Sprintf(`
provider "secretsstore" {
  base_url       = %q
  api_token      = %q
  account_id     = %q
  retry_wait_max = "1s"
}
`, m.URL, token, m.Account)
}

// testProviderFactories serves the provider in-process. The client is tuned for tests:
// short retry waits and a small page size, so lists span several pages.
func testProviderFactories(pageSize int) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"secretsstore": providerserver.NewProtocol6WithError(newTestProvider(pageSize)),
	}
}

func newTestProvider(pageSize int) provider.Provider {
	return &secretsStoreProvider{
		version: "test",
		tuneClient: func(c *client.Config) {
			c.RetryWaitMin = 10 * time.Millisecond
			c.PageSize = pageSize
		},
	}
}

// testAccProtoV6ProviderFactories is the default: pages of 2 so every list pages.
var testAccProtoV6ProviderFactories = testProviderFactories(2)
