package coalesce

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// itemState is where a caller's item stands; only an unsent one's caller may leave, nothing done.
type itemState int

const (
	itemUnsent    itemState = iota // not sent yet, or released after a request that acted on nothing
	itemSending                    // in a request whose outcome is not known yet
	itemDone                       // outcome delivered
	itemAbandoned                  // its caller left before it was sent; it is never sent
)

// item is one caller's input and, once done, its outcome.
type item[I, O any] struct {
	ctx       context.Context // the caller's: its values (logging) for the batch, never its cancellation
	in        I
	size      int
	batch     *batch[I, O]
	state     itemState
	listening bool // the caller still waits for the outcome
	out       O
	err       error
	done      chan struct{} // closed when the outcome is set
}

// batch is a group of items sent together. Its context ends only when no caller listens.
type batch[I, O any] struct {
	q         *queue[I, O]
	items     []*item[I, O]
	bytes     int
	started   bool
	due       time.Time   // the earliest halfway point to a caller's deadline
	timer     *time.Timer // starts the batch at due (an earlier one, armed for later, finds it started)
	ctx       context.Context
	cancel    context.CancelCauseFunc
	listening int
}

// batchRules bound a batch and say when it goes, self-clocked: an item goes at once while fewer
// than maxInFlight batches are in flight, else with all that came meanwhile as soon as one ends
// (it waits at most one request). A full batch goes at once, and no caller waits for company
// past half its time left.
type batchRules struct {
	maxInFlight int // 0: no bound (every item goes at once, alone)
	maxItems    int
	maxBytes    int // of body: envelope plus the items' sizes
	envelope    int // the body's bytes around its items
	grace       time.Duration
}

// activity is what DeleteStore watches: items live, succeeded and when last, changed on each change.
type activity struct {
	live, succeeded int
	lastSuccess     time.Time
	changed         chan struct{}
}

// queue batches one store's items of one operation; mu guards the fields below it and the items'.
type queue[I, O any] struct {
	rules         batchRules
	joinable      func(b *batch[I, O], in I) bool // nil: any; creates keep names unique in a batch
	run           func(b *batch[I, O])
	beforeOutcome func() // drops the store's listing: a read the caller starts next sees its write
	bg            *sync.WaitGroup

	mu       sync.Mutex
	waiting  []*batch[I, O] // not started, oldest first; only the last takes new items
	inFlight int
	counts   activity
}

func newQueue[I, O any](rules batchRules, bg *sync.WaitGroup, joinable func(*batch[I, O], I) bool,
	run func(*batch[I, O]), beforeOutcome func()) *queue[I, O] {
	return &queue[I, O]{rules: rules, joinable: joinable, run: run, beforeOutcome: beforeOutcome, bg: bg,
		counts: activity{changed: make(chan struct{})}}
}

