package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// What a configuration of N secrets in one store costs in API requests, through the real CLI
// against the mock with latency: the API allows 1,200 requests per 5 minutes, and a plan on
// every pull request must not spend them one per secret.

// phaseCost is one command's cost.
type phaseCost struct {
	requests int
	took     time.Duration
}

// costSetting is how the provider batches in a measurement: not at all (batching = false), or
// batched with the default of one batch in flight per store, or with more (inFlight, set when
// the provider is linked), to trace requests against wall time.
type costSetting struct {
	batching bool
	inFlight string
}

func (s costSetting) String() string {
	switch {
	case !s.batching:
		return "off"
	case s.inFlight == "":
		return "on"
	}
	return s.inFlight + " in flight"
}

var (
	batched   = costSetting{batching: true}
	unbatched = costSetting{}
)

// providerWithInFlight builds, once per setting, the provider with that many batches in flight
// linked in.
var (
	providerWithInFlightMu sync.Mutex
	providerWithInFlight   = map[string]func() (string, error){}
)

func providerBinaryFor(s costSetting) (string, error) {
	if s.inFlight == "" {
		return providerBinary()
	}
	providerWithInFlightMu.Lock()
	build, ok := providerWithInFlight[s.inFlight]
	if !ok {
		build = buildOnce(".", "terraform-provider-secretsstore", "-ldflags",
			"-X github.com/secretsstore/terraform-provider-secretsstore/internal/coalesce.batchesInFlightAtLink="+s.inFlight)
		providerWithInFlight[s.inFlight] = build
	}
	providerWithInFlightMu.Unlock()
	return build()
}

// requestCost is an apply, the plan after it, a refresh-only plan and a destroy of n secrets,
// with one batching setting.
type requestCost struct {
	n                             int
	setting                       costSetting
	apply, plan, refresh, destroy phaseCost
}

// measure runs one command and returns what it cost; the command must succeed.
func (c *cli) measure(m *testMock, args ...string) phaseCost {
	c.t.Helper()
	before, start := m.Stats().Total, time.Now()
	c.mustRun(args...)
	return phaseCost{requests: m.Stats().Total - before, took: time.Since(start)}
}

// measureRequestCost creates n secrets in the default store (a literal store id, as
// `terraform query -generate-config-out` writes), plans, refreshes and destroys them, through
// the CLI against a mock that answers after latency, with the provider batching as setting
// says. The plan after the apply must be empty.
func measureRequestCost(tb testing.TB, n int, latency time.Duration, setting costSetting) requestCost {
	tb.Helper()
	m := startMock(tb, mockserver.Options{Latency: latency, SecretQuota: n + 100})
	c := newCLI(tb, m)
	bin, err := providerBinaryFor(setting)
	if err != nil {
		tb.Fatal(err)
	}
	c.override("secretsstore/secretsstore", bin)
	c.env = append(c.env, "TF_VAR_secret_value=cost-value")
	main := readExample(tb, "provider/provider.tf") + secretsConfig(defaultStoreID(tb, m), "COST_", n)
	if !setting.batching {
		main = withBatching(main, false)
	}
	execWriteFile(tb, filepath.Join(c.dir, "main.tf"), main)
	cost := requestCost{n: n, setting: setting}
	cost.apply = c.measure(m, "apply", "-auto-approve", "-input=false", "-no-color")
	cost.plan = c.measure(m, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	cost.refresh = c.measure(m, "plan", "-refresh-only", "-input=false", "-no-color")
	cost.destroy = c.measure(m, "destroy", "-auto-approve", "-input=false", "-no-color")
	if left := len(m.Secrets(defaultStoreID(tb, m))); left != 0 {
		tb.Fatalf("%d secrets left after destroy", left)
	}
	return cost
}

// table renders costs beside what one request per secret costs (a POST and a GET per created
// secret, a GET per refreshed one, a GET and a DELETE per destroyed one).
func costTable(rows ...requestCost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-12s %-22s %9s %16s %9s\n", "secrets", "batching", "step", "requests", "one per secret", "seconds")
	for _, r := range rows {
		for _, p := range []struct {
			step    string
			cost    phaseCost
			perItem int
		}{
			{"apply (create)", r.apply, 2}, {"plan after apply", r.plan, 1},
			{"plan -refresh-only", r.refresh, 1}, {"destroy", r.destroy, 2},
		} {
			fmt.Fprintf(&b, "%-8d %-12s %-22s %9d %16d %9.1f\n", r.n, r.setting, p.step, p.cost.requests, p.perItem*r.n, p.cost.took.Seconds())
		}
	}
	return b.String()
}

// TestAccRequestCost holds the provider to its request budget through the real CLI with the
// default parallelism, against a mock with 50ms of latency: for 100 secrets in one store an
// apply costs at most 55 requests and a destroy at most 50 (half of one request per secret:
// batches gather what comes while one is in flight, 20 to 40 measured, more on a busy
// machine), the (empty) plan after it and a refresh-only plan at most 2 each; for 500, a
// refresh at most 6.
func TestAccRequestCost(t *testing.T) {
	t.Run("100 secrets", func(t *testing.T) {
		cost := measureRequestCost(t, 100, 50*time.Millisecond, batched)
		t.Logf("\n%s", costTable(cost))
		for _, check := range []struct {
			step     string
			got, max int
		}{
			{"apply", cost.apply.requests, 55}, {"plan after apply", cost.plan.requests, 2},
			{"refresh-only plan", cost.refresh.requests, 2}, {"destroy", cost.destroy.requests, 50},
		} {
			if check.got > check.max {
				t.Errorf("%s cost %d requests, more than %d", check.step, check.got, check.max)
			}
		}
	})
	t.Run("500 secrets", func(t *testing.T) {
		cost := measureRequestCost(t, 500, 50*time.Millisecond, batched)
		t.Logf("\n%s", costTable(cost))
		if cost.refresh.requests > 6 || cost.plan.requests > 6 {
			t.Errorf("refreshing 500 secrets cost %d (plan) and %d (refresh-only) requests, more than 6",
				cost.plan.requests, cost.refresh.requests)
		}
	})
	t.Run("3 managed in a store of 300", func(t *testing.T) {
		// A store full of secrets this configuration does not manage never costs more than a
		// request per managed secret plus one.
		m := startMock(t, mockserver.Options{Latency: 50 * time.Millisecond, SecretQuota: 400})
		c := newCLI(t, m) // skips without a CLI, before the 300 secrets are made
		store := defaultStoreID(t, m)
		owner := client.Owner{Family: client.FamilyAccount, Account: m.Account}
		var others []client.SecretInput
		for i := range 300 {
			others = append(others, client.SecretInput{Name: fmt.Sprintf("OTHER_%03d", i), Value: "v", Scopes: []string{"workers"}})
		}
		api := apiClient(t, m, m.Token)
		for i := 0; i < len(others); i += 100 {
			if _, err := api.CreateSecrets(t.Context(), owner, store, others[i:i+100]); err != nil {
				t.Fatal(err)
			}
		}
		c.env = append(c.env, "TF_VAR_secret_value=managed-value")
		c.config(secretsConfig(store, "MANAGED_", 3))
		c.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
		refresh := c.measure(m, "plan", "-refresh-only", "-input=false", "-no-color")
		t.Logf("refreshing 3 secrets in a store of 303 cost %d requests", refresh.requests)
		if refresh.requests > 4 {
			t.Errorf("refreshing 3 secrets in a store of 303 cost %d requests, more than 4", refresh.requests)
		}
	})
}

// sideBySide compares each batched run with the unbatched one of its size: requests and
// seconds of the apply and the destroy, and the batched share of each (the target: at most
// 1.15 of the unbatched wall time with at most a quarter of its requests). With several
// settings it is the frontier between requests and wall time.
func sideBySide(rows ...requestCost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-8s %-12s %9s %9s %8s %9s %9s %8s\n", "secrets", "step", "batching",
		"requests", "unbatched", "share", "seconds", "unbatched", "share")
	for _, off := range rows {
		if off.setting.batching {
			continue
		}
		for _, step := range []string{"apply", "destroy"} {
			for _, on := range rows {
				if !on.setting.batching || on.n != off.n {
					continue
				}
				a, z := on.apply, off.apply
				if step == "destroy" {
					a, z = on.destroy, off.destroy
				}
				fmt.Fprintf(&b, "%-8d %-8s %-12s %9d %9d %8.2f %9.1f %9.1f %8.2f\n", on.n, step, on.setting,
					a.requests, z.requests, float64(a.requests)/float64(z.requests),
					a.took.Seconds(), z.took.Seconds(), a.took.Seconds()/z.took.Seconds())
			}
		}
	}
	return b.String()
}

