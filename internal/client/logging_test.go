package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

const canary = "CANARY-s3cr3t-value-7f1e"

// logEntries decodes the JSON log lines tflogtest captured.
func logEntries(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding logs: %v", err)
	}
	return entries
}

func TestTraceLogsMasked(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	// The server echoes the canary back (a real one never does) to prove responses are
	// masked too; the first attempt fails so a retry is logged.
	_, srv := serveStub(t,
		answer{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{"success":false,"errors":[{"code":971,"message":"Please wait"}]}`},
		ok(`[{"id":"`+testSecret+`","name":"A","value":"`+canary+`","scopes":["workers"]}]`))
	c := newTestClient(t, srv.URL, nil)
	comment := "not secret"
	if _, err := c.CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: canary, Scopes: []string{"workers"}, Comment: &comment}}); err != nil {
		t.Fatal(err)
	}
	newV := canary + "-2"
	if _, err := c.PatchSecret(ctx, acct, testStore, testSecret, PatchSecretRequest{Value: &newV}); err != nil {
		t.Fatal(err)
	}

	all := buf.String()
	for _, leak := range []string{canary, testToken, "Bearer"} {
		if strings.Contains(all, leak) {
			t.Errorf("log contains %q:\n%s", leak, all)
		}
	}

	var sent, received, retries int
	for _, e := range logEntries(t, &buf) {
		switch e["@message"] {
		case "Sending HTTP request":
			sent++
			if e["@level"] != "trace" || e["http.method"] == nil || e["http.url"] == nil {
				t.Errorf("request entry %v", e)
			}
			h, _ := e["http.request.headers"].(map[string]any)
			if h["User-Agent"] != "client-test/1" || h["Authorization"] != nil {
				t.Errorf("request headers %v", h)
			}
			body, _ := e["http.request.body"].(string)
			if !strings.Contains(body, `"value":"***"`) || (e["http.method"] == "POST" && !strings.Contains(body, `"not secret"`)) {
				t.Errorf("request body %q", body)
			}
		case "Received HTTP response":
			received++
			if e["http.status"] == nil {
				t.Errorf("response entry %v", e)
			}
		case "retrying request":
			retries++
			if e["@level"] != "warn" {
				t.Errorf("retry logged at %v", e["@level"])
			}
		}
	}
	if sent != 3 || received != 3 || retries != 1 {
		t.Errorf("sent %d, received %d, retries %d; want 3, 3, 1\n%s", sent, received, retries, all)
	}
}

func TestLegacyCredentialsNotLogged(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	// The error page echoes the key, as a misbehaving proxy might.
	_, srv := serveStub(t, answer{status: 500, body: "<html>bad key legacy-key-abc</html>"})
	c := newTestClient(t, srv.URL, func(c *Config) { c.APIToken, c.APIEmail, c.APIKey = "", "who@example.com", "legacy-key-abc" })
	_, err := c.GetStore(ctx, acct, testStore)
	if err == nil || strings.Contains(err.Error(), "legacy-key-abc") {
		t.Fatalf("err %v", err)
	}
	if s := buf.String(); strings.Contains(s, "legacy-key-abc") || strings.Contains(s, "who@example.com") {
		t.Errorf("log leaks legacy credentials:\n%s", s)
	}
	if !strings.Contains(buf.String(), "Received HTTP response") {
		t.Errorf("no response logged")
	}
}

// TestRedirectQueryNotLogged: same-origin redirects are followed, and its target's query,
// which the server chose and may hold a signed token, is left out of the Location and Referer
// headers, the followed requests' URLs and the redirect bodies in TRACE logs.
func TestRedirectQueryNotLogged(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	const token = "LOCATION-QUERY-TOKEN"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Two hops, so the last request's Referer is a URL the server chose too.
		switch {
		case strings.HasPrefix(r.URL.Path, "/hop"):
			http.Redirect(w, r, "/moved"+strings.TrimPrefix(r.URL.Path, "/hop")+"?token="+token+"#frag", http.StatusTemporaryRedirect)
			return
		case !strings.HasPrefix(r.URL.Path, "/moved"):
			http.Redirect(w, r, "/hop"+r.URL.Path+"?token="+token, http.StatusFound)
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"result":` + storeJSON + `}`))
	}))
	t.Cleanup(srv.Close)
	if _, err := newTestClient(t, srv.URL, nil).GetStore(ctx, acct, testStore); err != nil {
		t.Fatal(err)
	}
	all := buf.String()
	if strings.Contains(all, token) || strings.Contains(all, "frag") {
		t.Errorf("log shows the redirect's query:\n%s", all)
	}
	var location, followed bool
	for _, e := range logEntries(t, &buf) {
		if h, _ := e["http.response.headers"].(map[string]any); h["Location"] != nil {
			location = strings.HasSuffix(h["Location"].(string), "/stores/"+testStore+queryNotLogged)
		}
		if u, _ := e["http.url"].(string); e["@message"] == "Sending HTTP request" && strings.Contains(u, "/moved") {
			followed = true
		}
	}
	if !location || !followed {
		t.Errorf("want the Location without its query (%v) and the followed request logged (%v):\n%s", location, followed, all)
	}
}

