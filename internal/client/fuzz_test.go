package client

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRedactJSON: redacted output is valid JSON in which every "value" key holds "***".
// `go test` runs the seeds; `go test -fuzz FuzzRedactJSON` explores further.
func FuzzRedactJSON(f *testing.F) {
	for _, s := range []string{`{"value":"x"}`, `[{"a":{"value":[1,{"value":2}]}}]`, `{"val\u0075e":"x","k":"value"}`, `"value"`, `{`, `{"Value":{"value":"x"}}`, "2" + strings.Repeat("0", 400)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ok := RedactJSON(in)
		if !ok {
			if json.Valid(in) {
				t.Fatalf("valid JSON refused: %s", in)
			}
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber() // huge numbers are valid JSON but overflow float64
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("output not JSON: %s -> %s", in, out)
		}
		var check func(any)
		check = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if strings.EqualFold(k, "value") {
						if e != "***" {
							t.Fatalf("value kept: %s -> %s", in, out)
						}
						continue
					}
					check(e)
				}
			case []any:
				for _, e := range x {
					check(e)
				}
			}
		}
		check(v)
	})
}

// FuzzDecode: no response body makes decoding panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{page100String(), `{"success":true,"result":[` + storeJSON + `]}`, `<html>`, ``,
		`{"success":false,"errors":[{"code":"x","message":1,"source":7}],"result":{}}`, `{"result":{"comment":5,"scopes":{"a":1},"created":3}}`} {
		f.Add(200, []byte(s))
		f.Add(502, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		c := &Client{}
		cl := call{method: "GET", path: "/p"}
		raw, err := c.decodeResponse(cl, &response{status: status, body: body})
		if err != nil {
			_ = err.Error()
			return
		}
		_, _ = decodeOne[wireStore](raw)
		_, _ = decodeOne[wireQuota](raw)
		_, _ = decodeList[wireSecret](raw)
	})
}

func page100String() string { return string(page100()) }
