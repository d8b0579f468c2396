package client

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode decodes any response as every type the client reads (store, secret, lists of
// each, quota, result_info, the error envelope, delete answers), for an exchange with a
// secret value and one without. No panic; what decodes keeps the invariants (ids of 32
// lowercase hex, known statuses); and whatever reaches an error is bounded, on one line,
// free of control characters, and, for the exchange with a value, none of the server's
// text but known reasons and the names sent.
// `go test` runs the seeds; `go test -fuzz FuzzDecode` explores further.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{page100String(), `{"success":true,"result":[` + storeJSON + `]}`, `<html>`, ``,
		`{"success":false,"errors":[{"code":"x","message":1,"source":7}],"result":{}}`, `{"result":{"comment":5,"scopes":{"a":1},"created":3}}`,
		`{"success":true,"result":{"id":12345,"status":7}}`, `{"success":true,"result":[1e999999,{"id":"` + testSecret + `"}]}`,
		`{"success":true,"result":{"secrets":{"quota":"100","usage":3}},"result_info":5}`,
		`{"success":true,"result":null}`, `{"success":true,"result":{"secrets":7}}`,
		`{"success":false,"errors":[{"code":1003,"message":"secret_name_already_exists: \u001b[31mA\n\nError: x"}]}`,
		`{"success":false,"errors":[{"code":1,"message":"bad_request: ` + canary + `"}]}`,
		"\x1b[2J<html>" + canary + "</html>"} {
		f.Add(200, []byte(s), canary)
		f.Add(502, []byte(s), "x")
	}
	f.Add(410, []byte(`{"success":false,"errors":[{"code":1,"message":"bad_request: `+canary+`"}]}`), " ")
	f.Fuzz(func(t *testing.T, status int, body []byte, value string) {
		for _, carriesValue := range []bool{false, true} {
			r := serverText{credentials: credentialForms([]string{testToken}), carriesValue: carriesValue, names: []string{value}}
			rq := request{method: "GET", path: "/p", carriesValue: carriesValue, names: r.names}
			env, err := decodeEnvelope(rq, &response{status: status, body: body, header: http.Header{}, exchange: &exchange{serverText: r}})
			if err != nil {
				checkShownError(t, err, r)
				continue
			}
			raw := env.Result
			if st, err := decoder("store", rq, storeOf)(raw); err == nil {
				checkStore(t, *st)
			} else {
				checkShownError(t, err, r)
			}
			if s, err := decoder("secret", rq, secretOf)(raw); err == nil {
				checkSecret(t, *s)
			} else {
				checkShownError(t, err, r)
			}
			if list, err := decodeItems(raw, secretOf); err == nil {
				for _, s := range list {
					checkSecret(t, s)
				}
			} else {
				checkShownError(t, err, r)
			}
			if list, err := decodeItems(raw, storeOf); err == nil {
				for _, s := range list {
					checkStore(t, s)
				}
			} else {
				checkShownError(t, err, r)
			}
			if _, err := decoder("quota", rq, quotaOf)(raw); err != nil {
				checkShownError(t, err, r)
			}
		}
	})
}

func checkStore(t *testing.T, s Store) {
	if !isHexID(s.ID) {
		t.Fatalf("store id %q", s.ID)
	}
	if s.AccountID != "" && !isHexID(s.AccountID) {
		t.Fatalf("store account_id %q", s.AccountID)
	}
}

func checkSecret(t *testing.T, s Secret) {
	if !isHexID(s.ID) || (s.StoreID != "" && !isHexID(s.StoreID)) {
		t.Fatalf("secret ids %q, %q", s.ID, s.StoreID)
	}
	switch s.Status {
	case "", StatusPending, StatusActive, StatusDeleted:
	default:
		t.Fatalf("secret status %q", s.Status)
	}
}

// checkShownError: an error's text is fit to show (see shownOK), and so is every part of
// an APIError; of an exchange with a value, each part is one the client made.
func checkShownError(t *testing.T, err error, r serverText) {
	t.Helper()
	texts := []string{err.Error()}
	if ae := asAPIError(err); ae != nil {
		texts = append(texts, ae.Body)
		if len(ae.Errors) > maxShownMessages {
			t.Fatalf("%d errors kept", len(ae.Errors))
		}
		for _, m := range ae.Errors {
			texts = append(texts, m.Message)
		}
	}
	for i, s := range texts {
		limit := maxShownMessage + 40
		if i == 0 {
			limit = maxShownError
		}
		if err := shownOK(s, limit); err != nil {
			t.Fatalf("%.200q: %v", s, err)
		}
		if i > 0 && r.carriesValue && !madeByClient(s, r.names) {
			t.Fatalf("shown text is the server's: %.200q", s)
		}
	}
}

func page100String() string { return string(page100()) }

// madeByClient reports a text an exchange that carried a value may show: nothing, the
// marker, or a known reason followed by the marker or by a name the request sent.
func madeByClient(s string, names []string) bool {
	if s == "" || s == "(empty body)" || s == notShownMarker {
		return true
	}
	reason, rest, ok := strings.Cut(s, ": ")
	if !knownReasons[reason] {
		return false
	}
	return !ok || rest == notShownMarker || slices.Contains(names, rest)
}
