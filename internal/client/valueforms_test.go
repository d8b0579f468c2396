package client

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// hardValue has characters every encoding treats specially: non-ASCII, above the BMP,
// JSON's quote and backslash, HTML's <, >, & and quotes, URL reserved characters, a slash.
const hardValue = `pässwörd-"<&>'/ 😀 \+%=?-long-enough`

// The encoders below are written for the tests, apart from the package's, so a mistake in
// one is not repeated in the other.

// goJSON is s inside a JSON string as encoding/json writes it (HTML-escaped).
func goJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// asciiEscape is s inside a JSON string as an ASCII-only encoder (Python's json.dumps)
// writes it.
func asciiEscape(s string, upper bool) string {
	format := `\u%04x`
	if upper {
		format = `\u%04X`
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case strings.ContainsRune("\b\f\n\r\t", r):
			b.WriteString(strings.NewReplacer("\b", `\b`, "\f", `\f`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(string(r)))
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, format+format, r1, r2)
		default:
			fmt.Fprintf(&b, format, r)
		}
	}
	return b.String()
}

var upperHexEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

func lowerHex(s string) string { return upperHexEscape.ReplaceAllStringFunc(s, strings.ToLower) }

func first12(s string) string {
	i, n := 0, 0
	for ; i < len(s) && n < 12; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// echoes is every way the tests expect a value to be found: name -> the text of an echo.
// Forms of the value itself are also cut to their first 12 characters; forms of a larger
// text holding the value (the request body, a base64 blob) are whole.
func echoes(v string) map[string]string {
	once := goJSON(v)
	e := map[string]string{
		"raw":                      v,
		"go JSON":                  once,
		"go JSON, no HTML escapes": strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(once),
		"ASCII JSON":               asciiEscape(v, false),
		"ASCII JSON, upper hex":    asciiEscape(v, true),
		"ASCII JSON with \\/":      strings.ReplaceAll(asciiEscape(v, false), "/", `\/`),
		"JSON twice":               goJSON(once),
		"JSON three times":         goJSON(goJSON(once)),
		"ASCII JSON of JSON":       asciiEscape(once, true),
		"query escape":             url.QueryEscape(v),
		"query escape, lower hex":  lowerHex(url.QueryEscape(v)),
		"path escape":              url.PathEscape(v),
		"path escape, lower hex":   lowerHex(url.PathEscape(v)),
		"HTML":                     html.EscapeString(v),
		"HTML as PHP writes it":    strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#039;").Replace(html.EscapeString(v)),
		"base64":                   base64.StdEncoding.EncodeToString([]byte(v)),
		"base64 unpadded":          base64.RawStdEncoding.EncodeToString([]byte(v)),
		"base64 URL":               base64.URLEncoding.EncodeToString([]byte(v)),
		"base64 URL unpadded":      base64.RawURLEncoding.EncodeToString([]byte(v)),
	}
	for name, f := range e {
		if p := first12(f); p != f {
			e[name+", first 12 characters"] = p
		}
	}
	body := `[{"name":"A","value":"` + once + `","scopes":["workers"]}]` // as the client sends it
	e["JSON five times"] = goJSON(goJSON(goJSON(goJSON(once))))
	e["the body, JSON-escaped"] = goJSON(body)
	e["the body, query-escaped"] = url.QueryEscape(body)
	e["the body, HTML-escaped"] = html.EscapeString(body)
	e["the body, HTML-escaped, in JSON"] = goJSON("<pre>" + html.EscapeString(body) + "</pre>")
	// A value of a few bytes inside a larger blob is a base64 run short enough to occur by
	// chance: looked for only from 9 bytes on.
	if len(v) >= 9 {
		e["the body in base64"] = base64.StdEncoding.EncodeToString([]byte(body))
		e["the body in base64 URL"] = base64.RawURLEncoding.EncodeToString([]byte("x" + body))
		for shift := range 3 {
			blob := strings.Repeat("#", shift) + v + "tail bytes"
			e[fmt.Sprintf("inside a base64 blob at %d", shift)] = base64.StdEncoding.EncodeToString([]byte(blob))
			e[fmt.Sprintf("inside a base64 URL blob at %d", shift)] = base64.RawURLEncoding.EncodeToString([]byte(blob))
		}
	}
	return e
}

func TestValueFormsFindEveryEcho(t *testing.T) {
	for _, v := range []string{canary, hardValue, "x", "ab\ncd"} {
		forms := newValueForms([]string{"unrelated-other-value", v})
		for name, echo := range echoes(v) {
			text := `{"errors":[{"message":"the request was ` + echo + `, refused"}]} <p>` // echo amid other text
			if !forms.foundIn(text) {
				t.Errorf("value %q: %s not found in %q", v, name, text)
			}
		}
	}
}

func TestValueFormsLeaveOtherTextAlone(t *testing.T) {
	forms := newValueForms([]string{canary, hardValue})
	for _, text := range []string{
		"",
		"secret_name_already_exists: API_KEY",
		"maximum_secrets_exceeded: max 100",
		`{"success":true,"result":[{"id":"3fd85f74b32742f1bff64a85009dda07","name":"A","value":"***"}]}`,
		"CANARY-s3cr", // 11 characters of the value: less than a form's first 12
		"<html><body>502 Bad Gateway &amp; friends 100% down</body></html>",
		base64.StdEncoding.EncodeToString([]byte("some other secret entirely, long enough")),
		`p\u00e4ssw`, // 8 characters of the escaped form
	} {
		if forms.foundIn(text) {
			t.Errorf("found a value in %q", text)
		}
	}
	if !forms.foundIn("CANARY-s3cr3") {
		t.Errorf("the value's first 12 characters were not found")
	}
	if (*valueForms)(nil).foundIn(canary) || newValueForms([]string{""}) != nil {
		t.Errorf("no values must find nothing")
	}
}

// TestValueFormsBounded: text too long or too convoluted to judge counts as holding a
// value (it is then withheld, never shown unjudged).
func TestValueFormsBounded(t *testing.T) {
	forms := newValueForms([]string{canary})
	if !forms.foundIn(strings.Repeat("a", maxDetectText+1)) {
		t.Errorf("text over the bound was judged clean")
	}
	// Every decoder changes something at every level: a deep tree of variants.
	nasty := strings.Repeat(`\\`, 256) + "u0041 &amp;amp;amp;amp;amp;amp; %252525252525 +"
	if !forms.foundIn(nasty) {
		t.Errorf("convoluted text was judged clean past the decoding budget")
	}
}

// FuzzValueForms: a value echoed in any of the forms, amid any text, is found.
// `go test` runs the seeds; `go test -fuzz FuzzValueForms` explores further.
func FuzzValueForms(f *testing.F) {
	f.Add(canary, "before ", " after")
	f.Add(hardValue, `\`, `\u00`)
	f.Add("x", "", "")
	f.Add("a\x00b\xffc-0123456789", "%", "&")
	f.Add("\xff\r", "0", "0")
	f.Add("0\r\r", "0", "")
	f.Add("\x7f&", "0", "")
	f.Add("\"0'0", "0", "1")
	f.Fuzz(func(t *testing.T, v, before, after string) {
		if v == "" || len(v) > 256 || len(before)+len(after) > 256 {
			return
		}
		forms := newValueForms([]string{v})
		for name, echo := range echoes(v) {
			if strings.Contains(name, "five times") {
				continue // found by decoding, which text around it can misalign
			}
			if text := before + echo + after; !forms.foundIn(text) {
				t.Fatalf("value %q: %s not found in %q", v, name, text)
			}
		}
	})
}

func BenchmarkValueForms64K(b *testing.B) {
	body := string(body64K())
	forms := newValueForms([]string{canary, hardValue})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if forms.foundIn(body) {
			b.Fatal("found a value that is not there")
		}
	}
}

// TestValueFormsFromPrefix: the needles of a value are those its every form, computed whole,
// starts with; newValueForms computes them from the value's first runes only.
func TestValueFormsFromPrefix(t *testing.T) {
	alphabet := []string{"a", "Z", "7", " ", `"`, `\`, "<", ">", "&", "'", "/", "+", "%", "=", "?", "#",
		"ä", "ö", "€", "😀", "\u2028", "\x00", "\r", "\x7f", "\xff", "\xc3"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var v strings.Builder
		for range 1 + rng.IntN(80) {
			v.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		want := map[string]bool{}
		for _, f := range append(echoForms(v.String()), base64Forms(v.String())...) {
			if n := prefixRunes(f, prefixLen); n != "" {
				want[n] = true
			}
		}
		got := map[string]bool{}
		for _, n := range newValueForms([]string{v.String()}).needles {
			got[n] = true
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("value %q: needles %v, want %v", v.String(), got, want)
		}
	}
}

// BenchmarkNewValueForms64K: preparing the search for a value of the API's largest size.
func BenchmarkNewValueForms64K(b *testing.B) {
	v := strings.Repeat(hardValue, 65536/len(hardValue)) // the API's largest value, 64 KiB
	b.ReportAllocs()
	for b.Loop() {
		newValueForms([]string{v})
	}
}
