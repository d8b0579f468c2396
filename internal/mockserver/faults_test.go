package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

const (
	routeCreateSecrets = "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets"
	routeGetStore      = "GET /accounts/{account_id}/secrets_store/stores/{store_id}"
	routeSystemStore   = "GET /system/accounts/{account_tag}/stores/{store_id}"
	routeListStores    = "GET /accounts/{account_id}/secrets_store/stores"
)

// rawSend sends without failing the test on a transport error, for dropped connections, and
// returns the status.
func (h *harness) rawSend(method, path, token, body string) (int, error) {
	hr, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
	hr.Header.Set("Authorization", "Bearer "+token)
	// A fresh connection per request, so a drop cannot be mistaken for a stale keep-alive.
	tr := h.tr.Clone()
	tr.DisableKeepAlives = true
	client := &http.Client{Transport: tr}
	resp, err := client.Do(hr)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestFaultBeforeActionDoesNotAct(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.srv.FailNext(Fault{Route: routeCreateSecrets, Status: 503})
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{item("A", "v")}).fails(503, 503, "service_unavailable")
		if len(h.srv.Secrets(st)) != 0 {
			t.Fatal("the server acted before a before-action fault")
		}
		// The fault is used up: the retry succeeds.
		h.createSecret(accountFam, st, "A")
		reqs := h.srv.RequestsTo(routeCreateSecrets)
		if len(reqs) != 2 || reqs[0].Status != 503 || reqs[1].Status != 200 || !strings.Contains(string(reqs[0].Body), `"A"`) {
			t.Fatalf("recorded: %+v", reqs)
		}
	})
}

func TestFaultAfterActionActsThenFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.srv.FailNext(Fault{Route: routeCreateSecrets, Status: 502, AfterAction: true})
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{item("A", "v")}).fails(502, 502, "bad_gateway")
		if _, ok := h.srv.SecretByName(st, "A"); !ok {
			t.Fatal("the server did not act before an after-action fault")
		}
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{item("A", "v")}).fails(409, 1003, "secret_name_already_exists: A")
	})
}

func TestFaultRateLimitWithRetryAfterRoundsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.FailNext(Fault{Route: routeListStores, Status: 429, RetryAfter: 1500 * time.Millisecond})
		r := h.do(accountFam, "GET", "/stores", nil)
		r.fails(429, 971, "Please wait and consider throttling your request speed")
		if got := r.header.Get("Retry-After"); got != "2" {
			t.Fatalf("Retry-After %q, want 2", got)
		}
		h.srv.FailNext(Fault{Route: routeListStores, Status: 503})
		if got := h.do(accountFam, "GET", "/stores", nil).header.Get("Retry-After"); got != "" {
			t.Fatalf("Retry-After %q without RetryAfter", got)
		}
	})
}

func TestFaultCountAndRouteMatching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.srv.FailNext(Fault{Route: routeGetStore, Count: 2, Status: 503})
		// Other routes, including the system get-store, are not affected.
		h.do(accountFam, "GET", "/stores", nil).ok(nil)
		sys := h.createStore(systemFam, "svc")
		h.do(systemFam, "GET", "/stores/"+sys.ID, nil).ok(nil)
		for range 2 {
			h.do(accountFam, "GET", "/stores/"+st, nil).fails(503, 503, "service_unavailable")
		}
		h.do(accountFam, "GET", "/stores/"+st, nil).ok(nil)

		h.srv.FailNext(Fault{Route: routeSystemStore})
		h.do(systemFam, "GET", "/stores/"+sys.ID, nil).fails(503, 503, "service_unavailable")
	})
}

func TestFaultsApplyInQueueOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.FailNext(Fault{Route: routeListStores, Status: 500})
		h.srv.FailNext(Fault{Route: routeListStores, Status: 504})
		h.do(accountFam, "GET", "/stores", nil).fails(500, 500, "internal_server_error")
		h.do(accountFam, "GET", "/stores", nil).fails(504, 504, "gateway_timeout")
		h.do(accountFam, "GET", "/stores", nil).ok(nil)
	})
}

