package mockserver

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Fault makes the next Count requests matching Route fail. It is deterministic, for tests;
// Options.FailRate and Options.RateLimit are the random and load-driven faults for people.
type Fault struct {
	Route       string        // "METHOD /template" exactly as in endpoints.md (see Routes)
	Count       int           // how many matching requests fail (0 => 1)
	Status      int           // HTTP status to answer (e.g. 429, 503); ignored when Drop is set. 0 => 503
	RetryAfter  time.Duration // if >0, Retry-After header in whole seconds (round up)
	AfterAction bool          // true: perform the operation first, then answer Status (or drop)
	Drop        bool          // close the connection without any response; with AfterAction, after acting
}

// FailNext queues a fault. Faults for one route apply in the order they were queued. A Route
// that is not one of Routes() panics: a typo would otherwise make a test silently pass.
func (s *Server) FailNext(f Fault) {
	if _, ok := routesByKey[f.Route]; !ok {
		panic(fmt.Sprintf("mockserver: FailNext: unknown route %q (see mockserver.Routes)", f.Route))
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusServiceUnavailable
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// takeFault consumes one use of the first queued fault for the route.
func (s *Server) takeFault(key string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Route != key {
			continue
		}
		f.Count--
		if f.Count == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return *f, true
	}
	return Fault{}, false
}

func (s *Server) answerFault(x *exchange, f Fault) {
	if f.Drop {
		drop(x)
		return
	}
	s.reply(x, reply{err: injectedError(f.Status), retryAfter: f.RetryAfter})
}

// drop takes the connection away from net/http so that it can be closed with no response at all,
// as a crashed server or a broken network would. A ResponseWriter that cannot be hijacked gets
// the standard abort instead.
func drop(x *exchange) {
	conn, _, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	x.dropped = conn
}

func (s *Server) failRoll() bool {
	return s.opts.FailRate > 0 && rand.Float64() < s.opts.FailRate
}

// throttle counts a request against its credentials' sliding one-minute window. A refused
// request does not count, and the wait is until the oldest counted request leaves the window.
func (s *Server) throttle(key string) (time.Duration, bool) {
	if s.opts.RateLimit <= 0 {
		return 0, false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	window := s.windows[key]
	for len(window) > 0 && now.Sub(window[0]) >= time.Minute {
		window = window[1:]
	}
	if len(window) >= s.opts.RateLimit {
		s.windows[key] = window
		return window[0].Add(time.Minute).Sub(now), true
	}
	s.windows[key] = append(window, now)
	return 0, false
}

// delay applies Options.Latency, giving up early when the client does. It waits on the time
// package's timer, which testing/synctest fakes: tests prove the latency without sleeping.
func (s *Server) delay(r *http.Request) {
	if s.opts.Latency <= 0 {
		return
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func ceilSeconds(d time.Duration) int64 {
	secs := int64((d + time.Second - 1) / time.Second)
	return max(secs, 1)
}
