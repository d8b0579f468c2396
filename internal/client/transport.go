package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxResponseBody bounds what is read of one response, so a broken server cannot exhaust memory.
const maxResponseBody = 32 << 20

// readBody reads resp's body, bounded, and puts it back for the next layer.
func readBody(resp *http.Response) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// transport is every policy between a route and the wire: headers, retries and redirects
// (retry.go), and each attempt's layers, outermost first: rateLimitTransport, budgetTransport
// (when set), attemptTransport, loggingTransport. Routes see only send.
type transport struct {
	baseURL          string
	header           http.Header // credentials, User-Agent, Accept
	maxRetries       int
	waitMin, waitMax time.Duration
	credentials      []string // credentialForms, masked in every error and log
	rateLimitPause   *rateLimitPause
	httpClient       *http.Client
}

func newTransport(cfg Config, base string) *transport {
	t := &transport{
		baseURL:        base,
		header:         http.Header{"User-Agent": {cmp.Or(cfg.UserAgent, DefaultUserAgent)}, "Accept": {"application/json"}},
		maxRetries:     max(cfg.MaxRetries, 0),
		waitMax:        cmp.Or(max(cfg.RetryWaitMax, 0), DefaultRetryWaitMax),
		credentials:    credentialForms([]string{cfg.APIToken, cfg.APIKey, cfg.APIEmail}),
		rateLimitPause: &rateLimitPause{},
	}
	t.waitMin = min(cmp.Or(max(cfg.RetryWaitMin, 0), DefaultRetryWaitMin), t.waitMax)
	if cfg.APIToken != "" {
		t.header.Set("Authorization", "Bearer "+cfg.APIToken)
	} else {
		t.header.Set("X-Auth-Email", cfg.APIEmail)
		t.header.Set("X-Auth-Key", cfg.APIKey)
	}

	// A copy: wrapping its transport leaves the caller's client untouched. attemptTransport bounds
	// each attempt, the wait for headers included.
	hc := http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	var rt http.RoundTripper = &loggingTransport{layer{cmp.Or(hc.Transport, http.DefaultTransport)}}
	rt = &attemptTransport{layer: layer{rt}, timeout: cmp.Or(max(cfg.AttemptTimeout, 0), DefaultAttemptTimeout)}
	if cfg.MaxRequestsPerMinute > 0 {
		rt = &budgetTransport{layer: layer{rt}, limit: cfg.MaxRequestsPerMinute}
	}
	hc.Transport = &rateLimitTransport{layer: layer{rt}, pause: t.rateLimitPause, waitMax: t.waitMax}
	hc.CheckRedirect = checkRedirect
	t.httpClient = &hc
	return t
}

// logContext is ctx with the client's log subsystem (its own level), credentials masked in it.
func (t *transport) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv(logLevelEnv))
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, t.credentials...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, t.credentials...)
}

// layer is one http.RoundTripper of the transport, over the next one.
type layer struct {
	next http.RoundTripper
}

// CloseIdleConnections lets retryablehttp (and http.Client) reach the innermost transport.
func (l layer) CloseIdleConnections() {
	if ci, ok := l.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// exchange is one request's state, shared by its attempts (one after another) through the context.
type exchange struct {
	serverText      serverText
	loggedBody      []byte    // the request body as logs show it
	attempts        int       // redirect hops not counted
	lastEnd         time.Time // when the previous attempt ended
	lastRateLimited bool      // whether it got a 429
	budgetStop      int       // the budget's limit when the request stopped waiting for it
}

type exchangeKey struct{}

// exchangeFrom returns the request's exchange, or an empty one for a request made otherwise.
func exchangeFrom(ctx context.Context) *exchange {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		return ex
	}
	return &exchange{}
}

// response is what came back from the last attempt of a request, and its exchange.
type response struct {
	status int
	header http.Header
	body   []byte
	*exchange
}

// send performs rq with retries: the last response (any status), or a context, redirect or *transportError.
func (t *transport) send(ctx context.Context, rq request) (*response, error) {
	if rq.err != nil {
		return nil, rq.err
	}
	ex := &exchange{serverText: serverText{credentials: t.credentials, carriesValue: rq.carriesValue, names: rq.names}}
	ctx = context.WithValue(t.logContext(ctx), exchangeKey{}, ex)

	target := t.baseURL + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}
	var body any
	if rq.body != nil { // the routes' own types: they always encode
		b, _ := json.Marshal(rq.body)
		body, ex.loggedBody = b, b
		if rq.carriesValue {
			ex.loggedBody, _ = json.Marshal(rq.loggedBody)
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	req.Header = t.header.Clone()
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	rc := &retryablehttp.Client{HTTPClient: t.httpClient, RetryWaitMin: t.waitMin, RetryWaitMax: t.waitMax,
		RetryMax: t.maxRetries, CheckRetry: retryPolicy(rq.method), Backoff: backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler} // the last answer, for its API codes
	resp, err := rc.Do(req)
	var data []byte
	if err == nil { // attemptTransport has read the body already
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	}
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	switch {
	case err == nil:
		return &response{status: resp.StatusCode, header: resp.Header, body: data, exchange: ex}, nil
	case ctx.Err() != nil:
		return nil, contextError(ctx, rq.method, rq.path, ex.budgetStop)
	}
	var re *redirectError
	if errors.As(err, &re) {
		return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, re)
	}
	return nil, &transportError{method: rq.method, path: rq.path, err: err, attempts: ex.attempts,
		shown: ex.serverText.transportError(err, maxShownField)}
}

// withoutURL is err without http.Client's *url.Error, whose URL may be a redirect target's.
func withoutURL(err error) error {
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
