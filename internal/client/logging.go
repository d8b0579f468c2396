package client

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	logSubsystem = "http"
	logLevelEnv  = "TF_LOG_PROVIDER_SECRETSSTORE_HTTP"

	maxLoggedJSON   = 256 << 10
	maxLoggedText   = 4 << 10
	maxLoggedHeader = 1 << 10
)

// credentialHeaders are never logged.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "X-Auth-Key": true, "X-Auth-Email": true,
	"Cookie": true, "Set-Cookie": true,
}

// loggingTransport logs every attempt at TRACE: the request body the route made loggable, and what serverText allows.
type loggingTransport struct {
	layer
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !tflog.SubsystemIsTrace(ctx, logSubsystem) {
		return t.next.RoundTrip(req)
	}
	ex := exchangeFrom(ctx)
	r := ex.serverText
	fields := map[string]any{"http.method": req.Method, "http.url": loggableURL(req, r),
		"http.request.headers": loggableHeaders(req.Header, r)}
	if req.Body != nil && req.Body != http.NoBody {
		fields["http.request.body"] = cleanMasked(string(ex.loggedBody), maxLoggedJSON, maxLoggedJSON+1024, r.credentials)
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Sending HTTP request", fields)

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	var b []byte
	if err == nil {
		b, err = readBody(resp) // a body that breaks off fails the attempt
	}
	if err != nil {
		return nil, err // logged by rateLimitTransport
	}
	rf := map[string]any{"http.method": req.Method, "http.url": loggableURL(req, r), "http.status": resp.StatusCode,
		"http.duration_ms": time.Since(start).Milliseconds(), "http.response.headers": knownHeaders(resp.Header),
		"http.response.body": notShownMarker}
	switch {
	case r.carriesValue:
		knownFields(b, rf)
	case resp.StatusCode/100 == 3 && resp.Header.Get("Location") != "":
		// A redirect's body only repeats its target, query included.
		rf["http.response.headers"] = loggableHeaders(resp.Header, r)
		rf["http.response.body"] = fmt.Sprintf("[redirect body not logged: %d bytes]", len(b))
	default:
		rf["http.response.headers"], rf["http.response.body"] = loggableHeaders(resp.Header, r), loggableBody(b, r)
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "Received HTTP response", rf)
	return resp, nil
}

// serverURLHeaders may hold a URL the server chose, whose query may be a signed token.
var serverURLHeaders = map[string]bool{"Location": true, "Content-Location": true, "Referer": true}

// queryNotLogged stands for a query left out of a logged URL.
const queryNotLogged = "?[query not logged]"

// withoutQuery is a URL without its query and fragment, marked where a query was.
func withoutQuery(raw string) string {
	i := strings.IndexAny(raw, "?#")
	switch {
	case i < 0:
		return raw
	case raw[i] == '#':
		return raw[:i]
	}
	return raw[:i] + queryNotLogged
}

// loggableURL: the client's own URLs whole; a redirect's without query and password, or only its origin.
func loggableURL(req *http.Request, r serverText) string {
	switch {
	case req.Response == nil:
		return req.URL.String()
	case r.carriesValue:
		return req.URL.Scheme + "://" + req.URL.Host + "/" + notShownMarker
	}
	return withoutQuery(req.URL.Redacted())
}

// loggableHeaders flattens headers without credentials, each cleaned; a URL the server chose without its query.
func loggableHeaders(h http.Header, r serverText) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		k = http.CanonicalHeaderKey(k)
		if credentialHeaders[k] {
			continue
		}
		text := cleanMasked(strings.Join(v, ", "), maxLoggedHeader, cleanWindow, r.credentials)
		if serverURLHeaders[k] {
			text = r.clean(withoutQuery(strings.Join(v, ", ")), maxLoggedHeader)
		}
		out[cleanBounded(k, maxLoggedHeader)] = text
	}
	return out
}

// loggableBody is a response body cleaned and bounded (JSON more generously: a page of a list is long).
func loggableBody(b []byte, r serverText) string {
	b = bytes.TrimSpace(b)
	limit := maxLoggedText
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		limit = maxLoggedJSON
	}
	// The window leaves room for a credential straddling the cut.
	return cleanMasked(string(b), limit, limit+1024, r.credentials)
}
