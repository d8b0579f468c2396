package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"html"
	"slices"
	"strings"
)

// maskedValue replaces the JSON value of every "value" key in logged bodies.
const maskedValue = `"***"`

// MaskValues returns src with the value of every object key "value" (any depth, inside
// arrays too, key compared case-insensitively) replaced by "***", keeping everything else
// byte for byte. ok is false when src is not valid JSON; then nothing is returned, because
// the caller cannot know where its values are.
//
// It scans rather than decoding into maps so that key order, numbers and spacing survive
// and large bodies cost one pass.
func MaskValues(src []byte) (out []byte, ok bool) {
	if !json.Valid(src) {
		return nil, false
	}
	out = make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		if src[i] != '"' {
			out = append(out, src[i])
			i++
			continue
		}
		end := scanString(src, i)
		colon := skipSpace(src, end)
		if colon < len(src) && src[colon] == ':' && isValueKey(src[i:end]) {
			start := skipSpace(src, colon+1)
			out = append(out, src[i:start]...) // key, spaces, colon, spaces
			out = append(out, maskedValue...)
			i = skipValue(src, start)
			continue
		}
		out = append(out, src[i:end]...)
		i = end
	}
	return out, true
}

// isValueKey compares a quoted key with "value", decoding escapes only when present.
func isValueKey(quoted []byte) bool {
	if len(quoted) < 2 {
		return false
	}
	raw := quoted[1 : len(quoted)-1]
	if !strings.ContainsRune(string(raw), '\\') {
		return strings.EqualFold(string(raw), "value")
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return false
	}
	return strings.EqualFold(s, "value")
}

// scanString returns the index just past the string starting at src[i] == '"'.
func scanString(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at src[i] (valid JSON).
func skipValue(src []byte, i int) int {
	if i >= len(src) {
		return i
	}
	switch src[i] {
	case '"':
		return scanString(src, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(src); {
			switch src[j] {
			case '"':
				j = scanString(src, j)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return len(src)
	default:
		j := i
		for j < len(src) {
			switch src[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return j
			}
			j++
		}
		return j
	}
}

// credentialForms expands credentials (token, key, email) into every form in which an echo of
// a request may hold them: as given, JSON-escaped (with and without Go's HTML-safe
// escaping of <, > and &), HTML-escaped, and with whitespace runs collapsed (as cleanText
// shows text). Strings that are empty or only whitespace are dropped: replacing them would
// garble every message without hiding anything. Longer forms come first, so a form that
// contains another is replaced whole. Secret values are not masked: the server text of an
// exchange that carries one is not shown at all (see serverText).
func credentialForms(values []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if strings.TrimSpace(s) == "" || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	for _, v := range values {
		forms := []string{v, jsonInner(v, true), jsonInner(v, false)}
		for _, f := range forms[:3] {
			forms = append(forms, html.EscapeString(f))
		}
		for _, f := range forms {
			add(f)
			add(strings.Join(strings.Fields(f), " "))
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

// maskCredentials replaces every occurrence of each of forms (from credentialForms) by "***".
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
	if enc.Encode(s) != nil {
		return s
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}