// submit queues in and waits for its outcome; see the package documentation on cancellation.
func (q *queue[I, O]) submit(ctx context.Context, in I, size int) (O, error) {
	var zero O
	if ctx.Err() != nil {
		return zero, ctxErr(ctx)
	}
	it := &item[I, O]{ctx: ctx, in: in, size: size, listening: true, done: make(chan struct{})}
	q.mu.Lock()
	q.add(it)
	q.mu.Unlock()

	select {
	case <-it.done:
		return it.out, it.err
	case <-ctx.Done():
	}
	if out, err, left := q.leaveIfUnsent(ctx, it); left {
		return out, err
	}
	// In flight: the request may act for this caller, so wait for the outcome a while.
	tflog.Debug(ctx, "coalesce: interrupted with a write in flight: awaiting its outcome", map[string]any{"grace": q.rules.grace.String()})
	select {
	case <-it.done:
		return it.out, it.err
	case <-time.After(q.rules.grace):
	}
	if out, err, left := q.leaveIfUnsent(ctx, it); left {
		return out, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopListening(it)
	return zero, outcomeUnknown(ctx)
}

// leaveIfUnsent ends the wait of a caller whose context ended if its outcome is known, or if
// its item is not in a request: then it is abandoned and the caller gets ctx's error.
func (q *queue[I, O]) leaveIfUnsent(ctx context.Context, it *item[I, O]) (O, error, bool) {
	var zero O
	q.mu.Lock()
	defer q.mu.Unlock()
	switch it.state {
	case itemDone:
		return it.out, it.err, true
	case itemUnsent:
		it.state = itemAbandoned
		if b := it.batch; !b.started {
			b.items = slices.DeleteFunc(b.items, func(x *item[I, O]) bool { return x == it })
			b.bytes -= it.size
		}
		q.stopListening(it)
		q.counts.live--
		q.notify()
		return zero, ctxErr(ctx), true
	}
	return zero, nil, false
}

// add puts it in the newest waiting batch, or a new one when it does not fit, and starts what
// may go (q.mu held).
func (q *queue[I, O]) add(it *item[I, O]) {
	var b *batch[I, O]
	if n := len(q.waiting); n > 0 {
		b = q.waiting[n-1]
	}
	if b == nil || q.full(b) || b.bytes+it.size > q.rules.maxBytes || q.joinable != nil && !q.joinable(b, it.in) {
		b = &batch[I, O]{q: q, bytes: q.rules.envelope}
		q.waiting = append(q.waiting, b)
	}
	it.batch = b
	b.items = append(b.items, it)
	b.bytes += it.size
	b.listening++
	q.counts.live++
	q.notify()
	q.startDue()
	if d, ok := it.ctx.Deadline(); ok && !b.started {
		if due := time.Now().Add(time.Until(d) / 2); b.timer == nil || due.Before(b.due) {
			b.due, b.timer = due, time.AfterFunc(time.Until(due), func() {
				q.mu.Lock()
				defer q.mu.Unlock()
				if !b.started && len(b.items) > 0 {
					q.start(b)
				}
			})
		}
	}
}

func (q *queue[I, O]) full(b *batch[I, O]) bool {
	return len(b.items) >= q.rules.maxItems || b.bytes >= q.rules.maxBytes
}

// startDue starts the oldest waiting batches while a slot is free, and any full one (q.mu
// held). A batch all of whose callers left is dropped.
func (q *queue[I, O]) startDue() {
	q.waiting = slices.DeleteFunc(q.waiting, func(b *batch[I, O]) bool { return len(b.items) == 0 })
	for len(q.waiting) > 0 && (q.rules.maxInFlight <= 0 || q.inFlight < q.rules.maxInFlight) {
		q.start(q.waiting[0])
	}
	for _, b := range q.waiting {
		if q.full(b) {
			q.start(b)
		}
	}
}

// start runs b (q.mu held) on a context with its first caller's values but not its
// cancellation: it ends when no caller listens any more.
func (q *queue[I, O]) start(b *batch[I, O]) {
	b.started = true
	if b.timer != nil {
		b.timer.Stop()
	}
	q.waiting = slices.DeleteFunc(q.waiting, func(x *batch[I, O]) bool { return x == b })
	b.ctx, b.cancel = context.WithCancelCause(context.WithoutCancel(b.items[0].ctx))
	q.inFlight++
	q.bg.Add(1)
	go func() {
		defer q.bg.Done()
		defer b.cancel(nil)
		q.run(b)
		q.mu.Lock()
		defer q.mu.Unlock()
		q.inFlight--
		q.startDue()
	}()
}

// stopListening records that it's caller no longer waits (q.mu held). A started batch nobody
// waits for is cancelled: no one would learn its outcome.
func (q *queue[I, O]) stopListening(it *item[I, O]) {
	if !it.listening {
		return
	}
	it.listening = false
	b := it.batch
	b.listening--
	if b.listening == 0 && b.cancel != nil {
		b.cancel(errNoListener)
	}
}

// notify wakes whoever watches the queue's counts (q.mu held).
func (q *queue[I, O]) notify() {
	close(q.counts.changed)
	q.counts.changed = make(chan struct{})
}

// claim marks the items still wanted as in flight and returns them; the runner calls it right
// before each request.
func (b *batch[I, O]) claim(items []*item[I, O]) []*item[I, O] {
	return b.move(items, itemUnsent, itemSending)
}

// release marks items whose request acted on none of them (a 4xx answered the whole batch):
// until claimed again, their callers may leave with nothing done.
func (b *batch[I, O]) release(items []*item[I, O]) { b.move(items, itemSending, itemUnsent) }

// move sets the items in state from to state to and returns them.
func (b *batch[I, O]) move(items []*item[I, O], from, to itemState) []*item[I, O] {
	b.q.mu.Lock()
	defer b.q.mu.Unlock()
	var out []*item[I, O]
	for _, it := range items {
		if it.state == from {
			it.state = to
			out = append(out, it)
		}
	}
	return out
}

// settle delivers an item's outcome.
func (b *batch[I, O]) settle(it *item[I, O], out O, err error) {
	q := b.q
	q.beforeOutcome()
	q.mu.Lock()
	defer q.mu.Unlock()
	if it.state == itemDone || it.state == itemAbandoned {
		return
	}
	it.state, it.out, it.err = itemDone, out, err
	close(it.done)
	q.stopListening(it)
	q.counts.live--
	if err == nil {
		q.counts.succeeded++
		q.counts.lastSuccess = time.Now()
	}
	q.notify()
}

func (b *batch[I, O]) settleAll(items []*item[I, O], err error) {
	var zero O
	for _, it := range items {
		b.settle(it, zero, err)
	}
}

func (q *queue[I, O]) activity() activity {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.counts
}
