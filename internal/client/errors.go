package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CodeAuthentication is Cloudflare's code for bad credentials (401) or the wrong kind of token (403).
const CodeAuthentication = 10000

// bodyExcerptLen bounds APIError.Body: enough to recognise an HTML error page.
const bodyExcerptLen = 256

// Message is one of an envelope's errors, its text fit to show; decisions read the API's words (Reason).
type Message struct {
	Code    int     `json:"code"`
	Message string  `json:"message"`
	raw     *string // the API's message (bounded); nil when Message is the API's words
}

// UnmarshalJSON tolerates a code sent as a string and an item that is no object: it must not hide the status.
func (m *Message) UnmarshalJSON(b []byte) error {
	var o object
	if json.Unmarshal(b, &o) != nil { // not an object: its text is the message
		*m = Message{Message: strings.Trim(string(bytes.TrimSpace(b)), `"`)}
		return nil //nolint:nilerr // tolerant: an odd error item must not hide the API's status
	}
	*m = Message{Code: int(o.num("code")), Message: o.text("message")}
	return nil
}

// Reason is the API's reason, the part before ":" ("secret_name_already_exists" of
// "secret_name_already_exists: API_KEY"): for decisions, never to print (it may echo a value).
func (m Message) Reason() string {
	t, _, _ := strings.Cut(m.apiText(), ":")
	return strings.TrimSpace(t)
}

// Subject is what the message names after its reason ("API_KEY" above), for decisions only.
func (m Message) Subject() (subject string, ok bool) {
	_, s, ok := strings.Cut(m.apiText(), ":")
	return strings.TrimSpace(s), ok
}

func (m Message) apiText() string {
	if m.raw != nil {
		return *m.raw
	}
	return m.Message
}

// APIError is a failure status or success:false; what the server wrote is fit to show.
type APIError struct {
	Method, Path string // route path below the base URL
	StatusCode   int
	Errors       []Message
	MoreErrors   int    // the items beyond maxShownMessages
	Body         string // short excerpt of a non-JSON or empty body ("" when JSON)
	RetryAfter   time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	sep := ":"
	for _, m := range e.Errors {
		fmt.Fprintf(&b, "%s error %d: %s", sep, m.Code, m.Message)
		sep = ";"
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

// HasCode reports whether any error item kept carries code.
func (e *APIError) HasCode(code int) bool {
	return slices.ContainsFunc(e.Errors, func(m Message) bool { return m.Code == code })
}

// HasReason reports whether any error item's Reason is reason.
func (e *APIError) HasReason(reason string) bool {
	return slices.ContainsFunc(e.Errors, func(m Message) bool { return m.Reason() == reason })
}

func newAPIError(method, path string, resp *response, env envelope, isJSON bool) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: resp.status}
	switch {
	case isJSON:
		e.Errors, e.MoreErrors = resp.serverText.messages(env.Errors)
	case len(bytes.TrimSpace(resp.body)) == 0:
		e.Body = "(empty body)"
	default: // an HTML error page, say
		e.Body = resp.serverText.clean(string(resp.body), bodyExcerptLen)
	}
	e.RetryAfter, _ = parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
	return e
}

// transportError is a request with no complete response after the retries its method allows.
type transportError struct {
	method, path string
	err          error  // reachable for errors.Is/As
	shown        string // err's text fit to show
	attempts     int
}

func (e *transportError) Error() string {
	return fmt.Sprintf("%s %s: no response from the API after %d attempt(s): %s", e.method, e.path, e.attempts, e.shown)
}

func (e *transportError) Unwrap() error { return e.err }

// errBudgetStop marks a request whose context ended while it waited for the request budget.
var errBudgetStop = errors.New("the request was not sent")

// contextError wraps ctx.Err() and context.Cause(ctx): a caller tells its own deadline from an interrupt.
func contextError(ctx context.Context, method, path string, budgetStop int) error {
	err := fmt.Errorf("%s %s: %w", method, path, ctx.Err())
	if cause := context.Cause(ctx); cause != ctx.Err() { //nolint:errorlint // identity: is the cause more than the plain error
		err = fmt.Errorf("%w: %w", err, cause)
	}
	if budgetStop > 0 {
		err = fmt.Errorf("%w (while waiting for the request budget of %d requests per minute; %w)", err, budgetStop, errBudgetStop)
	}
	return err
}

// StoppedAtBudget reports a request whose context ended while it waited for the request budget: unsent.
func StoppedAtBudget(err error) bool { return errors.Is(err, errBudgetStop) }

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

// IsWrongTokenKind reports a 403 with code 10000: the wrong family's token, a read-only one writing, another account's.
func IsWrongTokenKind(err error) bool {
	return hasStatus(err, http.StatusForbidden) && asAPIError(err).HasCode(CodeAuthentication)
}
