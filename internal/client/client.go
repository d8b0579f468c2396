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
	"slices"
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
	// defaultAttemptTimeout bounds one attempt when the caller gives no http.Client.
	defaultAttemptTimeout = 2 * time.Minute
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
	HTTPClient   *http.Client // optional base client (tests); it is copied, never modified
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
	// secrets are credential strings tflog masks wherever they might appear in a log.
	secrets []string
	// adoptSkew is the clock-skew allowance of createWithRecovery (defaultAdoptSkew;
	// tests in this package lower it).
	adoptSkew time.Duration
}

// New validates cfg and builds a Client. It sends no request.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		return nil, errors.New("client: base URL is empty")
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("client: invalid base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute http(s) URL", base)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: base URL %q must not have a query or fragment", base)
	}

	switch {
	case cfg.APIToken != "" && (cfg.APIEmail != "" || cfg.APIKey != ""):
		return nil, errors.New("client: set either an API token or an email and key, not both")
	case cfg.APIToken == "" && (cfg.APIEmail == "" || cfg.APIKey == ""):
		return nil, errors.New("client: credentials missing: an API token, or both an email and a key")
	}

	c := &Client{
		baseURL:    base,
		token:      cfg.APIToken,
		email:      cfg.APIEmail,
		key:        cfg.APIKey,
		maxRetries: max(cfg.MaxRetries, 0),
		waitMin:    cfg.RetryWaitMin,
		waitMax:    cfg.RetryWaitMax,
		pageSize:   cfg.PageSize,
		userAgent:  cfg.UserAgent,
		adoptSkew:  defaultAdoptSkew,
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
	for _, s := range []string{cfg.APIToken, cfg.APIKey, cfg.APIEmail} {
		if s != "" {
			c.secrets = append(c.secrets, s)
		}
	}
	c.secrets = scrubForms(c.secrets)

	// Copy the caller's client so wrapping its transport for logging leaves it untouched.
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc = *cleanhttp.DefaultPooledClient()
		hc.Timeout = defaultAttemptTimeout
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	hc.Transport = &loggingTransport{base: inner}
	c.httpClient = &hc
	return c, nil
}

// call is one logical API request, before retries.
type call struct {
	method string
	path   string // route path below the base URL, segments already escaped
	query  url.Values
	body   any // marshalled to JSON; nil sends no body
	// values are the secret values body carries. Like the credentials, every occurrence is
	// replaced by "***" in this exchange's error excerpt and TRACE log (a proxy or WAF
	// error page may echo the request).
	values []string
}

// scrubList is every string to hide from cl's errors and logs: the credentials and the
// values cl carries, in the forms they can take in an echo (see scrubForms).
func (c *Client) scrubList(cl call) []string {
	if len(cl.values) == 0 {
		return c.secrets
	}
	return scrubForms(append(slices.Clone(c.secrets), cl.values...))
}

// response is what came back from the last attempt of a call.
type response struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
}

// send performs cl with retries and returns the last response (any status) or a transport
// error. It never decodes the body.
func (c *Client) send(ctx context.Context, cl call) (*response, error) {
	scrub := c.scrubList(cl)
	ctx = withLogging(ctx, scrub)
	ctx = withScrub(ctx, scrub)

	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}

	var body any
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding request body: %w", cl.method, cl.path, err)
		}
		body = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", cl.method, cl.path, err)
	}
	c.setHeaders(req.Header, cl.body != nil)

	rc, attempts := c.retryClient(ctx, cl.method)
	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", cl.method, cl.path, ctxErr)
		}
		return nil, &transportError{method: cl.method, path: cl.path, err: err, attempts: *attempts}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		// The status arrived but the body broke off: for the caller this is a broken
		// connection, as ambiguous as one that broke before the status.
		return nil, &transportError{method: cl.method, path: cl.path, err: err, attempts: *attempts}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data, attempts: *attempts}, nil
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

// do sends cl and returns the raw result of a successful envelope. A failure status, or
// success:false, becomes an *APIError.
func (c *Client) do(ctx context.Context, cl call) (json.RawMessage, error) {
	env, err := c.doEnvelope(ctx, cl)
	if err != nil {
		return nil, err
	}
	return env.Result, nil
}

// doEnvelope is do, returning the whole successful envelope (lists need its result_info).
func (c *Client) doEnvelope(ctx context.Context, cl call) (envelope, error) {
	resp, err := c.send(ctx, cl)
	if err != nil {
		return envelope{}, err
	}
	return c.decodeEnvelope(cl, resp)
}

// decodeResponse turns a response into its envelope's result or an *APIError.
func (c *Client) decodeResponse(cl call, resp *response) (json.RawMessage, error) {
	env, err := c.decodeEnvelope(cl, resp)
	if err != nil {
		return nil, err
	}
	return env.Result, nil
}

// decodeEnvelope turns a response into its successful envelope or an *APIError.
func (c *Client) decodeEnvelope(cl call, resp *response) (envelope, error) {
	env, jsonErr := parseEnvelope(resp.body)
	if resp.status < 200 || resp.status > 299 || (jsonErr == nil && env.Success != nil && !*env.Success) {
		return envelope{}, newAPIError(cl.method, cl.path, resp, env, jsonErr, c.scrubList(cl))
	}
	if jsonErr != nil {
		// A 2xx that is not the API's JSON: report it like a failure, with the excerpt, so
		// the caller never mistakes it for an empty result.
		return envelope{}, newAPIError(cl.method, cl.path, resp, env, jsonErr, c.scrubList(cl))
	}
	return env, nil
}

// envelope is the API's wrapper around every response.
type envelope struct {
	Success    *bool           `json:"success"`
	Errors     []Message       `json:"errors"`
	Messages   []Message       `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *wireResultInfo `json:"result_info"`
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
