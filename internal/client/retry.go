package client

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
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
		case resp.StatusCode == http.StatusTooManyRequests:
			return true, nil
		case resp.StatusCode == http.StatusBadGateway, resp.StatusCode == http.StatusServiceUnavailable,
			resp.StatusCode == http.StatusGatewayTimeout:
			return !post, nil
		}
		return false, nil
	}
}

// retryableTransportError is false for errors every attempt would repeat: an untrusted
// certificate, a refused redirect, and those go-retryablehttp knows (bad scheme, header).
func retryableTransportError(err error) bool {
	var verify *tls.CertificateVerificationError
	var redirect *redirectError
	if errors.As(err, &verify) || errors.As(err, &redirect) {
		return false
	}
	retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(context.Background(), nil, err)
	return retry
}

// nothingSent is the one rule for "nothing was sent" (a POST so failed is resent as is): a
// refused connection, any other dial error (DNS included), or an attempt that timed out
// while dialing.
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

// backoff is jittered exponential backoff capped by maxWait; Retry-After is honoured, capped
// too, so a server cannot stall the provider for long.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	base := retryablehttp.DefaultBackoff(minWait, maxWait, attempt, nil)
	// Up to +50% jitter spreads out clients that failed together.
	return min(base+rand.N(base/2+1), maxWait)
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
