package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestServerTextMessage: an exchange that carried a value shows a message only as known
// parts (a known reason, a name it sent); any other shows the message cleaned.
func TestServerTextMessage(t *testing.T) {
	tests := []struct {
		carriesValue bool
		msg, want    string
	}{
		{true, "secret_name_already_exists: API_KEY", "secret_name_already_exists: API_KEY"},
		{true, "secret_name_already_exists: OTHER", "secret_name_already_exists: " + notShownMarker},
		{true, "secret_name_already_exists", "secret_name_already_exists"},
		{true, "maximum_secrets_exceeded: max 100", "maximum_secrets_exceeded: " + notShownMarker},
		{true, "bad_request: not x", notShownMarker},
		{true, "unknown_x_reason: A", notShownMarker},
		{true, "name", notShownMarker},
		{true, "Please wait and consider throttling your request speed", "Please wait and consider throttling your request speed"},
		{true, "invalid_value: " + canary + " is too weak", notShownMarker},
		{true, "secret_value_too_long: " + canary, "secret_value_too_long: " + notShownMarker},
		{true, canary, notShownMarker},
		{true, "store_not_found", "store_not_found"},
		// No value: only cleaned.
		{false, "secret_name_already_exists:\n\nError: forged", "secret_name_already_exists: Error: forged"},
		{false, "bad_request: name", "bad_request: name"},
	}
	for _, tt := range tests {
		st := serverText{carriesValue: tt.carriesValue, names: []string{"API_KEY"}}
		if got := st.message(tt.msg); got != tt.want {
			t.Errorf("carries a value %v, message %q:\n got %q\nwant %q", tt.carriesValue, tt.msg, got, tt.want)
		}
	}
}

