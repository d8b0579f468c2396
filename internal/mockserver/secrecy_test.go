package mockserver

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/synctest"
)

// TestCanaryValueNeverServedOrLogged drives every route, successes and failures, with canary
// values and checks that no response body or header, no stats answer and no log line (stderr's
// or the request log's) holds one,
// and that no response has a "value" member at all.
func TestCanaryValueNeverServedOrLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const canary = "CANARY-7f3e9a-should-never-leave"
		reqLog := &syncBuffer{}
		h := newHarness(t, Options{MaxStores: 2, ActivationDelay: 1, RequestLog: reqLog})
		var served []*response
		do := func(f fam, method, path string, body any) *response {
			r := h.do(f, method, path, body)
			served = append(served, r)
			return r
		}
		for _, f := range bothFams {
			var st storeJSON
			do(f, "POST", "/stores", map[string]any{"name": "canary_" + f.name, "account_id": internalID}).ok(&st)
			var secs []secretJSON
			do(f, "POST", "/stores/"+st.ID+"/secrets", []any{
				withComment(item("A", canary+"-a"), "comment"), item("B", canary+"-b"),
			}).ok(&secs)
			if rec, _ := h.srv.Secret(st.ID, secs[0].ID); rec.Value != canary+"-a" {
				t.Fatal("canary not stored: the test proves nothing")
			}
			// Failures that echo names must not echo values.
			do(f, "POST", "/stores/"+st.ID+"/secrets", []any{item("A", canary)})
			do(f, "POST", "/stores/"+st.ID+"/secrets", []any{item("bad name", canary)})
			do(f, "POST", "/stores/"+st.ID+"/secrets", []any{item("LONG", canary+strings.Repeat("x", 70000))})
			do(f, "POST", "/stores/"+st.ID+"/secrets", `[{"name":"X","value":"`+canary+`","scopes":["workers"]} trailing`)
			do(f, "GET", "/stores/"+st.ID+"/secrets", nil)
			do(f, "GET", "/stores/"+st.ID+"/secrets?search="+canary, nil)
			do(f, "GET", secretPath(st.ID, secs[0].ID), nil)
			do(f, "PATCH", secretPath(st.ID, secs[0].ID), map[string]any{"value": canary + "-rotated"})
			do(f, "PATCH", secretPath(st.ID, secs[0].ID), map[string]any{"value": canary, "name": "X"})
			var dup secretJSON
			do(f, "POST", secretPath(st.ID, secs[0].ID)+"/duplicate",
				map[string]any{"name": "COPY", "scopes": []string{"workers"}, "value": canary}).ok(&dup)
			do(f, "DELETE", secretPath(st.ID, dup.ID), nil)
			do(f, "DELETE", "/stores/"+st.ID+"/secrets", map[string]any{"ids": []string{secs[1].ID}})
			do(f, "DELETE", "/stores/"+st.ID+"?force=true", nil)
			do(f, "GET", "/stores", nil)
		}
		do(accountFam, "GET", "/quota", nil)
		if recs := h.srv.Stores(); len(recs) != 1 {
			t.Fatalf("stores left: %+v", recs)
		}

		stats, err := h.hc.Get(h.url + "/__mock/stats")
		if err != nil {
			t.Fatal(err)
		}
		statsBody, _ := io.ReadAll(stats.Body)
		stats.Body.Close()

		for _, r := range served {
			if strings.Contains(string(r.raw), "CANARY") {
				t.Errorf("response serves the value: %s", r.raw)
			}
			for k, v := range r.header {
				if strings.Contains(k+strings.Join(v, ","), "CANARY") {
					t.Errorf("header %s serves the value", k)
				}
			}
			if containsKey(r.raw, "value") {
				t.Errorf("response has a value member: %s", r.raw)
			}
		}
		if strings.Contains(string(statsBody), "CANARY") {
			t.Errorf("stats serve the value: %s", statsBody)
		}
		if l := reqLog.String(); strings.Contains(l, "CANARY") || strings.Contains(l, writeToken) || strings.Contains(l, alphaToken) ||
			strings.Count(l, "\n") != len(served)+1 {
			t.Errorf("request log holds a value or token, or misses a line:\n%s", l)
		}
		log := h.log.String()
		if strings.Contains(log, "CANARY") || strings.Contains(log, writeToken) || strings.Contains(log, alphaToken) {
			t.Errorf("log holds a value or token:\n%s", log)
		}
		if lines := strings.Count(log, "\n"); lines != len(served)+1 {
			t.Errorf("%d log lines for %d requests", lines, len(served)+1)
		}
	})
}

// containsKey reports whether any object in a JSON document has the member key.
func containsKey(doc []byte, key string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == key || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

func TestLogLineHasMethodPathStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.do(accountFam, "GET", "/stores?search=hidden", nil).ok(nil)
		log := h.log.String()
		if !strings.Contains(log, " GET "+accountFam.base+"/stores 200 ") || strings.Contains(log, "hidden") {
			t.Fatalf("log line: %q", log)
		}
	})
}
