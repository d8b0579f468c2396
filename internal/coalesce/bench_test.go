package coalesce

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// The benchmarks report what the rate limit cares about, requests, from the mock's log.

// A refresh of 500 secrets by Terraform's 10 parallel reads.
func BenchmarkRefresh500(b *testing.B) {
	h := newHarness(b, harnessConfig{})
	ids := idsOf(h.seed("S", 500))
	b.ResetTimer()
	for range b.N {
		co := New(h.cl, Options{})
		parallel(len(ids), 10, func(i int) {
			if _, err := co.ReadSecret(context.Background(), h.owner, h.storeID, ids[i]); err != nil {
				b.Error(err)
			}
		})
		co.bg.Wait()
	}
	b.ReportMetric(float64(h.total())/float64(b.N), "requests/op")
	b.ReportMetric(float64(h.total())/float64(b.N)/float64(len(ids)), "requests/read")
}

// An apply creating 100 secrets, each waited for (the mock's default activation delay), with Terraform's 10 parallel creates, then
// their destroy.
func BenchmarkApplyAndDestroy100(b *testing.B) {
	h := newHarness(b, harnessConfig{mock: mockserver.Options{ActivationDelay: 250 * time.Millisecond}})
	b.ResetTimer()
	for n := range b.N {
		co := New(h.cl, Options{})
		ids := make([]string, 100)
		parallel(100, 10, func(i int) {
			ctx := context.Background()
			s, err := co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: fmt.Sprintf("B%d_%03d", n, i), Value: "v", Scopes: []string{"workers"}})
			if err == nil {
				_, _, err = co.WaitActive(ctx, h.owner, h.storeID, s, 0)
			}
			if err != nil {
				b.Error(err)
				return
			}
			ids[i] = s.ID
		})
		parallel(100, 10, func(i int) {
			if err := co.DeleteSecret(context.Background(), h.owner, h.storeID, ids[i]); err != nil {
				b.Error(err)
			}
		})
		co.bg.Wait()
	}
	b.ReportMetric(float64(h.total())/float64(b.N), "requests/op")
}
