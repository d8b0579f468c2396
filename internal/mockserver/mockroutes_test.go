package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
)

// mock calls one of the mock's own routes and decodes its bare JSON answer into v (when not nil
// and the status is 200).
func (h *harness) mock(method, path, token string, v any) *response {
	h.t.Helper()
	r := h.send(req{method: method, path: path, token: token})
	if v != nil && r.status == 200 {
		if err := json.Unmarshal(r.raw, v); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, r.raw)
		}
	}
	return r
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestMockHealth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, prefix := range []string{"", "/client/v4"} {
			var got map[string]string
			r := h.mock("GET", prefix+"/__mock/health", "", &got)
			if r.status != 200 || got["status"] != "ok" || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("%q: %d %s", prefix, r.status, r.raw)
			}
		}
		r := h.mock("POST", "/__mock/health", "", nil)
		r.fails(405, 7001, "method_not_allowed")
		if r.header.Get("Allow") != "GET" {
			t.Fatalf("Allow: %q", r.header.Get("Allow"))
		}
		if h.srv.Stats().Total != 0 || len(h.srv.Requests()) != 0 {
			t.Fatal("health checks were counted as API requests")
		}
	})
}

func TestMockResetReturnsToTheFreshDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 2})
		def := h.defaultStore()
		h.createSecrets(accountFam, def, item("A", "v"), item("B", "v"))
		other := h.createStore(accountFam, "other")
		h.createSecret(accountFam, other.ID, "C")
		h.createStore(systemFam, "svc") // binds internalID
		h.do(accountFam, "DELETE", "/stores/"+def+"?force=true", nil).ok(nil)

		// Resetting is a write: no credentials is 401; read-only and service tokens are 403.
		h.mock("POST", "/__mock/reset", "", nil).fails(401, 10000, "Authentication error")
		h.mock("POST", "/__mock/reset", readToken, nil).fails(403, 10000, "Authentication error")
		h.mock("POST", "/__mock/reset", alphaToken, nil).fails(403, 10000, "Authentication error")
		if len(h.srv.Stores()) != 2 {
			t.Fatal("a refused reset reset")
		}
		if h.srv.Stats().Total == 0 {
			t.Fatal("no stats to reset: the test proves nothing")
		}

		var got map[string]int
		if r := h.mock("POST", "/__mock/reset", writeToken, &got); r.status != 200 || got["stores"] != 1 || got["secrets"] != 0 {
			t.Fatalf("reset: %d %s", r.status, r.raw)
		}
		stores := h.srv.Stores()
		if len(stores) != 1 || stores[0].ID != def || stores[0].Name != defaultStoreName {
			t.Fatalf("after reset: %+v, want the default store %s again", stores, def)
		}
		if st := h.srv.Stats(); st.Total != 0 || len(st.Routes) != 0 {
			t.Fatalf("stats after reset: %+v", st)
		}
		// The /system binding is part of the state: another number binds anew.
		body := map[string]any{"name": "svc2", "account_id": internalID + 1}
		h.do(systemFam, "POST", "/stores", body).ok(nil)
		// Names are free again and the state works as before.
		h.createSecret(accountFam, def, "A")
	})
}

// TestMockResetIsAtomic races batch creates of two secrets with resets: a reset that let a
// request see half its work would split a batch (and trip the race detector).
func TestMockResetIsAtomic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 1000})
		def := h.defaultStore()
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				if i%5 == 0 {
					if st, err := h.rawSend("POST", "/__mock/reset", writeToken, ""); err != nil || st != 200 {
						t.Errorf("reset: %d %v", st, err)
					}
					return
				}
				body := mustJSON(t, []any{item(fmt.Sprint("A", i), "v"), item(fmt.Sprint("B", i), "v")})
				if st, err := h.rawSend("POST", accountFam.base+"/stores/"+def+"/secrets", writeToken, body); err != nil || st != 200 {
					t.Errorf("create: %d %v", st, err)
				}
			})
		}
		wg.Wait()
		names := map[string]bool{}
		for _, sec := range h.srv.Secrets(def) {
			names[sec.Name] = true
		}
		for n := range names {
			pair := "B" + n[1:]
			if n[0] == 'B' {
				pair = "A" + n[1:]
			}
			if !names[pair] {
				t.Fatalf("%s survived a reset without %s: a batch was split", n, pair)
			}
		}
	})
}

