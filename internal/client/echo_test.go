package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// echoModes are the ways the hostile server below quotes the request body it got (which
// holds the value JSON-escaped, as the client sent it).
var echoModes = map[string]func(body []byte, value string) string{
	"as sent":       func(b []byte, _ string) string { return string(b) },
	"JSON-escaped":  func(b []byte, _ string) string { return goJSON(string(b)) },
	"ASCII-escaped": func(b []byte, _ string) string { return asciiEscape(string(b), false) },
	"URL-encoded":   func(b []byte, _ string) string { return url.QueryEscape(string(b)) },
	"base64":        func(b []byte, _ string) string { return base64.StdEncoding.EncodeToString(b) },
	"HTML-escaped":  func(b []byte, _ string) string { return html.EscapeString(string(b)) },
	"first 12 chars": func(b []byte, v string) string {
		if len(b) == 0 {
			return "" // the value's start, echoed only from a request that carried it
		}
		return first12(v)
	},
}

// hostileEcho answers every request with its body quoted (mode): as a JSON error message
// (400, beside one of the API's own errors), in an HTML error page (502), or in a 200
// whose result is fine but whose messages quote the request.
func hostileEcho(t *testing.T, mode, shape string, value string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		echo := echoModes[mode](b, value)
		switch shape {
		case "JSON error":
			body, _ := json.Marshal(map[string]any{"success": false, "result": nil, "errors": []map[string]any{
				{"code": 1001, "message": "bad_request: got " + echo},
				{"code": 1003, "message": "secret_name_already_exists: A"},
			}})
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(body)
		case "HTML error":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprintf(w, "<html><body><h1>502 Bad Gateway</h1><pre>%s</pre></body></html>", echo)
		default: // success, quoting the request in messages
			body, _ := json.Marshal(map[string]any{"success": true, "errors": []any{},
				"messages": []map[string]any{{"code": 0, "message": "received " + echo}},
				"result":   json.RawMessage(`[` + secretJSON(testSecret, "A") + `]`)})
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// shownStrings is every string of the decoded log entries.
func shownStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			shownStrings(e, out)
		}
	case []any:
		for _, e := range x {
			shownStrings(e, out)
		}
	}
}

// TestHostileEchoHidden: a server echoes the request, in many encodings, into errors and
// TRACE logs. No form of the value reaches what is shown or logged, while the API's own
// words stay readable.
func TestHostileEchoHidden(t *testing.T) {
	for _, value := range []string{canary, hardValue, "x"} {
		for mode := range echoModes {
			for _, shape := range []string{"JSON error", "HTML error", "success"} {
				t.Run(fmt.Sprintf("%.8s/%s/%s", value, mode, shape), func(t *testing.T) {
					srv := hostileEcho(t, mode, shape, value)
					var buf bytes.Buffer
					ctx := tflogtest.RootLogger(context.Background(), &buf)
					c := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0 })
					// create-secrets and a patch with a value: both carry it.
					_, err := c.CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: value, Scopes: []string{"workers"}}})
					_, patchErr := c.PatchSecret(ctx, acct, testStore, testSecret, PatchSecretRequest{Value: &value})

					var shown []string
					for _, e := range []error{err, patchErr} {
						if shape == "success" {
							if e != nil && !strings.Contains(e.Error(), "decoding secret") { // the patch's result is an array
								t.Fatalf("err %v", e)
							}
							continue
						}
						ae := asAPIError(e)
						if ae == nil {
							t.Fatalf("err %v", e)
						}
						shown = append(shown, e.Error(), ae.Body)
						for _, m := range ae.Errors {
							shown = append(shown, m.Message)
						}
						switch shape {
						case "JSON error":
							// The API's words, for decisions and for display.
							if !ae.HasReason("bad_request") || !ae.HasReason("secret_name_already_exists") || !ae.HasCode(1003) {
								t.Errorf("decisions lost the API's words: %v", e)
							}
							if ae.Errors[0].Message != "bad_request: "+withheldMarker {
								t.Errorf("echoing message shown as %q", ae.Errors[0].Message)
							}
							if ae.Errors[1].Message != "secret_name_already_exists: A" {
								t.Errorf("the API's own message shown as %q", ae.Errors[1].Message)
							}
						case "HTML error":
							if ae.Body != withheldMarker {
								t.Errorf("echoing page shown as %q", ae.Body)
							}
						}
					}

					entries := logEntries(t, &buf)
					var withheld int
					for _, e := range entries {
						shownStrings(e, &shown)
						if e["@message"] == "Received HTTP response" && e["http.method"] != "GET" { // GETs are lookups: no value
							if e["http.response.body"] != withheldMarker {
								t.Errorf("response body logged: %v", e["http.response.body"])
							}
							withheld++
							if shape == "JSON error" && fmt.Sprint(e["http.response.error_codes"]) != "[1001 1003]" {
								t.Errorf("withheld body logged without its codes: %v", e)
							}
						}
					}
					if withheld < 2 {
						t.Errorf("%d responses logged, want at least 2", withheld)
					}
					shown = append(shown, buf.String())

					// The value in each form the tests know, and those forms' first 12 characters.
					var leaks []string
					for name, f := range echoes(value) {
						if !strings.Contains(name, "body") && !strings.Contains(name, "blob") {
							leaks = append(leaks, first12(f))
						}
					}
					if value == "x" {
						return // "x" is in ordinary words: the exact messages above are the check
					}
					forms := newValueForms([]string{value})
					for _, s := range shown {
						if forms.foundIn(s) {
							t.Errorf("shown text holds a form of the value: %.300q", s)
						}
						for _, l := range leaks {
							if strings.Contains(s, l) {
								t.Errorf("shown text holds %q: %.300q", l, s)
							}
						}
					}
				})
			}
		}
	}
}
