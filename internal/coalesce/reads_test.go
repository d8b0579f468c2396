package coalesce

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// readAll reads ids on workers goroutines and fails the test on any error or wrong secret.
func readAll(t *testing.T, co *Gateway, h *harness, ids []string, workers int) {
	t.Helper()
	parallel(len(ids), workers, func(i int) {
		s, err := co.ReadSecret(context.Background(), h.owner, h.storeID, ids[i])
		if err != nil {
			t.Errorf("read %s: %v", ids[i], err)
			return
		}
		if s.ID != ids[i] {
			t.Errorf("read %s: got %s", ids[i], s.ID)
		}
	})
}

func idsOf(secrets []client.Secret) []string {
	ids := make([]string, len(secrets))
	for i, s := range secrets {
		ids[i] = s.ID
	}
	return ids
}

// A store full of secrets this configuration does not manage costs at most one request per
// read, plus one: 3 reads of a 300-secret store cost at most 4, together or one by one.
func TestReadFewOfManyCostsAtMostOneGetPerRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 300)
		picks := map[string][]string{
			"last page":    {all[299].ID, all[250].ID, all[201].ID},
			"one per page": {all[5].ID, all[150].ID, all[295].ID},
			"first page":   {all[0].ID, all[1].ID, all[99].ID},
		}
		for name, ids := range picks {
			for _, workers := range []int{3, 1} {
				h.srv.ResetRequests()
				co := h.newGateway(Options{})
				readAll(t, co, h, ids, workers)
				if got := h.total(); got > len(ids)+1 {
					t.Errorf("%s, %d at a time: %d requests for %d reads, want at most %d", name, workers, got, len(ids), len(ids)+1)
				}
			}
		}
	})
}

// Reads covering a whole one-page store cost that one page: result_info says it is the last.
func TestReadWholeOnePageStoreCostsOnePage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 100)
		ids := idsOf(all)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		readAll(t, h.co, h, ids, 10)
		if got := h.total(); got != 1 {
			t.Fatalf("%d requests, want 1 (one page): %v", got, h.srv.Requests())
		}
		if got := h.count("GET", rSecrets); got != 1 {
			t.Fatalf("%d list requests, want 1", got)
		}
	})
}

// 500 secrets read by 10 concurrent readers in the store's order cost its 5 pages (at most 6).
func TestReadWholeStoreCostsItsPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 500)
		readAll(t, h.co, h, idsOf(all), 10)
		if got := h.total(); got > 6 {
			t.Fatalf("%d requests for 500 reads of a 5-page store, want at most 6", got)
		}
		if got := h.count("GET", rSecret); got != 0 {
			t.Errorf("%d GETs, want none", got)
		}
	})
}

// In any order and at any concurrency, a listing never costs more than reads + 1. Reads that
// come together in a random order still cost little more than the store's pages.
func TestReadCostBoundHoldsInAnyOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 350)
		rng := rand.New(rand.NewPCG(7, 11))
		for round := range 12 {
			n := 1 + rng.IntN(len(all))
			if round%3 == 0 {
				n = len(all) // the whole store
			}
			ids := idsOf(all)
			rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			ids = ids[:n]
			workers := 1 + rng.IntN(12)
			h.srv.ResetRequests()
			co := h.newGateway(Options{})
			readAll(t, co, h, ids, workers)
			got := h.total()
			if got > n+1 {
				t.Errorf("round %d: %d requests for %d reads (%d workers), want at most %d", round, got, n, workers, n+1)
			}
			t.Logf("round %d: %d reads on %d workers: %d requests (%d pages, %d GETs)",
				round, n, workers, got, h.count("GET", rSecrets), h.count("GET", rSecret))
		}
	})
}