// TestCommonWordKeepsReasons: with a value that is a common word, or "x" (found in almost
// any text), the API's reasons still read as the API wrote them, for decisions and for
// display.
func TestCommonWordKeepsReasons(t *testing.T) {
	e := newMockEnv(t, mockserver.Options{})
	store := e.setupStore(t, mockAcct)
	c := e.client(t, mockAcct, nil)
	ctx := context.Background()
	for i, value := range commonWords {
		name := fmt.Sprintf("DUP_%d", i)
		in := []SecretInput{{Name: name, Value: value, Scopes: []string{"workers"}}}
		if _, err := c.CreateSecrets(ctx, mockAcct, store, in); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateSecrets(ctx, mockAcct, store, in)
		ae := asAPIError(err)
		if ae == nil || !ae.HasReason("secret_name_already_exists") || !ae.HasCode(1003) || len(ae.Errors) != 1 {
			t.Fatalf("err %v", err)
		}
		m := ae.Errors[0]
		if m.Reason() != "secret_name_already_exists" || m.Message != "secret_name_already_exists: "+name {
			t.Errorf("reason %q, message %q", m.Reason(), m.Message)
		}
		if !strings.Contains(err.Error(), "error 1003: secret_name_already_exists: "+name) {
			t.Errorf("Error() = %q", err.Error())
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"two\n\nError: forged line", "two Error: forged line"},
		{"tab\tand\r\nCRLF\u2028sep", "tab and CRLF sep"},
		{"bidi \u202eevil\u202c zero\u200bwidth", "bidi evil zerowidth"},
		{"bad \xff\xfe utf8", "bad \ufffd\ufffd utf8"},
		{"  trimmed  ", "trimmed"},
		{"nul\x00bel\x07", "nulbel"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Terminal escape sequences: ESC and the C1 controls go (the rule: no control or format
	// character), and what the sequences wrapped stays readable.
	for in, words := range map[string][]string{
		"\x1b[31mred\x1b[0m and \x1b]0;title\x07osc \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1bc": {"red", " and ", "osc", "link"},
		"\u009b31mC1 CSI":           {"C1 CSI"},
		"unterminated \x1b]0;title": {"unterminated "},
	} {
		got := cleanText(in)
		if err := shownOK(got, len(in)); err != nil {
			t.Errorf("cleanText(%q) = %q: %v", in, got, err)
		}
		for _, w := range words {
			if !strings.Contains(got, w) {
				t.Errorf("cleanText(%q) = %q, without %q", in, got, w)
			}
		}
	}
	long := strings.Repeat("é", 1000) // 2 bytes each
	got := cleanBounded(long, 301)
	if !strings.HasPrefix(got, strings.Repeat("é", 150)+"…[cut from 2000 bytes]") || !utf8.ValidString(got) {
		t.Errorf("bounded: %q", got)
	}
}

// shownOK reports what is wrong with text meant for display: a control character, or
// more than limit bytes.
func shownOK(text string, limit int) error {
	if len(text) > limit {
		return fmt.Errorf("%d bytes, more than %d", len(text), limit)
	}
	if !utf8.ValidString(text) {
		return fmt.Errorf("invalid UTF-8")
	}
	for _, r := range text {
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}

// maxShownError bounds APIError.Error(): the status line, the kept messages, a body excerpt.
const maxShownError = 512 + maxShownMessages*(maxShownMessage+64) + bodyExcerptLen

// TestServerTextBounded: whatever a server writes reaches an error bounded and on one
// line: a 1 MiB message, escape sequences, a forged "Error:" line, many messages.
func TestServerTextBounded(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	msgs := []map[string]any{
		{"code": 1001, "message": "first_reason: " + huge},
		{"code": 1002, "message": "\x1b[2J\x1b[31mcleared\x1b[0m\n\nError: Provider produced inconsistent result\n\x07"},
		{"code": 1003, "message": "bad \xff utf8", "documentation_url": "https://x/\n\nError: doc", "source": map[string]any{"pointer": "/a\x1b[1m"}},
	}
	for i := range 17 {
		msgs = append(msgs, map[string]any{"code": 2000 + i, "message": fmt.Sprintf("extra_%d", i)})
	}
	body, _ := json.Marshal(map[string]any{"success": false, "errors": msgs, "messages": msgs})
	_, srv := serveStub(t, answer{status: 400, body: string(body)})
	_, err := newTestClient(t, srv.URL, nil).GetStore(context.Background(), acct, testStore)
	ae := asAPIError(err)
	if ae == nil {
		t.Fatalf("err %v", err)
	}
	if len(ae.Errors) != maxShownMessages || ae.MoreErrors != 10 {
		t.Errorf("kept %d errors (+%d)", len(ae.Errors), ae.MoreErrors)
	}
	if !strings.HasSuffix(err.Error(), "; and 10 more") {
		t.Errorf("Error() does not count the rest: %.200q", err.Error())
	}
	if !ae.HasReason("first_reason") || !ae.HasCode(1003) {
		t.Errorf("decisions lost the API's words")
	}
	first := ae.Errors[0].Message
	if !strings.HasPrefix(first, "first_reason: AAAA") || !strings.HasSuffix(first, fmt.Sprintf("…[cut from %d bytes]", len("first_reason: ")+len(huge))) {
		t.Errorf("1 MiB message shown as %.80q…%q", first, first[max(0, len(first)-40):])
	}
	// One line (the forged "Error:" line joins it); escapes lose their ESC (shownOK below).
	if got := ae.Errors[1].Message; !strings.Contains(got, "cleared") || !strings.HasSuffix(got, "m Error: Provider produced inconsistent result") {
		t.Errorf("escapes and forged line shown as %q", got)
	}
	if m := ae.Errors[2]; m.Message != "bad \ufffd utf8" || m.Code != 1003 {
		t.Errorf("third message %+v", m)
	}
	for _, m := range ae.Errors {
		if err := shownOK(m.Message, maxShownMessage+40); err != nil {
			t.Errorf("%q: %v", m.Message, err)
		}
	}
	if err := shownOK(err.Error(), maxShownError); err != nil {
		t.Errorf("Error(): %v", err)
	}

	// A body that is not JSON: the same for its excerpt.
	_, srv = serveStub(t, answer{status: 502, body: "<html>\x1b[31m\n\nError: forged\n" + huge})
	_, err = newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0 }).GetStore(context.Background(), acct, testStore)
	ae = asAPIError(err)
	if ae == nil || !strings.HasPrefix(ae.Body, "<html>") || !strings.Contains(ae.Body, "m Error: forged AAAA") {
		t.Fatalf("err %v", err)
	}
	for _, s := range []string{ae.Body, err.Error()} {
		if err := shownOK(s, bodyExcerptLen+300); err != nil {
			t.Errorf("%.80q: %v", s, err)
		}
	}
}
