package coalesce

import (
	"context"
	"slices"
	"sync"
	"time"
)

// itemState is where one caller's item stands. Only itemUnsent lets a caller whose context
// ended leave with nothing done for it.
type itemState int

const (
	// itemUnsent: in a batch not sent yet, or released after a request that failed as a
	// whole before acting on it.
	itemUnsent    itemState = iota
	itemSending             // in a request whose outcome is not known yet
	itemDone                // outcome delivered
	itemAbandoned           // its caller left before it was sent; it is never sent
)

// item is one caller's input and, once done, its outcome.
type item[I, O any] struct {
	ctx   context.Context // the caller's: its values (logging) for the batch, never its cancellation
	in    I
	size  int
	batch *batch[I, O]
	state itemState
	// listening is true while the caller waits for the outcome.
	listening bool
	out       O
	err       error
	done      chan struct{} // closed when the outcome is set
}

// batch is a group of items sent together. Its context ends only when no caller listens.
type batch[I, O any] struct {
	q      *queue[I, O]
	items  []*item[I, O]
	bytes  int
	sealed bool
	timer  *time.Timer // reviews the batch when it may be due
	// opened is when the first item came, lastJoin when the latest did; burst says the batch
	// waits for company as part of a burst (see batchRules) rather than only the linger.
	// deadline is the earliest of its callers' deadlines, zero when none has one.
	opened, lastJoin, deadline time.Time
	burst                      bool
	ctx                        context.Context
	cancel                     context.CancelCauseFunc
	listening                  int
}

// batchRules bound a batch and say how long it waits for company.
//
// A lone item (no burst under way) goes linger after it came. During a burst (the queue's
// last submission is at most burstWindow old, or one of its batches is in flight, or a second
// item joined) a batch goes once no item has joined it for quiet, and while a batch of the
// queue is in flight it waits for that batch to end, so that items arriving meanwhile travel
// together (self-clocking); either way it goes at the latest maxWait after its first item,
// and no later than maxWait before the earliest deadline of its callers: a caller short of
// time is not kept waiting for company. A full batch goes at once; no batch goes before its
// linger.
type batchRules struct {
	linger      time.Duration // <= 0: sent at once
	quiet       time.Duration // <= 0: no burst gathering, only the linger
	maxWait     time.Duration
	burstWindow time.Duration
	maxItems    int
	maxBytes    int // of body: envelope plus the items' sizes
	envelope    int // the body's bytes around its items
	grace       time.Duration
}

// queue collects the items of one store and one operation into batches and runs them. Every
// field below mu is guarded by it, the items' and batches' state included.
type queue[I, O any] struct {
	rules batchRules
	// joinable reports whether in may share b (creates keep names unique in a batch).
	joinable func(b *batch[I, O], in I) bool
	run      func(b *batch[I, O])
	// beforeOutcome runs before any outcome is delivered: it drops the store's listing, so a
	// read the caller starts next sees its write, however the runner got there.
	beforeOutcome func()
	bg            *sync.WaitGroup

	mu   sync.Mutex
	open *batch[I, O] // collecting items, not sealed
	// lastSubmit is when the latest item came; inFlight counts the batches running.
	lastSubmit time.Time
	inFlight   int
	// live counts items queued or in flight; succeeded and lastSuccess count the items done
	// without error; changed is closed (and replaced) on every change of these.
	live        int
	succeeded   int
	lastSuccess time.Time
	changed     chan struct{}
}

func newQueue[I, O any](rules batchRules, bg *sync.WaitGroup, joinable func(*batch[I, O], I) bool,
	run func(*batch[I, O]), beforeOutcome func()) *queue[I, O] {
	return &queue[I, O]{rules: rules, joinable: joinable, run: run, beforeOutcome: beforeOutcome, bg: bg, changed: make(chan struct{})}
}

// submit queues in and waits for its outcome (see the package documentation on cancellation).
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
	t := time.NewTimer(q.rules.grace)
	defer t.Stop()
	select {
	case <-it.done:
		return it.out, it.err
	case <-t.C:
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
		if b := it.batch; !b.sealed {
			b.items = slices.DeleteFunc(b.items, func(x *item[I, O]) bool { return x == it })
			b.bytes -= it.size
		}
		q.stopListening(it)
		q.live--
		q.notify()
		return zero, ctxErr(ctx), true
	}
	return zero, nil, false
}

