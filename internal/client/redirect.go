package client

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects bounds the same-origin redirects one attempt follows.
const maxRedirects = 3

// maxShownHost bounds a host named in an error.
const maxShownHost = 100

// redirectError is a redirect the client refused to follow. It names hosts only: a
// redirect target's path or query may carry anything.
type redirectError struct {
	from, to string // host[:port] of the API and of the redirect target
	tooMany  bool
}

func (e *redirectError) Error() string {
	if e.tooMany {
		return fmt.Sprintf("stopped after %d redirects", maxRedirects)
	}
	return fmt.Sprintf("refused a redirect from %s to another origin, %s: a request's body and credentials never leave the API's origin (check base_url)", e.from, e.to)
}

// checkRedirect follows a redirect only within the origin (scheme, host and port) of the
// request that got it, and at most maxRedirects times. Go would resend a 307/308's body,
// and headers such as X-Auth-Key, to any host.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &redirectError{tooMany: true}
	}
	if first := via[0].URL; !sameOrigin(req.URL, first) {
		// The target's host, as Go parsed it from the Location header: a known field.
		return &redirectError{from: cleanBounded(first.Host, maxShownHost), to: cleanBounded(req.URL.Host, maxShownHost)}
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

// portOf is u's port, or its scheme's default.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}
