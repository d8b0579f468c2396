package client

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
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

func TestTraceLogsRedacted(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	// The server echoes the canary back (a real one never does) to prove responses are
	// redacted too; the first attempt fails so a retry is logged.
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

// TestErrorPageEchoScrubbed: a proxy or WAF answers 502 with an HTML page quoting the
// request body. The secret values the request carries must not reach the error (Body,
// Error()) nor the TRACE log, whether echoed as sent (JSON-escaped) or HTML-escaped.
func TestErrorPageEchoScrubbed(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprintf(w, "<html><body><h1>502 Bad Gateway</h1><pre>%s</pre>\n<p>%s</p></body></html>", b, html.EscapeString(string(b)))
	})
	srv := httptest.NewServer(echo)
	t.Cleanup(srv.Close)

	// The second value has characters JSON and HTML escape, and whitespace that an
	// excerpt collapses.
	rotated := canary + `-"<rotated>" &  two`
	calls := map[string]func(context.Context, *Client) error{
		"create secrets": func(ctx context.Context, c *Client) error {
			_, err := c.CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: canary, Scopes: []string{"workers"}}})
			return err
		},
		"patch secret": func(ctx context.Context, c *Client) error {
			_, err := c.PatchSecret(ctx, acct, testStore, testSecret, PatchSecretRequest{Value: &rotated})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			c := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 1 })
			err := call(ctx, c)
			ae := asAPIError(err)
			if ae == nil || ae.StatusCode != http.StatusBadGateway {
				t.Fatalf("err %v", err)
			}
			if !strings.Contains(ae.Body, "502 Bad Gateway") || !strings.Contains(ae.Body, "***") {
				t.Errorf("body excerpt %q: not the page, or nothing scrubbed", ae.Body)
			}
			for where, text := range map[string]string{"Error()": err.Error(), "Body": ae.Body, "log": buf.String()} {
				for _, leak := range []string{canary, "rotated", testToken} {
					if strings.Contains(text, leak) {
						t.Errorf("%s contains %q:\n%s", where, leak, text)
					}
				}
			}
			var responses int
			for _, e := range logEntries(t, &buf) {
				if e["@message"] == "Received HTTP response" && e["@level"] == "trace" {
					if b, _ := e["http.response.body"].(string); strings.Contains(b, "502 Bad Gateway") {
						responses++
					}
				}
			}
			if responses == 0 {
				t.Errorf("no error page logged at TRACE:\n%s", buf.String())
			}
		})
	}
}

// TestJSONErrorMessagesScrubbed: an error envelope quoting the value is scrubbed too.
func TestJSONErrorMessagesScrubbed(t *testing.T) {
	_, srv := serveStub(t, fail(400, 1001, "invalid_value: "+canary+" is too weak"))
	v := canary
	_, err := newTestClient(t, srv.URL, nil).PatchSecret(context.Background(), acct, testStore, testSecret, PatchSecretRequest{Value: &v})
	ae := asAPIError(err)
	if ae == nil || !ae.HasReason("invalid_value") || strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), "*** is too weak") {
		t.Fatalf("err %v", err)
	}
}
