package coalesce

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// The /system family works the same: batched creates, reads from the listing, shared waits,
// batched deletes and the store's delete, all on the system routes.
func TestSystemFamily(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{system: true,
			mock: mockserver.Options{ActivationDelay: 100 * time.Millisecond},
			opts: Options{MaxBatchItems: 12}})
		h.gather(time.Hour)
		ctx := context.Background()

		results := createAll(h.co, h, inputs("SYS", 12))
		checkCreated(t, h, results)
		if got := h.count("POST", rSecrets); got != 1 {
			t.Fatalf("%d POSTs on the system route, want 1", got)
		}
		var created []*client.Secret
		for _, r := range results {
			created = append(created, r.secret)
		}
		h.srv.ResetRequests()
		waitAll(t, h.co, h, created)
		if h.count("GET", rSecret) != 0 || h.count("GET", rSecrets) == 0 {
			t.Fatal("the waits did not go through the system listing")
		}

		h.srv.ResetRequests()
		readAll(t, h.co, h, idsOf(derefs(created)), 6)
		if got := h.total(); got != 1 || h.count("GET", rSecrets) != 1 {
			t.Fatalf("%d requests for 12 reads, want one system list page", got)
		}
		if st, err := h.co.ReadStore(ctx, h.owner, h.storeID); err != nil || st.ID != h.storeID {
			t.Fatalf("ReadStore: %+v, %v", st, err)
		}

		h.srv.ResetRequests()
		var wg sync.WaitGroup
		errs := make(chan error, len(created)+1)
		for _, s := range created {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- h.co.DeleteSecret(ctx, h.owner, h.storeID, s.ID)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- h.co.DeleteStore(ctx, h.owner, h.storeID, false)
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if got := h.count("DELETE", rSecrets); got != 1 {
			t.Errorf("%d bulk deletes on the system route, want 1", got)
		}
		if _, err := h.co.ReadStore(ctx, h.owner, h.storeID); !client.IsNotFound(err) {
			t.Fatalf("the system store is still there: %v", err)
		}
		for _, r := range h.srv.Requests() {
			if !hasSysBase(r.Route) {
				t.Errorf("request off the system routes: %s", r.Route)
			}
		}
	})
}

func hasSysBase(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	return strings.HasPrefix(path, sysBase+"/")
}

func derefs(ss []*client.Secret) []client.Secret {
	out := make([]client.Secret, len(ss))
	for i, s := range ss {
		out[i] = *s
	}
	return out
}

// CreateStore runs to completion like creates: a caller interrupted while it is in flight
// gets the store.
func TestCreateStoreFinishesWhenInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{system: true})
		n := testInternal
		_, st, err := interruptedInFlight(h, "POST", "/stores", func(ctx context.Context) (*client.Store, error) {
			return h.co.CreateStore(ctx, h.owner, client.CreateStoreRequest{Name: "second", AccountInternalID: &n})
		})
		if err != nil || st == nil || st.Name != "second" {
			t.Fatalf("%+v, %v: want the store", st, err)
		}
	})
}

func TestRunDetached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		var bg sync.WaitGroup
		defer bg.Wait() // fn's goroutine ends every time
		v, err := runDetached(ctx, time.Second, &bg, false, func(context.Context) (int, error) { return 7, nil })
		if v != 7 || err != nil {
			t.Fatalf("%d, %v", v, err)
		}

		// Interrupted while fn runs, fn done within the grace: its result.
		cctx, cancel := context.WithCancel(ctx)
		running, release := make(chan struct{}), make(chan struct{})
		go func() {
			<-running
			cancel()
			time.Sleep(10 * time.Millisecond)
			close(release)
		}()
		v, err = runDetached(cctx, time.Minute, &bg, false, func(fctx context.Context) (int, error) {
			close(running)
			<-release
			return 8, fctx.Err()
		})
		if v != 8 || err != nil {
			t.Fatalf("interrupted, finished in the grace: %d, %v", v, err)
		}

		// The grace runs out: ErrOutcomeUnknown, and fn's context is cancelled.
		cause := errors.New("user pressed ctrl-c")
		cctx, cancelCause := context.WithCancelCause(ctx)
		stopped := make(chan error, 1)
		started := make(chan struct{})
		go func() {
			<-started
			cancelCause(cause)
		}()
		_, err = runDetached(cctx, 10*time.Millisecond, &bg, false, func(fctx context.Context) (int, error) {
			close(started)
			<-fctx.Done()
			stopped <- context.Cause(fctx)
			return 0, fctx.Err()
		})
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
			t.Fatalf("grace ran out: %v", err)
		}
		if fnCause := <-stopped; !errors.Is(fnCause, ErrOutcomeUnknown) {
			t.Fatalf("fn's context ended with %v", fnCause)
		}

		// Already ended: fn never runs.
		_, err = runDetached(cctx, time.Second, &bg, false, func(context.Context) (int, error) {
			t.Error("fn ran")
			return 0, nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ended before: %v", err)
		}
	})
}

// Many operations of every kind, some interrupted, leave no goroutine of the package behind.
func TestNoGoroutineOutlivesItsWork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{ActivationDelay: 30 * time.Millisecond}})
		co := h.newGateway(Options{PollFirstWait: 10 * time.Millisecond, InFlightGrace: 50 * time.Millisecond})
		old := h.seed("OLD", 150)
		before := runtime.NumGoroutine()

		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				if i%5 == 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, time.Duration(i%7)*time.Millisecond)
					defer cancel()
				}
				in := inputs("N", 60)[i]
				s, err := co.CreateSecret(ctx, h.owner, h.storeID, in)
				_, _ = co.ReadSecret(ctx, h.owner, h.storeID, old[i].ID)
				if err == nil {
					_, _, _ = co.WaitActive(ctx, h.owner, h.storeID, s, time.Second)
					_ = co.DeleteSecret(ctx, h.owner, h.storeID, s.ID)
				}
				_, _ = co.ListSecrets(ctx, h.owner, h.storeID, client.ListSecretsOptions{})
			}()
		}
		wg.Wait()
		waitBackground(t, co)
		h.transport.base.CloseIdleConnections()
		synctest.Wait() // the connections' goroutines have seen them close
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("%d goroutines after the work, %d before", n, before)
		}
	})
}
