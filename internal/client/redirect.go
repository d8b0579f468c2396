package client

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects bounds the same-origin redirects one attempt follows.
const maxRedirects = 3

// redirectError is a redirect the client refused. It names hosts only: a target's path or
// query may carry anything.
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
