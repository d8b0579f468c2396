package provider

// The provider's two limits on requests, through Terraform: max_requests_per_minute, and the
// attempt bound that follows an operation's timeouts.

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// withRequestBudget is a provider block with max_requests_per_minute = n added.
func withRequestBudget(block string, n int) string {
	return strings.Replace(block, "provider \"secretsstore\" {", fmt.Sprintf("provider \"secretsstore\" {\n  %s = %d", attrMaxRPM, n), 1)
}

// TestAccProvider_requestBudget: with max_requests_per_minute = 3, an apply that would send
// about six requests within its 4s (a create and the polls of a secret that stays pending)
// sends 3: the fourth waits for a slot a minute away, and the create's timeout ends the wait.
// The run is far shorter than a minute, so no 60s window of it holds more than 3 requests.
// The limiter's window itself is proven on the test's clock in the client's unit tests.
func TestAccProvider_requestBudget(t *testing.T) {
	m := startMock(t, mockserver.Options{ActivationDelay: time.Hour})
	store := defaultStoreID(t, m)
	m.ResetRequests()
	rec := &diagRecorder{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactoriesNamed(rec),
		Steps: []resource.TestStep{{
			PreConfig: rec.reset,
			Config: secretConfigWith(withRequestBudget(m.providerBlock(), 3), store, "BUDGETED",
				secretWO+"\n  timeouts = { create = \"4s\" }"),
			ConfigVariables: secretValueVar("budget-value"),
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error {
					if got := m.Requests(); len(got) != 3 {
						return fmt.Errorf("the apply sent %d requests, want exactly the budget of 3: %v", len(got), got)
					}
					return nil
				},
				rec.expectApplyWarning("secretsstore_secret", "not confirmed active", "timed out after 4s (timeouts.create)"),
			),
			// The secret is still pending: the refresh after the apply sees what the state holds.
			ConfigStateChecks: []statecheck.StateCheck{secretAttr("status", knownvalue.StringExact("pending"))},
		}},
	})
}

// TestAccProviderConfig_requestBudgetRefused: a budget below 1, or not a whole number, is
// refused at plan time naming the attribute, before any request.
func TestAccProviderConfig_requestBudgetRefused(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	quota := "\ndata \"secretsstore_quota\" \"q\" {}\n"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      withRequestBudget(m.providerBlock(), 0) + quota,
				ExpectError: errText("Invalid max_requests_per_minute", "at least 1", "got 0", "Remove the attribute for no limit"),
			},
			{
				Config:      strings.Replace(withRequestBudget(m.providerBlock(), 0), "= 0", "= 2.5", 1) + quota,
				ExpectError: errText("Invalid max_requests_per_minute", "at least 1", "got 2.5"),
			},
		},
	})
	if got := m.Stats().Total; got != 0 {
		t.Errorf("refused configurations sent %d requests: %v", got, m.Stats().Routes)
	}
}

// TestConfigureClientRequestBudget: the attribute reaches the client (unset: no budget; past
// what an int holds: as good as none); below 1 or not whole (from a variable, validated
// late) it is refused naming the attribute.
func TestConfigureClientRequestBudget(t *testing.T) {
	clearProviderEnv(t)
	for _, tc := range []struct {
		value types.Number
		want  int    // MaxRequestsPerMinute
		error string // or the error
	}{
		{value: types.NumberValue(big.NewFloat(240)), want: 240},
		{value: types.NumberNull(), want: 0},
		{value: types.NumberValue(big.NewFloat(1e30)), want: math.MaxInt32},
		{value: types.NumberValue(big.NewFloat(0)), error: "got 0."},
		{value: types.NumberValue(big.NewFloat(-1)), error: "got -1."},
		{value: types.NumberValue(big.NewFloat(2.5)), error: "got 2.5."},
	} {
		var got *client.Config
		var diags diag.Diagnostics
		configureClient(providerModel{APIToken: types.StringValue("t"), MaxRPM: tc.value}, "test", "", tuning{client: func(c *client.Config) { got = c }}, &diags)
		switch {
		case tc.error == "" && (diags.HasError() || got == nil || got.MaxRequestsPerMinute != tc.want):
			t.Errorf("%v: diags %v, config %+v", tc.value, diags, got)
		case tc.error != "" && (got != nil || !diags.HasError() ||
			!strings.Contains(diags.Errors()[0].Detail(), "max_requests_per_minute must be a whole number of at least 1") ||
			!strings.Contains(diags.Errors()[0].Detail(), tc.error)):
			t.Errorf("%v accepted, or refused unclearly: %v", tc.value, diags)
		}
	}
}

