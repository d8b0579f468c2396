package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// hardValue has characters every encoding treats specially: non-ASCII, above the BMP,
// JSON's quote and backslash, HTML's <, >, & and quotes, URL reserved characters, a slash.
const hardValue = `pässwörd-"<&>'/ 😀 \+%=?-long-enough`

// The encoders below are written for the tests, apart from the package's, so a mistake in
// one is not repeated in the other.

// goJSON is s inside a JSON string as encoding/json writes it (HTML-escaped).
func goJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// asciiEscape is s inside a JSON string as an ASCII-only encoder (Python's json.dumps)
// writes it.
func asciiEscape(s string, upper bool) string {
	format := `\u%04x`
	if upper {
		format = `\u%04X`
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case strings.ContainsRune("\b\f\n\r\t", r):
			b.WriteString(strings.NewReplacer("\b", `\b`, "\f", `\f`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(string(r)))
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, format+format, r1, r2)
		default:
			fmt.Fprintf(&b, format, r)
		}
	}
	return b.String()
}

var upperHexEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

func lowerHex(s string) string { return upperHexEscape.ReplaceAllStringFunc(s, strings.ToLower) }

func first12(s string) string {
	i, n := 0, 0
	for ; i < len(s) && n < 12; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// echoes is every way the tests expect a value to be found: name -> the text of an echo.
// Forms of the value itself are also cut to their first 12 characters; forms of a larger
// text holding the value (the request body, a base64 blob) are whole.
func echoes(v string) map[string]string {
	once := goJSON(v)
	e := map[string]string{
		"raw":                      v,
		"go JSON":                  once,
		"go JSON, no HTML escapes": strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(once),
		"ASCII JSON":               asciiEscape(v, false),
		"ASCII JSON, upper hex":    asciiEscape(v, true),
		"ASCII JSON with \\/":      strings.ReplaceAll(asciiEscape(v, false), "/", `\/`),
		"JSON twice":               goJSON(once),
		"JSON three times":         goJSON(goJSON(once)),
		"ASCII JSON of JSON":       asciiEscape(once, true),
		"query escape":             url.QueryEscape(v),
		"query escape, lower hex":  lowerHex(url.QueryEscape(v)),
		"path escape":              url.PathEscape(v),
		"path escape, lower hex":   lowerHex(url.PathEscape(v)),
		"HTML":                     html.EscapeString(v),
		"HTML as PHP writes it":    strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#039;").Replace(html.EscapeString(v)),
		"base64":                   base64.StdEncoding.EncodeToString([]byte(v)),
		"base64 unpadded":          base64.RawStdEncoding.EncodeToString([]byte(v)),
		"base64 URL":               base64.URLEncoding.EncodeToString([]byte(v)),
		"base64 URL unpadded":      base64.RawURLEncoding.EncodeToString([]byte(v)),
	}
	for name, f := range e {
		if p := first12(f); p != f {
			e[name+", first 12 characters"] = p
		}
	}
	body := `[{"name":"A","value":"` + once + `","scopes":["workers"]}]` // as the client sends it
	e["JSON five times"] = goJSON(goJSON(goJSON(goJSON(once))))
	e["the body, JSON-escaped"] = goJSON(body)
	e["the body, query-escaped"] = url.QueryEscape(body)
	e["the body, HTML-escaped"] = html.EscapeString(body)
	e["the body, HTML-escaped, in JSON"] = goJSON("<pre>" + html.EscapeString(body) + "</pre>")
	// A value of a few bytes inside a larger blob is a base64 run short enough to occur by
	// chance: looked for only from 9 bytes on.
	if len(v) >= 9 {
		e["the body in base64"] = base64.StdEncoding.EncodeToString([]byte(body))
		e["the body in base64 URL"] = base64.RawURLEncoding.EncodeToString([]byte("x" + body))
		for shift := range 3 {
			blob := strings.Repeat("#", shift) + v + "tail bytes"
			e[fmt.Sprintf("inside a base64 blob at %d", shift)] = base64.StdEncoding.EncodeToString([]byte(blob))
			e[fmt.Sprintf("inside a base64 URL blob at %d", shift)] = base64.RawURLEncoding.EncodeToString([]byte(blob))
		}
	}
	return e
}

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
		w.Header().Set("Cf-Ray", "8f3a2b1c4d5e6f70-SJC")
		w.Header().Set("X-Echo", echo) // a header quoting the request: withheld like the body
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

// shownStrings is every string of the decoded log entries; keys too unless valuesOnly
// (a key such as "error" is the client's word).
func shownStrings(v any, out *[]string, valuesOnly bool) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		for k, e := range x {
			if !valuesOnly {
				*out = append(*out, k)
			}
			shownStrings(e, out, valuesOnly)
		}
	case []any:
		for _, e := range x {
			shownStrings(e, out, valuesOnly)
		}
	}
}

// commonWords are values that are words the API, the logs and the client use themselves:
// a rule that judged text by the value would hide ordinary text for them.
var commonWords = []string{"name", "error", "secret", "id", "x"}

