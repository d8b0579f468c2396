package client

import (
	"regexp"
	"strings"
)

// withheldMarker stands in for server text that may echo a secret value the request
// carried.
const withheldMarker = "[withheld: may echo the value sent]"

// maxRawMessage bounds the unmasked text an error message keeps for decisions (Reason).
const maxRawMessage = 4 << 10

// redactor decides what of one exchange's server text may be shown (errors) or logged.
// Everything passes through sanitize and a bound. Credentials are masked wherever they
// appear (they are long, so masking them garbles nothing); text that may echo one of the
// request's secret values is withheld instead, because masking a short value inside the
// API's own words garbles them (see valueForms).
type redactor struct {
	credentials []string    // scrubForms of the credentials
	values      *valueForms // nil when the request carried no value
}

// mayEcho reports whether s holds one of the request's values, as sent or once sanitized
// (an escape sequence spliced into an echo must not hide it).
func (r redactor) mayEcho(s string) bool {
	if r.values == nil {
		return false
	}
	if r.values.foundIn(s) {
		return true
	}
	c := sanitize(s)
	return c != s && r.values.foundIn(c)
}

// text is s fit to show: withheld whole if it may echo a value, else clean.
func (r redactor) text(s string, limit int) string {
	if r.mayEcho(s) {
		return withheldMarker
	}
	if out := r.clean(s, limit); !r.shows(out) {
		return out
	}
	return withheldMarker
}

// cutMarkers matches what bound appends.
var cutMarkers = regexp.MustCompile(`…\[cut from [0-9]+ bytes\]`)

// shows reports whether text made to be shown holds a value after all: a last check on
// the output, since masking a credential ("***") or marking a cut adds characters the
// input was judged without. Markers and a known reason are the client's and the API's
// words: only the runs of server text between them are judged.
func (r redactor) shows(text string) bool {
	if r.values == nil {
		return false
	}
	if head, rest, ok := strings.Cut(text, ":"); knownReason(strings.TrimSpace(head)) {
		if !ok {
			return false
		}
		text = ":" + rest
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, ": "+withheldMarker, "\x00"), withheldMarker, "\x00")
	for _, run := range strings.Split(cutMarkers.ReplaceAllString(text, "\x00"), "\x00") {
		if r.values.foundIn(run) {
			return true
		}
	}
	return false
}

// clean sanitizes s, masks credentials and bounds it to limit bytes (see cleanBounded).
func (r redactor) clean(s string, limit int) string {
	return cleanBounded(s, limit, sanitizeWindow, r.credentials)
}

// message is an API error message fit to show. With no value in it, it is shown cleaned.
// Otherwise its parts ("reason: suffix") are judged: a reason the API is known to use is
// always shown (value "x" is found in "secret_name_already_exists", yet the reason is the
// API's, not the value); an unknown reason holding a value hides the whole message; a
// suffix holding a value (or one that continues a value begun in an unknown reason) is
// replaced by withheldMarker.
func (r redactor) message(s string) string {
	head, rest, hasSuffix := strings.Cut(s, ":")
	reason := strings.TrimSpace(head)
	known := knownReason(reason)
	if !r.mayEcho(s) {
		if out := r.clean(s, maxShownMessage); !r.shows(out) {
			return out
		}
	}
	switch {
	case known && !hasSuffix:
		return reason
	case known:
		// Judge the suffix without the reason's letters, so only a value the suffix itself
		// shows counts.
		if !r.mayEcho(":" + rest) {
			if out := r.clean(reason+":"+rest, maxShownMessage); !r.shows(out) {
				return out
			}
		}
		return reason + ": " + withheldMarker
	case !hasSuffix || r.mayEcho(head):
		return withheldMarker
	}
	if out := r.clean(reason, maxShownMessage); !r.shows(out) {
		return out + ": " + withheldMarker
	}
	return withheldMarker
}

// messages makes an envelope's errors (or messages) fit to show: at most maxShownMessages
// of them (more is the count left out), each one's text bounded, sanitized and judged by
// message. The API's text is kept unmasked, bounded, for decisions (Message.Reason).
func (r redactor) messages(ms []Message) (shown []Message, more int) {
	n := min(len(ms), maxShownMessages)
	if n == 0 {
		return nil, len(ms)
	}
	shown = make([]Message, n)
	for i, m := range ms[:n] {
		raw := cutBytes(m.Message, maxRawMessage)
		shown[i] = Message{
			Code:             m.Code,
			Message:          r.message(m.Message),
			DocumentationURL: r.text(m.DocumentationURL, maxShownField),
			Pointer:          r.text(m.Pointer, maxShownField),
			raw:              &raw,
		}
	}
	return shown, len(ms) - n
}

// excerpt is a short, one-line excerpt of a body that is not the API's JSON (an HTML
// error page), judged like any server text (see text).
func (r redactor) excerpt(body []byte) string {
	text := string(body)
	if strings.TrimSpace(text) == "" {
		return "(empty body)"
	}
	return r.text(text, bodyExcerptLen)
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

func knownReason(reason string) bool { return knownReasons[reason] }
