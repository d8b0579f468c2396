package mockserver

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
)

// TestConcurrentCreatesNeverExceedQuota races single and batch creates, from the account and a
// service, for the last places of the quota.
func TestConcurrentCreatesNeverExceedQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const quota = 10
		h := newHarness(t, Options{SecretQuota: quota, MaxStores: 1})
		acct := h.defaultStore()
		svc := h.createStore(systemFam, "svc").ID

		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := range 30 {
			wg.Go(func() {
				f, st := accountFam, acct
				if i%2 == 1 {
					f, st = systemFam, svc
				}
				body := []any{item(fmt.Sprint("S", i), "v")}
				if i%3 == 0 {
					body = append(body, item(fmt.Sprint("T", i), "v"))
				}
				status, err := h.rawSend("POST", f.base+"/stores/"+st+"/secrets", f.token, mustJSON(t, body))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		used := len(h.srv.Secrets(acct)) + len(h.srv.Secrets(svc))
		if used > quota || statuses[http.StatusOK] == 0 || statuses[http.StatusBadRequest] == 0 {
			t.Fatalf("%d secrets for a quota of %d; statuses %v", used, quota, statuses)
		}
		if statuses[http.StatusOK]+statuses[http.StatusBadRequest] != 30 {
			t.Fatalf("unexpected statuses %v", statuses)
		}
	})
}

// TestConcurrentMixedRequests runs every kind of request at once: the race detector does the
// asserting, plus the totals at the end.
func TestConcurrentMixedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 1000})
		st := h.defaultStore()
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				name := fmt.Sprint("N", i)
				sec := h.createSecrets(accountFam, st, item(name, "v"))[0]
				h.do(accountFam, "GET", "/stores/"+st+"/secrets?order=status", nil).ok(nil)
				h.do(accountFam, "PATCH", secretPath(st, sec.ID), map[string]any{"value": "w", "comment": name}).ok(nil)
				h.do(accountFam, "POST", secretPath(st, sec.ID)+"/duplicate", map[string]any{"name": name + "_copy", "scopes": []string{"dex"}}).ok(nil)
				h.srv.Secrets(st)
				h.srv.Stats()
				h.srv.Requests()
				h.do(accountFam, "DELETE", secretPath(st, sec.ID), nil).ok(nil)
			})
		}
		wg.Wait()
		if n := len(h.srv.Secrets(st)); n != 8 {
			t.Fatalf("%d secrets left, want the 8 copies", n)
		}
		if got := h.srv.Stats().Total; got != 8*5 {
			t.Fatalf("counted %d requests", got)
		}
	})
}
