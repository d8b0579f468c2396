package client

import (
	"encoding/json"
	"strings"
)

// redactedValue replaces the JSON value of every "value" key in logged bodies.
const redactedValue = `"***"`

// RedactJSON returns src with the value of every object key "value" (any depth, inside
// arrays too, key compared case-insensitively) replaced by "***", keeping everything else
// byte for byte. ok is false when src is not valid JSON; then nothing is returned, because
// the caller cannot know where its values are.
//
// It scans rather than decoding into maps so that key order, numbers and spacing survive
// and large bodies cost one pass.
func RedactJSON(src []byte) (out []byte, ok bool) {
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
			out = append(out, redactedValue...)
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
