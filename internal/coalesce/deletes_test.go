package coalesce

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// deleteAll runs one DeleteSecret per id concurrently and returns the errors in order.
func deleteAll(co *Gateway, h *harness, ids []string) []error {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = co.DeleteSecret(context.Background(), h.owner, h.storeID, id)
		}()
	}
	wg.Wait()
	return errs
}

func TestConcurrentDeletesBecomeOneBulkDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 20}})
		h.gather(time.Hour)
		all := h.seed("S", 20)
		for i, err := range deleteAll(h.co, h, idsOf(all)) {
			if err != nil {
				t.Errorf("delete %s: %v", all[i].ID, err)
			}
		}
		bulk := h.srv.RequestsTo(h.route("DELETE", rSecrets))
		if len(bulk) != 1 || h.total() != 1 {
			t.Fatalf("%d requests (%d bulk), want one bulk delete", h.total(), len(bulk))
		}
		var body struct{ IDs []string }
		if err := json.Unmarshal(bulk[0].Body, &body); err != nil || len(body.IDs) != 20 {
			t.Fatalf("bulk body %s: %v", bulk[0].Body, err)
		}
		if n := len(h.srv.Secrets(h.storeID)); n != 0 {
			t.Fatalf("%d secrets left", n)
		}
	})
}

// A lone delete uses the single route; a secret already gone is success.
func TestLoneDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 1)
		ctx := context.Background()
		if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, all[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, all[0].ID); err != nil {
			t.Fatalf("deleting a secret already gone: %v, want success", err)
		}
		if got := h.count("DELETE", rSecret); got != 2 || h.total() != 2 {
			t.Fatalf("%d requests (%d single deletes), want 2 single deletes", h.total(), got)
		}
	})
}

// An id already gone fails a bulk delete whole (404): each id is then deleted alone, and
// everyone succeeds.
func TestBulkDeleteWithAnIDAlreadyGoneFallsBackToSingles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 10}})
		h.gather(time.Hour)
		all := h.seed("S", 10)
		if err := h.cl.DeleteSecret(context.Background(), h.owner, h.storeID, all[3].ID); err != nil {
			t.Fatal(err)
		}
		h.srv.ResetRequests()
		for i, err := range deleteAll(h.co, h, idsOf(all)) {
			if err != nil {
				t.Errorf("delete %s: %v", all[i].ID, err)
			}
		}
		if n := len(h.srv.Secrets(h.storeID)); n != 0 {
			t.Fatalf("%d secrets left", n)
		}
		bulk := h.srv.RequestsTo(h.route("DELETE", rSecrets))
		if len(bulk) != 1 || bulk[0].Status != 404 {
			t.Fatalf("bulk deletes: %+v, want one answered 404", bulk)
		}
		if got := h.count("DELETE", rSecret); got != 10 {
			t.Fatalf("%d single deletes, want 10", got)
		}
	})
}

// Errors that are not about the ids reach every caller.
func TestBulkDeleteFailureReachesEveryone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 4}})
		h.gather(time.Hour)
		all := h.seed("S", 4)
		h.srv.FailNext(mockserver.Fault{Route: h.route("DELETE", rSecrets), Status: 500})
		for i, err := range deleteAll(h.co, h, idsOf(all)) {
			if apiStatus(err) != 500 {
				t.Errorf("delete %s: %v, want the 500", all[i].ID, err)
			}
		}
		if got := h.total(); got != 1 {
			t.Fatalf("%d requests, want 1 (500 is not retried)", got)
		}
	})
}

// A delete whose caller is cancelled while it is in flight finishes, and says so.
func TestDeleteCancelledInFlightFinishes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 1)
		_, _, err := interruptedInFlight(h, "DELETE", all[0].ID, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, h.co.DeleteSecret(ctx, h.owner, h.storeID, all[0].ID)
		})
		if err != nil {
			t.Fatalf("cancelled in flight: %v, want the delete's own outcome", err)
		}
		if n := len(h.srv.Secrets(h.storeID)); n != 0 {
			t.Fatal("the secret is still there")
		}
	})
}

// A delete cancelled before it is sent sends nothing.
func TestDeleteCancelledBeforeSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(time.Hour)
		all := h.seed("S", 1)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Millisecond, cancel) // an interrupt: no deadline to hurry for
		if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, all[0].ID); !errors.Is(err, context.Canceled) {
			t.Fatalf("%v, want context.Canceled", err)
		}
		waitLive(t, h.co.deleteQueue(h.owner, h.storeID), 0)
		if h.total() != 0 || len(h.srv.Secrets(h.storeID)) != 1 {
			t.Fatalf("%d requests, %d secrets: want nothing sent", h.total(), len(h.srv.Secrets(h.storeID)))
		}
	})
}

