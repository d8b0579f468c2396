package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cloudflare error codes the provider reacts to.
const (
	CodeAuthentication = 10000 // bad credentials (401), or the wrong kind of token (403)
	CodeValidation     = 1001
	CodeConflict       = 1003
)

// bodyExcerptLen bounds APIError.Body: enough to recognise an HTML error page, short
// enough for a diagnostic.
const bodyExcerptLen = 256

// Message is one item of an envelope's errors or messages.
type Message struct {
	Code             int    `json:"code"`
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	Pointer          string `json:"-"` // source.pointer, when given
}

// UnmarshalJSON tolerates a code sent as a string and a missing or odd source, because
// one malformed error item must not hide the status behind a decoding error.
func (m *Message) UnmarshalJSON(b []byte) error {
	var w struct {
		Code             json.RawMessage `json:"code"`
		Message          json.RawMessage `json:"message"`
		DocumentationURL json.RawMessage `json:"documentation_url"`
		Source           json.RawMessage `json:"source"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		// Not an object: keep whatever text it is as the message.
		*m = Message{Message: strings.Trim(string(bytes.TrimSpace(b)), `"`)}
		return nil //nolint:nilerr // tolerant decoding: an odd error item must not hide the API's status
	}
	*m = Message{
		Code:             flexInt(w.Code),
		Message:          flexText(w.Message),
		DocumentationURL: flexText(w.DocumentationURL),
	}
	var src struct {
		Pointer json.RawMessage `json:"pointer"`
	}
	if len(w.Source) > 0 && json.Unmarshal(w.Source, &src) == nil {
		m.Pointer = flexText(src.Pointer)
	}
	return nil
}

// Reason is the API's snake_case reason: the part of the message before ":"
// ("secret_name_already_exists" of "secret_name_already_exists: API_KEY").
func (m Message) Reason() string {
	t, _, _ := strings.Cut(m.Message, ":")
	return strings.TrimSpace(t)
}

// APIError is a request the API answered with a failure status or success:false.
type APIError struct {
	Method, Path string // route path below the base URL, for messages
	StatusCode   int
	Errors       []Message
	Messages     []Message
	Body         string // short excerpt of a non-JSON or empty body ("" when JSON)
	RetryAfter   time.Duration
}

// Error gives the status, codes and messages. It never holds credentials or the secret
// values the request carried: the API does not echo them, and should a proxy's error page
// do so, they are scrubbed from Body and the messages.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	for i, m := range e.Errors {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " error %d: %s", m.Code, m.Message)
	}
	if len(e.Errors) == 0 && e.Body != "" {
		fmt.Fprintf(&b, ": body %q", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	return b.String()
}

// HasCode reports whether any error item carries code.
func (e *APIError) HasCode(code int) bool {
	for _, m := range e.Errors {
		if m.Code == code {
			return true
		}
	}
	return false
}

// HasReason reports whether any error item's reason (see Message.Reason) is reason.
func (e *APIError) HasReason(reason string) bool {
	for _, m := range e.Errors {
		if m.Reason() == reason {
			return true
		}
	}
	return false
}

func newAPIError(method, path string, resp *response, env envelope, jsonErr error, secrets []string) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: resp.status}
	if jsonErr == nil {
		// A JSON answer could quote the request too: its texts are scrubbed like a body.
		e.Errors, e.Messages = scrubMessages(env.Errors, secrets), scrubMessages(env.Messages, secrets)
	} else {
		e.Body = excerpt(resp.body, secrets)
		if e.Body == "" {
			e.Body = "(empty body)"
		}
	}
	if d, ok := parseRetryAfter(resp.header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// excerpt shortens a non-JSON body for a message: credentials and the request's secret
// values scrubbed (before whitespace is collapsed and again after, so that a value
// holding whitespace runs is caught in either form), whitespace collapsed, cut on a rune
// boundary after scrubbing so a cut never exposes part of a value.
func excerpt(body []byte, secrets []string) string {
	s := scrubText(string(body), secrets)
	s = scrubText(strings.Join(strings.Fields(s), " "), secrets)
	if len(s) > bodyExcerptLen {
		cut := bodyExcerptLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func scrubMessages(ms []Message, secrets []string) []Message {
	if len(secrets) == 0 {
		return ms
	}
	for i := range ms {
		ms[i].Message = scrubText(ms[i].Message, secrets)
		ms[i].Pointer = scrubText(ms[i].Pointer, secrets)
	}
	return ms
}

// notFoundError is the *APIError the client makes itself when a lookup by name finds
// nothing, so callers test it with IsNotFound like any 404.
func notFoundError(method, path, reason, name string) *APIError {
	return &APIError{
		Method: method, Path: path, StatusCode: http.StatusNotFound,
		Errors: []Message{{Code: CodeValidation, Message: reason + ": " + name}},
	}
}

// transportError is a request that got no complete response (refused, reset, EOF,
// timeout), after the retries the method allows.
type transportError struct {
	method, path string
	err          error
	attempts     int
}

func (e *transportError) Error() string {
	return fmt.Sprintf("%s %s: no response from the API after %d attempt(s): %v", e.method, e.path, e.attempts, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

func asAPIError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func hasStatus(err error, status int) bool {
	e := asAPIError(err)
	return e != nil && e.StatusCode == status
}

// IsNotFound reports a 404 (including a name lookup that found nothing).
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports a 409 (a name already taken, a store not empty).
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsRateLimited reports a 429 that outlasted the retries.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsUnauthorized reports a 401.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsWrongTokenKind reports a 403 with code 10000: an account token on /system, a service
// token on account routes, a read-only token writing, or a token for another account.
func IsWrongTokenKind(err error) bool {
	e := asAPIError(err)
	return e != nil && e.StatusCode == http.StatusForbidden && e.HasCode(CodeAuthentication)
}

// flexInt reads a JSON number or numeric string; anything else is 0.
func flexInt(raw json.RawMessage) int {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return int(f)
	}
	return 0
}

// flexText reads a JSON string, or the text of any other scalar; null is "".
func flexText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if raw[0] == '"' {
		// Fast path: most strings have no escapes.
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 && utf8.Valid(raw) {
			return string(raw[1 : len(raw)-1])
		}
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	if raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	return string(raw)
}
