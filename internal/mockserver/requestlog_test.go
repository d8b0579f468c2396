package mockserver

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestRequestLogOneJSONLinePerRequest drives successes, failures, faults and the mock's own
// routes with a canary value and canary credentials, and reads the log back.
func TestRequestLogOneJSONLinePerRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const canary = "CANARY-log-3b8f"
		reqLog := &syncBuffer{}
		h := newHarness(t, Options{RequestLog: reqLog, Email: canary + "@example.com", Key: canary + "-key"})
		def := h.defaultStore()
		secs := h.createSecrets(accountFam, def, item("A", canary+"-value"), item("B", canary+"-value"))
		h.do(accountFam, "PATCH", secretPath(def, secs[0].ID)+"?value="+canary, map[string]any{"value": canary + "-2"}).ok(nil)
		h.do(accountFam, "GET", "/stores/"+def+"/secrets?search="+canary, nil).ok(nil)
		h.send(req{method: "GET", path: accountFam.base + "/stores", token: canary + "-token"}).fails(401, 10000, "Authentication error")
		h.send(req{method: "GET", path: accountFam.base + "/stores", header: map[string]string{
			"X-Auth-Email": canary + "@example.com", "X-Auth-Key": canary + "-key"}}).ok(nil)
		h.do(accountFam, "GET", "/stores/"+canary, nil).fails(400, 7003,
			"Could not route to "+accountFam.base+"/stores/"+canary+", perhaps your object identifier is invalid?")
		h.do(accountFam, "GET", "/"+canary, nil).fails(404, 7000, "No route for that URI")
		h.send(req{method: canary, path: accountFam.base + "/stores", token: writeToken}).fails(405, 7001, "method_not_allowed")
		h.srv.FailNext(Fault{Route: routeCreateSecrets, AfterAction: true})
		h.do(accountFam, "POST", "/stores/"+def+"/secrets", []any{item("C", canary)}).fails(503, 503, "service_unavailable")
		h.mock("GET", "/__mock/health", "", nil)
		h.mock("GET", "/__mock/secrets/"+secs[1].ID+"/sha256", writeToken, nil)

		var lines []logEntry
		for line := range strings.Lines(reqLog.String()) {
			var e logEntry
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("not a log line: %v: %s", err, line)
			}
			lines = append(lines, e)
		}
		if len(lines) != 11 {
			t.Fatalf("%d lines for 11 requests:\n%s", len(lines), reqLog)
		}
		if strings.Contains(reqLog.String(), "CANARY") || strings.Contains(reqLog.String(), writeToken) {
			t.Fatalf("the request log holds a value, a query or a credential:\n%s", reqLog)
		}

		create := lines[0]
		if create.Method != "POST" || create.Route != routeCreateSecrets || create.Status != 200 ||
			create.AccountID != DefaultAccount || create.StoreID != def || create.SecretID != "" ||
			!slices.Equal(create.CreatedIDs, []string{secs[0].ID, secs[1].ID}) || !create.Time.Equal(time.Now()) {
			t.Fatalf("create line: %+v", create)
		}
		patch := lines[1]
		if patch.Route != "PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}" ||
			patch.SecretID != secs[0].ID || patch.CreatedIDs != nil {
			t.Fatalf("patch line: %+v", patch)
		}
		if lines[3].Status != 401 || lines[4].Status != 200 {
			t.Fatalf("auth lines: %+v %+v", lines[3], lines[4])
		}
		if bad := lines[5]; bad.Status != 400 || bad.StoreID != "" || bad.Route != routeGetStore {
			t.Fatalf("a path id that is not an id is left out: %+v", bad)
		}
		if lines[6].Route != "" || lines[6].Status != 404 || lines[7].Method != "OTHER" || lines[7].Status != 405 {
			t.Fatalf("unknown route and method: %+v %+v", lines[6], lines[7])
		}
		if f := lines[8]; f.Status != 503 || len(f.CreatedIDs) != 1 {
			t.Fatalf("a fault after the action still names what it created: %+v", f)
		}
		if lines[9].Route != "GET /__mock/health" || lines[10].Route != "GET /__mock/secrets/{secret_id}/sha256" ||
			lines[10].SecretID != secs[1].ID {
			t.Fatalf("mock routes: %+v %+v", lines[9], lines[10])
		}
	})
}

// TestRequestLogDurationUsesTheServersClock: both logs time a request from its arrival to its
// answer on the server's clock, here the bubble's.
func TestRequestLogDurationUsesTheServersClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reqLog := &syncBuffer{}
		h := newHarness(t, Options{RequestLog: reqLog, Latency: 1500 * time.Microsecond})
		arrival := time.Now()
		h.do(accountFam, "GET", "/stores", nil).ok(nil)
		var e logEntry
		if err := json.Unmarshal([]byte(reqLog.String()), &e); err != nil {
			t.Fatal(err)
		}
		if e.DurationMS != 1.5 || !e.Time.Equal(arrival) {
			t.Fatalf("line %+v, want 1.5ms from %s", e, arrival)
		}
		if want := arrival.UTC().Format(time.RFC3339) + " GET /accounts/" + DefaultAccount + "/secrets_store/stores 200 1.5ms"; !strings.Contains(h.log.String(), want) {
			t.Fatalf("log %q, want %q", h.log, want)
		}
	})
}
