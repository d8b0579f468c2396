// Package mockserver is an in-memory stand-in for the Cloudflare Secrets Store API, built to the
// rules of shared/spec/api-behaviour.md. Provider tests start it with httptest and use its Go API
// to inject faults and inspect what it received and holds; people run it through
// internal/cmd/mockserver.
//
//	srv := mockserver.New(mockserver.Options{ActivationDelay: -1})
//	ts := httptest.NewServer(srv) // base URL ts.URL, or ts.URL + "/client/v4"
//	srv.FailNext(mockserver.Fault{Route: "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets",
//		Status: 503, AfterAction: true}) // the next create succeeds but answers 503
//	...
//	srv.RequestsTo("PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}")
//	srv.SecretByName(storeID, "API_KEY") // the stored value included, for assertions
//
// It never serves or logs a secret value: no response type has a value field.
package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultAccount is the account the server serves unless Options.Account says otherwise.
const DefaultAccount = "023e105f4ecef8ad9ca31a8372d0c353"

const (
	defaultMaxStores       = 1   // Cloudflare's limit
	defaultSecretQuota     = 100 // Cloudflare's open-beta limit
	defaultToken           = "dev-token"
	defaultActivationDelay = 250 * time.Millisecond
	defaultStoreName       = "default_secrets_store"
	// apiPrefix is the real API's base path; the mock serves every route with and without it.
	apiPrefix = "/client/v4"
)

// Options configure a Server. The zero value is a usable server with the real API's limits.
type Options struct {
	Account         string            // default DefaultAccount
	Token           string            // write token, default "dev-token"
	ReadToken       string            // read-only token, none if ""
	Email, Key      string            // legacy write credentials, none if ""
	Services        map[string]string // service name -> bearer token for /system routes
	MaxStores       int               // 0 => 1
	SecretQuota     int               // 0 => 100
	ActivationDelay time.Duration     // 0 => 250ms; negative => secrets are active immediately
	Latency         time.Duration     // fault injection for people
	FailRate        float64           // 0..1 share answered 503
	RateLimit       int               // requests per minute per token before 429; 0 = off
	Log             io.Writer         // one line per request (method, path, status); nil = silent. Never bodies.
	// RequestLog receives one JSON line per request: route, status, ids, duration (requestlog.go).
	RequestLog io.Writer

	// Seed is the state to start from and the one POST /__mock/reset returns to; nil is the
	// fresh default (one default_secrets_store).
	Seed *State
	// Resume, when set, is the state to start from instead (a state file from an earlier run).
	Resume *State
	// StateFile, when set, receives the whole state after every change (crash-safe, mode 0600).
	StateFile string
}

// Server is the mock API. It implements http.Handler and is safe for concurrent use.
type Server struct {
	opts Options

	// mu guards everything below: state, faults, the request log, stats and rate windows.
	// One lock keeps quota and name checks atomic with the writes that depend on them.
	mu       sync.Mutex
	stores   map[string]*store
	seq      uint64 // last creation sequence number
	binding  *int64 // numeric account id bound by the first /system store
	faults   []*Fault
	requests []*Request
	stats    Stats
	windows  map[string][]time.Time
	seed     *State // what Reset returns to

	logMu sync.Mutex
}

// New returns a server holding one account with its pre-made default_secrets_store, or
// Options.Seed. It panics when Open would fail: use Open for states read from files.
func New(opts Options) *Server {
	s, err := Open(opts)
	if err != nil {
		panic("mockserver: " + err.Error())
	}
	return s
}

// Open returns a server starting from Options.Resume, else Options.Seed, else the fresh default,
// after checking them against the API's rules and the options' limits; with Options.StateFile
// it writes that state there first.
func Open(opts Options) (*Server, error) {
	if opts.Account == "" {
		opts.Account = DefaultAccount
	}
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.MaxStores <= 0 {
		opts.MaxStores = defaultMaxStores
	}
	if opts.SecretQuota <= 0 {
		opts.SecretQuota = defaultSecretQuota
	}
	if opts.ActivationDelay == 0 {
		opts.ActivationDelay = defaultActivationDelay
	}
	s := &Server{
		opts:    opts,
		stores:  map[string]*store{},
		stats:   Stats{Routes: map[string]int{}},
		windows: map[string][]time.Time{},
	}
	s.addStore(defaultStoreName, "")
	s.seed = s.snapshot()
	for _, st := range []**State{&opts.Seed, &opts.Resume} {
		if *st == nil {
			continue
		}
		prepared, err := prepare(*st, opts, s.now())
		if err != nil {
			return nil, err
		}
		*st = prepared
	}
	if opts.Seed != nil {
		s.seed = opts.Seed
		s.restore(s.seed)
	}
	if opts.Resume != nil {
		s.restore(opts.Resume)
	}
	if opts.StateFile != "" {
		if err := s.writeState(); err != nil {
			return nil, fmt.Errorf("%s: writing the state file: %w", opts.StateFile, err)
		}
	}
	return s, nil
}

