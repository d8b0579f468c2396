package client

import (
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
)

// maxResponseBody bounds how much of one response is read, so a broken server cannot
// exhaust memory.
const maxResponseBody = 32 << 20

// transport is everything between a route's request and the wire, and none of the API's
// routes or rules: credentials and headers, go-retryablehttp with the retry policy
// (retry.go), the redirect policy (redirect.go), and the layers every attempt passes
// through, outermost first:
//
//	rateLimitTransport  tallies the waits, waits out the shared 429 pause, starts it
//	budgetTransport     takes a slot of the request budget
//	attemptTransport    bounds the attempt by its deadline, reading the body included
//	loggingTransport    TRACE logs, with what serverText allows of the answer
//
// Routes see only send, and the response or error it returns.
type transport struct {
	baseURL    string
	token      string
	email      string
	key        string
	userAgent  string
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	// credentials are the credentials' forms (credentialForms), masked wherever they might
	// appear in an error or a log.
	credentials []string
	// rateLimitPause pauses every request after a 429 with Retry-After to any of them.
	rateLimitPause *rateLimitPause
	httpClient     *http.Client
}

// newTransport builds the transport of cfg (already checked by New) for base.
func newTransport(cfg Config, base string) *transport {
	t := &transport{
		baseURL:        base,
		token:          cfg.APIToken,
		email:          cfg.APIEmail,
		key:            cfg.APIKey,
		userAgent:      cfg.UserAgent,
		maxRetries:     max(cfg.MaxRetries, 0),
		waitMin:        cfg.RetryWaitMin,
		waitMax:        cfg.RetryWaitMax,
		rateLimitPause: &rateLimitPause{},
	}
	if t.waitMin <= 0 {
		t.waitMin = DefaultRetryWaitMin
	}
	if t.waitMax <= 0 {
		t.waitMax = DefaultRetryWaitMax
	}
	if t.waitMax < t.waitMin {
		t.waitMin = t.waitMax
	}
	if t.userAgent == "" {
		t.userAgent = DefaultUserAgent
	}
	attemptTimeout := cfg.AttemptTimeout
	if attemptTimeout <= 0 {
		attemptTimeout = DefaultAttemptTimeout
	}
	for _, s := range []string{cfg.APIToken, cfg.APIKey, cfg.APIEmail} {
		if s != "" {
			t.credentials = append(t.credentials, s)
		}
	}
	t.credentials = credentialForms(t.credentials)

	// Copy the caller's client so that wrapping its transport leaves it untouched.
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		// No Timeout or ResponseHeaderTimeout: attemptTransport bounds each attempt, the
		// wait for the response headers included, with an error of its own.
		hc = http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	var rt http.RoundTripper = &loggingTransport{layer{inner}}
	rt = &attemptTransport{layer: layer{rt}, timeout: attemptTimeout}
	rt = &budgetTransport{layer: layer{rt}, budget: newRequestBudget(cfg.MaxRequestsPerMinute)}
	hc.Transport = &rateLimitTransport{layer: layer{rt}, pause: t.rateLimitPause, waitMax: t.waitMax}
	hc.CheckRedirect = checkRedirect
	t.httpClient = &hc
	return t
}

// logContext is ctx with the client's log subsystem, credentials masked (withLogging).
func (t *transport) logContext(ctx context.Context) context.Context {
	return withLogging(ctx, t.credentials)
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

// exchange is one request's state shared by its attempts through the request context.
// Attempts of one request run one after another, in the caller's goroutine.
type exchange struct {
	serverText serverText
	// lastEnd is when the previous attempt ended; lastRateLimited whether it got a 429.
	lastEnd         time.Time
	lastRateLimited bool
	// budgetStop is the request budget's limit when the request stopped waiting for a slot
	// (its context ended), 0 otherwise.
	budgetStop int
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

// exchangeFrom returns the request's exchange, or an empty one for a request made otherwise.
func exchangeFrom(ctx context.Context) *exchange {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		return ex
	}
	return &exchange{}
}

// serverText is what rq's errors and logs may show of the server's answers.
func (t *transport) serverText(rq request) serverText {
	return serverText{credentials: t.credentials, carriesValue: rq.carriesValue, names: rq.names}
}

// response is what came back from the last attempt of a request.
type response struct {
	status     int
	header     http.Header
	body       []byte
	attempts   int
	serverText serverText // the exchange's, for the error made of this response
}

// send performs rq with retries and returns the last response (any status) or an error:
// a *contextError when ctx ended, a refused redirect, or a *transportError. It never
// decodes the body.
func (t *transport) send(ctx context.Context, rq request) (*response, error) {
	ex := &exchange{serverText: t.serverText(rq)}
	ctx = withExchange(t.logContext(ctx), ex)

	target := t.baseURL + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}

	var body any
	if rq.body != nil {
		b, err := json.Marshal(rq.body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding request body: %w", rq.method, rq.path, err)
		}
		body = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	t.setHeaders(req.Header, rq.body != nil)

	rc, attempts := t.retryClient(ctx, rq.method)
	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, sendError(ctx, rq, ex, err, *attempts)
	}
	defer resp.Body.Close()
	// attemptTransport has read the body already (a body that broke off failed its
	// attempt); should reading fail here all the same, it is as ambiguous as a connection
	// that broke before the status.
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, sendError(ctx, rq, ex, err, *attempts)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data, attempts: *attempts, serverText: ex.serverText}, nil
}

// sendError classifies a failed send: the caller's context ended, a redirect was
// refused, or no complete response came (a transportError).
func sendError(ctx context.Context, rq request, ex *exchange, err error, attempts int) error {
	if ctx.Err() != nil {
		ce := newContextError(ctx, rq.method, rq.path)
		ce.budgetStop = ex.budgetStop
		return ce
	}
	var re *redirectError
	if errors.As(err, &re) {
		return fmt.Errorf("%s %s: %w", rq.method, rq.path, re)
	}
	return &transportError{method: rq.method, path: rq.path, err: err, attempts: attempts,
		shown: ex.serverText.transportError(err, maxShownField)}
}

// withoutURL is err without the *url.Error that http.Client wraps it in: its URL may be a
// redirect target's, query included, and the request's own is known to the caller.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (t *transport) setHeaders(h http.Header, hasBody bool) {
	if t.token != "" {
		h.Set("Authorization", "Bearer "+t.token)
	} else {
		h.Set("X-Auth-Email", t.email)
		h.Set("X-Auth-Key", t.key)
	}
	h.Set("User-Agent", t.userAgent)
	h.Set("Accept", "application/json")
	if hasBody {
		h.Set("Content-Type", "application/json")
	}
}
