package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchStore fills the default store with n secrets through the API and returns its path.
func benchStore(b *testing.B, n int) (*Server, string) {
	b.Helper()
	s := New(Options{SecretQuota: n, ActivationDelay: -1})
	base := "/accounts/" + DefaultAccount + "/secrets_store/stores/" + s.Stores()[0].ID + "/secrets"
	for i := 0; i < n; i += 100 {
		var items []map[string]any
		for j := i; j < min(i+100, n); j++ {
			items = append(items, map[string]any{"name": fmt.Sprintf("SECRET_%05d", j), "value": "v",
				"scopes": []string{"workers"}, "comment": fmt.Sprintf("comment %d", j%7)})
		}
		body, _ := json.Marshal(items)
		if code := benchServe(s, http.MethodPost, base, body); code != http.StatusOK {
			b.Fatalf("seeding answered %d", code)
		}
	}
	return s, base
}

func benchServe(s *Server, method, target string, body []byte) int {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+defaultToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

// BenchmarkListSecretsFirstPage and BenchmarkListSecretsSearchOrdered compare, in one run, a
// plain page with a filtered, re-ordered one over the same 1,000 secrets: the ratio shows what
// search and ordering cost per request.
func BenchmarkListSecretsFirstPage(b *testing.B) {
	s, base := benchStore(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		if code := benchServe(s, http.MethodGet, base+"?per_page=100", nil); code != http.StatusOK {
			b.Fatalf("list answered %d", code)
		}
	}
}

func BenchmarkListSecretsSearchOrdered(b *testing.B) {
	s, base := benchStore(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		if code := benchServe(s, http.MethodGet, base+"?per_page=100&search=COMMENT+3&order=name&direction=desc&scopes=workers", nil); code != http.StatusOK {
			b.Fatalf("list answered %d", code)
		}
	}
}