// TestTraceCommonWordValue: with a value that is a common word, TRACE logs still show the
// User-Agent, the bodies of exchanges without a value, and the known fields of those with
// one; the value appears in none of them as a value.
func TestTraceCommonWordValue(t *testing.T) {
	e := newMockEnv(t, mockserver.Options{})
	store := e.setupStore(t, mockAcct)
	for i, value := range commonWords {
		var buf bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &buf)
		c := e.client(t, mockAcct, func(c *Config) { c.UserAgent = "client-test/1 secret name error id" })
		name := fmt.Sprintf("WORD_%d", i)
		created, err := c.CreateSecrets(ctx, mockAcct, store, []SecretInput{{Name: name, Value: value, Scopes: []string{"workers"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PatchSecret(ctx, mockAcct, store, created[0].ID, PatchSecretRequest{Value: &value}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetSecret(ctx, mockAcct, store, created[0].ID); err != nil {
			t.Fatal(err)
		}
		var requests, notShown, shown int
		var logged []string
		for _, entry := range logEntries(t, &buf) {
			shownStrings(entry, &logged, true)
			switch entry["@message"] {
			case "Sending HTTP request":
				requests++
				if h, _ := entry["http.request.headers"].(map[string]any); h["User-Agent"] != "client-test/1 secret name error id" {
					t.Errorf("%q: request headers logged as %v", value, h)
				}
				if body, _ := entry["http.request.body"].(string); entry["http.method"] != "GET" && !strings.Contains(body, `"value":"***"`) {
					t.Errorf("%q: request body logged as %q", value, body)
				}
			case "Received HTTP response":
				body, _ := entry["http.response.body"].(string)
				if entry["http.method"] == "GET" {
					shown++
					if !strings.Contains(body, `"name":"`+name+`"`) {
						t.Errorf("%q: the GET's body logged as %q", value, body)
					}
					continue
				}
				notShown++
				if body != notShownMarker || fmt.Sprint(entry["http.response.result_ids"]) != "["+created[0].ID+"]" || entry["http.status"] == nil {
					t.Errorf("%q: a value-carrying response logged as %v", value, entry)
				}
			}
		}
		if requests != 3 || notShown != 2 || shown != 1 {
			t.Errorf("%q: %d requests, %d not shown and %d shown responses; want 3, 2, 1", value, requests, notShown, shown)
		}
		all := buf.String()
		if slices.Contains(logged, value) || strings.Contains(all, `\"value\":\"`+value) {
			t.Errorf("%q: the log holds the value:\n%s", value, all)
		}
	}
}

// TestRedirectOfAValueNotLogged: of a create that follows a same-origin redirect, the logs
// show the target's origin alone (its path is the server's text), in the URL and in the
// Referer of a further hop.
func TestRedirectOfAValueNotLogged(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	const chosen = "SERVER-CHOSEN-PATH"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.Contains(r.URL.Path, chosen):
			http.Redirect(w, r, "/"+chosen+"/1"+r.URL.Path, http.StatusTemporaryRedirect)
		case strings.HasPrefix(r.URL.Path, "/"+chosen+"/1"):
			http.Redirect(w, r, "/"+chosen+"/2"+strings.TrimPrefix(r.URL.Path, "/"+chosen+"/1"), http.StatusTemporaryRedirect)
		default:
			_, _ = w.Write([]byte(`{"success":true,"result":[` + secretJSON(testSecret, "A") + `]}`))
		}
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, nil)
	if _, err := c.CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: canary, Scopes: []string{"workers"}}}); err != nil {
		t.Fatal(err)
	}
	if all := buf.String(); strings.Contains(all, chosen) || strings.Contains(all, canary) || strings.Count(all, "Sending HTTP request") != 3 {
		t.Errorf("log shows the redirect's path, or not 3 requests:\n%s", all)
	}
}

// TestLoggableBody: a response body of an exchange without a value is logged as the server
// sent it, whatever its form, on one line and bounded.
func TestLoggableBody(t *testing.T) {
	if got := loggableBody([]byte("{\"name\":\n\"A\""), serverText{}); got != `{"name": "A"` {
		t.Errorf("broken JSON body logged as %q", got)
	}
	html := "<html><body>" + strings.Repeat("x", 10000) + "</body></html>"
	got := loggableBody([]byte(html), serverText{})
	if len(got) > maxLoggedText+100 || !strings.HasPrefix(got, "<html>") || !strings.HasSuffix(got, fmt.Sprintf("…[cut from %d bytes]", len(html))) {
		t.Errorf("HTML body logged as %d bytes: %.80q", len(got), got)
	}
	if got := loggableBody(nil, serverText{}); got != "" {
		t.Errorf("empty body logged as %q", got)
	}
	if page := page100(); loggableBody(page, serverText{}) != string(page) {
		t.Errorf("a page of 100 secrets is not logged whole")
	}
	if got := loggableBody([]byte(`{"t":"`+testToken+`"}`), serverText{credentials: credentialForms([]string{testToken})}); got != `{"t":"***"}` {
		t.Errorf("credential logged as %q", got)
	}
}

func TestLoggableHeaders(t *testing.T) {
	h := map[string][]string{
		"Authorization": {"Bearer tok"}, "X-Auth-Key": {"k"}, "X-Auth-Email": {"e@x"},
		"User-Agent": {"ua"}, "Content-Type": {"application/json"},
	}
	got := loggableHeaders(h, serverText{})
	if len(got) != 2 || got["User-Agent"] != "ua" {
		t.Fatalf("loggableHeaders = %v", got)
	}
}
