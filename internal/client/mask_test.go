package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestMaskValues(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"top level", `{"name":"A","value":"s3cret"}`, `{"name":"A","value":"***"}`},
		{"array body", `[{"name":"A","value":"x","scopes":["workers"]},{"value":"y"}]`,
			`[{"name":"A","value":"***","scopes":["workers"]},{"value":"***"}]`},
		{"nested", `{"a":{"b":[{"value":1},{"c":{"value":null}}]}}`, `{"a":{"b":[{"value":"***"},{"c":{"value":"***"}}]}}`},
		{"object value", `{"value":{"x":"}\"]","y":[1,2]},"k":"v"}`, `{"value":"***","k":"v"}`},
		{"spacing kept", "{\n  \"value\" :  \"s\" ,\n  \"z\": 1\n}", "{\n  \"value\" :  \"***\" ,\n  \"z\": 1\n}"},
		{"escaped key", `{"val\u0075e":"s"}`, `{"val\u0075e":"***"}`},
		{"case-insensitive", `{"Value":"s"}`, `{"Value":"***"}`},
		{"value as a string is not a key", `{"name":"value","comment":"value: x"}`, `{"name":"value","comment":"value: x"}`},
		{"escaped quotes in strings", `{"comment":"say \"value\": x","value":"a\"b"}`, `{"comment":"say \"value\": x","value":"***"}`},
		{"key order kept", `{"z":1,"value":"s","a":2}`, `{"z":1,"value":"***","a":2}`},
		{"no values", `{"success":true,"result":[]}`, `{"success":true,"result":[]}`},
		{"scalar", `"value"`, `"value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MaskValues([]byte(tt.in))
			if !ok {
				t.Fatalf("MaskValues(%s) not ok", tt.in)
			}
			if string(got) != tt.want {
				t.Fatalf("MaskValues(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestMaskValuesInvalid(t *testing.T) {
	for _, in := range []string{`{"value":"s"`, `{"value":}`, `not json`, ``} {
		if out, ok := MaskValues([]byte(in)); ok || out != nil {
			t.Errorf("MaskValues(%q) = %q, %v; want nil, false", in, out, ok)
		}
	}
}

func TestLoggableBody(t *testing.T) {
	if got := loggableBody([]byte(`{"value":"canary"`), serverText{}); strings.Contains(got, "canary") || !strings.Contains(got, "not logged") {
		t.Errorf("broken JSON body logged as %q", got)
	}
	html := "<html><body>" + strings.Repeat("x", 10000) + "</body></html>"
	got := loggableBody([]byte(html), serverText{})
	if len(got) > maxLoggedText+100 || !strings.HasPrefix(got, "<html>") || !strings.HasSuffix(got, fmt.Sprintf("…[cut from %d bytes]", len(html))) {
		t.Errorf("HTML body logged as %d bytes: %.80q", len(got), got)
	}
	if got := loggableBody(nil, serverText{}); got != "" {
		t.Errorf("empty body logged as %q", got)
	}
	if got := loggableBody([]byte(`[{"name":"A","value":"canary"}]`), serverText{}); got != `[{"name":"A","value":"***"}]` {
		t.Errorf("JSON body logged as %q", got)
	}
}

func TestLoggableHeaders(t *testing.T) {
	h := map[string][]string{
		"Authorization": {"Bearer tok"}, "X-Auth-Key": {"k"}, "X-Auth-Email": {"e@x"},
		"User-Agent": {"ua"}, "Content-Type": {"application/json"},
	}
	got := loggableHeaders(h, serverText{})
	if len(got) != 2 || got["User-Agent"] != "ua" {
		t.Fatalf("loggableHeaders = %v", got)
	}
}

// body64K is a create-secrets body of about 64 KiB, most of it in values.
func body64K() []byte {
	var b bytes.Buffer
	b.WriteString("[")
	for i := 0; b.Len() < 64<<10; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"SECRET_%d","value":%q,"scopes":["workers","ai_gateway"],"comment":"c"}`, i, strings.Repeat("v", 1000))
	}
	b.WriteString("]")
	return b.Bytes()
}

func BenchmarkMaskValues64K(b *testing.B) {
	body := body64K()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := MaskValues(body); !ok {
			b.Fatal("not ok")
		}
	}
}
