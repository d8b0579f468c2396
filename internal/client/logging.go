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
	// redaction, so a cut never exposes a value.
	maxLoggedJSON = 256 << 10
	maxLoggedText = 4 << 10
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
// every field and message as a second line of defence behind header filtering.
func withLogging(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv(logLevelEnv))
	if len(secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	}
	return ctx
}

// loggingTransport logs every attempt (retries included, which the caller never sees) at
// TRACE: method, URL, headers without credentials, bodies with "value" redacted and the
// exchange's scrub list (withScrub) replaced.
type loggingTransport struct {
	base http.RoundTripper
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !tflog.SubsystemIsTrace(ctx, logSubsystem) {
		return t.base.RoundTrip(req)
	}

	scrub := scrubFrom(ctx)
	fields := map[string]any{
		"http.method":          req.Method,
		"http.url":             req.URL.String(),
		"http.request.headers": loggableHeaders(req.Header),
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if rc, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			fields["http.request.body"] = loggableBody(b, scrub)
		}
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Sending HTTP request", fields)

	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		tflog.SubsystemTrace(ctx, logSubsystem, "HTTP request failed", map[string]any{
			"http.method": req.Method, "http.url": req.URL.String(), "error": err.Error(),
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
		"http.method":           req.Method,
		"http.url":              req.URL.String(),
		"http.status":           resp.StatusCode,
		"http.response.headers": loggableHeaders(resp.Header),
		"http.response.body":    loggableBody(b, scrub),
		"http.duration_ms":      time.Since(start).Milliseconds(),
	}
	if readErr != nil {
		rf["error"] = readErr.Error()
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Received HTTP response", rf)
	return resp, nil
}

// CloseIdleConnections lets retryablehttp (and http.Client) reach the wrapped transport.
func (t *loggingTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// loggableHeaders flattens headers for a log field, leaving out every credential.
func loggableHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if credentialHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// loggableBody renders a body for TRACE: JSON with every "value" redacted, other text cut
// short. JSON that does not parse is left out entirely, since where its values are
// cannot be told. Either way the exchange's scrub list (credentials, the secret values the
// request carries) is replaced before the cut, so a value echoed under another key or in
// an error page never shows, not even in part at the cut. tflog's masks repeat this on the
// whole entry.
func loggableBody(b []byte, scrub []string) string {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return ""
	}
	if trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"' {
		red, ok := RedactJSON(trimmed)
		if !ok {
			return fmt.Sprintf("[unparseable JSON body omitted: %d bytes]", len(b))
		}
		return truncate(scrubText(string(red), scrub), maxLoggedJSON)
	}
	return truncate(scrubText(strings.ToValidUTF8(string(trimmed), "?"), scrub), maxLoggedText)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("…[truncated, %d bytes total]", len(s))
}

// leveledLogger adapts go-retryablehttp's logger to tflog. Attempt failures and retries
// are WARN: the caller decides later whether the request as a whole failed.
type leveledLogger struct {
	ctx context.Context
}

// retryablehttp panics at run time on a logger of the wrong shape: check it at compile time.
var _ retryablehttp.LeveledLogger = leveledLogger{}

func (l leveledLogger) Error(msg string, kv ...any) {
	tflog.SubsystemWarn(l.ctx, logSubsystem, msg, kvFields(kv))
}

func (l leveledLogger) Warn(msg string, kv ...any) {
	tflog.SubsystemWarn(l.ctx, logSubsystem, msg, kvFields(kv))
}

func (l leveledLogger) Info(msg string, kv ...any) {
	tflog.SubsystemInfo(l.ctx, logSubsystem, msg, kvFields(kv))
}

func (l leveledLogger) Debug(msg string, kv ...any) {
	if msg == "retrying request" {
		tflog.SubsystemWarn(l.ctx, logSubsystem, msg, kvFields(kv))
		return
	}
	tflog.SubsystemDebug(l.ctx, logSubsystem, msg, kvFields(kv))
}

func kvFields(kv []any) map[string]any {
	out := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k := fmt.Sprint(kv[i])
		switch v := kv[i+1].(type) {
		case error:
			out[k] = v.Error()
		case fmt.Stringer:
			out[k] = v.String()
		default:
			out[k] = v
		}
	}
	return out
}
