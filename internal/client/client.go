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
	"net/http"
	"net/url"
	"strings"
	"time"
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

// Client calls the Secrets Store API: one method per route, the decoding of its answers,
// its errors, and the recovery of a create whose outcome is unknown. Every policy between
// a route and the wire (credentials, retries, attempt deadlines, the 429 pause, the request
// budget, redirects, logging, what of a server's text is shown) is its transport's. It is
// safe for concurrent use.
type Client struct {
	transport *transport
	pageSize  int
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
		transport:   newTransport(cfg, base),
		pageSize:    cfg.PageSize,
		listItemCap: defaultListItemCap,
		listPageCap: defaultListPageCap,
	}
	if c.pageSize <= 0 || c.pageSize > maxPageSize {
		c.pageSize = DefaultPageSize
	}
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
	resp, err := c.transport.send(ctx, rq)
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
