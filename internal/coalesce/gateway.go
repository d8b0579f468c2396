package coalesce

import (
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultListingMaxAge = 10 * time.Second
	DefaultBatchLinger   = 3 * time.Millisecond
	// Terraform starts the calls of a wave (up to -parallelism of them) one by one over 50 to
	// 250ms as it records the results of the previous wave: mostly 1 to 30ms apart, with a gap
	// of 40 to 100ms in some waves on a busy machine. A quiet gap of 80ms gathered nearly every
	// wave into one batch, but each waited on the critical path: applies and destroys took up
	// to 1.6 times as long as unbatched ones. 40ms keeps a fifth of the unbatched requests at
	// 1.1 to 1.3 times their wall time; shorter gaps are faster and cost more requests (the
	// frontier `make bench` prints; DESIGN.md, "Request cost").
	DefaultBurstQuiet    = 40 * time.Millisecond
	DefaultBurstMaxWait  = 300 * time.Millisecond
	DefaultBurstWindow   = 2 * time.Second
	DefaultReadPatience  = 50 * time.Millisecond
	DefaultMaxBatchItems = 100
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
	// BatchLinger is how long a batch waits after its first item for company before it is
	// sent when no burst is under way. Negative: no batching, every item is sent at once on
	// its own.
	BatchLinger time.Duration
	// During a burst of a store's creates or deletes (the last one came at most BurstWindow
	// ago, or one of their batches is in flight), a batch is sent once no item has joined it
	// for BurstQuiet and no batch of the store is in flight, but at the latest BurstMaxWait
	// after its first item, or BurstMaxWait before its callers' earliest deadline. Negative
	// BurstQuiet: no burst gathering, only BatchLinger.
	BurstQuiet   time.Duration
	BurstMaxWait time.Duration
	BurstWindow  time.Duration
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

// burstQuietAtLink, when set at link time (go build -ldflags -X) to a duration, replaces
// DefaultBurstQuiet: the request-cost benchmark builds the provider so to trace requests
// against wall time for several quiet gaps. Users have no such knob.
var burstQuietAtLink string

func (o Options) withDefaults() Options {
	setDefault(&o.ListingMaxAge, DefaultListingMaxAge)
	setDefault(&o.BatchLinger, DefaultBatchLinger)
	if d, err := time.ParseDuration(burstQuietAtLink); err == nil && d != 0 {
		setDefault(&o.BurstQuiet, d)
	}
	setDefault(&o.BurstQuiet, DefaultBurstQuiet)
	setDefault(&o.BurstMaxWait, DefaultBurstMaxWait)
	setDefault(&o.BurstWindow, DefaultBurstWindow)
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
	return batchRules{linger: c.opts.BatchLinger, quiet: c.opts.BurstQuiet, maxWait: c.opts.BurstMaxWait,
		burstWindow: c.opts.BurstWindow, maxItems: c.opts.MaxBatchItems, maxBytes: c.opts.MaxBatchBytes,
		envelope: envelope, grace: c.opts.InFlightGrace}
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