// TestWaitsNameTheRequestBudget: the slow-operation warning says how long requests waited for
// the budget, from the client's tally, and an operation that timed out waiting for a slot says
// so (on the test's clock).
func TestWaitsNameTheRequestBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Request: r, Body: io.NopCloser(strings.NewReader(
				`{"success":true,"result":{"quota":100,"usage":0,"remaining":100}}`))}, nil
		})
		c, err := client.New(client.Config{BaseURL: "https://api.test", APIToken: "t", MaxRequestsPerMinute: 1,
			HTTPClient: &http.Client{Transport: api}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, tally := client.WithWaitTally(t.Context())
		for range 2 {
			if _, err := c.GetQuota(ctx, mockserver.DefaultAccount); err != nil {
				t.Fatal(err)
			}
		}
		var d diag.Diagnostics
		warnLongWait(&d, "Creating secret X", 61*time.Second, 0, tally)
		if len(d) != 1 || !strings.Contains(d[0].Detail(), "1m0s waiting for the request budget (max_requests_per_minute)") {
			t.Errorf("warning %v", d)
		}

		op, cancel := withOperationTimeout(t.Context(), "timeouts.update", 5*time.Second)
		defer cancel()
		_, err = c.GetQuota(op, mockserver.DefaultAccount)
		d = nil
		addCallError(op, &d, accountFamily, "Could not update secret X", "", err, "")
		if len(d) != 1 || !strings.Contains(d[0].Detail(), "timed out after 5s (timeouts.update)") ||
			!strings.Contains(d[0].Detail(), "It was waiting for the request budget (max_requests_per_minute)") {
			t.Errorf("error %v", d)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAccSecretResource_slowAPIWithinTimeout: against an API that takes longer to answer a
// create than one attempt may take (the 30s bound, lowered to 200ms for the test), a create
// whose timeouts.create leaves it the time succeeds with one request: its attempt may use
// the operation's time.
func TestAccSecretResource_slowAPIWithinTimeout(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	store := defaultStoreID(t, m)
	slow := *m
	slow.URL = slowPOSTs(t, m.URL, 400*time.Millisecond)

	p := newTestProvider(2).(*secretsStoreProvider)
	tune := p.tune.client
	p.tune.client = func(c *client.Config) { tune(c); c.AttemptTimeout = 200 * time.Millisecond }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"secretsstore": providerserver.NewProtocol6WithError(p),
		},
		Steps: []resource.TestStep{{
			Config:          secretConfig(&slow, store, "SLOW_API", secretWO+"\n  timeouts = { create = \"1m\" }"),
			ConfigVariables: secretValueVar("slow-api-value"),
			Check: resource.ComposeTestCheckFunc(
				checkStoredValue(m, store, "SLOW_API", "slow-api-value"),
				func(*terraform.State) error {
					if n := len(m.RequestsTo(routeCreateSecrets)); n != 1 {
						return fmt.Errorf("%d create requests, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// slowPOSTs is a proxy to target that holds each POST for delay before passing it on (a
// request whose client gave up meanwhile never reaches target).
func slowPOSTs(t *testing.T, target string, delay time.Duration) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