// now is the server's only reading of time: stamps, activation, the rate-limit window, log
// times and durations. It and the one wait, Options.Latency, are on the time package's clock,
// which the package's tests own by running in testing/synctest bubbles.
func (s *Server) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ServeHTTP answers one request. The pipeline follows the spec's order of checks: route, then
// (after any injected fault) credentials, then path ids, then the handler's body, conflict and
// limit checks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	x := &exchange{w: w, r: r, path: stripPrefix(r.URL.Path)}
	defer func() {
		took := s.now().Sub(start)
		s.logRequest(r.Method, x.path, x.status, start, took)
		s.logJSON(x, start, took)
		// A dropped connection closes last, so that whoever sees it close also sees the request
		// recorded and logged.
		if x.dropped != nil {
			_ = x.dropped.Close()
		}
	}()
	if s.serveMock(x) {
		return
	}

	s.delay(r)
	x.body, x.tooLarge = readBody(r)
	rt, params, allow := matchRoute(r.Method, x.path)
	x.rec = s.record(r, x.path, rt, x.body)
	if rt != nil {
		x.route, x.params = rt.key, params
	}
	defer s.finish(x)

	if rt == nil {
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.fail(x, errMethodNotAllowed)
			return
		}
		s.fail(x, errNoRoute)
		return
	}

	fault, faulted := s.takeFault(rt.key)
	if faulted && !fault.AfterAction {
		s.answerFault(x, fault)
		return
	}
	rep := s.serveRoute(x, rt, params)
	if faulted {
		s.answerFault(x, fault)
		return
	}
	s.reply(x, rep)
}

// serveRoute runs the checks that come after routing and, when they pass, the handler.
func (s *Server) serveRoute(x *exchange, rt *route, params map[string]string) reply {
	if s.failRoll() {
		return failure(injectedError(http.StatusServiceUnavailable))
	}
	if wait, limited := s.throttle(credentialKey(x.r)); limited {
		return reply{err: errRateLimited, retryAfter: wait}
	}
	c, err := s.authorize(x.r, rt, params)
	if err != nil {
		return failure(err)
	}
	c.body, c.tooLarge, c.rawQuery = x.body, x.tooLarge, x.r.URL.RawQuery
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := rt.handle(s, c)
	if rep.err == nil && rt.method != http.MethodGet {
		s.persist()
	}
	if rep.err == nil && rt.method == http.MethodPost {
		x.created = createdIDs(rep.result)
	}
	return rep
}

// exchange is one request in flight.
type exchange struct {
	w        http.ResponseWriter
	r        *http.Request
	path     string
	body     []byte
	tooLarge bool
	rec      *Request
	route    string // the route's "METHOD /template", "" when none matched
	params   map[string]string
	created  []string // ids of the objects the request created
	status   int      // 0 until answered; stays 0 when the connection is dropped
	dropped  net.Conn // a hijacked connection to close without answering
}

// call is what a handler needs to know about a request that passed routing and auth.
type call struct {
	fam      *family
	service  string // the calling service on /system routes
	storeID  string
	secretID string
	rawQuery string
	body     []byte
	tooLarge bool
}

// reply is a handler's answer: a result (with paging info for lists) or an error.
type reply struct {
	result     any
	info       *resultInfo
	err        *apiError
	retryAfter time.Duration // sent as Retry-After when positive
}

func success(result any) reply         { return reply{result: result} }
func failure(err *apiError) reply      { return reply{err: err} }
func listed(v any, i resultInfo) reply { return reply{result: v, info: &i} }

// envelope is the Cloudflare v4 response wrapper used for every API answer.
type envelope struct {
	Success    bool          `json:"success"`
	Errors     []messageItem `json:"errors"`
	Messages   []messageItem `json:"messages"`
	Result     any           `json:"result"`
	ResultInfo *resultInfo   `json:"result_info,omitempty"`
}

type messageItem struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (s *Server) reply(x *exchange, rep reply) {
	if rep.retryAfter > 0 {
		x.w.Header().Set("Retry-After", fmt.Sprint(ceilSeconds(rep.retryAfter)))
	}
	if rep.err != nil {
		s.fail(x, rep.err)
		return
	}
	s.write(x, http.StatusOK, envelope{
		Success: true, Errors: []messageItem{}, Messages: []messageItem{},
		Result: rep.result, ResultInfo: rep.info,
	})
}

func (s *Server) fail(x *exchange, e *apiError) {
	s.write(x, e.status, envelope{
		Errors:   []messageItem{{Code: e.code, Message: e.message}},
		Messages: []messageItem{},
	})
}

func (s *Server) write(x *exchange, status int, env envelope) {
	b, err := json.Marshal(env)
	if err != nil {
		// Only our own view types are marshalled, so this is a programming error.
		panic(fmt.Sprintf("mockserver: encoding response: %v", err))
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(status)
	x.status = status
	_, _ = x.w.Write(append(b, '\n'))
}

func stripPrefix(path string) string {
	if rest, ok := strings.CutPrefix(path, apiPrefix); ok && (rest == "" || rest[0] == '/') {
		if rest == "" {
			return "/"
		}
		return rest
	}
	return path
}

// readBody keeps at most one byte more than the limit, enough to tell an oversized body apart.
func readBody(r *http.Request) ([]byte, bool) {
	if r.Body == nil {
		return nil, false
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if len(b) > maxBodyBytes {
		return b[:maxBodyBytes], true
	}
	return b, false
}

// logRequest writes method, path and status only: bodies, queries and headers may carry
// values or credentials.
func (s *Server) logRequest(method, path string, status int, start time.Time, took time.Duration) {
	if s.opts.Log == nil {
		return
	}
	st := fmt.Sprint(status)
	if status == 0 {
		st = "dropped"
	}
	s.logLine(fmt.Sprintf("%s %s %s %s %s",
		start.UTC().Format(time.RFC3339), method, path, st, took.Round(time.Microsecond)))
}

// logLine writes one line to Options.Log.
func (s *Server) logLine(line string) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintln(s.opts.Log, line)
}
