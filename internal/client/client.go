// Package client is the provider's HTTP client for the Cloudflare Secrets Store API. It knows
// HTTP and JSON, and of Terraform only tflog; one implementation serves both route families.
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

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRetryWaitMin   = 1 * time.Second
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
	DefaultPageSize       = 100 // also the API's per_page ceiling: more would make a full page look short
	DefaultUserAgent      = "terraform-provider-secretsstore"
)

// Config configures a Client. See New for defaults.
type Config struct {
	BaseURL              string        // e.g. https://api.cloudflare.com/client/v4
	APIToken             string        // Bearer token, or
	APIEmail             string        // legacy X-Auth-Email +
	APIKey               string        // legacy X-Auth-Key
	MaxRetries           int           // retries after the first attempt
	RetryWaitMin         time.Duration // first backoff step
	RetryWaitMax         time.Duration // cap on one wait, Retry-After included
	PageSize             int           // list page size, at most 100
	UserAgent            string
	AttemptTimeout       time.Duration // bounds one attempt, body included; its expiry is a transport error
	MaxRequestsPerMinute int           // when positive, attempts wait for a slot: retries, pages, polls included
	HTTPClient           *http.Client  // optional base (tests), copied; its Timeout spans all of a request's attempts
}

// Client calls the API: routes, decoding, errors and create recovery; all else is its transport's.
type Client struct {
	transport *transport
	pageSize  int
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
	c := &Client{transport: newTransport(cfg, base), pageSize: cfg.PageSize}
	if c.pageSize <= 0 || c.pageSize > DefaultPageSize {
		c.pageSize = DefaultPageSize
	}
	return c, nil
}

// parseBaseURL trims a trailing slash. Its errors never echo user info or query: they may hold credentials.
func parseBaseURL(raw string) (string, error) {
	base := strings.TrimRight(strings.TrimSpace(raw), "/")
	if base == "" {
		return "", errors.New("client: base URL is empty")
	}
	u, err := url.Parse(base)
	if err != nil { // url.Error quotes the URL, and an "invalid port" may be a password
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
	method, path string // path below the base URL, segments escaped
	err          error  // the path could not be built: the request fails unsent
	query        url.Values
	body         any // marshalled to JSON; nil sends no body
	// carriesValue marks a body holding a secret value: logs show loggedBody (the value masked)
	// instead, and none of the exchange's server text is shown (serverText).
	carriesValue bool
	loggedBody   any
	names        []string // the names the body sends, shown after a known reason
}

// do sends rq and returns its successful envelope, or an *APIError. A DELETE answered 404 on a
// retry succeeds: an earlier attempt, whose answer was lost, did the deleting.
func (c *Client) do(ctx context.Context, rq request) (envelope, error) {
	resp, err := c.transport.send(ctx, rq)
	if err != nil {
		return envelope{}, err
	}
	if rq.method == http.MethodDelete && resp.status == http.StatusNotFound && resp.attempts > 1 {
		tflog.SubsystemDebug(c.transport.logContext(ctx), logSubsystem,
			"DELETE answered 404 on a retry: an earlier attempt deleted it", map[string]any{"path": rq.path})
		return envelope{}, nil
	}
	return decodeEnvelope(rq, resp)
}

// decodeEnvelope: a failure status, success:false or a body that is not the API's JSON is an *APIError.
func decodeEnvelope(rq request, resp *response) (envelope, error) {
	env, ok := parseEnvelope(resp.body)
	if !ok || resp.status < 200 || resp.status > 299 || (env.Success != nil && !*env.Success) {
		return envelope{}, newAPIError(rq.method, rq.path, resp, env, ok)
	}
	return env, nil
}

// envelope is the API's wrapper around every response.
type envelope struct {
	Success    *bool           `json:"success"`
	Errors     []Message       `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo json.RawMessage `json:"result_info"`
}

// parseEnvelope decodes body as the API envelope; ok is false for anything but an object.
func parseEnvelope(body []byte) (env envelope, ok bool) {
	body = bytes.TrimSpace(body)
	return env, len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &env) == nil
}
