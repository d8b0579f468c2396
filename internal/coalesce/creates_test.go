package coalesce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// longLinger lets creates or deletes started together in a test share a batch (h.gather), for
// tests that assert outcomes only.
const longLinger = 300 * time.Millisecond

type createResult struct {
	in     client.SecretInput
	secret *client.Secret
	err    error
}

// createAll runs one CreateSecret per input concurrently and returns the outcomes in order.
func createAll(co *Gateway, h *harness, inputs []client.SecretInput) []createResult {
	out := make([]createResult, len(inputs))
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := co.CreateSecret(context.Background(), h.owner, h.storeID, in)
			out[i] = createResult{in: in, secret: s, err: err}
		}()
	}
	wg.Wait()
	return out
}

func inputs(prefix string, n int) []client.SecretInput {
	in := make([]client.SecretInput, n)
	for i := range in {
		in[i] = client.SecretInput{Name: fmt.Sprintf("%s%03d", prefix, i), Value: "value-of-" + fmt.Sprint(i), Scopes: []string{"workers"}}
	}
	return in
}

// checkCreated fails unless every result is its own secret, held by the mock once with its value.
func checkCreated(t *testing.T, h *harness, results []createResult) {
	t.Helper()
	for _, r := range results {
		if r.err != nil {
			t.Errorf("create %s: %v", r.in.Name, r.err)
			continue
		}
		if r.secret.Name != r.in.Name {
			t.Errorf("create %s: got secret %s", r.in.Name, r.secret.Name)
		}
		rec, ok := h.srv.Secret(h.storeID, r.secret.ID)
		if !ok || rec.Name != r.in.Name || rec.Value != r.in.Value {
			t.Errorf("create %s: the mock holds %+v", r.in.Name, rec)
		}
	}
	names := map[string]int{}
	for _, s := range h.srv.Secrets(h.storeID) {
		names[s.Name]++
	}
	for name, n := range names {
		if n > 1 {
			t.Errorf("%d secrets named %s", n, name)
		}
	}
}

// bodyItems is the number of items in a create-secrets request body.
func bodyItems(t *testing.T, body []byte) int {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("create body is not an array: %v", err)
	}
	return len(items)
}

func TestConcurrentCreatesBecomeOnePost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 20}})
		h.gather(time.Hour)
		results := createAll(h.co, h, inputs("S", 20))
		checkCreated(t, h, results)
		posts := h.srv.RequestsTo(h.route("POST", rSecrets))
		if len(posts) != 1 || bodyItems(t, posts[0].Body) != 20 {
			t.Fatalf("%d POSTs, want one with 20 items", len(posts))
		}
	})
}

// A lone create goes out at once: one POST of one item.
func TestLoneCreate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		checkCreated(t, h, createAll(h.co, h, inputs("S", 1)))
		if got := h.total(); got != 1 {
			t.Fatalf("%d requests, want 1", got)
		}
	})
}

func TestCreateBatchesAreBoundedByItemsAndBytes(t *testing.T) {
	t.Run("items", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			h.gather(time.Hour)
			checkCreated(t, h, createAll(h.co, h, inputs("S", 200)))
			posts := h.srv.RequestsTo(h.route("POST", rSecrets))
			if len(posts) != 2 {
				t.Fatalf("%d POSTs for 200 creates, want 2", len(posts))
			}
			for _, p := range posts {
				if n := bodyItems(t, p.Body); n > 100 {
					t.Errorf("a POST of %d items", n)
				}
			}
		})
	})
	t.Run("bytes", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			in := inputs("S", 4)
			for i := range in {
				in[i].Value = strings.Repeat(string(rune('a'+i)), 65536) // the API's largest value
			}
			maxBytes := 1 + 2*createItemSize(in[0]) // exactly two of them fill a batch's body
			h := newHarness(t, harnessConfig{opts: Options{MaxBatchBytes: maxBytes}})
			h.gather(time.Hour)
			checkCreated(t, h, createAll(h.co, h, in))
			posts := h.srv.RequestsTo(h.route("POST", rSecrets))
			if len(posts) != 2 {
				t.Fatalf("%d POSTs for 4 values of 64 KiB, want 2", len(posts))
			}
			for _, p := range posts {
				if len(p.Body) != maxBytes || p.Status != 200 {
					t.Errorf("a POST of %d bytes (bound %d) answered %d", len(p.Body), maxBytes, p.Status)
				}
			}
		})
	})
}

