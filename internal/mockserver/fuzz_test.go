package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// bodyRoutes are the routes that decode a body, as "METHOD suffix" under a family base.
var bodyRoutes = []struct {
	method, suffix string
	fam            fam
}{
	{"POST", "/stores", accountFam},
	{"POST", "/stores", systemFam},
	{"POST", "/stores/{store}/secrets", accountFam},
	{"PATCH", "/stores/{store}/secrets/{secret}", accountFam},
	{"POST", "/stores/{store}/secrets/{secret}/duplicate", accountFam},
	{"DELETE", "/stores/{store}/secrets", accountFam},
	{"POST", "/stores/{store}/secrets", systemFam},
	{"DELETE", "/stores/{store}", accountFam},
	{"GET", "/stores/{store}/secrets", accountFam},
}

// FuzzDecodeRequest feeds arbitrary bodies and queries to every body-decoding route: the server
// must never panic, never answer 5xx, always answer a JSON envelope, and never serve a value.
// Its seed corpus runs in the normal test suite.
func FuzzDecodeRequest(f *testing.F) {
	for i := range bodyRoutes {
		for _, body := range []string{
			``, `{}`, `[]`, `null`, `{"name":"x"}`, `[{"name":"x"}]`, `{"name":"x","account_id":1}`,
			`[{"name":"A","value":"v","scopes":["workers"]}]`, `[{"name":"A","value":"v","scopes":["workers"],"comment":null}]`,
			`{"value":"new","scopes":["dex","dex"],"comment":null}`, `{"name":"COPY","scopes":["workers"]}`,
			`{"ids":["` + missingID + `"]}`, `[{"id":"` + missingID + `"}]`, `{"ids":[1,2]}`, `[[[[[[`, `{"a":` + strings.Repeat("[", 100),
			"\xff\xfe", `{"name":"\u0000"}`, `{"account_id":-1,"name":"n"}`, `{"account_id":1e400,"name":"n"}`,
		} {
			f.Add(uint8(i), []byte(body), "page=2&per_page=1&order=name&scopes=workers,dex&force=1")
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte, query string) {
		s := New(Options{ActivationDelay: -1, Services: map[string]string{"alpha": alphaToken}})
		st := s.addStore("fuzz_store", "alpha")
		sec := s.addSecret(st, secretInput{name: "FUZZ", value: "fuzz-secret-value", scopes: []string{"workers"}})
		rt := bodyRoutes[int(route)%len(bodyRoutes)]
		path := rt.fam.base + strings.NewReplacer("{store}", st.id, "{secret}", sec.id).Replace(rt.suffix)
		r := httptest.NewRequest(rt.method, "/", bytes.NewReader(body))
		r.URL.Path, r.URL.RawQuery = path, query
		r.Header.Set("Authorization", "Bearer "+rt.fam.token)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)

		if w.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", rt.method, path, w.Code, w.Body)
		}
		var env struct {
			Success *bool `json:"success"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Success == nil {
			t.Fatalf("%s %s: not an envelope: %s", rt.method, path, w.Body)
		}
		if strings.Contains(w.Body.String(), "fuzz-secret-value") {
			t.Fatalf("value served: %s", w.Body)
		}
	})
}
