package memnet

import (
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// In a bubble, a handler's hour passes at once on the bubble's clock, and every goroutine of
// the server and the transport has ended when the test's cleanups have run (synctest.Test
// fails otherwise).
func TestServeInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Hour)
			_, _ = io.WriteString(w, r.URL.Path)
		}))
		start := time.Now()
		resp, err := (&http.Client{Transport: tr}).Get(URL + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "/hello" || time.Since(start) != time.Hour {
			t.Fatalf("%q after %s", body, time.Since(start))
		}
	})
}
