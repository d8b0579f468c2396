package coalesce

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// testQueue doubles each item's input; rules as given.
func testQueue(t *testing.T, rules batchRules, beforeOutcome func()) (*queue[int, int], *[][]int) {
	t.Helper()
	var bg sync.WaitGroup
	t.Cleanup(bg.Wait)
	var mu sync.Mutex
	var sent [][]int
	run := func(b *batch[int, int]) {
		items := b.claim(b.items)
		var ins []int
		for _, it := range items {
			ins = append(ins, it.in)
		}
		mu.Lock()
		sent = append(sent, ins)
		mu.Unlock()
		for _, it := range items {
			b.settle(it, it.in*2, nil)
		}
	}
	return newQueue(rules, &bg, func(*batch[int, int], int) bool { return true }, run, beforeOutcome), &sent
}

// No caller learns an outcome before the store's listing is dropped.
func TestOutcomeFollowsInvalidation(t *testing.T) {
	var invalidated atomic.Int32
	q, _ := testQueue(t, batchRules{maxItems: 10, maxBytes: 100, grace: time.Second}, func() { invalidated.Add(1) })
	for i := range 20 {
		before := invalidated.Load()
		out, err := q.submit(context.Background(), i, 1)
		if err != nil || out != 2*i {
			t.Fatalf("%d, %v", out, err)
		}
		if invalidated.Load() == before {
			t.Fatal("an outcome was delivered before the listing was dropped")
		}
	}
}

// The Gateway's own check of the same: right after a write returns, the listing is gone.
func TestWriteDropsListingBeforeReturning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 2)
		ctx := context.Background()
		key := storeKeyOf(h.owner, h.storeID)
		listed := func() bool {
			h.co.mu.Lock()
			defer h.co.mu.Unlock()
			return h.co.secretListings[key] != nil
		}
		for _, write := range []func() error{
			func() error { return h.co.DeleteSecret(ctx, h.owner, h.storeID, all[0].ID) },
			func() error { return h.co.DeleteSecret(ctx, h.owner, h.storeID, unknownID) },
			func() error {
				_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "N", Value: "v", Scopes: []string{"workers"}})
				return err
			},
			func() error {
				_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "N", Value: "v", Scopes: []string{"workers"}})
				if apiStatus(err) != 409 {
					return errors.New("want a conflict")
				}
				return nil
			},
		} {
			if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, all[1].ID); err != nil {
				t.Fatal(err)
			}
			if !listed() {
				t.Fatal("no listing after a read")
			}
			if err := write(); err != nil {
				t.Fatal(err)
			}
			if listed() {
				t.Fatal("the listing outlived a write")
			}
		}
	})
}

// Batches close at the item limit, and a full batch goes at once, even while another is in
// flight.
func TestQueueItemLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, sent := testQueue(t, batchRules{maxInFlight: 1, maxItems: 3, maxBytes: 100, grace: time.Second}, func() {})
		holdSlot(q, time.Hour)
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if out, err := q.submit(context.Background(), i, 1); err != nil || out != 2*i {
					t.Errorf("%d: %d, %v", i, out, err)
				}
			}()
		}
		wg.Wait()
		if len(*sent) != 2 || len((*sent)[0]) != 3 || len((*sent)[1]) != 3 {
			t.Fatalf("sent %v, want two batches of 3", *sent)
		}
	})
}

// The body of a bulk delete is counted exactly.
func TestDeleteBodyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchBytes: len(`{"ids":["", ""]}`) + 2*32}})
		h.gather(time.Hour)
		all := h.seed("S", 4)
		for i, err := range deleteAll(h.co, h, idsOf(all)) {
			if err != nil {
				t.Errorf("delete %d: %v", i, err)
			}
		}
		bulk := h.srv.RequestsTo(h.route("DELETE", rSecrets))
		if len(bulk) != 2 {
			t.Fatalf("%d bulk deletes, want 2", len(bulk))
		}
		for _, r := range bulk {
			if len(r.Body) != len(`{"ids":["",""]}`)+2*32 {
				t.Errorf("body %s", r.Body)
			}
		}
	})
}

// An item too large to share goes alone, never held back, even while a batch is in flight.
func TestQueueByteLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, sent := testQueue(t, batchRules{maxInFlight: 1, maxItems: 100, maxBytes: 10, grace: time.Second}, func() {})
		holdSlot(q, time.Hour)
		start := time.Now()
		if out, err := q.submit(context.Background(), 5, 50); err != nil || out != 10 {
			t.Fatalf("%d, %v", out, err)
		}
		if len(*sent) != 1 || time.Since(start) != 0 {
			t.Fatalf("sent %v after %s, want at once", *sent, time.Since(start))
		}
	})
}
