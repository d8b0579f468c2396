package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a server can put into an error or a log line.
const (
	maxShownMessage  = 300      // one API error message, in bytes
	maxShownMessages = 10       // messages an APIError keeps; the rest are counted
	maxShownField    = 200      // a transport or decoding error
	cleanWindow      = 16 << 10 // how much of a long text is cleaned: the rest is never shown
)

// cleanText puts server text on one line, unbounded: invalid UTF-8 becomes U+FFFD, control and
// format characters (ESC too) go, whitespace runs become one space (no forged "\nError:" line).
func cleanText(s string) string {
	if plainLine(s) {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.In(r, unicode.Cc, unicode.Cf):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainLine reports text cleanText leaves as it is (most of the API's): checking is cheaper than copying.
func plainLine(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// cleanBounded is cleanText bounded to limit bytes.
func cleanBounded(s string, limit int) string {
	return cleanMasked(s, limit, cleanWindow, nil)
}

// cleanMasked cleans the first window bytes of s, masks the credentials' forms before and after
// cleaning (whitespace in an echo hides none), then cuts to limit bytes: never inside a credential.
func cleanMasked(s string, limit, window int, credentials []string) string {
	w, windowed := s, len(s) > window
	if windowed {
		w = cutBytes(w, window)
	}
	w = maskCredentials(cleanText(maskCredentials(w, credentials)), credentials)
	if len(w) > limit {
		w, windowed = cutBytes(w, limit), true
	}
	if !windowed {
		return w
	}
	return w + "…[cut from " + strconv.Itoa(len(s)) + " bytes]"
}

// cutBytes keeps at most n bytes of s, on a rune boundary, without a marker.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// credentialForms expands credentials into the forms an echo may hold them in (JSON- and HTML-escaped,
// whitespace collapsed), longest first, so one holding another is masked whole.
func credentialForms(values []string) []string {
	var out []string
	for _, v := range values {
		for _, f := range []string{v, jsonInner(v, true), jsonInner(v, false)} {
			for _, g := range []string{f, html.EscapeString(f)} {
				out = append(out, g, strings.Join(strings.Fields(g), " "))
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return strings.TrimSpace(s) == "" })
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(out)
}

// maskCredentials replaces every one of forms (credentialForms) in s by "***".
func maskCredentials(s string, forms []string) string {
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, "***")
	}
	return s
}

// jsonInner is s as encoding/json writes it inside a string, without the quotes.
func jsonInner(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")[1 : b.Len()-2]
}
