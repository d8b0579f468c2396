package client

import (
	"context"
	"strings"
	"testing"
)

// TestDecodeChecksIDsAndStatus: an id or status the API would never send fails the call,
// naming the field, instead of becoming a resource's id.
func TestDecodeChecksIDsAndStatus(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("z", 5000)
	bad := []struct {
		name, result, field string
	}{
		{"numeric id and status", `{"id":12345,"status":7,"name":"A"}`, `"id" is a number`},
		{"short id", `{"id":"12345","name":"A"}`, `"id" is not an id of 32 lowercase hex characters (got 5 characters)`},
		{"upper-case id", `{"id":"` + strings.ToUpper(testSecret) + `"}`, `"id" is not an id`},
		{"missing id", `{"name":"A","status":"active"}`, `"id" is missing`},
		{"null id", `{"id":null}`, `"id" is missing`},
		{"object id", `{"id":{"x":1}}`, `"id" is an object`},
		{"unknown status", `{"id":"` + testSecret + `","status":"` + long + `"}`, `"status" is not one of pending, active, deleted (got 5000 characters)`},
		{"numeric status", `{"id":"` + testSecret + `","status":7}`, `"status" is a number`},
		{"bad store_id", `{"id":"` + testSecret + `","store_id":"s1"}`, `"store_id" is not an id`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serveStub(t, ok(tt.result))
			s, err := newTestClient(t, srv.URL, nil).GetSecret(ctx, acct, testStore, testSecret)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("GetSecret = %+v, %v; want an error with %s", s, err, tt.field)
			}
			if strings.Contains(err.Error(), "zzzz") {
				t.Errorf("error echoes the server's text: %.200s", err)
			}
		})
	}

	t.Run("list names the item", func(t *testing.T) {
		_, srv := serveStub(t, ok(`[`+secretJSON(hexID(1), "A")+`,{"id":"nope"}]`))
		_, err := newTestClient(t, srv.URL, nil).ListSecrets(ctx, acct, testStore, ListSecretsOptions{})
		if err == nil || !strings.Contains(err.Error(), `item 2: field "id"`) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("store id", func(t *testing.T) {
		_, srv := serveStub(t, ok(`{"id":42,"name":"s"}`))
		_, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
		if err == nil || !strings.Contains(err.Error(), `decoding store: field "id" is a number`) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a result that is a string is not echoed", func(t *testing.T) {
		_, srv := serveStub(t, ok(`"`+canary+`"`))
		_, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore)
		if err == nil || strings.Contains(err.Error(), "CANARY") {
			t.Fatalf("err %v", err)
		}
	})

	// Still tolerated: status absent or null, store_id absent, comment absent, statuses
	// the API documents, delete answers of null or of the deleted secret.
	good := []string{
		`{"id":"` + testSecret + `"}`,
		`{"id":"` + testSecret + `","status":null,"store_id":null,"comment":null}`,
		`{"id":"` + testSecret + `","status":"deleted","store_id":"` + testStore + `"}`,
	}
	for _, res := range good {
		_, srv := serveStub(t, ok(res))
		if _, err := newTestClient(t, srv.URL, nil).GetSecret(ctx, acct, testStore, testSecret); err != nil {
			t.Errorf("%s: %v", res, err)
		}
	}
	for _, res := range []string{`null`, `{"id":"` + testSecret + `","status":"deleted"}`} {
		_, srv := serveStub(t, ok(res))
		if err := newTestClient(t, srv.URL, nil).DeleteSecret(ctx, acct, testStore, testSecret); err != nil {
			t.Errorf("delete answering %s: %v", res, err)
		}
	}
}