// A body stays under the API's 1 MiB: a batch within the default bound (add never lets one
// grow past it), and a lone item of the largest value, escaped at worst, well below it too.
func TestDefaultByteBound(t *testing.T) {
	worst := createItemSize(client.SecretInput{Name: strings.Repeat("N", 255), Value: strings.Repeat("\x01", 65536), Scopes: []string{"workers"}})
	if worst < 6*65536 || worst >= 1<<20 || DefaultMaxBatchBytes >= 1<<20 {
		t.Fatalf("default %d, worst item %d", DefaultMaxBatchBytes, worst)
	}
}

// Two creates of one name never share a batch: one wins, the other gets the API's 409.
func TestCreatesOfOneNameDoNotShareABatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(longLinger)
		in := append(inputs("S", 4), client.SecretInput{Name: "S000", Value: "other", Scopes: []string{"workers"}})
		results := createAll(h.co, h, in)
		failed := 0
		for _, r := range results {
			if r.err != nil {
				failed++
				if r.in.Name != "S000" || apiReason(r.err) != reasonNameTaken {
					t.Errorf("create %s: %v", r.in.Name, r.err)
				}
			}
		}
		if failed != 1 {
			t.Fatalf("%d creates failed, want 1", failed)
		}
	})
}

// A batch with one name already taken: the others are created, the clash gets the 409.
func TestCreateBatchWithNameClash(t *testing.T) {
	// With value "0000" the API's message names TAKEN0000, which holds the value: the message
	// shown withholds the name, and the named item is still found.
	for _, value := range []string{"value-x", "0000"} {
		t.Run(value, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 10}})
				h.gather(time.Hour)
				h.seed("TAKEN", 1)
				in := append(inputs("S", 9), client.SecretInput{Name: "TAKEN0000", Value: value, Scopes: []string{"workers"}})
				results := createAll(h.co, h, in)
				checkCreated(t, h, results[:9])
				clash := results[9]
				if clash.err == nil || apiStatus(clash.err) != 409 || apiReason(clash.err) != reasonNameTaken {
					t.Fatalf("clash: %v, want a 409 %s", clash.err, reasonNameTaken)
				}
				if got := h.count("POST", rSecrets); got != 2 {
					t.Errorf("%d POSTs, want 2 (the batch, then the rest without the named item)", got)
				}
			})
		})
	}
}

// A batch with a bad scope: every other item is created; the bad one gets the error the API
// gives it alone.
func TestCreateBatchWithBadScope(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(longLinger)
		bad := client.SecretInput{Name: "BAD", Value: "value-x", Scopes: []string{"nope"}}
		_, alone := h.cl.CreateSecrets(context.Background(), h.owner, h.storeID, []client.SecretInput{bad})
		h.srv.ResetRequests()

		in := append(inputs("S", 9), bad)
		results := createAll(h.co, h, in)
		checkCreated(t, h, results[:9])
		got := results[9].err
		if got == nil || apiStatus(got) != apiStatus(alone) || apiReason(got) != apiReason(alone) || apiReason(got) != "secret_scope_invalid" {
			t.Fatalf("bad scope: %v, want as alone: %v", got, alone)
		}
		t.Logf("%d POSTs to isolate one bad item among 10", h.count("POST", rSecrets))
	})
}

