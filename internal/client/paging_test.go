package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// endlessList serves full pages of distinct secrets for any page asked for, forever.
func endlessList(t *testing.T, pages *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		items := make([]string, per)
		for i := range items {
			items[i] = secretJSON(hexID(page*per+i), "S")
		}
		_, _ = fmt.Fprintf(w, `{"success":true,"result":[%s]}`, strings.Join(items, ","))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPagingBounded: a list that never ends stops at maxListPages pages, the bound on items too.
func TestPagingBounded(t *testing.T) {
	var pages atomic.Int64
	c := newTestClient(t, endlessList(t, &pages).URL, func(c *Config) { c.PageSize = 1 })
	list, err := c.ListSecrets(context.Background(), acct, testStore, ListSecretsOptions{})
	if err == nil || !strings.Contains(err.Error(), "past 500 pages") || list != nil {
		t.Fatalf("%d items, err %v", len(list), err)
	}
	if n := pages.Load(); n != maxListPages {
		t.Errorf("%d pages fetched, want %d", n, maxListPages)
	}
}

func TestPagingRepeats(t *testing.T) {
	ctx := context.Background()
	// A list that shifted while paging repeats an item: it is kept once.
	_, srv := serveStub(t, secretsPage(1, 2), secretsPage(2, 3), secretsPage(4))
	list, err := newTestClient(t, srv.URL, func(c *Config) { c.PageSize = 2 }).ListSecrets(ctx, acct, testStore, ListSecretsOptions{})
	if err != nil || len(list) != 4 {
		t.Fatalf("%d items, %v", len(list), err)
	}
	for i, s := range list {
		if s.ID != hexID(i+1) {
			t.Errorf("item %d is %s", i, s.ID)
		}
	}
	// A server that answers every page with the first: an error, not a loop.
	s, srv := serveStub(t, secretsPage(1, 2))
	_, err = newTestClient(t, srv.URL, func(c *Config) { c.PageSize = 2 }).ListSecrets(ctx, acct, testStore, ListSecretsOptions{})
	if err == nil || !strings.Contains(err.Error(), "page 2 repeats earlier items") || len(s.requests()) != 2 {
		t.Errorf("err %v after %d pages", err, len(s.requests()))
	}
}