// A secret absent from the listing is confirmed with its own GET: the 404 reaches the caller.
func TestReadAbsentSecretIsConfirmedWithGet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 100)
		gone := all[42].ID
		if err := h.cl.DeleteSecret(context.Background(), h.owner, h.storeID, gone); err != nil {
			t.Fatal(err)
		}
		h.srv.ResetRequests()

		var mu sync.Mutex
		var notFound []string
		parallel(len(all), 10, func(i int) {
			s, err := h.co.ReadSecret(context.Background(), h.owner, h.storeID, all[i].ID)
			switch {
			case client.IsNotFound(err):
				mu.Lock()
				notFound = append(notFound, all[i].ID)
				mu.Unlock()
			case err != nil:
				t.Errorf("read %s: %v", all[i].ID, err)
			case s.ID != all[i].ID:
				t.Errorf("read %s: got %s", all[i].ID, s.ID)
			}
		})
		if !slices.Equal(notFound, []string{gone}) {
			t.Fatalf("not found: %v, want only %s", notFound, gone)
		}
		gets := h.srv.RequestsTo(h.route("GET", rSecret))
		if len(gets) != 1 || gets[0].Status != 404 {
			t.Fatalf("GETs: %+v, want one answered 404", gets)
		}
		if got := h.total(); got != 2 {
			t.Fatalf("%d requests, want 2 (the page and the confirming GET)", got)
		}
	})
}

// Secrets that do not exist at all cost one GET each (after at most one page).
func TestReadUnknownSecretsCostOneGetEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.seed("S", 300)
		ids := []string{unknownID, "11111111111111111111111111111111", "22222222222222222222222222222222"}
		parallel(len(ids), 3, func(i int) {
			_, err := h.co.ReadSecret(context.Background(), h.owner, h.storeID, ids[i])
			if !client.IsNotFound(err) {
				t.Errorf("read %s: %v, want a 404", ids[i], err)
			}
		})
		if got := h.count("GET", rSecret); got != 3 {
			t.Errorf("%d GETs, want 3", got)
		}
		if got := h.total(); got > 4 {
			t.Errorf("%d requests, want at most 4", got)
		}
	})
}

// Writes through the Gateway drop the listing: a read after a write sees it.
func TestReadSeesOwnWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 3)
		ctx := context.Background()
		id := all[0].ID
		if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, id); err != nil {
			t.Fatal(err)
		}
		comment := "changed"
		if _, err := h.co.PatchSecret(ctx, h.owner, h.storeID, id, client.PatchSecretRequest{Comment: &comment}); err != nil {
			t.Fatal(err)
		}
		s, err := h.co.ReadSecret(ctx, h.owner, h.storeID, id)
		if err != nil || s.Comment == nil || *s.Comment != comment {
			t.Fatalf("read after patch: %+v, %v", s, err)
		}

		created, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "NEW", Value: "v", Scopes: []string{"workers"}})
		if err != nil {
			t.Fatal(err)
		}
		h.srv.ResetRequests()
		if s, err := h.co.ReadSecret(ctx, h.owner, h.storeID, created.ID); err != nil || s.Name != "NEW" {
			t.Fatalf("read after create: %+v, %v", s, err)
		}
		if got := h.count("GET", rSecret); got != 0 {
			t.Errorf("the created secret cost %d GETs: it should be in the new listing", got)
		}

		dup, err := h.co.DuplicateSecret(ctx, h.owner, h.storeID, id, client.DuplicateSecretRequest{Name: "DUP", Scopes: []string{"workers"}})
		if err != nil {
			t.Fatal(err)
		}
		if s, err := h.co.ReadSecret(ctx, h.owner, h.storeID, dup.ID); err != nil || s.Name != "DUP" {
			t.Fatalf("read after duplicate: %+v, %v", s, err)
		}

		if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, created.ID); !client.IsNotFound(err) {
			t.Fatalf("read after delete: %v, want a 404", err)
		}
	})
}

// A listing serves reads for ListingMaxAge, then a new one is fetched.
func TestListingExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 3)
		ctx := context.Background()
		read := func() {
			t.Helper()
			if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, all[1].ID); err != nil {
				t.Fatal(err)
			}
		}
		read()
		time.Sleep(DefaultListingMaxAge - time.Millisecond)
		read()
		if got := h.total(); got != 1 {
			t.Fatalf("%d requests within the listing's age, want 1", got)
		}
		time.Sleep(time.Millisecond)
		read()
		if got := h.total(); got != 2 {
			t.Fatalf("%d requests after the listing's age, want 2", got)
		}
		h.co.dropListings(h.owner, h.storeID, secretsChanged)
		read()
		if got := h.total(); got != 3 {
			t.Fatalf("%d requests after dropListings, want 3", got)
		}
	})
}