func TestMockSecretSHA256(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const canary = "CANARY-sha-7d1c"
		h := newHarness(t, Options{})
		def := h.defaultStore()
		sec := h.createSecrets(accountFam, def, item("A", canary+"-1"))[0]
		path := "/__mock/secrets/" + sec.ID + "/sha256"

		var got map[string]string
		for _, tok := range []string{writeToken, readToken} {
			if r := h.mock("GET", path, tok, &got); r.status != 200 || got["sha256"] != sha256Hex(canary+"-1") || len(got) != 1 {
				t.Fatalf("token %s: %d %s", tok, r.status, r.raw)
			}
		}
		h.do(accountFam, "PATCH", secretPath(def, sec.ID), map[string]any{"value": canary + "-2"}).ok(nil)
		if r := h.mock("GET", "/client/v4"+path, writeToken, &got); r.status != 200 || got["sha256"] != sha256Hex(canary+"-2") {
			t.Fatalf("after rotation: %d %s", r.status, r.raw)
		}
		dup := secretJSON{}
		h.do(accountFam, "POST", secretPath(def, sec.ID)+"/duplicate", map[string]any{"name": "COPY", "scopes": []string{"workers"}}).ok(&dup)
		if h.mock("GET", "/__mock/secrets/"+dup.ID+"/sha256", writeToken, &got); got["sha256"] != sha256Hex(canary+"-2") {
			t.Fatalf("duplicate's digest %s", got["sha256"])
		}

		h.mock("GET", path, "", nil).fails(401, 10000, "Authentication error")
		h.mock("GET", path, "wrong", nil).fails(401, 10000, "Authentication error")
		h.mock("GET", "/__mock/secrets/"+missingID+"/sha256", writeToken, nil).fails(404, 1001, "secret_not_found")
		h.mock("GET", "/__mock/secrets/NOT-AN-ID/sha256", writeToken, nil).fails(400, 7003,
			"Could not route to /__mock/secrets/NOT-AN-ID/sha256, perhaps your object identifier is invalid?")
		h.mock("POST", path, writeToken, nil).fails(405, 7001, "method_not_allowed")

		// A service sees the secrets of its own stores only.
		svc := h.createStore(systemFam, "svc")
		own := h.createSecrets(systemFam, svc.ID, item("S", canary+"-svc"))[0]
		if r := h.mock("GET", "/__mock/secrets/"+own.ID+"/sha256", alphaToken, &got); r.status != 200 || got["sha256"] != sha256Hex(canary+"-svc") {
			t.Fatalf("service's own secret: %d %s", r.status, r.raw)
		}
		h.mock("GET", path, alphaToken, nil).fails(404, 1001, "secret_not_found")
		h.mock("GET", "/__mock/secrets/"+own.ID+"/sha256", betaToken, nil).fails(404, 1001, "secret_not_found")

		if strings.Contains(h.log.String(), "CANARY") || strings.Contains(h.log.String(), writeToken) {
			t.Fatalf("log holds a value or token:\n%s", h.log)
		}
		if h.srv.Stats().Routes["GET /__mock/secrets/{secret_id}/sha256"] != 0 {
			t.Fatal("digest requests were counted as API requests")
		}
	})
}

func TestMockUnknownRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, p := range []string{"/__mock/", "/__mock/nope", "/__mock/secrets/" + missingID, "/__mock/health/x"} {
			h.mock("GET", p, writeToken, nil).fails(404, 7000, "No route for that URI")
		}
	})
}
