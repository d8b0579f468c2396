package client

import (
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// notShownMarker stands in for server text of an exchange that carried a secret value.
const notShownMarker = "[not shown: the request carried a secret value]"

// maxRawMessage bounds the API's text an error message keeps for decisions (Reason).
const maxRawMessage = 4 << 10

// serverText decides what of one exchange's server text errors and logs show, by rule:
//   - an exchange that carries a secret value (a create, a PATCH with a value: marked where
//     the request is built) shows none of it. Errors and logs say only what the client
//     decodes: the status, Cloudflare's codes, the API's known reasons, the names the
//     request sent, ids, and a few parsed headers. A server quoting the request, in any
//     encoding, cannot reach a diagnostic or a log, and no guess about what an echo looks
//     like is needed (a value that is a common word hides nothing else);
//   - any other exchange shows its server text cleaned (see clean) and bounded.
//
// Credentials are masked in everything either shows.
type serverText struct {
	credentials  []string // credentialForms of the credentials
	carriesValue bool
	names        []string // the names the request sent, shown beside a known reason
}

// clean is s fit to show: cleaned, credentials masked and bounded; not shown at all when the
// exchange carried a value.
func (t serverText) clean(s string, limit int) string {
	if t.carriesValue && s != "" {
		return notShownMarker
	}
	return cleanMasked(s, limit, cleanWindow, t.credentials)
}

// message is an API error message fit to show. For an exchange that carried a value it is
// rebuilt from known parts: a reason the API is known to use, and after it a name the
// request sent; anything else the server wrote is not shown.
func (t serverText) message(s string) string {
	if !t.carriesValue {
		return t.clean(s, maxShownMessage)
	}
	head, rest, hasSuffix := strings.Cut(s, ":")
	reason := strings.TrimSpace(head)
	switch {
	case !knownReasons[reason]:
		return notShownMarker
	case !hasSuffix:
		return reason
	case slices.Contains(t.names, strings.TrimSpace(rest)):
		return reason + ": " + strings.TrimSpace(rest)
	}
	return reason + ": " + notShownMarker
}

// messages makes an envelope's errors (or messages) fit to show: at most maxShownMessages
// of them (more is the count left out), each one's text shown by message. The API's text
// is kept apart, bounded, for decisions (Message.Reason).
func (t serverText) messages(ms []Message) (shown []Message, more int) {
	n := min(len(ms), maxShownMessages)
	if n == 0 {
		return nil, len(ms)
	}
	shown = make([]Message, n)
	for i, m := range ms[:n] {
		raw := cutBytes(m.Message, maxRawMessage)
		shown[i] = Message{
			Code:             m.Code,
			Message:          t.message(m.Message),
			DocumentationURL: t.clean(m.DocumentationURL, maxShownField),
			Pointer:          t.clean(m.Pointer, maxShownField),
			raw:              &raw,
		}
	}
	return shown, len(ms) - n
}

// excerpt is a short, one-line excerpt of a body that is not the API's JSON (an HTML
// error page).
func (t serverText) excerpt(body []byte) string {
	text := string(body)
	if strings.TrimSpace(text) == "" {
		return "(empty body)"
	}
	return t.clean(text, bodyExcerptLen)
}

// transportError is the text of an attempt's failure fit to show. Go's own errors may quote
// a malformed response: for an exchange that carried a value only the kinds known to hold
// none (a timeout, a network operation, a connection that ended) are shown.
func (t serverText) transportError(err error, limit int) string {
	err = withoutURL(err)
	if !t.carriesValue {
		return t.clean(err.Error(), limit)
	}
	var timeout *attemptTimeoutError
	var op *net.OpError
	switch {
	case errors.As(err, &timeout):
		err = timeout
	case errors.As(err, &op):
		err = op
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = io.ErrUnexpectedEOF
	case errors.Is(err, io.EOF):
		err = io.EOF
	default:
		return notShownMarker
	}
	return cleanMasked(err.Error(), limit, cleanWindow, t.credentials)
}

// knownFields is what a log says of a response body the exchange's rule does not show: the
// error codes and the API's known reasons, and the ids of the result.
func knownFields(body []byte, fields map[string]any) {
	env, err := parseEnvelope(body)
	if err != nil {
		return
	}
	errs := env.Errors[:min(len(env.Errors), maxShownMessages)]
	codes := make([]int, 0, len(errs))
	var reasons []string
	for _, m := range errs {
		codes = append(codes, m.Code)
		if r, _, _ := strings.Cut(m.Message, ":"); knownReasons[strings.TrimSpace(r)] {
			reasons = append(reasons, strings.TrimSpace(r))
		}
	}
	if len(codes) > 0 {
		fields["http.response.error_codes"] = codes
	}
	if len(reasons) > 0 {
		fields["http.response.error_reasons"] = reasons
	}
	secrets, err := decodeItems(env.Result, wireSecret.value)
	if err != nil {
		if s, err := decodeSecret("", "", env.Result); err == nil {
			secrets = []Secret{*s}
		}
	}
	if len(secrets) > 0 {
		ids := make([]string, len(secrets))
		for i, s := range secrets {
			ids[i] = s.ID
		}
		fields["http.response.result_ids"] = ids
	}
}

// cfRay is the form of Cloudflare's request id.
var cfRay = regexp.MustCompile(`^[0-9a-f]{16}-[A-Z]{3}$`)

// knownHeaders is what a log shows of the response headers of an exchange that carried a
// value: the few it can parse, in the form parsed.
func knownHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil {
		out["Content-Type"] = mt
	}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
		out["Content-Length"] = strconv.FormatInt(n, 10)
	}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), time.Now()); ok {
		out["Retry-After"] = d.String()
	}
	if id := h.Get("Cf-Ray"); cfRay.MatchString(id) {
		out["Cf-Ray"] = id
	}
	return out
}

// knownReasons are the reasons (message tokens) the Secrets Store API answers with
// (api-behaviour.md), and its fixed sentences: the API's words, never a value's.
var knownReasons = map[string]bool{
	"maximum_stores_exceeded":    true,
	"store_name_invalid":         true,
	"store_name_already_exists":  true,
	"store_not_empty":            true,
	"store_not_found":            true,
	"maximum_secrets_exceeded":   true,
	"secret_name_empty":          true,
	"secret_name_invalid":        true,
	"secret_name_already_exists": true,
	"secret_name_immutable":      true,
	"secret_scopes_empty":        true,
	"secret_scope_invalid":       true,
	"secret_value_empty":         true,
	"secret_value_too_long":      true,
	"secret_comment_too_long":    true,
	"secret_not_found":           true,
	"invalid_json_body":          true,
	"request_body_too_large":     true,
	"invalid_query":              true,
	"method_not_allowed":         true,
	"account_id_invalid":         true,
	"account_id_mismatch":        true,
	"Authentication error":       true,
	"No route for that URI":      true,
	"Please wait and consider throttling your request speed": true,
}