// ListSecrets returns the store in the API's order from the shared listing: concurrent calls
// and later reads share its pages.
func TestListSecretsSharesTheListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		want := h.seed("S", 250)
		parallel(5, 5, func(int) {
			got, err := h.co.ListSecrets(context.Background(), h.owner, h.storeID, client.ListSecretsOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(idsOf(got), idsOf(want)) {
				t.Error("ListSecrets is not the API's order")
			}
		})
		if got := h.count("GET", rSecrets); got != 3 {
			t.Fatalf("%d list requests for 5 concurrent lists of 3 pages, want 3", got)
		}
		readAll(t, h.co, h, idsOf(want)[:20], 4)
		if got := h.total(); got != 3 {
			t.Fatalf("reads after a full list cost %d requests, want none", got-3)
		}
	})
}

// ReadStore goes through the owner's store listing; an absent store is confirmed with a GET.
func TestReadStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{MaxStores: 2}})
		ctx := context.Background()
		st, err := h.co.ReadStore(ctx, h.owner, h.storeID)
		if err != nil || st.ID != h.storeID {
			t.Fatalf("ReadStore: %+v, %v", st, err)
		}
		if _, err := h.co.ReadStore(ctx, h.owner, unknownID); !client.IsNotFound(err) {
			t.Fatalf("unknown store: %v, want a 404", err)
		}
		if got, gets := h.total(), h.count("GET", rStore); got != 2 || gets != 1 {
			t.Fatalf("%d requests (%d GETs), want the list and one GET", got, gets)
		}

		created, err := h.co.CreateStore(ctx, h.owner, client.CreateStoreRequest{Name: "second"})
		if err != nil {
			t.Fatal(err)
		}
		h.srv.ResetRequests()
		if st, err := h.co.ReadStore(ctx, h.owner, created.ID); err != nil || st.Name != "second" {
			t.Fatalf("read after create: %+v, %v", st, err)
		}
		if got := h.count("GET", rStore); got != 0 {
			t.Fatalf("the new store cost a GET: the store listing was not dropped")
		}
	})
}

// A failed page reaches the reads waiting for it; the next reads fetch it again.
func TestReadPageFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 5)
		h.srv.FailNext(mockserver.Fault{Route: h.route("GET", rSecrets), Status: 503, Count: 4}) // outlasts 3 retries
		ctx := context.Background()
		if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, all[0].ID); apiStatus(err) != 503 {
			t.Fatalf("read with failing pages: %v, want the 503", err)
		}
		if s, err := h.co.ReadSecret(ctx, h.owner, h.storeID, all[0].ID); err != nil || s.ID != all[0].ID {
			t.Fatalf("read after the failure: %+v, %v", s, err)
		}
	})
}

// A read whose context ends while it waits for a page leaves at once with ctx's error.
func TestReadCancelledWhileWaitingForPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 5)
		sent, release := h.transport.hold("GET", "/secrets")
		defer release()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := h.co.ReadSecret(ctx, h.owner, h.storeID, all[0].ID)
			errc <- err
		}()
		<-sent
		cancel()
		if err := <-errc; err == nil || ctx.Err() == nil {
			t.Fatalf("cancelled read: %v", err)
		}
		release()
		// The page still serves the next read.
		if _, err := h.co.ReadSecret(context.Background(), h.owner, h.storeID, all[1].ID); err != nil {
			t.Fatal(err)
		}
		if got := h.total(); got != 1 {
			t.Fatalf("%d requests, want the one page", got)
		}
	})
}

// Every caller's read right after its own write sees the write, also when writes are batched
// and other reads keep the listing busy.
func TestReadAfterOwnWriteUnderLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("OLD", 150)
		for round := range 5 {
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := context.Background()
					_, _ = h.co.ReadSecret(ctx, h.owner, h.storeID, all[(round*8+i)%len(all)].ID) // keep a listing alive
					name := fmt.Sprintf("R%dW%d", round, i)
					s, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: name, Value: "v", Scopes: []string{"workers"}})
					if err != nil {
						t.Error(err)
						return
					}
					if got, err := h.co.ReadSecret(ctx, h.owner, h.storeID, s.ID); err != nil || got.Name != name {
						t.Errorf("read after create: %+v, %v", got, err)
					}
					if err := h.co.DeleteSecret(ctx, h.owner, h.storeID, s.ID); err != nil {
						t.Error(err)
						return
					}
					if _, err := h.co.ReadSecret(ctx, h.owner, h.storeID, s.ID); !client.IsNotFound(err) {
						t.Errorf("read after delete: %v, want a 404", err)
					}
				}()
			}
			wg.Wait()
		}
	})
}