// Several bad items of different kinds each get their own error.
func TestCreateBatchWithSeveralBadItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(longLinger)
		h.seed("TAKEN", 1)
		in := inputs("S", 12)
		in[2].Scopes = []string{"nope"}
		in[5].Name = "TAKEN0000"
		in[7].Value = ""
		in[11].Name = "bad name"
		results := createAll(h.co, h, in)
		wantReason := map[int]string{2: "secret_scope_invalid", 5: reasonNameTaken, 7: "secret_value_empty", 11: "secret_name_invalid"}
		var good []createResult
		for i, r := range results {
			if reason, bad := wantReason[i]; bad {
				if apiReason(r.err) != reason {
					t.Errorf("item %d: %v, want %s", i, r.err, reason)
				}
				continue
			}
			good = append(good, r)
		}
		checkCreated(t, h, good)
	})
}

// The quota reached mid-batch: as many items as fit are created, the rest get the quota error.
func TestCreateBatchReachesQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{mock: mockserver.Options{SecretQuota: 10}})
		h.gather(longLinger)
		h.seed("OLD", 7)
		results := createAll(h.co, h, inputs("S", 6))
		var ok []createResult
		for _, r := range results {
			switch {
			case r.err == nil:
				ok = append(ok, r)
			case !strings.HasPrefix(apiReason(r.err), "maximum_secrets_exceeded"):
				t.Errorf("create %s: %v, want the quota error", r.in.Name, r.err)
			}
		}
		if len(ok) != 3 {
			t.Fatalf("%d created, want 3 (the quota's room)", len(ok))
		}
		checkCreated(t, h, ok)
		if got := len(h.srv.Secrets(h.storeID)); got != 10 {
			t.Fatalf("the store holds %d secrets, want 10", got)
		}
	})
}

// A batch whose answer is lost (a 503, a dropped connection): when the server had not acted,
// the names are free and the batch is resent, so every caller gets its secret; when it had,
// every caller gets a *client.NameExistsError about its own secret (the honest price of never
// adopting). Either way each secret exists once and nothing is PATCHed.
func TestCreateBatchWithAmbiguousAnswer(t *testing.T) {
	for name, tc := range map[string]struct {
		faults []mockserver.Fault
		acted  bool
	}{
		"503 after acting":                   {[]mockserver.Fault{{Status: 503, AfterAction: true}}, true},
		"dropped after acting":               {[]mockserver.Fault{{Drop: true, AfterAction: true}}, true},
		"503 before acting":                  {[]mockserver.Fault{{Status: 503}}, false},
		"dropped before acting":              {[]mockserver.Fault{{Drop: true}}, false},
		"dropped before, then 503 after":     {[]mockserver.Fault{{Drop: true}, {Status: 503, AfterAction: true}}, true},
		"503 before, then dropped after act": {[]mockserver.Fault{{Status: 503}, {Drop: true, AfterAction: true}}, true},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, harnessConfig{})
				h.gather(longLinger)
				for _, f := range tc.faults {
					f.Route = h.route("POST", rSecrets)
					h.srv.FailNext(f)
				}
				results := createAll(h.co, h, inputs("S", 10))
				if !tc.acted {
					checkCreated(t, h, results)
				} else {
					for _, r := range results {
						checkTakenItem(t, h, r, r.in.Value)
					}
				}
				if got := len(h.srv.Secrets(h.storeID)); got != 10 {
					t.Fatalf("the store holds %d secrets, want 10", got)
				}
				if n := h.count("PATCH", rSecret); n != 0 {
					t.Errorf("%d PATCHes", n)
				}
			})
		})
	}
}

