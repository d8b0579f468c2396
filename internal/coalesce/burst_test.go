package coalesce

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// Tests of burst-aware batching. They run in a testing/synctest bubble: arrivals, quiet gaps
// and maximum waits are on the bubble's clock, so the default knobs are proven exactly and a
// loaded machine's late timers cannot split or merge a batch.

// createOne runs one CreateSecret and returns how long it took.
func createOne(t *testing.T, co *Gateway, h *harness, name string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := co.CreateSecret(context.Background(), h.owner, h.storeID, client.SecretInput{Name: name, Value: "v", Scopes: []string{"workers"}}); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// postSizes is the number of items of each create request, in order.
func postSizes(t *testing.T, h *harness) []int {
	t.Helper()
	var sizes []int
	for _, p := range h.srv.RequestsTo(h.route("POST", rSecrets)) {
		sizes = append(sizes, bodyItems(t, p.Body))
	}
	return sizes
}

// A lone create goes after the linger, not after a burst's quiet gap: with no create for the
// store in the burst window and none in flight, it is not delayed. A create within the window
// of another waits the quiet gap for company; once the window has passed, a create is lone
// again. The default knobs, timed on the bubble's clock.
func TestLoneCreateIsNotDelayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		if took := createOne(t, h.co, h, "FIRST"); took != DefaultBatchLinger {
			t.Fatalf("a lone create took %s, want the linger", took)
		}
		if took := createOne(t, h.co, h, "SECOND"); took != DefaultBurstQuiet {
			t.Fatalf("a create in the burst window took %s, want the quiet gap", took)
		}
		time.Sleep(DefaultBurstWindow)
		if took := createOne(t, h.co, h, "LATER"); took != DefaultBatchLinger {
			t.Fatalf("a create after the burst window took %s, want the linger", took)
		}
		if got := h.total(); got != 3 {
			t.Fatalf("%d requests, want 3", got)
		}
	})
}

// spreadCreates starts n creates gap apart, as Terraform starts a wave, and waits for them.
func spreadCreates(t *testing.T, co *Gateway, h *harness, prefix string, n int, gap time.Duration) []createResult {
	t.Helper()
	in := inputs(prefix, n)
	out := make([]createResult, n)
	var wg sync.WaitGroup
	for i := range in {
		if i > 0 {
			time.Sleep(gap)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := co.CreateSecret(context.Background(), h.owner, h.storeID, in[i])
			out[i] = createResult{in: in[i], secret: s, err: err}
		}()
	}
	wg.Wait()
	return out
}

// During a burst, creates arriving 10ms apart over about 100ms, each well past the linger,
// share one batch: it waits for company until no create has come for the quiet gap (the
// default's 40ms).
func TestBurstGathersSpreadArrivals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		checkCreated(t, h, createAll(h.co, h, inputs("WARM", 1))) // a burst is under way from here
		checkCreated(t, h, spreadCreates(t, h.co, h, "WAVE", 10, 10*time.Millisecond))
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 10}) {
			t.Fatalf("POSTs of %v items, want the lone create, then one POST of the 10", sizes)
		}
	})
}

// A gap longer than the quiet gap ends a batch: creates arriving 5ms past it each go alone
// (the mock answers at once, so no batch is in flight when the next comes).
func TestBurstQuietGapEndsABatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		checkCreated(t, h, createAll(h.co, h, inputs("WARM", 1)))
		checkCreated(t, h, spreadCreates(t, h.co, h, "SLOW", 4, DefaultBurstQuiet+5*time.Millisecond))
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 1, 1, 1, 1}) {
			t.Fatalf("POSTs of %v items, want each create alone", sizes)
		}
	})
}

// The first wave of a burst: its first create is lone and goes after the linger; the others
// gather into one batch.
func TestBurstFirstWave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		checkCreated(t, h, spreadCreates(t, h.co, h, "WAVE", 10, 10*time.Millisecond))
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 9}) {
			t.Fatalf("POSTs of %v items, want [1 9]", sizes)
		}
	})
}