// Terraform refreshes a store's secrets in an order unrelated to the store's, 10 at a time.
// Reads that cannot yet afford the next page wait for reads found in the pages fetched, which
// pay for it, instead of GETting: the 500 secrets cost their 5 pages. (The order is one whose
// first 10 reads include secrets of the first page: when none of them does, and none of the
// reads that replace those that GET, the token rule leaves no choice but a GET per read.)
func TestReadRandomOrderCostsPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 5 * time.Millisecond}})
		all := h.seed("S", 500)
		firstPage := map[string]bool{}
		for _, s := range all[:100] {
			firstPage[s.ID] = true
		}
		ids := idsOf(all)
		for seed := uint64(1); ; seed++ {
			rand.New(rand.NewPCG(seed, 3)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			if n := len(slices.DeleteFunc(slices.Clone(ids[:10]), func(id string) bool { return !firstPage[id] })); n >= 2 {
				break
			}
		}
		readAll(t, h.co, h, ids, 10)
		if pages, gets := h.count("GET", rSecrets), h.count("GET", rSecret); pages != 5 || gets != 0 {
			t.Fatalf("%d pages and %d GETs for 500 reads, want the 5 pages only", pages, gets)
		}
	})
}

// A refresh whose first ten reads (one per Terraform slot) all miss the first page still costs
// the pages only: with far fewer pages left than reads waiting, the listing is finished rather
// than a GET spent per read.
func TestReadBadStartStillCostsPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{Latency: 5 * time.Millisecond}})
		all := h.seed("S", 500)
		ids := idsOf(all)
		// The first ten reads are from the last page; the rest in a random order.
		rest := slices.Clone(ids[:490])
		rand.New(rand.NewPCG(7, 3)).Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		order := append(slices.Clone(ids[490:]), rest...)
		readAll(t, h.co, h, order, 10)
		if pages, gets := h.count("GET", rSecrets), h.count("GET", rSecret); pages != 5 || gets != 0 {
			t.Fatalf("%d pages and %d GETs for 500 reads after a bad start, want the 5 pages only", pages, gets)
		}
	})
}

// stalledReads is how many reads of the store's listing wait for a change.
func stalledReads(co *Gateway, owner client.Owner, storeID string) int {
	l := co.secretListing(owner, storeID)
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.stalled)
}

// Reads that cannot afford the next page wait, and a read found in the pages fetched pays
// for it: no GET.
func TestReadWaitsForAReadThatPays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 500)
		var wg sync.WaitGroup
		for _, s := range all[100:103] { // on the second page
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got, err := h.co.ReadSecret(context.Background(), h.owner, h.storeID, s.ID); err != nil || got.ID != s.ID {
					t.Errorf("read %s: %+v, %v", s.ID, got, err)
				}
			}()
		}
		synctest.Wait()
		if n := stalledReads(h.co, h.owner, h.storeID); n != 3 {
			t.Fatalf("%d reads wait, want 3", n)
		}
		readAll(t, h.co, h, []string{all[7].ID}, 1) // on the first page: it pays for the second
		wg.Wait()
		if pages, gets := h.count("GET", rSecrets), h.count("GET", rSecret); pages != 2 || gets != 0 {
			t.Fatalf("%d pages and %d GETs, want the 2 pages only", pages, gets)
		}
	})
}

// A reader that comes alone, one read after another, never costs more than a request per read
// plus one: when nothing changes for the patience, its read GETs.
func TestSerialReadsCostAtMostOneGetEach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		all := h.seed("S", 300)
		for name, ids := range map[string][]string{
			"absent":         {unknownID, "11111111111111111111111111111111", "22222222222222222222222222222222", "33333333333333333333333333333333"},
			"on a late page": {all[250].ID, all[260].ID, all[270].ID, all[280].ID},
		} {
			h.srv.ResetRequests()
			co := h.newGateway(Options{})
			for _, id := range ids {
				s, err := co.ReadSecret(context.Background(), h.owner, h.storeID, id)
				if name == "absent" && !client.IsNotFound(err) || name != "absent" && (err != nil || s.ID != id) {
					t.Errorf("%s: read %s: %+v, %v", name, id, s, err)
				}
			}
			if got := h.total(); got > len(ids)+1 {
				t.Errorf("%s: %d requests for %d serial reads, want at most %d", name, got, len(ids), len(ids)+1)
			}
		}
	})
}
