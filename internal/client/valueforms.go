package client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The secret values a request carries must not reach anything shown or logged in any form,
// while the API's own words stay readable. Masking every occurrence of a value breaks the
// latter for short values (value "x" turned "secret_name_already_exists" into
// "secret_name_already_e***ists"), so text is judged instead: valueForms tells whether a
// text holds a value in some form, and the caller withholds that text (see redactor).
//
// Two complementary checks, both bounded:
//   - needles: the first prefixLen characters of each form a value takes in an echo (raw,
//     JSON-escaped as Go and as ASCII-only encoders write it, up to three times over,
//     URL-encoded, HTML-escaped, base64 whole and inside a larger blob), so a truncated
//     echo is caught too;
//   - decodings: the text with every JSON escape undone (repeatedly: a logged body is JSON
//     inside a JSON string), HTML entities and percent-encoding undone, so escapes no
//     needle spells out (upper-case hex, other escape styles, deeper nesting) are caught.
const (
	// prefixLen is how many leading characters of a form count as an echo of the value.
	// Forms shorter than this are looked for whole.
	prefixLen = 12
	// minBlobForm is the shortest base64 run, from a value's bytes inside a larger blob,
	// worth looking for: shorter ones occur by chance in any text.
	minBlobForm = 8
	// maxDetectText is the longest text judged; a longer one counts as holding a value.
	// Nothing longer is ever shown whole (logs cut JSON at maxLoggedJSON).
	maxDetectText = maxLoggedJSON
	// maxJSONDepth bounds how many times JSON escapes are undone in a row.
	maxJSONDepth = 8
	// maxDecodings and maxDecodedBytes bound the decoded variants of one text searched,
	// in number and in bytes; past either the text counts as holding a value.
	maxDecodings    = 64
	maxDecodedBytes = 4 << 20
)

// valueForms finds the secret values of one request in text. A nil *valueForms (a request
// without values) finds nothing.
type valueForms struct {
	needles []string
}

// newValueForms prepares the search for values. Empty values are skipped (there is nothing
// to hide); it returns nil when no value remains.
func newValueForms(values []string) *valueForms {
	seen := map[string]bool{}
	var needles []string
	add := func(form string) {
		n := prefixRunes(form, prefixLen)
		if n != "" && !seen[n] {
			seen[n] = true
			needles = append(needles, n)
		}
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		// Every form writes at least one character per rune (base64: 4 per 3 bytes), so the
		// value's first 2*prefixLen runes decide each form's needle; escaping a whole 64 KiB
		// value some 130 ways only to keep 12 characters of each cost 0.1s a request.
		v = prefixRunes(v, 2*prefixLen)
		for _, f := range echoForms(v) {
			add(f)
		}
		for _, f := range base64Forms(v) {
			add(f)
		}
	}
	if len(needles) == 0 {
		return nil
	}
	return &valueForms{needles: needles}
}

// foundIn reports whether text holds a value: a needle in the text or in one of its
// decodings. Text too long or too convoluted to judge within the bounds counts as holding
// one, since the caller then withholds it.
func (f *valueForms) foundIn(text string) bool {
	if f == nil || text == "" {
		return false
	}
	if len(text) > maxDetectText {
		return true
	}
	budget, bytesLeft := maxDecodings, maxDecodedBytes
	seen := map[string]bool{}
	// search looks in t and in each of its JSON-unescaped levels; each level is also
	// HTML- and percent-decoded (otherDepth times over, each result searched the same way).
	var search func(t string, otherDepth int) bool
	search = func(t string, otherDepth int) bool {
		for depth := 0; ; depth++ {
			if seen[t] {
				return false
			}
			seen[t] = true
			budget, bytesLeft = budget-1, bytesLeft-len(t)
			if budget < 0 || bytesLeft < 0 {
				return true
			}
			if f.hasNeedle(t) {
				return true
			}
			if otherDepth > 0 {
				for _, decode := range []func(string) (string, bool){unescapeHTML, decodePercent, decodePercentPlus} {
					if u, changed := decode(t); changed && search(u, otherDepth-1) {
						return true
					}
				}
			}
			next, changed := unescapeJSON(t)
			if !changed || depth >= maxJSONDepth {
				return false
			}
			t = next
		}
	}
	return search(text, 2)
}

func (f *valueForms) hasNeedle(t string) bool {
	for _, n := range f.needles {
		if strings.Contains(t, n) {
			return true
		}
	}
	return false
}

