package coalesce

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/memnet"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// patchHarness is a mock whose PATCHes, once they reached it, wait for release (or for the
// client to give up) before the mock acts on them: a request in flight at the server.
type patchHarness struct {
	srv     *mockserver.Server
	co      *Gateway
	storeID string
	secret  client.Secret
	arrived chan struct{}
	release chan struct{}
}

// newPatchHarness serves over memnet: call it inside a synctest bubble.
func newPatchHarness(t *testing.T, opts Options) *patchHarness {
	t.Helper()
	srv := mockserver.New(mockserver.Options{Token: testToken, ActivationDelay: -1})
	h := &patchHarness{srv: srv, arrived: make(chan struct{}, 10), release: make(chan struct{})}
	transport := memnet.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			h.arrived <- struct{}{}
			<-h.release // even when the client gave up: the server acts on what it received
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(h.let)
	cl, err := client.New(client.Config{BaseURL: memnet.URL + "/client/v4", APIToken: testToken, MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	h.storeID = srv.Stores()[0].ID
	made, err := cl.CreateSecrets(context.Background(), acctOwner, h.storeID,
		[]client.SecretInput{{Name: "ROTATED", Value: "old", Scopes: []string{"workers"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.secret = made[0]
	h.co = New(cl, opts)
	t.Cleanup(func() { waitBackground(t, h.co) })
	return h
}

// let lets every PATCH held at the server through.
func (h *patchHarness) let() {
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

// patchInterrupted sends a new value and cancels the call once the PATCH reached the server.
// after runs once the call's context ended, before the call's result is awaited.
func (h *patchHarness) patchInterrupted(after func()) (*client.Secret, error) {
	ctx, cancel := context.WithCancel(context.Background())
	type outcome struct {
		s   *client.Secret
		err error
	}
	done := make(chan outcome, 1)
	value := "new"
	go func() {
		s, err := h.co.PatchSecret(ctx, acctOwner, h.storeID, h.secret.ID, client.PatchSecretRequest{Value: &value})
		done <- outcome{s, err}
	}()
	<-h.arrived
	cancel()
	after()
	got := <-done
	return got.s, got.err
}

func (h *patchHarness) storedValue(t *testing.T) string {
	t.Helper()
	s, ok := h.srv.Secret(h.storeID, h.secret.ID)
	if !ok {
		t.Fatal("the secret is gone")
	}
	return s.Value
}

// A PATCH in flight when the caller's context ends is awaited: the caller learns that it was
// applied, and gets the patched secret.
func TestPatchInterruptedInFlightIsAwaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newPatchHarness(t, Options{})
		s, err := h.patchInterrupted(func() {
			synctest.Wait() // the caller sees its context end while in flight
			h.let()
		})
		if err != nil || s == nil || s.ID != h.secret.ID {
			t.Fatalf("interrupted in flight: %+v, %v; want the patched secret", s, err)
		}
		if got := h.storedValue(t); got != "new" {
			t.Fatalf("the mock holds %q, want the new value", got)
		}
	})
}

// When no answer comes within the grace, the caller gets ErrOutcomeUnknown with its context's
// error: rightly, since the server may still act (here it does).
func TestPatchGraceRunsOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newPatchHarness(t, Options{InFlightGrace: 20 * time.Millisecond})
		_, err := h.patchInterrupted(func() {})
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("after the grace: %v, want ErrOutcomeUnknown and context.Canceled", err)
		}
		h.let()
		synctest.Wait() // the held PATCH reaches the mock, which acts on it
		if got := h.storedValue(t); got != "new" {
			t.Fatalf("the mock holds %q: it never applied the PATCH it received", got)
		}
	})
}

// A PATCH whose caller gave up before any attempt reached the server is never sent: the caller
// gets its context's error (nothing was changed), and the value stays.
func TestPatchCancelledBeforeSendingSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, harnessConfig{})
		s := h.seed("KEEP", 1)[0]
		sent, release := h.transport.hold("PATCH", "/secrets/"+s.ID) // held before the connection is had
		defer release()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		value := "new"
		go func() {
			_, err := h.co.PatchSecret(ctx, h.owner, h.storeID, s.ID, client.PatchSecretRequest{Value: &value})
			errc <- err
		}()
		<-sent
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("cancelled before sending: %v, want context.Canceled alone", err)
		}
		release()
		waitBackground(t, h.co)
		if n := h.count("PATCH", rSecret); n != 0 {
			t.Fatalf("%d PATCHes reached the mock, want none", n)
		}
		if got, _ := h.srv.Secret(h.storeID, s.ID); got.Value != "v" {
			t.Fatalf("the mock holds %q, want the old value", got.Value)
		}
	})
}
