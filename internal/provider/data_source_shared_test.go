package provider

// Fixtures and checks shared by the data source acceptance tests. Fixtures are made with the
// client directly, so these tests depend on no resource type.

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// dsAccTest skips an acceptance test before it builds its fixtures when TF_ACC is unset, as
// resource.Test would skip it afterwards.
func dsAccTest(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// dsFixtures creates objects on a test mock through the API, as the holder of token.
type dsFixtures struct {
	t     *testing.T
	c     *client.Client
	owner client.Owner
}

// dsAccountMock starts, when acceptance tests run (see dsAccTest), a mock with room for the
// data source tests' fixtures, and returns it with fixtures made as its account.
func dsAccountMock(t *testing.T) (*testMock, *dsFixtures) {
	t.Helper()
	dsAccTest(t)
	m := startMock(t, mockserver.Options{MaxStores: 5, SecretQuota: 500})
	return m, dsAccountFixtures(t, m)
}

func dsAccountFixtures(t *testing.T, m *testMock) *dsFixtures {
	return dsFixturesAs(t, m, m.Token, client.FamilyAccount)
}

func dsFixturesAs(t *testing.T, m *testMock, token string, family client.Family) *dsFixtures {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: m.URL, APIToken: token, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return &dsFixtures{t: t, c: c, owner: client.Owner{Family: family, Account: m.Account}}
}

// dsSystemAccountInternalID is the numeric account id every system fixture binds.
var dsSystemAccountInternalID int64 = 4242

func (f *dsFixtures) store(name string) client.Store {
	f.t.Helper()
	req := client.CreateStoreRequest{Name: name}
	if f.owner.Family == client.FamilySystem {
		req.AccountInternalID = &dsSystemAccountInternalID
	}
	s, err := f.c.CreateStore(f.t.Context(), f.owner, req)
	if err != nil {
		f.t.Fatalf("creating store %s: %v", name, err)
	}
	// Stores (and secrets) made one after another get distinct created times.
	time.Sleep(2 * time.Millisecond)
	return *s
}

func (f *dsFixtures) storeNamed(name string) client.Store {
	f.t.Helper()
	stores, err := f.c.ListStores(f.t.Context(), f.owner, client.ListStoresOptions{})
	if err != nil {
		f.t.Fatalf("listing stores: %v", err)
	}
	for _, s := range stores {
		if s.Name == name {
			return s
		}
	}
	f.t.Fatalf("no store named %s", name)
	return client.Store{}
}

func (f *dsFixtures) deleteStore(id string) {
	f.t.Helper()
	if err := f.c.DeleteStore(f.t.Context(), f.owner, id, true); err != nil {
		f.t.Fatalf("deleting store %s: %v", id, err)
	}
}

// secret creates one secret; comment "" means none.
func (f *dsFixtures) secret(storeID, name, comment string, scopes ...string) client.Secret {
	f.t.Helper()
	in := client.SecretInput{Name: name, Value: "value-of-" + name, Scopes: scopes}
	if comment != "" {
		in.Comment = &comment
	}
	out, err := f.c.CreateSecrets(f.t.Context(), f.owner, storeID, []client.SecretInput{in})
	if err != nil {
		f.t.Fatalf("creating secret %s: %v", name, err)
	}
	time.Sleep(2 * time.Millisecond)
	return out[0]
}

// dsNames checks that a list attribute holds objects with these names, in this order.
func dsNames(address, attr string, names ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(names))
	for i, n := range names {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), knownvalue.ListExact(checks))
}

// dsAttr checks one top-level attribute.
func dsAttr(address, attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), check)
}

// dsNoRequests returns a PreConfig that fails the test if the mock received any request
// since mark was taken: the steps before it had to fail at plan time.
func dsNoRequests(t *testing.T, m *testMock, mark *int) func() {
	return func() {
		if got := m.Stats().Total - *mark; got != 0 {
			t.Errorf("%d API requests were made by steps that must fail before any request; requests: %v",
				got, m.Stats().Routes)
		}
	}
}

// dsErr matches an error text word by word, separated by any whitespace, since Terraform
// wraps long diagnostics and prefixes the lines of a wrapped one with │.
func dsErr(s string) *regexp.Regexp {
	parts := strings.Fields(s)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, `(?:\s|│)+`))
}
