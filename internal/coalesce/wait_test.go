package coalesce

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// waitAll waits for every secret concurrently and fails the test unless each turns active.
func waitAll(t *testing.T, co *Gateway, h *harness, secrets []*client.Secret) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range secrets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := co.WaitActive(context.Background(), h.owner, h.storeID, s, 0)
			if err != nil || got.ID != s.ID || got.Status != client.StatusActive {
				t.Errorf("wait %s: %+v, %v", s.ID, got, err)
			}
		}()
	}
	wg.Wait()
}

func createdSecrets(t *testing.T, co *Gateway, h *harness, n int) []*client.Secret {
	t.Helper()
	var out []*client.Secret
	for _, r := range createAll(co, h, inputs("NEW", n)) {
		if r.err != nil {
			t.Fatal(r.err)
		}
		out = append(out, r.secret)
	}
	return out
}

// Waiters of one store share each poll: one page, newest modified first, serves them all,
// however large the store.
func TestWaitersShareOnePage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{ActivationDelay: 100 * time.Millisecond}})
		h.seed("OLD", 300)
		time.Sleep(time.Millisecond) // the new secrets are the newest modified
		created := createdSecrets(t, h.co, h, 10)
		for _, s := range created {
			if s.Status != client.StatusPending {
				t.Fatalf("created %s is %s, want pending", s.Name, s.Status)
			}
		}
		h.srv.ResetRequests()
		waitAll(t, h.co, h, created)
		lists := h.srv.RequestsTo(h.route("GET", rSecrets))
		if gets := h.count("GET", rSecret); gets != 0 || len(lists) == 0 {
			t.Fatalf("%d GETs and %d list requests: want the waits served by lists", gets, len(lists))
		}
		// The first poll comes after the activation delay: one page serves all ten.
		if len(lists) != 1 {
			t.Errorf("%d list requests, want 1", len(lists))
		}
		q, _ := url.ParseQuery(lists[0].Query)
		if q.Get("order") != "modified" || q.Get("direction") != "desc" || q.Get("page") != "1" {
			t.Errorf("poll query %q, want page 1 ordered by modified, descending", lists[0].Query)
		}
	})
}

// Waiters that see "pending" keep polling, together.
func TestWaitersPollUntilActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{
			mock: mockserver.Options{ActivationDelay: 400 * time.Millisecond},
			opts: Options{PollFirstWait: 50 * time.Millisecond, PollMaxWait: 100 * time.Millisecond},
		})
		created := createdSecrets(t, h.co, h, 5)
		h.srv.ResetRequests()
		waitAll(t, h.co, h, created)
		if gets := h.count("GET", rSecret); gets != 0 {
			t.Fatalf("%d GETs, want none", gets)
		}
		t.Logf("%d list requests for 5 waiters over a 400ms activation", h.count("GET", rSecrets))
	})
}

// A lone waiter GETs its secret.
func TestLoneWaiterGets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{ActivationDelay: 100 * time.Millisecond}})
		created := createdSecrets(t, h.co, h, 1)
		h.srv.ResetRequests()
		s, waited, err := h.co.WaitActive(context.Background(), h.owner, h.storeID, created[0], 0)
		if err != nil || s.Status != client.StatusActive || waited <= 0 {
			t.Fatalf("%+v, %s, %v", s, waited, err)
		}
		if gets := h.count("GET", rSecret); gets != 1 || h.total() != 1 {
			t.Fatalf("%d requests (%d GETs), want one GET", h.total(), gets)
		}
	})
}

// A secret the caller already holds as active costs nothing.
func TestWaitSkipsAnActiveSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		created := createdSecrets(t, h.co, h, 1)
		h.srv.ResetRequests()
		s, waited, err := h.co.WaitActive(context.Background(), h.owner, h.storeID, created[0], 0)
		if err != nil || s != created[0] || waited != 0 {
			t.Fatalf("%+v, %s, %v", s, waited, err)
		}
		if h.total() != 0 {
			t.Fatalf("%d requests, want none", h.total())
		}
	})
}

// When the context ends first, the error carries the last status and the context's error.
func TestWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{
			mock: mockserver.Options{ActivationDelay: time.Hour},
			opts: Options{PollFirstWait: 5 * time.Millisecond, PollMaxWait: 10 * time.Millisecond},
		})
		created := createdSecrets(t, h.co, h, 2)

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, waited, err := h.co.WaitActive(ctx, h.owner, h.storeID, created[0], 0)
		var we *WaitError
		if !errors.As(err, &we) || !we.TimedOut() || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v, want a *WaitError that timed out", err)
		}
		if we.LastStatus != client.StatusPending || we.Waited != waited || waited != 100*time.Millisecond || we.SecretID != created[0].ID {
			t.Fatalf("%+v", we)
		}

		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel2)
		_, _, err = h.co.WaitActive(ctx2, h.owner, h.storeID, &client.Secret{ID: created[1].ID}, 0)
		if !errors.As(err, &we) || we.TimedOut() || !errors.Is(err, context.Canceled) {
			t.Fatalf("%v, want an interrupted *WaitError", err)
		}
	})
}

// A 404 within the not-found grace is retried; after it, it ends the wait.
func TestWaitNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{PollFirstWait: 5 * time.Millisecond, PollMaxWait: 10 * time.Millisecond}})
		ctx := context.Background()
		_, _, err := h.co.WaitActive(ctx, h.owner, h.storeID, &client.Secret{ID: unknownID}, 0)
		if !client.IsNotFound(err) {
			t.Fatalf("no grace: %v, want the 404", err)
		}
		gets := h.count("GET", rSecret)

		// Within the grace the 404 is retried: once it was, interrupt the wait.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errc := make(chan error, 1)
		go func() {
			_, _, err := h.co.WaitActive(ctx, h.owner, h.storeID, &client.Secret{ID: unknownID}, time.Hour)
			errc <- err
		}()
		// On the bubble's clock: each sleep lets the polls' timers fire.
		for deadline := time.Now().Add(10 * time.Second); h.count("GET", rSecret) < gets+2; {
			if time.Now().After(deadline) {
				t.Fatal("the 404 was not retried")
			}
			time.Sleep(time.Millisecond)
		}
		cancel()
		err = <-errc
		var we *WaitError
		if !errors.As(err, &we) || we.LastStatus != StatusNotVisible || !errors.Is(err, context.Canceled) {
			t.Fatalf("within the grace: %v, want a *WaitError with status %q", err, StatusNotVisible)
		}
	})
}

// Waiters for secrets absent from the listing are confirmed with a GET each.
func TestWaitersOfAbsentSecrets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{PollFirstWait: 5 * time.Millisecond}})
		ids := []string{unknownID, "11111111111111111111111111111111"}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := h.co.WaitActive(context.Background(), h.owner, h.storeID, &client.Secret{ID: id}, 0); !client.IsNotFound(err) {
					t.Errorf("wait %s: %v, want the 404", id, err)
				}
			}()
		}
		wg.Wait()
		if got := h.total(); got > len(ids)+1 {
			t.Fatalf("%d requests for %d waiters, want at most %d", got, len(ids), len(ids)+1)
		}
	})
}
