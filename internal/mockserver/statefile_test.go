package mockserver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
)

const stateCanary = "CANARY-state-51e0"

// writeFile writes a test's seed or state file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readState(t *testing.T, path string) *State {
	t.Helper()
	st, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// newHarnessFrom is newHarness for a server built with Open (seeds, state files).
func newHarnessFrom(t *testing.T, opts Options) *harness {
	t.Helper()
	opts.Services = map[string]string{"alpha": alphaToken, "beta": betaToken}
	opts.ReadToken = readToken
	opts.ActivationDelay = -1
	log := &syncBuffer{}
	opts.Log = log
	srv, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, srv, log)
}

const handSeed = `{
  "version": 1,
  "stores": [
    {"name": "default_secrets_store", "secrets": [
      {"name": "API_KEY", "value": "` + stateCanary + `", "scopes": ["workers", "ai_gateway", "workers"], "comment": "seeded"},
      {"id": "0123456789abcdef0123456789abcdef", "name": "OTHER", "value": "v2", "scopes": ["dex"],
       "created": "2026-01-02T03:04:05Z"}
    ]}
  ]
}`

func TestSeedStartsTheServerAndResetReturnsToIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarnessFrom(t, Options{Seed: readState(t, writeFile(t, "seed.json", handSeed))})
		stores := h.srv.Stores()
		if len(stores) != 1 || stores[0].Name != defaultStoreName || !isID(stores[0].ID) {
			t.Fatalf("stores: %+v", stores)
		}
		st := stores[0].ID
		secs := h.srv.Secrets(st)
		if len(secs) != 2 || secs[0].Name != "API_KEY" || secs[0].Value != stateCanary || *secs[0].Comment != "seeded" ||
			strings.Join(secs[0].Scopes, ",") != "ai_gateway,workers" || secs[0].Status != statusActive || !isID(secs[0].ID) {
			t.Fatalf("first secret: %+v", secs[0])
		}
		if secs[1].ID != "0123456789abcdef0123456789abcdef" || secs[1].Created.Format("2006-01-02") != "2026-01-02" ||
			!secs[1].Modified.Equal(secs[1].Created) {
			t.Fatalf("second secret keeps its id and time: %+v", secs[1])
		}
		// The API serves them, values withheld.
		r := h.do(accountFam, "GET", "/stores/"+st+"/secrets", nil).ok(nil)
		if strings.Contains(string(r.raw), "CANARY") || !strings.Contains(string(r.raw), "API_KEY") {
			t.Fatalf("list: %s", r.raw)
		}

		h.do(accountFam, "DELETE", secretPath(st, secs[0].ID), nil).ok(nil)
		h.createSecret(accountFam, st, "NEW")
		h.mock("POST", "/__mock/reset", writeToken, nil)
		again := h.srv.Secrets(st)
		if len(again) != 2 || again[0].ID != secs[0].ID || again[0].Value != stateCanary || again[1].ID != secs[1].ID {
			t.Fatalf("reset returned to %+v, want the seed with the ids it was given at start", again)
		}
	})
}

func TestStateFileKeepsTheStateAcrossRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.json")
		h := newHarnessFrom(t, Options{StateFile: path, MaxStores: 2})
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("state file not written at start with mode 0600: %v %v", fi, err)
		}
		def := h.defaultStore()
		sec := h.createSecrets(accountFam, def, withComment(item("A", stateCanary, "workers", "dex"), "c"))[0]
		h.createStore(systemFam, "svc") // binds internalID
		h.do(accountFam, "PATCH", secretPath(def, sec.ID), map[string]any{"value": stateCanary + "-2"}).ok(nil)
		h.do(accountFam, "GET", "/stores", nil).ok(nil)

		saved := readState(t, path)
		if saved.AccountID != DefaultAccount || saved.SystemAccountID == nil || *saved.SystemAccountID != internalID ||
			len(saved.Stores) != 2 || saved.Stores[1].ManagedBy != "alpha" || saved.Stores[0].Secrets[0].Value != stateCanary+"-2" {
			t.Fatalf("state file: %+v", saved)
		}

		// A second server resumes it: same ids, values, binding; the default store is not made again.
		h2 := newHarnessFrom(t, Options{Resume: saved, StateFile: path, MaxStores: 2})
		if h2.defaultStore() != def {
			t.Fatal("the default store has a new id after a restart")
		}
		rec, ok := h2.srv.Secret(def, sec.ID)
		if !ok || rec.Value != stateCanary+"-2" || *rec.Comment != "c" || rec.Status != statusActive {
			t.Fatalf("resumed secret: %+v", rec)
		}
		h2.do(systemFam, "POST", "/stores", map[string]any{"name": "svc2", "account_id": internalID + 1}).
			fails(400, 1001, "account_id_mismatch")
		// Without a seed, a reset goes back to a fresh default store, made by this start.
		h2.mock("POST", "/__mock/reset", writeToken, nil)
		if after := readState(t, path); len(after.Stores) != 1 || len(after.Stores[0].Secrets) != 0 || after.SystemAccountID != nil {
			t.Fatalf("state file after reset: %+v", after)
		}
		if strings.Contains(h.log.String()+h2.log.String(), "CANARY") {
			t.Fatal("a value reached the log")
		}
	})
}

func TestResumeWinsOverTheSeedAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seed := readState(t, writeFile(t, "seed.json", handSeed))
		resume := readState(t, writeFile(t, "state.json", `{"version":1,"stores":[{"name":"resumed"}]}`))
		h := newHarnessFrom(t, Options{Seed: seed, Resume: resume})
		if st := h.srv.Stores(); len(st) != 1 || st[0].Name != "resumed" {
			t.Fatalf("started from %+v", st)
		}
		h.mock("POST", "/__mock/reset", writeToken, nil)
		if st := h.srv.Stores(); len(st) != 1 || st[0].Name != defaultStoreName || len(h.srv.Secrets(st[0].ID)) != 2 {
			t.Fatalf("reset to %+v, want the seed", st)
		}
	})
}

func TestStateFileWriteFailureIsLoggedAndRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "gone")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "state.json")
		h := newHarnessFrom(t, Options{StateFile: path})
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		def := h.defaultStore()
		h.createSecrets(accountFam, def, item("A", stateCanary))
		log := h.log.String()
		if !strings.Contains(log, "mockserver: writing the state file "+path+": ") || strings.Contains(log, "CANARY") {
			t.Fatalf("log:\n%s", log)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		h.createSecrets(accountFam, def, item("B", "v"))
		if st := readState(t, path); len(st.Stores[0].Secrets) != 2 {
			t.Fatalf("the next change did not write the whole state: %+v", st)
		}
	})
}

// TestBadStateFilesAreRefusedClearly: every rule a seed breaks is a startup error naming the
// file, where, and what; never the value.
func TestBadStateFilesAreRefusedClearly(t *testing.T) {
	secret := func(fields string) string {
		return `{"version":1,"stores":[{"name":"s","secrets":[` + fields + `]}]}`
	}
	ok := `"value":"` + stateCanary + `","scopes":["workers"]`
	for _, tc := range []struct{ name, content, want string }{
		{"empty", ``, "empty or cut short"},
		{"not JSON", "{\n\"version\": 1,\n" + `"stores": [` + stateCanary + `]}`, "not valid JSON (line 3)"},
		{"trailing", `{"version":1,"stores":[]} {}`, "not valid JSON (line 1)"},
		{"unknown member", `{"version":1,"stores":[],"extra":1}`, `unknown field "extra"`},
		{"wrong type", `{"version":1,"stores":[{"name":"s","secrets":[{"name":"A","value":42}]}]}`, "stores.secrets.value (line 1): want a string, found number"},
		{"version", `{"version":2,"stores":[]}`, "version is 2, want 1"},
		{"no version", `{"stores":[]}`, "version is 0, want 1"},
		{"account", `{"version":1,"account_id":"0123456789abcdef0123456789abcdef","stores":[]}`, "account_id 0123456789abcdef0123456789abcdef is not the account the mock serves"},
		{"store name", `{"version":1,"stores":[{"name":"a b"}]}`, `stores[0] ("a b"): name must match ^[A-Za-z0-9_-]{1,255}$`},
		{"store twice", `{"version":1,"stores":[{"name":"a"},{"name":"a"}]}`, `stores[1] ("a"): a store with that name comes earlier`},
		{"store id", `{"version":1,"stores":[{"name":"a","id":"ABC"}]}`, `stores[0] ("a"): id must be 32 lowercase hex digits`},
		{"too many stores", `{"version":1,"stores":[{"name":"a"},{"name":"b"}]}`, "2 account stores, more than -max-stores 1"},
		{"secret name empty", secret(`{"name":"",` + ok + `}`), `stores[0] ("s").secrets[0] (""): name is empty`},
		{"secret name", secret(`{"name":"a.b",` + ok + `}`), `secrets[0] ("a.b"): name must match`},
		{"secret twice", secret(`{"name":"A",` + ok + `},{"name":"A",` + ok + `}`), `secrets[1] ("A"): a secret with that name comes earlier in the store`},
		{"id twice", `{"version":1,"stores":[{"name":"s","id":"0123456789abcdef0123456789abcdef","secrets":[{"name":"A","id":"0123456789abcdef0123456789abcdef",` + ok + `}]}]}`, "id 0123456789abcdef0123456789abcdef is used twice"},
		{"value empty", secret(`{"name":"A","value":"","scopes":["workers"]}`), `secrets[0] ("A"): value is empty`},
		{"value long", secret(`{"name":"A","value":"` + stateCanary + strings.Repeat("x", 65536) + `","scopes":["workers"]}`), "value is longer than 65536 bytes"},
		{"scopes empty", secret(`{"name":"A","value":"` + stateCanary + `"}`), "scopes are empty"},
		{"scope unknown", secret(`{"name":"A","value":"` + stateCanary + `","scopes":["workerz"]}`), `scope "workerz" is not one of access, ai_gateway, containers, dex, websearch, workers`},
		{"comment long", secret(`{"name":"A",` + ok + `,"comment":"` + strings.Repeat("é", 1025) + `"}`), "comment is longer than 1024 characters"},
		{"quota", secret(`{"name":"A",` + ok + `},{"name":"B",` + ok + `}`), "2 secrets, more than -secret-quota 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "seed.json", tc.content)
			st, err := ReadState(path)
			if err == nil {
				_, err = Open(Options{Seed: st, SecretQuota: 1})
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "CANARY") {
				t.Fatalf("error %q, want %q after the file name, without the value", msg, tc.want)
			}
		})
	}
}

func TestStateJSONForm(t *testing.T) {
	srv := New(Options{})
	srv.mu.Lock()
	b, err := json.Marshal(srv.snapshot())
	srv.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	_ = json.Unmarshal(b, &generic)
	stores := generic["stores"].([]any)
	store := stores[0].(map[string]any)
	if generic["version"] != float64(1) || generic["account_id"] != DefaultAccount || len(stores) != 1 ||
		store["name"] != defaultStoreName || store["created"] == nil || store["modified"] == nil || store["id"] == nil {
		t.Fatalf("state JSON %s", b)
	}
	if _, ok := store["secrets"]; ok {
		t.Fatalf("an empty store has a secrets member: %s", b)
	}
}
