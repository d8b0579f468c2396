package client

import (
	"bytes"
	"context"
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
)

// bodyExcerptLen bounds APIError.Body: enough to recognise an HTML error page, short
// enough for a diagnostic.
const bodyExcerptLen = 256

// Message is one item of an envelope's errors or messages.
//
// In an APIError, Message, DocumentationURL and Pointer are fit to show: one line, bounded,
// credentials masked; for a request that carried a secret value, only known reasons and the
// names it sent (see serverText), the rest not shown (notShownMarker). Decisions read the
// API's own words instead: Reason, and APIError's HasReason and HasCode.
type Message struct {
	Code             int    `json:"code"`
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	Pointer          string `json:"-"` // source.pointer, when given
	// raw is the API's message, unmasked (bounded); nil for a Message made by hand, whose
	// Message is then the API's words.
	raw *string
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
// ("secret_name_already_exists" of "secret_name_already_exists: API_KEY"). It reads the
// API's unmasked message, so it is for decisions: print Message, not Reason, since a reason
// the API does not document may echo a secret value.
func (m Message) Reason() string {
	t, _, _ := strings.Cut(m.apiText(), ":")
	return strings.TrimSpace(t)
}

// Subject is what the message names after its reason ("API_KEY" of
// "secret_name_already_exists: API_KEY"), read like Reason from the API's unmasked message:
// for decisions, never to print. ok is false when the message has no ":".
func (m Message) Subject() (subject string, ok bool) {
	_, s, ok := strings.Cut(m.apiText(), ":")
	return strings.TrimSpace(s), ok
}

// apiText is the message as the API wrote it; Message may have parts not shown.
func (m Message) apiText() string {
	if m.raw != nil {
		return *m.raw
	}
	return m.Message
}

// APIError is a request the API answered with a failure status or success:false.
//
// Everything in it the server wrote is bounded, on one line, without control characters,
// with credentials masked, and not shown but for known parts when the request carried a
// secret value (see Message). At most maxShownMessages errors and messages are kept; MoreErrors
// and MoreMessages count the ones left out.
type APIError struct {
	Method, Path string // route path below the base URL, for messages
	StatusCode   int
	Errors       []Message
	Messages     []Message
	MoreErrors   int    // errors beyond those in Errors
	MoreMessages int    // messages beyond those in Messages
	Body         string // short excerpt of a non-JSON or empty body ("" when JSON)
	RetryAfter   time.Duration
}

// Error gives the status, codes and messages, as fit to show as the fields they come from.
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
	if e.MoreErrors > 0 {
		fmt.Fprintf(&b, "; and %d more", e.MoreErrors)
	}
	if len(e.Errors) == 0 && e.Body != "" {
		fmt.Fprintf(&b, ": body %q", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	return b.String()
}

// HasCode reports whether any error item kept (see MoreErrors) carries code.
func (e *APIError) HasCode(code int) bool {
	for _, m := range e.Errors {
		if m.Code == code {
			return true
		}
	}
	return false
}

// HasReason reports whether any error item's reason (see Message.Reason: the API's
// unmasked words) is reason.
func (e *APIError) HasReason(reason string) bool {
	for _, m := range e.Errors {
		if m.Reason() == reason {
			return true
		}
	}
	return false
}

func newAPIError(method, path string, resp *response, env envelope, jsonErr error) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: resp.status}
	if jsonErr == nil {
		e.Errors, e.MoreErrors = resp.serverText.messages(env.Errors)
		e.Messages, e.MoreMessages = resp.serverText.messages(env.Messages)
	} else {
		e.Body = resp.serverText.excerpt(resp.body)
	}
	if d, ok := parseRetryAfter(resp.header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
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
// timeout), after the retries the method allows. shown is err's text fit to show (a
// malformed response quoted in it is server text); err stays reachable for errors.Is/As.
type transportError struct {
	method, path string
	err          error
	shown        string
	attempts     int
}

func (e *transportError) Error() string {
	return fmt.Sprintf("%s %s: no response from the API after %d attempt(s): %s", e.method, e.path, e.attempts, e.shown)
}

func (e *transportError) Unwrap() error { return e.err }

// contextError is a request stopped because its context ended. It wraps both ctx.Err()
// and context.Cause(ctx), so a caller tells its own deadline (a cause it set with
// context.WithTimeoutCause) from an interrupt with errors.Is.
type contextError struct {
	method, path string
	errs         []error
	// budgetStop is the request budget's limit when the request ended waiting for a slot
	// (so it was not sent), 0 otherwise.
	budgetStop int
}

func newContextError(ctx context.Context, method, path string) *contextError {
	errs := []error{ctx.Err()}
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() { //nolint:errorlint // identity: is the cause more than the plain error
		errs = append(errs, cause)
	}
	return &contextError{method: method, path: path, errs: errs}
}

func (e *contextError) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.method, e.path, e.errs[0])
	if len(e.errs) > 1 {
		msg += ": " + e.errs[1].Error()
	}
	if e.budgetStop > 0 {
		msg += fmt.Sprintf(" (while waiting for the request budget of %d requests per minute; the request was not sent)", e.budgetStop)
	}
	return msg
}

// StoppedAtBudget reports an error of a request whose context ended while it waited for
// the request budget (Config.MaxRequestsPerMinute): it was not sent.
func StoppedAtBudget(err error) bool {
	var ce *contextError
	return errors.As(err, &ce) && ce.budgetStop > 0
}

func (e *contextError) Unwrap() []error { return e.errs }

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
