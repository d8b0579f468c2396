// Package client is the provider's HTTP client for the Cloudflare Secrets Store API.
//
// It knows HTTP and JSON, and of Terraform only tflog: no schema, state or diagnostics.
// One implementation serves both route families (account and /system), selected by
// Owner.Family.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRetryWaitMin = 1 * time.Second
	DefaultRetryWaitMax = 30 * time.Second
	DefaultPageSize     = 100
	DefaultUserAgent    = "terraform-provider-secretsstore"

	// maxPageSize is the API's own per_page ceiling: asking for more would make a full
	// page look short and stop paging early.
	maxPageSize = 100
	// maxResponseBody bounds how much of one response is read, so a broken server
	// cannot exhaust memory.
	maxResponseBody = 32 << 20
)

// Config configures a Client. See New for defaults.
type Config struct {
	BaseURL      string        // e.g. https://api.cloudflare.com/client/v4 (trailing slash tolerated)
	APIToken     string        // Bearer token, or
	APIEmail     string        // legacy X-Auth-Email +
	APIKey       string        // legacy X-Auth-Key
	MaxRetries   int           // retries after the first attempt; 0 (or negative) means none
	RetryWaitMin time.Duration // first backoff step, default 1s
	RetryWaitMax time.Duration // cap on one wait, Retry-After included, default 30s
	PageSize     int           // list page size, default and maximum 100
	UserAgent    string
	// AttemptTimeout bounds one attempt: the wait for the response headers, and the
	// whole attempt until its body is read (DefaultAttemptTimeout when zero). Its expiry
	// is a transport error: retried for GET, PATCH and DELETE, resolved by a lookup for
	// POST (retried if it ran out before a connection was made).
	AttemptTimeout time.Duration
	// MaxRequestsPerMinute, when positive, caps the Client's attempts (retries, redirects,
	// list pages and polls included) at that many in any 60 seconds: an attempt waits for
	// a slot, as long as its context allows. Zero means no cap.
	MaxRequestsPerMinute int
	// HTTPClient is an optional base client (tests). It is copied, never modified; the
	// copy gets the client's transport wrappers and redirect policy (same origin only).
	// Its Timeout, if any, spans all of one request's attempts and waits.
	HTTPClient *http.Client
}

// Client calls the Secrets Store API. It is safe for concurrent use.
type Client struct {
	baseURL    string
	token      string
	email      string
	key        string
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	pageSize   int
	userAgent  string
	httpClient *http.Client
	// credentials are the credentials' forms (credentialForms), masked wherever they might
	// appear in an error or a log.
	credentials []string
	// rateLimitPause pauses every request after a 429 with Retry-After to any of them.
	rateLimitPause *rateLimitPause
	// now is the clock that dates a create's first send (NameExistsError.Sent); tests in
	// this package set it.
	now func() time.Time
	// listItemCap and listPageCap bound one walk over a list (defaultListItemCap,
	// defaultListPageCap; tests in this package lower them).
	listItemCap, listPageCap int
}

// New validates cfg and builds a Client. It sends no request.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	switch {
	case cfg.APIToken != "" && (cfg.APIEmail != "" || cfg.APIKey != ""):
		return nil, errors.New("client: set either an API token or an email and key, not both")
	case cfg.APIToken == "" && (cfg.APIEmail == "" || cfg.APIKey == ""):
		return nil, errors.New("client: credentials missing: an API token, or both an email and a key")
	}

	c := &Client{
		baseURL:        base,
		token:          cfg.APIToken,
		email:          cfg.APIEmail,
		key:            cfg.APIKey,
		maxRetries:     max(cfg.MaxRetries, 0),
		waitMin:        cfg.RetryWaitMin,
		waitMax:        cfg.RetryWaitMax,
		pageSize:       cfg.PageSize,
		userAgent:      cfg.UserAgent,
		rateLimitPause: &rateLimitPause{},
		now:            time.Now,
		listItemCap:    defaultListItemCap,
		listPageCap:    defaultListPageCap,
	}
	if c.waitMin <= 0 {
		c.waitMin = DefaultRetryWaitMin
	}
	if c.waitMax <= 0 {
		c.waitMax = DefaultRetryWaitMax
	}
	if c.waitMax < c.waitMin {
		c.waitMin = c.waitMax
	}
	if c.pageSize <= 0 || c.pageSize > maxPageSize {
		c.pageSize = DefaultPageSize
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	attemptTimeout := cfg.AttemptTimeout
	if attemptTimeout <= 0 {
		attemptTimeout = DefaultAttemptTimeout
	}
	for _, s := range []string{cfg.APIToken, cfg.APIKey, cfg.APIEmail} {
		if s != "" {
			c.credentials = append(c.credentials, s)
		}
	}
	c.credentials = credentialForms(c.credentials)

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
	hc.Transport = &attemptTransport{
		base:    &loggingTransport{base: inner},
		pause:   c.rateLimitPause,
		budget:  newRequestBudget(cfg.MaxRequestsPerMinute),
		timeout: attemptTimeout,
		waitMax: c.waitMax,
	}
	hc.CheckRedirect = checkRedirect
	c.httpClient = &hc
	return c, nil
}

