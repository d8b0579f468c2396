package client

import (
	"fmt"
	"strings"
	"testing"
)

// page100 is a list envelope of 100 secrets, as one full page.
func page100() []byte {
	items := make([]string, 100)
	for i := range items {
		items[i] = secretJSON(fmt.Sprintf("%032x", i), fmt.Sprintf("SECRET_%03d", i))
	}
	return []byte(`{"success":true,"errors":[],"messages":[],"result":[` + strings.Join(items, ",") +
		`],"result_info":{"page":1,"per_page":100,"count":100,"total_count":250}}`)
}

func BenchmarkDecodeListPage100(b *testing.B) {
	body := page100()
	rq := request{method: "GET", path: "/accounts/a/secrets_store/stores/s/secrets"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		env, err := decodeEnvelope(rq, &response{status: 200, body: body})
		if err != nil {
			b.Fatal(err)
		}
		if list, err := decodeItems(env.Result, secretOf); err != nil || len(list) != 100 {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoggableBodyPage100(b *testing.B) {
	body := page100()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_ = loggableBody(body, serverText{})
	}
}