func TestFaultPrecedesAuth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.srv.FailNext(Fault{Route: routeListStores, Status: 503})
		h.send(req{method: "GET", path: accountFam.base + "/stores"}).fails(503, 503, "service_unavailable")
	})
}

func TestFaultDropClosesWithoutResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.srv.FailNext(Fault{Route: routeCreateSecrets, Drop: true, Status: 503})
		if _, err := h.rawSend("POST", accountFam.base+"/stores/"+st+"/secrets", writeToken, `[{"name":"A","value":"v","scopes":["workers"]}]`); err == nil {
			t.Fatal("dropped request got a response")
		}
		if len(h.srv.Secrets(st)) != 0 {
			t.Fatal("the server acted before a before-action drop")
		}
		reqs := h.srv.RequestsTo(routeCreateSecrets)
		if len(reqs) != 1 || reqs[0].Status != 0 {
			t.Fatalf("recorded: %+v", reqs)
		}
		if !strings.Contains(h.log.String(), "/secrets dropped") {
			t.Fatalf("log: %s", h.log.String())
		}
	})
}

func TestFaultDropAfterActionActs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.srv.FailNext(Fault{Route: routeCreateSecrets, Drop: true, AfterAction: true})
		if _, err := h.rawSend("POST", accountFam.base+"/stores/"+st+"/secrets", writeToken, `[{"name":"A","value":"v","scopes":["workers"]}]`); err == nil {
			t.Fatal("dropped request got a response")
		}
		if _, ok := h.srv.SecretByName(st, "A"); !ok {
			t.Fatal("the server did not act before an after-action drop")
		}
	})
}

func TestFaultDropWithoutHijackerAborts(t *testing.T) {
	s := New(Options{})
	s.FailNext(Fault{Route: routeListStores, Drop: true})
	defer func() {
		if r, _ := recover().(error); !errors.Is(r, http.ErrAbortHandler) {
			t.Fatal("want http.ErrAbortHandler")
		}
	}()
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/accounts/"+DefaultAccount+"/secrets_store/stores", nil))
}

func TestFaultUnknownRoutePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "unknown route") {
			t.Fatalf("recovered %v", r)
		}
	}()
	New(Options{}).FailNext(Fault{Route: "GET /accounts/{account_id}/stores"})
}

func TestFailRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{FailRate: 1})
		for range 5 {
			h.do(accountFam, "GET", "/stores", nil).fails(503, 503, "service_unavailable")
		}
		if got := h.srv.Stats().Total; got != 5 {
			t.Fatalf("failed requests counted %d", got)
		}
	})
}

// TestLatency: an answer comes Options.Latency after the request, not a nanosecond sooner,
// on the bubble's clock; the request log measures the same wait.
func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 30 * time.Millisecond
		reqLog := &syncBuffer{}
		h := newHarness(t, Options{Latency: latency, RequestLog: reqLog})
		answered := make(chan struct{})
		go func() {
			defer close(answered)
			h.do(accountFam, "GET", "/stores", nil).ok(nil)
		}()
		isAnswered := func() bool {
			synctest.Wait()
			select {
			case <-answered:
				return true
			default:
				return false
			}
		}
		time.Sleep(latency - time.Nanosecond)
		if isAnswered() {
			t.Fatal("answered before the latency")
		}
		time.Sleep(time.Nanosecond)
		if !isAnswered() {
			t.Fatal("not answered once the latency passed")
		}
		var e logEntry
		if err := json.Unmarshal([]byte(reqLog.String()), &e); err != nil || e.DurationMS != 30 {
			t.Fatalf("request log %q (%v)", reqLog.String(), err)
		}
	})
}

// TestLatencyEndsWithTheClient: a client that gives up is not kept waiting out the latency.
func TestLatencyEndsWithTheClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reqLog := &syncBuffer{}
		h := newHarness(t, Options{Latency: time.Hour, RequestLog: reqLog})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		r, err := http.NewRequestWithContext(ctx, "GET", h.url+accountFam.base+"/stores", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.hc.Do(r); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
		synctest.Wait()
		var e logEntry
		if err := json.Unmarshal([]byte(reqLog.String()), &e); err != nil || e.DurationMS != 1000 {
			t.Fatalf("request log %q (%v)", reqLog.String(), err)
		}
	})
}