// parseBaseURL checks the base URL and returns it without a trailing slash. Its errors
// never echo the URL's user info or query, which may hold credentials.
func parseBaseURL(raw string) (string, error) {
	base := strings.TrimRight(strings.TrimSpace(raw), "/")
	if base == "" {
		return "", errors.New("client: base URL is empty")
	}
	u, err := url.Parse(base)
	if err != nil {
		// url.Error quotes the URL, and some of its messages a piece of it (an "invalid
		// port" may be a password): name the problem without either.
		return "", errors.New("client: base URL is not a valid URL")
	}
	if u.User != nil {
		return "", errors.New("client: base URL must not hold user info (user:password@): " +
			"credentials in a URL would be sent as Basic auth; give an API token, or an email and key")
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).Redacted()
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("client: base URL %q must be an absolute http(s) URL", shown)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("client: base URL %q must not have a query or fragment", shown)
	}
	return base, nil
}

// request is one logical API request, before retries: what a route builds.
type request struct {
	method string
	path   string // route path below the base URL, segments already escaped
	query  url.Values
	body   any // marshalled to JSON; nil sends no body
	// carriesValue marks a body holding a secret value (a create, a PATCH with a value):
	// none of the exchange's server text reaches an error or a log (see serverText), and
	// its request body is logged with its "value" keys masked.
	carriesValue bool
	// names are the names the body sends, shown beside a known reason of such an exchange.
	names []string
}

// serverText is what rq's errors and logs may show of the server's answers.
func (c *Client) serverText(rq request) serverText {
	return serverText{credentials: c.credentials, carriesValue: rq.carriesValue, names: rq.names}
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
func (c *Client) send(ctx context.Context, rq request) (*response, error) {
	ex := &exchange{serverText: c.serverText(rq)}
	ctx = withExchange(withLogging(ctx, c.credentials), ex)

	target := c.baseURL + rq.path
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
	c.setHeaders(req.Header, rq.body != nil)

	rc, attempts := c.retryClient(ctx, rq.method)
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

func (c *Client) setHeaders(h http.Header, hasBody bool) {
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	} else {
		h.Set("X-Auth-Email", c.email)
		h.Set("X-Auth-Key", c.key)
	}
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept", "application/json")
	if hasBody {
		h.Set("Content-Type", "application/json")
	}
}

// do sends rq and returns the raw result of a successful envelope. A failure status, or
// success:false, becomes an *APIError.
func (c *Client) do(ctx context.Context, rq request) (json.RawMessage, error) {
	env, err := c.doEnvelope(ctx, rq)
	if err != nil {
		return nil, err
	}
	return env.Result, nil
}

// doEnvelope is do, returning the whole successful envelope (lists need its result_info).
func (c *Client) doEnvelope(ctx context.Context, rq request) (envelope, error) {
	resp, err := c.send(ctx, rq)
	if err != nil {
		return envelope{}, err
	}
	return c.decodeEnvelope(rq, resp)
}

// decodeResponse turns a response into its envelope's result or an *APIError.
func (c *Client) decodeResponse(rq request, resp *response) (json.RawMessage, error) {
	env, err := c.decodeEnvelope(rq, resp)
	if err != nil {
		return nil, err
	}
	return env.Result, nil
}

// decodeEnvelope turns a response into its successful envelope or an *APIError.
func (c *Client) decodeEnvelope(rq request, resp *response) (envelope, error) {
	env, jsonErr := parseEnvelope(resp.body)
	if resp.status < 200 || resp.status > 299 || (jsonErr == nil && env.Success != nil && !*env.Success) {
		return envelope{}, newAPIError(rq.method, rq.path, resp, env, jsonErr)
	}
	if jsonErr != nil {
		// A 2xx that is not the API's JSON: report it like a failure, with the excerpt, so
		// the caller never mistakes it for an empty result.
		return envelope{}, newAPIError(rq.method, rq.path, resp, env, jsonErr)
	}
	return env, nil
}

// envelope is the API's wrapper around every response.
type envelope struct {
	Success  *bool           `json:"success"`
	Errors   []Message       `json:"errors"`
	Messages []Message       `json:"messages"`
	Result   json.RawMessage `json:"result"`
	// ResultInfo is decoded apart (resultInfo): a list never depends on it, so an odd one
	// must not fail the envelope.
	ResultInfo json.RawMessage `json:"result_info"`
}

// resultInfo is the envelope's result_info, nil when absent or not an object.
func (e envelope) resultInfo() *wireResultInfo {
	var ri wireResultInfo
	if len(e.ResultInfo) == 0 || json.Unmarshal(e.ResultInfo, &ri) != nil {
		return nil
	}
	return &ri
}

// parseEnvelope decodes body as the API envelope. Any non-object (HTML, empty, garbage)
// is an error; unknown fields are ignored.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return env, errors.New("empty body")
	}
	if trimmed[0] != '{' {
		return env, errors.New("body is not a JSON object")
	}
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return envelope{}, err
	}
	return env, nil
}