// echoForms is v as text echoing a request may hold it: raw (and with invalid UTF-8 as
// U+FFFD); JSON-escaped by each of jsonEscapers (Go's encoder with and without HTML
// escaping, ASCII-only encoders), then escaped a second and a third time over (a logged
// body is JSON inside a JSON string); URL-encoded (query and path escaping, upper- and
// lower-case hex) and HTML-escaped, of the value and of its JSON form (the request body
// holds that).
func echoForms(v string) []string {
	// JSON encoders write each invalid UTF-8 byte as U+FFFD: undoing their escapes gives
	// this, not v.
	forms := []string{v, string([]rune(v))}
	var once, twice []string
	for _, e := range jsonEscapers {
		once = append(once, e(v))
	}
	for _, j := range once {
		for _, e := range jsonEscapers[:5] {
			twice = append(twice, e(j))
		}
	}
	forms = append(forms, once...)
	forms = append(forms, twice...)
	for _, j := range twice {
		forms = append(forms, jsonEscapers[0](j), jsonEscapers[1](j))
	}
	for _, b := range []string{v, once[0], once[1]} {
		q, p := url.QueryEscape(b), url.PathEscape(b)
		forms = append(forms, q, p, lowerHexEscapes(q), lowerHexEscapes(p))
		h := html.EscapeString(b)
		forms = append(forms, h, strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#039;").Replace(h))
	}
	return forms
}

// jsonEscapers write a string inside a JSON string (without the quotes) as encoders do.
var jsonEscapers = []func(string) string{
	func(s string) string { return jsonInner(s, true) },  // Go, HTML-safe (json.Marshal)
	func(s string) string { return jsonInner(s, false) }, // Go, SetEscapeHTML(false)
	func(s string) string { return asciiJSON(s, asciiOpts{}) },
	func(s string) string { return asciiJSON(s, asciiOpts{upper: true}) },
	func(s string) string { return asciiJSON(s, asciiOpts{slash: true}) },
	func(s string) string { return asciiJSON(s, asciiOpts{html: true}) },
}

// base64Forms is v (and its JSON form, as the request body holds it) in base64, standard
// and URL alphabets, padded or not: whole, and as the run of characters its bytes alone
// determine inside a larger blob, at each of the 3 byte alignments.
func base64Forms(v string) []string {
	var forms []string
	for _, b := range []string{v, jsonInner(v, true)} {
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(b)))
			for shift := range 3 {
				if f := blobRun(enc, []byte(b), shift); len(f) >= minBlobForm {
					forms = append(forms, f)
				}
			}
		}
	}
	return forms
}

// blobRun is the base64 of b as it appears when b starts shift bytes into a 3-byte group
// of a larger blob, keeping only characters that depend on b's bytes alone.
func blobRun(enc *base64.Encoding, b []byte, shift int) string {
	padded := append(make([]byte, shift), b...)
	s := enc.EncodeToString(padded)
	// Leading characters that mix in the shift bytes: none, 2 or 3 (of 4 per group).
	lead := []int{0, 2, 3}[shift]
	// A trailing partial group's last character mixes in whatever byte follows.
	trail := 0
	if len(padded)%3 != 0 {
		trail = 1
	}
	if len(s) < lead+trail {
		return ""
	}
	return s[lead : len(s)-trail]
}

// jsonInner is s as encoding/json writes it inside a string, without the quotes.
func jsonInner(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if enc.Encode(s) != nil {
		return s
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

type asciiOpts struct {
	slash bool // "/" as "\/" (PHP)
	html  bool // <, >, & as \u003c... (Go's HTML-safe escaping)
	upper bool // upper-case hex in \u escapes (Java)
}

// asciiJSON is s as an ASCII-only JSON encoder (Python's json.dumps) writes it inside a
// string: every non-ASCII character as \uXXXX (surrogate pairs above the BMP), without the
// quotes.
func asciiJSON(s string, o asciiOpts) string {
	hexDigits := "0123456789abcdef"
	if o.upper {
		hexDigits = "0123456789ABCDEF"
	}
	var b strings.Builder
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/' && o.slash:
			b.WriteString(`\/`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case (r == '<' || r == '>' || r == '&') && o.html:
			u(r)
		case r < 0x20 || r == 0x7f:
			u(r)
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			u(r1)
			u(r2)
		default:
			u(r)
		}
	}
	return b.String()
}

// lowerHexEscapes rewrites the hex digits of every %XX escape in lower case.
func lowerHexEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
		}
	}
	return string(b)
}

// prefixRunes is the first n runes of s (each invalid byte counting as one).
func prefixRunes(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// unescapeJSON undoes every valid JSON escape in s (in or out of a string literal: the
// text need not be JSON), leaving everything else as it is. changed is false when s holds
// no escape.
func unescapeJSON(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		if c, ok := simpleEscapes[s[i+1]]; ok {
			b.WriteByte(c)
			i += 2
			changed = true
			continue
		}
		if s[i+1] == 'u' {
			if r, ok := hex4(s, i+2); ok {
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4After(s, i); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
				changed = true
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), changed
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 reads the four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		d, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// hex4After reads a "\uXXXX" at s[i:].
func hex4After(s string, i int) (rune, bool) {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
		return 0, false
	}
	return hex4(s, i+2)
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeHTML undoes HTML character references.
func unescapeHTML(s string) (string, bool) {
	if !strings.Contains(s, "&") {
		return s, false
	}
	u := html.UnescapeString(s)
	return u, u != s
}

// decodePercent undoes every valid %XX escape (either case), leaving the rest as it is.
func decodePercent(s string) (string, bool) { return percentDecode(s, false) }

// decodePercentPlus is decodePercent with "+" read as a space (query escaping).
func decodePercentPlus(s string) (string, bool) { return percentDecode(s, true) }

func percentDecode(s string, plus bool) (string, bool) {
	if !strings.Contains(s, "%") && (!plus || !strings.Contains(s, "+")) {
		return s, false
	}
	b := make([]byte, 0, len(s))
	changed := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s):
			hi, ok1 := hexVal(s[i+1])
			lo, ok2 := hexVal(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				changed = true
				continue
			}
			b = append(b, s[i])
		case s[i] == '+' && plus:
			b = append(b, ' ')
			changed = true
		default:
			b = append(b, s[i])
		}
	}
	return string(b), changed
}
