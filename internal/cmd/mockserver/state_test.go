package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// started is a mock run by run() in the test's process.
type started struct {
	base   string
	stderr *syncBuffer
	stop   func() error
}

// start runs the command with args (plus -addr 127.0.0.1:0) until stop is called or the test ends.
func start(t *testing.T, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stdoutW, stderr)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no listening line: %v (run: %v, stderr %s)", err, <-done, stderr)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "mockserver listening on ")
	if !ok {
		t.Fatalf("listening line %q", line)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return started{base: base, stderr: stderr, stop: stop}
}

func send(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const cmdCanary = "CANARY-cmd-90ab"

// storeURL is the URL of the account's one store.
func storeURL(t *testing.T, base string) string {
	t.Helper()
	acct := base + "/accounts/" + mockserver.DefaultAccount + "/secrets_store"
	_, body := send(t, "GET", acct+"/stores", "dev-token", "")
	var stores struct {
		Result []struct{ ID string } `json:"result"`
	}
	if json.Unmarshal([]byte(body), &stores) != nil || len(stores.Result) != 1 {
		t.Fatalf("stores: %s", body)
	}
	return acct + "/stores/" + stores.Result[0].ID
}

// secretNames lists the names in the account's store through the API.
func secretNames(t *testing.T, base string) []string {
	t.Helper()
	_, body := send(t, "GET", storeURL(t, base)+"/secrets?order=name", "dev-token", "")
	var secrets struct {
		Result []struct{ Name string } `json:"result"`
	}
	_ = json.Unmarshal([]byte(body), &secrets)
	var names []string
	for _, s := range secrets.Result {
		names = append(names, s.Name)
	}
	return names
}

func createSecret(t *testing.T, base, name string) {
	t.Helper()
	code, body := send(t, "POST", storeURL(t, base)+"/secrets", "dev-token",
		`[{"name":"`+name+`","value":"`+cmdCanary+`","scopes":["workers"]}]`)
	if code != 200 {
		t.Fatalf("create %s: %d %s", name, code, body)
	}
}

func TestStateFlagKeepsSecretsAcrossRestarts(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	m := start(t, "-state", state, "-activation-delay", "0")
	createSecret(t, m.base, "KEPT")
	if err := m.stop(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(b), cmdCanary) {
		t.Fatalf("state file lacks the value: %v", err)
	}
	again := start(t, "-state", state)
	if got := secretNames(t, again.base); strings.Join(got, ",") != "KEPT" {
		t.Fatalf("after a restart: %v", got)
	}
	if strings.Contains(m.stderr.String()+again.stderr.String(), cmdCanary) {
		t.Fatal("a value reached stderr")
	}
}

// TestSeedFlagWithState: the seed starts a new state file; an existing one wins; reset goes back
// to the seed either way.
func TestSeedFlagWithState(t *testing.T) {
	dir := t.TempDir()
	seed, state := filepath.Join(dir, "seed.json"), filepath.Join(dir, "state.json")
	err := os.WriteFile(seed, []byte(`{"version":1,"stores":[{"name":"default_secrets_store","secrets":[
		{"name":"SEEDED","value":"`+cmdCanary+`","scopes":["workers"]}]}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	m := start(t, "-seed", seed, "-state", state)
	createSecret(t, m.base, "ADDED")
	if got := secretNames(t, m.base); strings.Join(got, ",") != "ADDED,SEEDED" {
		t.Fatalf("seeded: %v", got)
	}
	_ = m.stop()
	again := start(t, "-seed", seed, "-state", state)
	if got := secretNames(t, again.base); strings.Join(got, ",") != "ADDED,SEEDED" {
		t.Fatalf("the seed replaced an existing state file: %v", got)
	}
	if code, body := send(t, "POST", again.base+"/__mock/reset", "dev-token", ""); code != 200 {
		t.Fatalf("reset: %d %s", code, body)
	}
	if got := secretNames(t, again.base); strings.Join(got, ",") != "SEEDED" {
		t.Fatalf("after reset: %v", got)
	}
	if strings.Contains(m.stderr.String()+again.stderr.String(), cmdCanary) {
		t.Fatal("a seeded value reached stderr")
	}
}

func TestBadSeedOrStateFileFailsAtStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version":1,"stores":[{"name":"x y","secrets":[]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-seed", bad}, {"-state", bad}, {"-seed", filepath.Join(dir, "missing.json")},
		{"-state", filepath.Join(dir, "no-dir", "state.json")},
	} {
		err := run(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), args[1]) {
			t.Errorf("%v: error %v, want one naming the file", args, err)
		}
	}
}

func TestLogRequestsFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "requests.jsonl")
	m := start(t, "-log-requests", path, "-token", cmdCanary+"-token")
	acct := m.base + "/accounts/" + mockserver.DefaultAccount + "/secrets_store"
	send(t, "GET", acct+"/stores?search="+cmdCanary, cmdCanary+"-token", "")
	send(t, "GET", acct+"/stores", "wrong-"+cmdCanary, "")
	send(t, "GET", m.base+"/__mock/health", "", "")
	if err := m.stop(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	var statuses []int
	for line := range strings.Lines(string(b)) {
		var e struct {
			Route  string `json:"route"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		statuses = append(statuses, e.Status)
	}
	if len(statuses) != 3 || statuses[0] != 200 || statuses[1] != 401 || statuses[2] != 200 {
		t.Fatalf("statuses %v in\n%s", statuses, b)
	}
	if strings.Contains(string(b)+m.stderr.String(), "CANARY") {
		t.Fatalf("a credential or query reached the logs:\n%s\n%s", b, m.stderr)
	}
}