// BenchmarkRequestCost prints the cost table `make bench` shows: requests and wall seconds of
// each step for 100 and 500 secrets through the CLI (TF_ACC_TERRAFORM_PATH) against the mock
// with 50ms of latency, beside what one request per secret would cost, with batching off, on
// (the default: one batch in flight per store), and on with two batches in flight linked in;
// then each batched setting beside the unbatched one: the frontier between requests and wall
// time. Single runs vary by a fifth on a shared machine, so each figure is the median of
// BENCH_ROUNDS (3) rounds, every round running each setting once. It needs TF_ACC=1.
func BenchmarkRequestCost(b *testing.B) {
	settings := []costSetting{unbatched, batched, {batching: true, inFlight: "2"}}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	runs := map[string][]requestCost{}
	var names []string
	for round := 1; round <= rounds; round++ {
		for _, n := range []int{100, 500} {
			for _, setting := range settings {
				name := fmt.Sprintf("%d/batching=%s", n, strings.ReplaceAll(setting.String(), " ", "-"))
				b.Run(fmt.Sprintf("%s/round-%d", name, round), func(b *testing.B) {
					for b.Loop() {
						cost := measureRequestCost(b, n, 50*time.Millisecond, setting)
						if runs[name] == nil {
							names = append(names, name)
						}
						runs[name] = append(runs[name], cost)
						b.ReportMetric(float64(cost.apply.requests), "apply-requests")
						b.ReportMetric(cost.apply.took.Seconds(), "apply-s")
						b.ReportMetric(float64(cost.destroy.requests), "destroy-requests")
						b.ReportMetric(cost.destroy.took.Seconds(), "destroy-s")
					}
				})
			}
		}
	}
	var medians []requestCost
	for _, name := range names {
		medians = append(medians, medianCost(runs[name]))
	}
	b.Logf("median of %d rounds\n%s\n%s", rounds, costTable(medians...), sideBySide(medians...))
}

// medianCost is, for each step, the median requests and the median seconds of runs of one size
// and setting.
func medianCost(runs []requestCost) requestCost {
	m := runs[0]
	for _, step := range []func(*requestCost) *phaseCost{
		func(c *requestCost) *phaseCost { return &c.apply }, func(c *requestCost) *phaseCost { return &c.plan },
		func(c *requestCost) *phaseCost { return &c.refresh }, func(c *requestCost) *phaseCost { return &c.destroy },
	} {
		var requests []int
		var took []time.Duration
		for i := range runs {
			requests, took = append(requests, step(&runs[i]).requests), append(took, step(&runs[i]).took)
		}
		slices.Sort(requests)
		slices.Sort(took)
		*step(&m) = phaseCost{requests: requests[len(requests)/2], took: took[len(took)/2]}
	}
	return m
}