// TestHostileEchoHidden: a server echoes the request, in many encodings, into errors and
// TRACE logs. Of the two exchanges that carry a value (a create, a PATCH with a value),
// errors and logs show only what the client decodes (status, codes, known reasons, the
// names sent, ids): no form of the value, and no other server text either. The lookups
// that follow an ambiguous create carry no value: their answers are shown.
func TestHostileEchoHidden(t *testing.T) {
	for _, value := range append([]string{canary, hardValue}, commonWords...) {
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
					for i, e := range []error{err, patchErr} {
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
							if ae.Errors[0].Message != notShownMarker {
								t.Errorf("unknown reason shown as %q", ae.Errors[0].Message)
							}
							// The create sent the name A; the patch sent no name.
							want := []string{"secret_name_already_exists: A", "secret_name_already_exists: " + notShownMarker}[i]
							if ae.Errors[1].Message != want {
								t.Errorf("the API's own message shown as %q, want %q", ae.Errors[1].Message, want)
							}
						case "HTML error":
							if ae.Body != notShownMarker {
								t.Errorf("echoing page shown as %q", ae.Body)
							}
						}
					}

					entries := logEntries(t, &buf)
					var withheld, lookups int
					loggedValues := []string{}
					for _, e := range entries {
						shownStrings(e, &shown, false)
						shownStrings(e, &loggedValues, true)
						if e["@message"] == "Sending HTTP request" {
							if h, _ := e["http.request.headers"].(map[string]any); h["User-Agent"] != "client-test/1" {
								t.Errorf("request headers logged as %v", h)
							}
						}
						if e["@message"] != "Received HTTP response" {
							continue
						}
						if e["http.method"] == "GET" { // lookups: no value
							lookups++
							if body, _ := e["http.response.body"].(string); shape == "HTML error" && !strings.Contains(body, "502 Bad Gateway") {
								t.Errorf("a lookup's answer logged as %q", body)
							}
							continue
						}
						if e["http.response.body"] != notShownMarker {
							t.Errorf("response body logged: %v", e["http.response.body"])
						}
						withheld++
						if shape == "JSON error" && fmt.Sprint(e["http.response.error_codes"]) != "[1001 1003]" {
							t.Errorf("body logged without its codes: %v", e)
						}
						if shape == "JSON error" && fmt.Sprint(e["http.response.error_reasons"]) != "[secret_name_already_exists]" {
							t.Errorf("body logged without its known reasons: %v", e)
						}
						if shape == "success" && fmt.Sprint(e["http.response.result_ids"]) != "["+testSecret+"]" {
							t.Errorf("body logged without its ids: %v", e)
						}
						if h, _ := e["http.response.headers"].(map[string]any); len(h) != 1 || h["Cf-Ray"] != "8f3a2b1c4d5e6f70-SJC" {
							t.Errorf("response headers logged as %v", h)
						}
					}
					if withheld < 2 || (shape == "HTML error" && lookups == 0) {
						t.Errorf("%d value-carrying responses logged (want at least 2), %d lookups", withheld, lookups)
					}
					shown = append(shown, buf.String())

					if len(value) < 9 {
						// A short word is in ordinary text: the exact texts above are the check,
						// and the value as a field's whole text or as a "value" key's.
						for _, s := range shown {
							for _, form := range []string{`"value":"` + value + `"`, `\"value\":\"` + value} {
								if strings.Contains(s, form) {
									t.Errorf("shown text holds the value: %.300q", s)
								}
							}
						}
						if slices.Contains(loggedValues, value) {
							t.Errorf("a log field is the value")
						}
						return
					}
					// The value in each form the tests know, and those forms' first 12 characters.
					var leaks []string
					for name, f := range echoes(value) {
						leaks = append(leaks, f)
						if !strings.Contains(name, "body") && !strings.Contains(name, "blob") {
							leaks = append(leaks, first12(f))
						}
					}
					for _, s := range shown {
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

// TestMalformedAnswerEchoNotShown: a server whose status line quotes the request makes Go's
// transport error quote it too. Of a create or a PATCH with a value, the error and the logs
// show only the kind of failure; of a GET, the error shows Go's text, cleaned.
func TestMalformedAnswerEchoNotShown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				b, _ := io.ReadAll(req.Body)
				_, _ = fmt.Fprintf(conn, "echo:%s\r\n\r\n", b) // no space: Go quotes the whole line
			}()
		}
	}()
	for _, value := range []string{canary, "name"} {
		var buf bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &buf)
		c := newTestClient(t, "http://"+l.Addr().String(), func(c *Config) { c.MaxRetries = 0 })
		_, createErr := c.CreateSecrets(ctx, acct, testStore, []SecretInput{{Name: "A", Value: value, Scopes: []string{"workers"}}})
		_, patchErr := c.PatchSecret(ctx, acct, testStore, testSecret, PatchSecretRequest{Value: &value})
		for _, err := range []error{createErr, patchErr} {
			var te *transportError
			if !errors.As(err, &te) || te.shown != notShownMarker {
				t.Errorf("%q: err %v", value, err)
			}
		}
		if strings.Contains(buf.String(), `\"value\":\"`+value) || strings.Contains(buf.String(), `"value":"`+value) ||
			!strings.Contains(buf.String(), notShownMarker) {
			t.Errorf("%q: the log shows the echo, or not the marker:\n%s", value, buf.String())
		}
	}
	_, err = newTestClient(t, "http://"+l.Addr().String(), func(c *Config) { c.MaxRetries = 0 }).GetStore(context.Background(), acct, testStore)
	if err == nil || !strings.Contains(err.Error(), `malformed HTTP response "echo:"`) {
		t.Errorf("GET: err %v", err)
	}
}
