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
	return m.providerNamed("secretsstore", token)
}

// providerNamed renders a provider block pointing at the mock with token, under a provider local
// name ("secretsstore" for the default one).
//
// Why not `alias`: plugin-testing serves the provider in-process and Terraform reaches every
// configuration of one provider (aliases included) through that single server, which keeps the
// data of the last block it configured, so two aliases with two tokens both act with the last
// token (checked: both stores of TestAccSystemFamily_twoServices then come out managed by the
// second service). Each token therefore gets a local name of its own, served by its own server
// (testProviderFactoriesNamed), and resources and data sources pick it with `provider = NAME`.
// In real use Terraform starts one plugin process per provider configuration, so aliases work
// there.
func (m *testMock) providerNamed(localName, token string) string {
	return fmt.Sprintf(`
provider %q {
  base_url       = %q
  api_token      = %q
  account_id     = %q
  retry_wait_max = "1s"
}
`, localName, m.URL, token, m.Account)
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

// testProviderFactoriesNamed serves the provider as "secretsstore" and under each extra local
// name (see providerNamed), each from its own server. With rec, every server records the
// diagnostics of its refreshes and resource validations.
func testProviderFactoriesNamed(rec *diagRecorder, extraNames ...string) map[string]func() (tfprotov6.ProviderServer, error) {
	out := map[string]func() (tfprotov6.ProviderServer, error){}
	for _, name := range append([]string{"secretsstore"}, extraNames...) {
		serve := providerserver.NewProtocol6WithError(newTestProvider(2))
		out[name] = func() (tfprotov6.ProviderServer, error) {
			srv, err := serve()
			if err != nil || rec == nil {
				return srv, err
			}
			full, ok := srv.(fullProviderServer)
			if !ok {
				return nil, fmt.Errorf("the framework's server %T does not serve list resources and actions", srv)
			}
			return recordingServer{fullProviderServer: full, rec: rec}, nil
		}
	}
	return out
}
