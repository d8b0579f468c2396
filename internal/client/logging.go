package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Logs go to a tflog subsystem so users can raise or lower the client's verbosity alone
// (TF_LOG_PROVIDER_SECRETSSTORE_HTTP=TRACE) without flooding the provider's log.
const (
	logSubsystem = "http"
	logLevelEnv  = "TF_LOG_PROVIDER_SECRETSSTORE_HTTP"

	// maxLoggedJSON and maxLoggedText bound what one log entry holds. JSON is cut only after
	// masking, so a cut never exposes a value.
	maxLoggedJSON = 256 << 10
	maxLoggedText = 4 << 10
	// maxLoggedHeader bounds one logged header value.
	maxLoggedHeader = 1 << 10
)

// credentialHeaders are never logged, whatever their case.
var credentialHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"X-Auth-Key":          true,
	"X-Auth-Email":        true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// withLogging sets up the client's log subsystem on ctx, with the credentials masked in
// every field and message as a second line of defence behind header filtering. Secret
// values are not masked here: the server text of an exchange that carries one is never
// logged (see serverText).
func withLogging(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv(logLevelEnv))
	if len(secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	}
	return ctx
}

// loggingTransport logs every attempt (retries included, which the caller never sees) at
// TRACE: method, URL, headers without credentials, and bodies with "value" masked,
// cleaned and bounded. Of an exchange that carries a value, the response's body and
// headers are replaced by the fields the client decodes from them (see serverText).
type loggingTransport struct {
	layer
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !tflog.SubsystemIsTrace(ctx, logSubsystem) {
		return t.next.RoundTrip(req)
	}

	r := exchangeFrom(ctx).serverText
	fields := map[string]any{
		"http.method":          req.Method,
		"http.url":             loggableURL(req, r),
		"http.request.headers": loggableHeaders(req.Header, r),
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if rc, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			// The client's own JSON, "value" keys masked: logged whatever the exchange.
			fields["http.request.body"] = loggableBody(b, serverText{credentials: r.credentials})
		}
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Sending HTTP request", fields)

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		tflog.SubsystemTrace(ctx, logSubsystem, "HTTP request failed", map[string]any{
			"http.method": req.Method, "http.url": loggableURL(req, r), "error": r.transportError(err, maxLoggedText),
			"http.duration_ms": time.Since(start).Milliseconds(),
		})
		return resp, err
	}

	// Read the body to log it, then hand the caller an identical one. A read error is
	// replayed after the bytes that did arrive, so the caller sees the same failure.
	b, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	_ = resp.Body.Close()
	var rest io.Reader = bytes.NewReader(b)
	if readErr != nil {
		rest = io.MultiReader(rest, errReader{readErr})
	}
	resp.Body = io.NopCloser(rest)

	rf := map[string]any{
		"http.method":      req.Method,
		"http.url":         loggableURL(req, r),
		"http.status":      resp.StatusCode,
		"http.duration_ms": time.Since(start).Milliseconds(),
	}
	switch {
	case r.carriesValue:
		// What a reader needs to follow the exchange: what the client decodes of it.
		rf["http.response.headers"] = knownHeaders(resp.Header)
		rf["http.response.body"] = notShownMarker
		knownFields(b, rf)
	case resp.StatusCode/100 == 3 && resp.Header.Get("Location") != "":
		// A redirect's body only repeats its target, query included.
		rf["http.response.headers"] = loggableHeaders(resp.Header, r)
		rf["http.response.body"] = fmt.Sprintf("[redirect body not logged: %d bytes]", len(b))
	default:
		rf["http.response.headers"] = loggableHeaders(resp.Header, r)
		rf["http.response.body"] = loggableBody(b, r)
	}
	if readErr != nil {
		rf["error"] = r.transportError(readErr, maxLoggedText)
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Received HTTP response", rf)
	return resp, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// serverURLHeaders may hold a URL the server chose (Referer does after a second redirect):
// its query may carry anything (a signed token), so logs show it without one.
var serverURLHeaders = map[string]bool{"Location": true, "Content-Location": true, "Referer": true}

// queryNotLogged stands for a query left out of a logged URL.
const queryNotLogged = "?[query not logged]"

// withoutQuery is a URL without its query and fragment, marked where a query was.
func withoutQuery(raw string) string {
	i := strings.IndexAny(raw, "?#")
	if i < 0 {
		return raw
	}
	if raw[i] == '#' {
		return raw[:i]
	}
	return raw[:i] + queryNotLogged
}

// loggableURL is a request's URL for a log field. The client's own URLs are shown whole (their
// queries are paging); a request following a redirect has the server's URL, shown without its
// query and with any password masked, and of an exchange that carries a value by its origin
// alone.
func loggableURL(req *http.Request, r serverText) string {
	switch {
	case req.Response == nil:
		return req.URL.String()
	case r.carriesValue:
		return req.URL.Scheme + "://" + req.URL.Host + "/" + notShownMarker
	}
	return withoutQuery(req.URL.Redacted())
}

// loggableHeaders flattens headers for a log field, leaving out every credential, each
// value cleaned. A URL the server chose is server text (see serverText): shown without its
// query, and not at all for an exchange that carries a value.
func loggableHeaders(h http.Header, r serverText) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if credentialHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		text := cleanMasked(strings.Join(v, ", "), maxLoggedHeader, cleanWindow, r.credentials)
		if serverURLHeaders[http.CanonicalHeaderKey(k)] {
			text = r.clean(withoutQuery(strings.Join(v, ", ")), maxLoggedHeader)
		}
		out[cleanBounded(k, maxLoggedHeader)] = text
	}
	return out
}

