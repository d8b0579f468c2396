package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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

// retryClient builds the go-retryablehttp client for one logical request. It is made per
// request so that its logger carries the request's context; the http.Client (and its
// connection pool) is shared. The returned counter holds the number of attempts made.
func (t *transport) retryClient(ctx context.Context, method string) (*retryablehttp.Client, *int) {
	attempts := new(int)
	policy := retryPolicy(method)
	rc := &retryablehttp.Client{
		HTTPClient:   t.httpClient,
		Logger:       leveledLogger{ctx: ctx},
		RetryWaitMin: t.waitMin,
		RetryWaitMax: t.waitMax,
		RetryMax:     t.maxRetries,
		// CheckRetry runs exactly once per attempt (no response handler is set), which
		// makes it the attempt counter DELETE needs to tell a first 404 from a retried one.
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			*attempts++
			return policy(ctx, resp, err)
		},
		Backoff: backoff,
		// The default handler closes the last body and returns a generic error; passing the
		// response through keeps the API's codes and messages for the final APIError.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return rc, attempts
}

// retryPolicy is the per-method retry table of the design:
//
//	GET, PATCH, DELETE: 429, 502, 503, 504 and connection errors.
//	POST:               429 and failures before anything was sent (nothingSent); anything
//	                    else may have reached the server, and is resolved by a lookup (see
//	                    createWithRecovery).
//
// 500 and other 4xx are never retried: they are answers, not outages.
func retryPolicy(method string) retryablehttp.CheckRetry {
	post := method == http.MethodPost
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return false, ctxErr
		}
		if err != nil {
			if !retryableTransportError(err) {
				return false, nil
			}
			if post {
				return nothingSent(err), nil
			}
			return true, nil
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			return true, nil
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return !post, nil
		}
		return false, nil
	}
}

// retryableTransportError is false for errors that repeat identically on every attempt
// (bad scheme, refused redirect, invalid header, untrusted certificate).
func retryableTransportError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		certInvalid      x509.CertificateInvalidError
		hostname         x509.HostnameError
		verify           *tls.CertificateVerificationError
		redirect         *redirectError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &certInvalid) ||
		errors.As(err, &hostname) || errors.As(err, &verify) || errors.As(err, &redirect) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"unsupported protocol scheme", "stopped after", "invalid header", "certificate is not trusted"} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}

// nothingSent reports a failure before any byte of the request left: connection refused,
// any other dial error (DNS included), or an attempt timeout that ran out while dialing.
// It is the one rule for "nothing was sent": a POST that failed so is resent as is
// (retryPolicy) and needs no lookup (createOutcome).
func nothingSent(err error) bool {
	var timeout *attemptTimeoutError
	if errors.As(err, &timeout) {
		return !timeout.sent
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return strings.Contains(err.Error(), "connection refused")
}

// backoff is jittered exponential backoff from min, capped by max; a Retry-After header
// is honoured but capped by max too, so a server cannot stall the provider for long.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	base := maxWait
	if attempt < 30 {
		if b := minWait << attempt; b > 0 && b < maxWait {
			base = b
		}
	}
	// Up to +50% jitter spreads out clients that failed together.
	wait := base + time.Duration(rand.Int64N(int64(base/2)+1))
	return min(wait, maxWait)
}

// parseRetryAfter reads delay-seconds (fractions tolerated) or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs != secs { // negative or NaN
			return 0, true
		}
		if secs > (1 << 31) {
			secs = 1 << 31
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
