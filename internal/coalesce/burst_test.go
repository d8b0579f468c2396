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

// Tests of self-clocked batching. They run in a testing/synctest bubble: arrivals and the
// mock's latency are on the bubble's clock, so waits are proven exactly and a loaded machine's
// late timers cannot split or merge a batch.

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

// A create that finds no batch of its store in flight goes at once: it takes the API's
// latency and nothing more, however recently another create came.
func TestCreateWithNothingInFlightIsNotDelayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 20 * time.Millisecond
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: latency}})
		for _, name := range []string{"FIRST", "SECOND", "THIRD"} {
			if took := createOne(t, h.co, h, name); took != latency {
				t.Fatalf("create %s took %s, want the latency alone (%s)", name, took, latency)
			}
		}
		if got := h.total(); got != 3 {
			t.Fatalf("%d requests, want 3", got)
		}
	})
}

// spreadCreates starts n creates gap apart, as Terraform starts a wave, and waits for them. It
// returns the outcomes and how long each create took.
func spreadCreates(t *testing.T, co *Gateway, h *harness, prefix string, n int, gap time.Duration) ([]createResult, []time.Duration) {
	t.Helper()
	in := inputs(prefix, n)
	out := make([]createResult, n)
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range in {
		if i > 0 {
			time.Sleep(gap)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			s, err := co.CreateSecret(context.Background(), h.owner, h.storeID, in[i])
			out[i] = createResult{in: in[i], secret: s, err: err}
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
	return out, took
}

// Self-clocking: creates that come while a batch is in flight go together as soon as it
// returns. Arrivals 7ms apart against 20ms of latency: the first goes alone at once, then each
// batch carries what came during the one before, and no create waits longer than one request.
func TestCreatesGatherWhileABatchIsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 20 * time.Millisecond
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: latency}})
		results, took := spreadCreates(t, h.co, h, "WAVE", 10, 7*time.Millisecond)
		checkCreated(t, h, results)
		// Sent at 0 (#0), 20 (#1-2 came at 7, 14), 40 (#3-5 at 21, 28, 35), 60 (#6-8 at 42,
		// 49, 56) and 80 (#9 at 63).
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 2, 3, 3, 1}) {
			t.Fatalf("POSTs of %v items, want [1 2 3 3 1]", sizes)
		}
		for i, d := range took {
			if d > 2*latency {
				t.Errorf("create %d took %s, more than one request's wait and its own (%s)", i, d, 2*latency)
			}
		}
	})
}

// batching = false: every create goes at once on its own, even while others are in flight.
func TestUnbatchedSendsEachAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 20 * time.Millisecond
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: latency}, opts: Options{Unbatched: true}})
		results, took := spreadCreates(t, h.co, h, "ALONE", 5, 7*time.Millisecond)
		checkCreated(t, h, results)
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 1, 1, 1, 1}) {
			t.Fatalf("POSTs of %v items, want each create alone", sizes)
		}
		for i, d := range took {
			if d != latency {
				t.Errorf("create %d took %s, want the latency alone", i, d)
			}
		}
	})
}

// With two batches allowed in flight, a third waits for one of them.
func TestMaxBatchesInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 20 * time.Millisecond
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: latency}, opts: Options{MaxBatchesInFlight: 2}})
		results, _ := spreadCreates(t, h.co, h, "TWO", 4, 5*time.Millisecond)
		checkCreated(t, h, results)
		// #0 at 0 and #1 at 5 go alone; #2 (10) and #3 (15) wait for #0's return at 20.
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 1, 2}) {
			t.Fatalf("POSTs of %v items, want [1 1 2]", sizes)
		}
	})
}

// Terraform's destroy is a stream: each delete starts as soon as one ends, after a few
// milliseconds of its own work. With 10 at a time (its default parallelism), the deletes of
// 100 secrets gather into few bulk deletes: while one is in flight the next gathers.
func TestStreamedDeletesGatherIntoFewBulks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 20 * time.Millisecond}})
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
		if bulks+singles > 30 {
			t.Fatalf("%d requests for 100 streamed deletes, want at most 30", bulks+singles)
		}
	})
}

// A caller short of time never waits for company past half its time left: against 100ms of
// latency, a create with 40ms left goes at 20ms beside the batch in flight, is in flight at its
// deadline, and gets its secret within the grace instead of leaving unsent.
func TestCallerShortOfTimeGoesHalfwayToItsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 100 * time.Millisecond}})
		first := make(chan error, 1)
		go func() {
			_, err := h.co.CreateSecret(context.Background(), h.owner, h.storeID, inputs("FIRST", 1)[0])
			first <- err
		}()
		synctest.Wait() // the first batch is in flight
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
		defer cancel()
		start := time.Now()
		s, err := h.co.CreateSecret(ctx, h.owner, h.storeID, inputs("HURRIED", 1)[0])
		if err != nil || s == nil || ctx.Err() == nil {
			t.Fatalf("the hurried create: %+v, %v; want its secret after its deadline", s, err)
		}
		if took := time.Since(start); took != 20*time.Millisecond+100*time.Millisecond {
			t.Fatalf("the hurried create took %s, want sent at 20ms and answered 100ms later", took)
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if sizes := postSizes(t, h); !slices.Equal(sizes, []int{1, 1}) {
			t.Fatalf("POSTs of %v items, want [1 1]", sizes)
		}
	})
}