// add puts it in the open batch, or in a new one when it does not fit (q.mu held).
func (q *queue[I, O]) add(it *item[I, O]) {
	now := time.Now()
	burst := q.burstUnderWay(now)
	q.lastSubmit = now
	b := q.open
	if b != nil && (len(b.items) >= q.rules.maxItems || b.bytes+it.size > q.rules.maxBytes || !q.joinable(b, it.in)) {
		q.seal(b)
		b = nil
	}
	if b == nil {
		b = &batch[I, O]{q: q, bytes: q.rules.envelope}
		q.open = b
	}
	if len(b.items) == 0 {
		// A new batch, or one all of whose callers left.
		b.opened, b.burst, b.deadline = now, burst, time.Time{}
	} else if q.rules.quiet > 0 {
		b.burst = true // company came: more may follow
	}
	if d, ok := it.ctx.Deadline(); ok && (b.deadline.IsZero() || d.Before(b.deadline)) {
		b.deadline = d
	}
	it.batch = b
	b.items = append(b.items, it)
	b.bytes += it.size
	b.lastJoin = now
	b.listening++
	q.live++
	q.notify()
	if q.rules.linger <= 0 || len(b.items) >= q.rules.maxItems || b.bytes >= q.rules.maxBytes {
		q.seal(b)
		return
	}
	if b.timer == nil {
		b.timer = time.AfterFunc(q.due(b).Sub(now), func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.review(b)
		})
		return
	}
	q.review(b) // a caller short of time may have brought the due time forward
}

// burstUnderWay reports whether a new batch should wait for company (q.mu held): one of the
// queue's batches is in flight, or its last item came within the burst window.
func (q *queue[I, O]) burstUnderWay(now time.Time) bool {
	if q.rules.quiet <= 0 {
		return false
	}
	return q.inFlight > 0 || (!q.lastSubmit.IsZero() && now.Sub(q.lastSubmit) < q.rules.burstWindow)
}

// due is when b should go, by the rules on batchRules (q.mu held).
func (q *queue[I, O]) due(b *batch[I, O]) time.Time {
	lingerEnd := b.opened.Add(q.rules.linger)
	if !b.burst {
		return lingerEnd
	}
	latest := b.opened.Add(q.rules.maxWait)
	if !b.deadline.IsZero() && b.deadline.Add(-q.rules.maxWait).Before(latest) {
		latest = b.deadline.Add(-q.rules.maxWait)
	}
	gathered := b.lastJoin.Add(q.rules.quiet)
	if q.inFlight > 0 || gathered.After(latest) {
		gathered = latest
	}
	return later(lingerEnd, gathered)
}

// review seals b if it is due, else sets its timer for when it will be (q.mu held). The
// timer and the end of a batch in flight call it.
func (q *queue[I, O]) review(b *batch[I, O]) {
	if b.sealed {
		return
	}
	if wait := time.Until(q.due(b)); wait > 0 {
		b.timer.Reset(wait)
		return
	}
	q.seal(b)
}

// seal closes b to new items and starts it (q.mu held). Its context keeps the first caller's
// values but not its cancellation: it ends when no caller listens any more.
func (q *queue[I, O]) seal(b *batch[I, O]) {
	if b.sealed {
		return
	}
	b.sealed = true
	if b.timer != nil {
		b.timer.Stop()
	}
	if q.open == b {
		q.open = nil
	}
	if len(b.items) == 0 {
		return
	}
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
		if q.open != nil {
			q.review(q.open) // it may have waited for this batch only
		}
	}()
}

// stopListening records that it's caller no longer waits (q.mu held). When nobody waits for a
// sealed batch any more, its context is cancelled: no one would learn its outcome.
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
	close(q.changed)
	q.changed = make(chan struct{})
}

// claim marks the items still wanted as in flight and returns them; abandoned and done items
// are left out. The runner calls it right before each request.
func (b *batch[I, O]) claim(items []*item[I, O]) []*item[I, O] {
	b.q.mu.Lock()
	defer b.q.mu.Unlock()
	var out []*item[I, O]
	for _, it := range items {
		if it.state == itemUnsent {
			it.state = itemSending
			out = append(out, it)
		}
	}
	return out
}

// release marks items whose request failed before acting on them (a 4xx answered the whole
// batch): until they are claimed again, their callers may leave with nothing done.
func (b *batch[I, O]) release(items []*item[I, O]) {
	b.q.mu.Lock()
	defer b.q.mu.Unlock()
	for _, it := range items {
		if it.state == itemSending {
			it.state = itemUnsent
		}
	}
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
	q.live--
	if err == nil {
		q.succeeded++
		q.lastSuccess = time.Now()
	}
	q.notify()
}

// settleAll delivers one error to every item.
func (b *batch[I, O]) settleAll(items []*item[I, O], err error) {
	var zero O
	for _, it := range items {
		b.settle(it, zero, err)
	}
}

// activity is a snapshot of a queue's counts and the channel that signals their next change.
type activity struct {
	live        int
	succeeded   int
	lastSuccess time.Time
	changed     <-chan struct{}
}

func (q *queue[I, O]) activity() activity {
	q.mu.Lock()
	defer q.mu.Unlock()
	return activity{live: q.live, succeeded: q.succeeded, lastSuccess: q.lastSuccess, changed: q.changed}
}
