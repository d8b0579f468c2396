package coalesce

import (
	"strconv"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultListingMaxAge = 10 * time.Second
	// One batch in flight per store: see batchRules, and DESIGN.md "Request cost" for the
	// frontier `make bench` prints for more.
	DefaultMaxBatchesInFlight = 1
	DefaultReadPatience       = 50 * time.Millisecond
	DefaultMaxBatchItems      = 100
	// DefaultMaxBatchBytes keeps a batch's body at half the API's 1 MiB limit, so JSON escaping
	// or a proxy's framing never pushes it over.
	DefaultMaxBatchBytes      = 512 << 10
	DefaultInFlightGrace      = 30 * time.Second
	DefaultPollFirstWait      = 250 * time.Millisecond
	DefaultPollMaxWait        = time.Second
	DefaultRecentDeleteWindow = 5 * time.Second

	// maxBatchItems is the most items one create or bulk delete carries (the API's list limit).
	maxBatchItems = 100
)

// Options tune a Gateway. Zero fields take the defaults above.
type Options struct {
	// ListingMaxAge is how long a listing serves reads after it was started.
	ListingMaxAge time.Duration
	// Unbatched sends every create and delete at once on its own (batching = false).
	Unbatched bool
	// MaxBatchesInFlight is how many batches of a store's creates (or deletes) may be in flight
	// at once; an item that finds them all in flight waits for one to end (see batchRules).
	MaxBatchesInFlight int
	// ReadPatience is how long reads that cannot yet afford the next page of a listing wait
	// for something to change before the oldest of them GETs. Negative: such a read GETs at
	// once.
	ReadPatience time.Duration
	// MaxBatchItems (at most 100) and MaxBatchBytes (of JSON body) bound one batch.
	MaxBatchItems int
	MaxBatchBytes int
	// InFlightGrace is how long a caller whose context ended keeps waiting for the outcome of
	// its request in flight.
	InFlightGrace time.Duration
	// PollFirstWait is the wait before WaitActive's first poll; it doubles up to PollMaxWait.
	PollFirstWait time.Duration
	PollMaxWait   time.Duration
	// RecentDeleteWindow is how recent this process's last delete of a store's secrets must be
	// for DeleteStore to wait and retry a store_not_empty answer.
	RecentDeleteWindow time.Duration
}

// batchesInFlightAtLink, when set at link time (go build -ldflags -X) to a number, replaces
// DefaultMaxBatchesInFlight: the request-cost benchmark builds the provider so to trace
// requests against wall time. Users have no such knob.
var batchesInFlightAtLink string

func (o Options) withDefaults() Options {
	setDefault(&o.ListingMaxAge, DefaultListingMaxAge)
	if n, err := strconv.Atoi(batchesInFlightAtLink); err == nil && o.MaxBatchesInFlight == 0 {
		o.MaxBatchesInFlight = n
	}
	if o.MaxBatchesInFlight <= 0 {
		o.MaxBatchesInFlight = DefaultMaxBatchesInFlight
	}
	setDefault(&o.ReadPatience, DefaultReadPatience)
	setDefault(&o.InFlightGrace, DefaultInFlightGrace)
	setDefault(&o.PollFirstWait, DefaultPollFirstWait)
	setDefault(&o.PollMaxWait, DefaultPollMaxWait)
	setDefault(&o.RecentDeleteWindow, DefaultRecentDeleteWindow)
	if o.MaxBatchItems <= 0 || o.MaxBatchItems > maxBatchItems {
		o.MaxBatchItems = DefaultMaxBatchItems
	}
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	o.PollMaxWait = max(o.PollMaxWait, o.PollFirstWait)
	return o
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// Gateway is the one way the provider's types reach the Secrets Store API: every route they
// use, with the policies that merge the work of concurrent callers per store behind it
// (shared listings, batched creates and deletes, shared polls, a store's delete after its
// secrets'; see the package documentation). It is safe for concurrent use; its zero value is
// not usable, call New.
type Gateway struct {
	client *client.Client
	opts   Options

	// bg counts the goroutines working in the background (batches, page fetches, pollers,
	// detached calls), so tests can prove they all end.
	bg sync.WaitGroup

	mu             sync.Mutex
	secretListings map[storeKey]*listing[client.Secret]
	storeListings  map[ownerKey]*listing[client.Store]
	creates        map[storeKey]*queue[client.SecretInput, *client.Secret]
	deletes        map[storeKey]*queue[string, struct{}]
	pollers        map[storeKey]*poller
}

// New returns a Gateway over c. It sends no request.
func New(c *client.Client, opts Options) *Gateway {
	return &Gateway{
		client:         c,
		opts:           opts.withDefaults(),
		secretListings: map[storeKey]*listing[client.Secret]{},
		storeListings:  map[ownerKey]*listing[client.Store]{},
		creates:        map[storeKey]*queue[client.SecretInput, *client.Secret]{},
		deletes:        map[storeKey]*queue[string, struct{}]{},
		pollers:        map[storeKey]*poller{},
	}
}

// batchRules are the batching rules of the Gateway's queues, for a body of envelope bytes
// around its items.
func (c *Gateway) batchRules(envelope int) batchRules {
	r := batchRules{maxInFlight: c.opts.MaxBatchesInFlight, maxItems: c.opts.MaxBatchItems,
		maxBytes: c.opts.MaxBatchBytes, envelope: envelope, grace: c.opts.InFlightGrace}
	if c.opts.Unbatched {
		r.maxInFlight = 0
	}
	return r
}

// ownerKey and storeKey identify whose work may be merged. The client treats an empty family
// as the account family, so the key does too.
type ownerKey struct {
	family  client.Family
	account string
}

type storeKey struct {
	ownerKey
	storeID string
}

func keyOf(o client.Owner) ownerKey {
	f := o.Family
	if f == "" {
		f = client.FamilyAccount
	}
	return ownerKey{family: f, account: o.Account}
}

func storeKeyOf(o client.Owner, storeID string) storeKey {
	return storeKey{ownerKey: keyOf(o), storeID: storeID}
}

func (k ownerKey) owner() client.Owner { return client.Owner{Family: k.family, Account: k.account} }

// bothFamilies is the owner key under each family: an account owns the stores its services
// made through /system, so a write through one family changes what the other lists.
func (k ownerKey) bothFamilies() [2]ownerKey {
	return [2]ownerKey{{client.FamilyAccount, k.account}, {client.FamilySystem, k.account}}
}