// Terraform destroys a store and secrets naming it by a literal id concurrently, with its
// parallelism: the store's delete waits for this process's secret deletes and succeeds.
func TestDeleteStoreRacesWithItsSecretDeletes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, storeAt := range []int{0, 5, 15, 29} {
			h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 2 * time.Millisecond}})
			all := h.seed("S", 30)
			// ops in the order Terraform would start them; slots is -parallelism.
			ops := make([]func() error, 0, len(all)+1)
			for _, s := range all {
				ops = append(ops, func() error { return h.co.DeleteSecret(context.Background(), h.owner, h.storeID, s.ID) })
			}
			storeDelete := func() error { return h.co.DeleteStore(context.Background(), h.owner, h.storeID, false) }
			ops = append(ops[:storeAt], append([]func() error{storeDelete}, ops[storeAt:]...)...)
			slots := make(chan struct{}, 10)
			errs := make([]error, len(ops))
			var wg sync.WaitGroup
			for i, op := range ops {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-slots }()
					time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond) // the provider's own work
					errs[i] = op()
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("store at %d: op %d: %v", storeAt, i, err)
				}
			}
			for _, st := range h.srv.Stores() {
				if st.ID == h.storeID {
					t.Errorf("store at %d: the store is still there", storeAt)
				}
			}
			t.Logf("store at %d: %d store deletes, %d requests", storeAt, h.count("DELETE", rStore), h.total())
		}
	})
}

// A store holding secrets this process is not deleting fails at once with the API's error.
func TestDeleteStoreNotEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.seed("FOREIGN", 3)
		ctx := context.Background()
		err := h.co.DeleteStore(ctx, h.owner, h.storeID, false)
		if apiStatus(err) != 409 || apiReason(err) != reasonStoreNotEmpty {
			t.Fatalf("%v, want the API's 409 %s", err, reasonStoreNotEmpty)
		}
		var notEmpty *StoreNotEmptyError
		if !errors.As(err, &notEmpty) || notEmpty.ListErr != nil || len(notEmpty.Remaining) != 3 ||
			!strings.HasPrefix(notEmpty.Remaining[0].Name, "FOREIGN") {
			t.Fatalf("%#v, want a *StoreNotEmptyError naming the 3 secrets left", err)
		}
		if got := h.count("DELETE", rStore); got != 1 {
			t.Fatalf("%d store deletes, want 1", got)
		}
		if err := h.co.DeleteStore(ctx, h.owner, h.storeID, true); err != nil {
			t.Fatalf("force: %v", err)
		}
		if _, err := h.co.ReadStore(ctx, h.owner, h.storeID); !client.IsNotFound(err) {
			t.Fatalf("read after delete: %v, want a 404", err)
		}
	})
}

// A store emptied by someone else between the API's store_not_empty and the listing of what it
// still holds is deleted again: deletes this process does not track had just landed.
func TestDeleteStoreEmptiedMeanwhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		foreign := h.seed("FOREIGN", 2)
		listed, release := h.transport.hold("GET", "/secrets")
		defer release()
		done := make(chan error, 1)
		go func() { done <- h.co.DeleteStore(context.Background(), h.owner, h.storeID, false) }()
		<-listed // the store answered store_not_empty, and what it holds is being listed
		if _, err := h.cl.DeleteSecrets(context.Background(), h.owner, h.storeID, idsOf(foreign)); err != nil {
			t.Fatal(err)
		}
		release()
		if err := <-done; err != nil {
			t.Fatalf("%v, want the store deleted once it was empty", err)
		}
		if got := h.count("DELETE", rStore); got != 2 {
			t.Fatalf("%d store deletes, want 2", got)
		}
	})
}

// After recent deletes of the store's secrets, store_not_empty is retried only while progress
// continues: with foreign secrets left, the API's error comes back.
func TestDeleteStoreGivesUpWithoutProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{RecentDeleteWindow: 50 * time.Millisecond}})
		all := h.seed("S", 5)
		ctx := context.Background()
		for _, s := range all[:2] {
			if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, s.ID); err != nil {
				t.Fatal(err)
			}
		}
		h.srv.ResetRequests()
		err := h.co.DeleteStore(ctx, h.owner, h.storeID, false)
		if apiReason(err) != reasonStoreNotEmpty {
			t.Fatalf("%v, want %s", err, reasonStoreNotEmpty)
		}
		if got := h.count("DELETE", rStore); got != 1 {
			t.Fatalf("%d store deletes, want 1: no delete made progress after it", got)
		}
	})
}

// A store delete whose context ends while it waits gives the context's error, with the API's.
func TestDeleteStoreInterruptedWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{RecentDeleteWindow: time.Hour}})
		all := h.seed("S", 3)
		if err := h.co.DeleteSecret(context.Background(), h.owner, h.storeID, all[0].ID); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := h.co.DeleteStore(ctx, h.owner, h.storeID, false)
		if !errors.Is(err, context.DeadlineExceeded) || apiReason(err) != reasonStoreNotEmpty {
			t.Fatalf("%v, want the deadline and the API's %s", err, reasonStoreNotEmpty)
		}
	})
}
