package client

import (
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

const (
	maskedValue    = "***"                                             // what logs show of a secret value
	notShownMarker = "[not shown: the request carried a secret value]" // for a value-carrying exchange's server text
	maxRawMessage  = 4 << 10                                           // the API's text kept for decisions (Message.Reason)
)

// serverText decides by rule what errors and logs show of one exchange's server text: of one
// that carries a value only what the client decodes (status, codes, known reasons, names sent,
// ids), so no echo shows in any encoding; of others the text cleaned. Credentials always masked.
type serverText struct {
	credentials  []string // credentialForms
	carriesValue bool
	names        []string // the names the request sent, shown after a known reason
}

// clean is s fit to show, or the marker when the exchange carried a value.
func (t serverText) clean(s string, limit int) string {
	if t.carriesValue && s != "" {
		return notShownMarker
	}
	return cleanMasked(s, limit, cleanWindow, t.credentials)
}

// message is an API error message fit to show; with a value, rebuilt from a known reason and a name sent.
func (t serverText) message(s string) string {
	if !t.carriesValue {
		return t.clean(s, maxShownMessage)
	}
	head, rest, hasSuffix := strings.Cut(s, ":")
	reason, rest := strings.TrimSpace(head), strings.TrimSpace(rest)
	switch {
	case !knownReasons[reason]:
		return notShownMarker
	case !hasSuffix:
		return reason
	case slices.Contains(t.names, rest):
		return reason + ": " + rest
	}
	return reason + ": " + notShownMarker
}

// messages keeps maxShownMessages of ms (more counts the rest), the API's text kept apart for decisions.
func (t serverText) messages(ms []Message) (shown []Message, more int) {
	n := min(len(ms), maxShownMessages)
	for _, m := range ms[:n] {
		raw := cutBytes(m.Message, maxRawMessage)
		shown = append(shown, Message{Code: m.Code, Message: t.message(m.Message), raw: &raw})
	}
	return shown, len(ms) - n
}

// transportError is an attempt's failure fit to show. Go's errors may quote a malformed
// response: of an exchange that carried a value only kinds known to hold none are shown.
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

// knownFields adds to a log entry what the client decodes of a body not shown: codes, known reasons, ids.
func knownFields(body []byte, fields map[string]any) {
	env, ok := parseEnvelope(body)
	if !ok {
		return
	}
	var codes []int
	var reasons []string
	for _, m := range env.Errors[:min(len(env.Errors), maxShownMessages)] {
		codes = append(codes, m.Code)
		if r := m.Reason(); knownReasons[r] {
			reasons = append(reasons, r)
		}
	}
	var ids []string
	if list, err := decodeItems(env.Result, secretOf); err == nil {
		for _, s := range list {
			ids = append(ids, s.ID)
		}
	}
	if len(codes) > 0 {
		fields["http.response.error_codes"] = codes
	}
	if len(reasons) > 0 {
		fields["http.response.error_reasons"] = reasons
	}
	if len(ids) > 0 {
		fields["http.response.result_ids"] = ids
	}
}

// cfRay is the form of Cloudflare's request id, the one Cloudflare's support asks for.
var cfRay = regexp.MustCompile(`^[0-9a-f]{16}-[A-Z]{3}$`)

// knownHeaders is what a log shows of a value-carrying exchange's headers: the Cf-Ray, in its form.
func knownHeaders(h http.Header) map[string]string {
	if id := h.Get("Cf-Ray"); cfRay.MatchString(id) {
		return map[string]string{"Cf-Ray": id}
	}
	return map[string]string{}
}

// knownReasons are the reasons and fixed sentences the API answers with (api-behaviour.md).
var knownReasons = map[string]bool{
	"maximum_stores_exceeded": true, "store_name_invalid": true, "store_name_already_exists": true,
	"store_not_empty": true, "store_not_found": true, "maximum_secrets_exceeded": true, "secret_name_empty": true,
	"secret_name_invalid": true, "secret_name_already_exists": true, "secret_name_immutable": true,
	"secret_scopes_empty": true, "secret_scope_invalid": true, "secret_value_empty": true,
	"secret_value_too_long": true, "secret_comment_too_long": true, "secret_not_found": true,
	"invalid_json_body": true, "request_body_too_large": true, "invalid_query": true, "method_not_allowed": true,
	"account_id_invalid": true, "account_id_mismatch": true, "Authentication error": true,
	"No route for that URI": true, "Please wait and consider throttling your request speed": true,
}
