package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy is the per-method retry table (DESIGN.md, "How retries work"): GET, PATCH and
// DELETE on 429, 502, 503, 504 and connection errors; POST on 429 and when nothing was sent,
// anything else being resolved by createWithRecovery. 500 and other 4xx are answers.
func retryPolicy(method string) retryablehttp.CheckRetry {
	post := method == http.MethodPost
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		switch {
		case ctx.Err() != nil:
			return false, ctx.Err()
		case err != nil:
			return retryableTransportError(err) && (!post || nothingSent(err)), nil
		case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable ||
			resp.StatusCode == http.StatusGatewayTimeout:
			return !post, nil
		}
		return resp.StatusCode == http.StatusTooManyRequests, nil
	}
}

// retryableTransportError is false for errors every attempt would repeat (certificate, redirect, scheme).
func retryableTransportError(err error) bool {
	var verify *tls.CertificateVerificationError
	var redirect *redirectError
	if errors.As(err, &verify) || errors.As(err, &redirect) {
		return false
	}
	retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(context.Background(), nil, err)
	return retry
}

// nothingSent is the one rule for "nothing was sent" (a POST so failed is resent): a refused
// connection, any other dial error (DNS included), or an attempt that timed out while dialing.
func nothingSent(err error) bool {
	var timeout *attemptTimeoutError
	if errors.As(err, &timeout) {
		return !timeout.sent
	}
	var dns *net.DNSError
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") ||
		strings.Contains(err.Error(), "connection refused")
}

// backoff is jittered exponential backoff; Retry-After is honoured. Both are capped by maxWait.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	base := retryablehttp.DefaultBackoff(minWait, maxWait, attempt, nil)
	return min(base+rand.N(base/2+1), maxWait) // up to +50% jitter spreads out clients that failed together
}

// parseRetryAfter reads delay-seconds (fractions tolerated) or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs != secs { // negative or NaN
			return 0, true
		}
		return time.Duration(min(secs, 1<<31) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// maxRedirects bounds the same-origin redirects one attempt follows.
const maxRedirects = 3

// redirectError is a refused redirect. It names hosts only: a target's path or query may carry anything.
type redirectError struct {
	from, to string // host[:port] of the API and of the target
	tooMany  bool
}

func (e *redirectError) Error() string {
	if e.tooMany {
		return fmt.Sprintf("stopped after %d redirects", maxRedirects)
	}
	return fmt.Sprintf("refused a redirect from %s to another origin, %s: a request's body and credentials never leave the API's origin (check base_url)", e.from, e.to)
}

// checkRedirect follows a redirect only within the origin (scheme, host, port) of the first
// request, at most maxRedirects times: Go would resend a 307's body and headers such as
// X-Auth-Key to any host.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &redirectError{tooMany: true}
	}
	if first := via[0].URL; !sameOrigin(req.URL, first) {
		return &redirectError{from: cleanBounded(first.Host, 100), to: cleanBounded(req.URL.Host, 100)}
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

// portOf is u's port, or its scheme's default.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
}