// A batch whose answer is lost while some of its names are another writer's, made before the
// request or while it was in flight: those items get a *client.NameExistsError about the other
// writer's secret, which keeps its value; the others are sent again and created.
func TestCreateBatchAmbiguousWithOtherWriter(t *testing.T) {
	for _, when := range []string{"before", "during"} {
		t.Run("made "+when+" the request", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 6}})
				h.gather(time.Hour)
				in := inputs("S", 6)
				contested := map[string]bool{in[1].Name: true, in[4].Name: true}
				other, err := client.New(client.Config{BaseURL: h.url, APIToken: testToken, HTTPClient: &http.Client{Transport: h.transport.base}})
				if err != nil {
					t.Fatal(err)
				}
				colleague := func() {
					var theirs []client.SecretInput
					for name := range contested {
						theirs = append(theirs, client.SecretInput{Name: name, Value: "theirs", Scopes: []string{"workers"}})
					}
					if _, err := other.CreateSecrets(context.Background(), h.owner, h.storeID, theirs); err != nil {
						t.Error(err)
					}
					h.srv.FailNext(mockserver.Fault{Route: h.route("POST", rSecrets), Status: 503})
				}
				var results []createResult
				if when == "before" {
					colleague()
					results = createAll(h.co, h, in)
				} else {
					sent, release := h.transport.hold("POST", "/secrets")
					done := make(chan struct{})
					go func() {
						defer close(done)
						results = createAll(h.co, h, in)
					}()
					<-sent
					colleague()
					release()
					<-done
				}
				var created []createResult
				for _, r := range results {
					if contested[r.in.Name] {
						checkTakenItem(t, h, r, "theirs")
					} else {
						created = append(created, r)
					}
				}
				checkCreated(t, h, created)
				if got := len(h.srv.Secrets(h.storeID)); got != 6 {
					t.Errorf("the store holds %d secrets, want 6", got)
				}
				if n := h.count("PATCH", rSecret); n != 0 {
					t.Errorf("%d PATCHes", n)
				}
			})
		})
	}
}

// checkTakenItem fails unless r is a *client.NameExistsError about the secret the mock holds
// under r's name, once, with value.
func checkTakenItem(t *testing.T, h *harness, r createResult, value string) {
	t.Helper()
	var taken *client.NameExistsError
	if r.secret != nil || !errors.As(r.err, &taken) || len(taken.Existing) != 1 || taken.Existing[0].Name != r.in.Name {
		t.Errorf("create %s: %+v, %v; want a *client.NameExistsError about it alone", r.in.Name, r.secret, r.err)
		return
	}
	rec, ok := h.srv.Secret(h.storeID, taken.Existing[0].ID)
	if !ok || rec.Name != r.in.Name || rec.Value != value {
		t.Errorf("create %s: the mock holds %+v, want value %q", r.in.Name, rec, value)
	}
}

// Errors that are not about items reach every item unchanged, with no split.
func TestCreateBatchFailureNotAboutItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 5}})
		h.gather(time.Hour)
		h.srv.FailNext(mockserver.Fault{Route: h.route("POST", rSecrets), Status: 429, Count: 4})
		results := createAll(h.co, h, inputs("S", 5))
		for _, r := range results {
			if apiStatus(r.err) != 429 {
				t.Errorf("create %s: %v, want the 429", r.in.Name, r.err)
			}
		}
		if got := h.count("POST", rSecrets); got != 4 {
			t.Errorf("%d POSTs, want 4 (one batch and its 3 retries)", got)
		}
	})
}

// A caller whose context ends while its batch is in flight still gets its secret, and the
// mock holds exactly one.
func TestCreateCancelledInFlightGetsItsSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		ctx, s, err := interruptedInFlight(h, "POST", "/secrets", func(ctx context.Context) (*client.Secret, error) {
			return h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "KEEP", Value: "v", Scopes: []string{"workers"}})
		})
		if err != nil || s == nil || s.Name != "KEEP" {
			t.Fatalf("cancelled caller: %+v, %v; want its secret", s, err)
		}
		if ctx.Err() == nil {
			t.Fatal("the caller's context should have ended")
		}
		if n := len(h.srv.Secrets(h.storeID)); n != 1 {
			t.Fatalf("the store holds %d secrets, want exactly 1", n)
		}
	})
}