// loggableBody renders a body for TRACE. JSON has every "value" masked; JSON that does
// not parse is left out entirely, since where its values are cannot be told. What is
// logged is cleaned (one line, no control characters), credentials masked, and bounded.
// The caller never passes the response of an exchange that carried a value.
func loggableBody(b []byte, r serverText) string {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return ""
	}
	var text string
	limit := maxLoggedText
	if trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"' {
		red, ok := MaskValues(trimmed)
		if !ok {
			return fmt.Sprintf("[unparseable JSON body not logged: %d bytes]", len(b))
		}
		text, limit = string(red), maxLoggedJSON
	} else {
		text = string(trimmed)
	}
	// The window leaves room for a credential straddling the cut.
	return cleanMasked(text, limit, limit+1024, r.credentials)
}

// leveledLogger adapts go-retryablehttp's logger to tflog. Attempt failures and retries
// are WARN: the caller decides later whether the request as a whole failed.
type leveledLogger struct {
	ctx context.Context
}

// fields turns retryablehttp's key-value pairs into log fields: its own texts (method,
// URL, waits) cleaned, an error (which may quote a malformed response) shown like a
// transport error.
func (l leveledLogger) fields(kv []any) map[string]any {
	return kvFields(kv, exchangeFrom(l.ctx).serverText)
}

// retryablehttp panics at run time on a logger of the wrong shape: check it at compile time.
var _ retryablehttp.LeveledLogger = leveledLogger{}

func (l leveledLogger) Error(msg string, kv ...any) {
	tflog.SubsystemWarn(l.ctx, logSubsystem, msg, l.fields(kv))
}

func (l leveledLogger) Warn(msg string, kv ...any) {
	tflog.SubsystemWarn(l.ctx, logSubsystem, msg, l.fields(kv))
}

func (l leveledLogger) Info(msg string, kv ...any) {
	tflog.SubsystemInfo(l.ctx, logSubsystem, msg, l.fields(kv))
}

func (l leveledLogger) Debug(msg string, kv ...any) {
	if msg == "retrying request" {
		tflog.SubsystemWarn(l.ctx, logSubsystem, msg, l.fields(kv))
		return
	}
	tflog.SubsystemDebug(l.ctx, logSubsystem, msg, l.fields(kv))
}

func kvFields(kv []any, r serverText) map[string]any {
	out := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k := fmt.Sprint(kv[i])
		switch v := kv[i+1].(type) {
		case error:
			out[k] = r.transportError(v, maxLoggedText)
		case fmt.Stringer:
			out[k] = cleanBounded(v.String(), maxLoggedText)
		case string:
			out[k] = cleanBounded(v, maxLoggedText)
		default:
			out[k] = v
		}
	}
	return out
}
