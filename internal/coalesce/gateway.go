package coalesce

import (
	"cmp"
	"strconv"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultListingMaxAge = 10 * time.Second
	// One batch in flight per store: the fewest requests that cost no wall time (DESIGN.md,
	// "Request cost", has the frontier `make bench` prints).
	DefaultMaxBatchesInFlight = 1
	DefaultReadPatience       = 50 * time.Millisecond
	DefaultMaxBatchItems      = 100 // the API's list limit, and the most a batch may carry
	// Half the API's 1 MiB body limit, so escaping or a proxy's framing never pushes it over.
	DefaultMaxBatchBytes      = 512 << 10
	DefaultInFlightGrace      = 30 * time.Second
	DefaultPollFirstWait      = 250 * time.Millisecond
	DefaultPollMaxWait        = time.Second
	DefaultRecentDeleteWindow = 5 * time.Second
)

// Options tune a Gateway. Zero fields take the defaults above.
type Options struct {
	ListingMaxAge time.Duration // how long a listing serves reads after it started
	// Unbatched sends every create and delete at once on its own (batching = false).
	Unbatched          bool
	MaxBatchesInFlight int           // per store and operation; an item finding them all out waits
	ReadPatience       time.Duration // a read that cannot afford the next page waits this, then GETs
	MaxBatchItems      int           // at most 100
	MaxBatchBytes      int           // of JSON body
	InFlightGrace      time.Duration // an interrupted caller's wait for its request in flight
	PollFirstWait      time.Duration // WaitActive's first wait, doubling up to PollMaxWait
	PollMaxWait        time.Duration
	RecentDeleteWindow time.Duration // DeleteStore retries store_not_empty this long after a delete
}

// batchesInFlightAtLink (go build -ldflags -X) replaces DefaultMaxBatchesInFlight, for the
// request-cost benchmark's frontier. Users have no such knob.
var batchesInFlightAtLink string

func (o Options) withDefaults() Options {
	linked, _ := strconv.Atoi(batchesInFlightAtLink)
	o.MaxBatchesInFlight = cmp.Or(max(o.MaxBatchesInFlight, 0), max(linked, 0), DefaultMaxBatchesInFlight)
	o.ListingMaxAge = cmp.Or(o.ListingMaxAge, DefaultListingMaxAge)
	o.ReadPatience = cmp.Or(o.ReadPatience, DefaultReadPatience)
	o.InFlightGrace = cmp.Or(o.InFlightGrace, DefaultInFlightGrace)
	o.PollFirstWait = cmp.Or(o.PollFirstWait, DefaultPollFirstWait)
	o.PollMaxWait = max(cmp.Or(o.PollMaxWait, DefaultPollMaxWait), o.PollFirstWait)
	o.RecentDeleteWindow = cmp.Or(o.RecentDeleteWindow, DefaultRecentDeleteWindow)
	o.MaxBatchBytes = cmp.Or(max(o.MaxBatchBytes, 0), DefaultMaxBatchBytes)
	if o.MaxBatchItems <= 0 || o.MaxBatchItems > DefaultMaxBatchItems {
		o.MaxBatchItems = DefaultMaxBatchItems
	}
	return o
}

// Gateway is the one way the provider's types reach the API, with the policies of the package
// documentation behind it. Safe for concurrent use; make it with New.
type Gateway struct {
	client *client.Client
	opts   Options
	// bg counts the background goroutines (batches, page fetches, pollers, detached calls),
	// so tests can prove they all end.
	bg sync.WaitGroup

	mu             sync.Mutex
	secretListings map[storeKey]*listing[client.Secret]
	storeListings  map[client.Owner]*listing[client.Store]
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
		storeListings:  map[client.Owner]*listing[client.Store]{},
		creates:        map[storeKey]*queue[client.SecretInput, *client.Secret]{},
		deletes:        map[storeKey]*queue[string, struct{}]{},
		pollers:        map[storeKey]*poller{},
	}
}

// queueOf returns the store's queue, made on first use: envelope bytes of body around the items,
// joinable (nil: any), run, and the store's listing dropped before any outcome.
func queueOf[I, O any](c *Gateway, queues map[storeKey]*queue[I, O], key storeKey, envelope int,
	joinable func(*batch[I, O], I) bool, run func(*batch[I, O])) *queue[I, O] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if queues[key] == nil {
		rules := batchRules{maxInFlight: c.opts.MaxBatchesInFlight, maxItems: c.opts.MaxBatchItems,
			maxBytes: c.opts.MaxBatchBytes, envelope: envelope, grace: c.opts.InFlightGrace}
		if c.opts.Unbatched {
			rules.maxInFlight = 0
		}
		queues[key] = newQueue(rules, &c.bg, joinable, run, func() { c.dropListings(key.owner, key.storeID, secretsChanged) })
	}
	return queues[key]
}

// storeKey says whose work may be merged: an owner (ownerOf) and a store.
type storeKey struct {
	owner   client.Owner
	storeID string
}

// ownerOf is o as a key: the client treats an empty family as the account family.
func ownerOf(o client.Owner) client.Owner {
	if o.Family == "" {
		o.Family = client.FamilyAccount
	}
	return o
}

func storeKeyOf(o client.Owner, storeID string) storeKey {
	return storeKey{owner: ownerOf(o), storeID: storeID}
}