// When the outcome does not come within the grace, the caller gets ErrOutcomeUnknown with
// its context's error, and the batch, which nobody waits for any more, is cut short.
func TestCreateGraceRunsOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{opts: Options{InFlightGrace: 20 * time.Millisecond}})
		sent, release := h.transport.hold("POST", "/secrets")
		defer release()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "LOST", Value: "v", Scopes: []string{"workers"}})
			errc <- err
		}()
		<-sent
		cancel()
		err := <-errc
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("after the grace: %v, want ErrOutcomeUnknown and context.Canceled", err)
		}
		waitBackground(t, h.co) // the batch ended with its last listener
	})
}

// A caller cancelled before its batch is sent gets its context's error; nothing is created
// for it, and the batch goes without it.
func TestCreateCancelledBeforeSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The batch waits until it is full (2 items), so the order of events is the test's.
		h := newHarness(t, harnessConfig{opts: Options{MaxBatchItems: 2}})
		h.gather(time.Hour)
		q := h.co.createQueue(h.owner, h.storeID)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "GONE", Value: "v", Scopes: []string{"workers"}})
			errc <- err
		}()
		waitLive(t, q, 1)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("cancelled before sending: %v, want context.Canceled", err)
		}
		waitLive(t, q, 0)

		checkCreated(t, h, createAll(h.co, h, inputs("STAYS", 2)))
		posts := h.srv.RequestsTo(h.route("POST", rSecrets))
		if len(posts) != 1 || bodyItems(t, posts[0].Body) != 2 || strings.Contains(string(posts[0].Body), "GONE") {
			t.Fatalf("POSTs %+v: want one with the two others", posts)
		}
		if _, ok := h.srv.SecretByName(h.storeID, "GONE"); ok {
			t.Fatal("the cancelled caller's secret was created")
		}
	})
}

// A caller alone in its batch, cancelled before it is sent: its batch is empty, so nothing
// can be sent.
func TestCreateCancelledBeforeSendingSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel) // an interrupt: no deadline to hurry for
		_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "GONE", Value: "v", Scopes: []string{"workers"}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%v, want context.Canceled", err)
		}
		q := h.co.createQueue(h.owner, h.storeID)
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.counts.live != 0 || len(q.waiting) != 1 || len(q.waiting[0].items) != 0 {
			t.Fatalf("the item is still queued")
		}
		if got := h.total(); got != 0 {
			t.Fatalf("%d requests, want none", got)
		}
	})
}

// waitLive checks, once every other goroutine of the bubble is blocked, that q holds n items
// queued or in flight.
func waitLive[I, O any](t *testing.T, q *queue[I, O], n int) {
	t.Helper()
	synctest.Wait()
	if got := q.activity().live; got != n {
		t.Fatalf("the queue holds %d items, want %d", got, n)
	}
}

// A context's cause travels with the error.
func TestCreateCancelledWithCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		h.gather(longLinger)
		cause := errors.New("terraform interrupted")
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		_, err := h.co.CreateSecret(ctx, h.owner, h.storeID, client.SecretInput{Name: "X", Value: "v", Scopes: []string{"workers"}})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
			t.Fatalf("%v, want context.Canceled and the cause", err)
		}
	})
}

func TestCreateItemSize(t *testing.T) {
	comment := "c"
	in := client.SecretInput{Name: "N", Value: "a\"b\x01", Scopes: []string{"workers"}, Comment: &comment}
	b, err := json.Marshal([]map[string]any{{"name": in.Name, "value": in.Value, "scopes": in.Scopes, "comment": comment}})
	if err != nil {
		t.Fatal(err)
	}
	if got := createItemSize(in) + 1; got < len(b) {
		t.Fatalf("size %d, under the body's %d bytes", got, len(b))
	}
}