// A batch waits at most BurstMaxWait after its first item, however steadily items come.
func TestBurstMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{BurstQuiet: 5 * time.Second, BurstMaxWait: 50 * time.Millisecond}})
		checkCreated(t, h, createAll(h.co, h, inputs("WARM", 1)))
		// Arrivals 7ms apart never leave a 5s gap: only the maximum wait ends each batch, after
		// the 8 arrivals of its 50ms (none falls on the instant a batch goes).
		checkCreated(t, h, spreadCreates(t, h.co, h, "WAVE", 30, 7*time.Millisecond))
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 8, 8, 8, 6}) {
			t.Fatalf("POSTs of %v items, want the lone create, then batches of 50ms: [1 8 8 8 6]", sizes)
		}
	})
}

// Self-clocking: while a batch of the store is in flight, creates that come gather into the
// next batch, past the quiet gap, and go together when it returns.
func TestBurstWaitsForTheBatchInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{BurstQuiet: time.Millisecond, BurstMaxWait: time.Hour}})
		q := h.co.createQueue(h.owner, h.storeID)
		sent, release := h.transport.hold("POST", "/secrets")
		defer release()
		results := make(chan createResult, 3)
		create := func(in client.SecretInput) {
			s, err := h.co.CreateSecret(context.Background(), h.owner, h.storeID, in)
			results <- createResult{in: in, secret: s, err: err}
		}
		in := inputs("S", 3)
		go create(in[0])
		<-sent // the lone first batch is in flight, held
		go create(in[1])
		waitLive(t, q, 2)
		time.Sleep(20 * time.Millisecond) // far past the 1ms quiet gap
		go create(in[2])
		waitLive(t, q, 3)
		select {
		case <-sent:
			t.Fatal("a batch went while another was in flight")
		case <-time.After(20 * time.Millisecond):
		}
		release()
		var all []createResult
		for range 3 {
			all = append(all, <-results)
		}
		checkCreated(t, h, all)
		if sizes := postSizes(t, h); len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 2 {
			t.Fatalf("POSTs of %v items, want [1 2]", sizes)
		}
	})
}

// Terraform's destroy is a stream: each delete starts as soon as one ends, after a few
// milliseconds of its own work. With 10 at a time (its default parallelism), the deletes of
// 100 secrets gather into few bulk deletes: while one is in flight the next gathers.
func TestStreamedDeletesGatherIntoFewBulks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 20 * time.Millisecond},
			opts: Options{BurstQuiet: 200 * time.Millisecond, BurstMaxWait: 2 * time.Second}})
		ids := idsOf(h.seed("S", 100))
		parallel(len(ids), 10, func(i int) {
			time.Sleep(time.Duration(1+rand.IntN(20)) * time.Millisecond) // the caller's own work
			if err := h.co.DeleteSecret(context.Background(), h.owner, h.storeID, ids[i]); err != nil {
				t.Errorf("delete %s: %v", ids[i], err)
			}
		})
		if n := len(h.srv.Secrets(h.storeID)); n != 0 {
			t.Fatalf("%d secrets left", n)
		}
		bulks, singles := h.count("DELETE", rSecrets), h.count("DELETE", rSecret)
		t.Logf("%d bulk and %d single deletes for 100 streamed deletes", bulks, singles)
		if bulks+singles > 15 {
			t.Fatalf("%d requests for 100 streamed deletes, want at most 15", bulks+singles)
		}
	})
}

// A caller short of time is not kept waiting for company: a batch goes no later than
// BurstMaxWait before the earliest deadline of its callers, with the items already in it.
// (The bursts' gap and wait are 10s: a create held for company would outlive its 1s.)
func TestBurstDoesNotHoldACallerShortOfTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{BurstQuiet: 10 * time.Second, BurstMaxWait: 10 * time.Second}})
		q := h.co.createQueue(h.owner, h.storeID)
		checkCreated(t, h, createAll(h.co, h, inputs("WARM", 1))) // a burst is under way from here
		patient := make(chan createResult, 1)
		in := inputs("S", 2)
		go func() {
			s, err := h.co.CreateSecret(context.Background(), h.owner, h.storeID, in[0])
			patient <- createResult{in: in[0], secret: s, err: err}
		}()
		waitLive(t, q, 1) // waits for company, up to 10s
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s, err := h.co.CreateSecret(ctx, h.owner, h.storeID, in[1])
		hurried := createResult{in: in[1], secret: s, err: err}
		checkCreated(t, h, []createResult{hurried, <-patient})
		if sizes := postSizes(t, h); len(sizes) != 2 || sizes[1] != 2 {
			t.Fatalf("POSTs of %v items, want the lone create, then one of both", sizes)
		}
	})
}
