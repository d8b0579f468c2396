package coalesce

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// pageFetchTimeout bounds one page fetch, detached from the reader that started it so that its
// cancellation cannot fail the others waiting for the page.
const pageFetchTimeout = 5 * time.Minute

// listing is one generation of a list route: pages fetched on demand, one fetch at a time
// shared by every reader, and the tokens that bound what reads cost (see find).
type listing[T any] struct {
	fetchPage func(ctx context.Context, page int) ([]T, client.PageInfo, error)
	idOf      func(T) string
	born      time.Time
	patience  time.Duration // <= 0: a read that cannot afford the next page GETs at once
	bg        *sync.WaitGroup

	mu         sync.Mutex
	items      []T            // in the API's order, first occurrence of each id
	index      map[string]int // id -> position in items
	pages      int            // pages fetched
	totalPages int            // the API's total_pages; 0 when it did not say
	complete   bool           // the last page is in
	fetching   *pageFetch     // the fetch in flight, nil when none
	// tokens: one per read that came plus a spare, less one per page or GET granted. waiting:
	// reads neither found nor sent to GET. tokens >= waiting holds (each waiting read can still
	// GET) unless finishing the listing was cheaper (finishingIsCheaper).
	tokens  int
	waiting int
	// stalled are the arrival numbers of the reads in stall; arrivals counts reads as they come.
	stalled  []int
	arrivals int
	// changed is closed (and replaced) when a read comes or leaves or a page lands, at lastChange.
	changed    chan struct{}
	lastChange time.Time
}

// pageFetch is one page request in flight; err is set before done is closed.
type pageFetch struct {
	done chan struct{}
	err  error
}

func newListing[T any](born time.Time, patience time.Duration, bg *sync.WaitGroup, idOf func(T) string,
	fetchPage func(ctx context.Context, page int) ([]T, client.PageInfo, error)) *listing[T] {
	return &listing[T]{fetchPage: fetchPage, idOf: idOf, born: born, patience: patience, bg: bg,
		index: map[string]int{}, tokens: 1, changed: make(chan struct{})}
}

// find looks id up: the item (found), or found false when the caller must GET it (the listing
// is complete without it, or another page would leave too few tokens for a GET per waiting
// read and nothing changed for the patience: stall). An error is a failed fetch or ctx's end.
func (l *listing[T]) find(ctx context.Context, id string) (item T, found bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens++
	l.waiting++
	l.arrivals++
	arrival := l.arrivals
	l.notify()
	defer func() {
		l.waiting--
		l.notify()
	}()
	for {
		if i, ok := l.index[id]; ok {
			return l.items[i], true, nil
		}
		if l.complete {
			break
		}
		// A token for the page, and the rest must still cover a GET per waiting read.
		if afford := l.fetching == nil && (l.tokens-1 >= l.waiting || l.finishingIsCheaper()); afford || l.fetching != nil {
			if afford {
				l.tokens--
			}
			if err := l.nextPage(ctx); err != nil {
				return item, false, err
			}
			continue
		}
		get, err := l.stall(ctx, arrival)
		if err != nil {
			return item, false, err
		}
		if get {
			break
		}
	}
	l.tokens--
	return item, false, nil
}

// finishingIsCheaper: fewer than half as many pages remain as reads wait (l.mu held), so the
// listing is finished rather than a GET spent per read (DESIGN.md, "Request cost").
func (l *listing[T]) finishingIsCheaper() bool {
	return l.totalPages > 0 && 2*(l.totalPages-l.pages) < l.waiting
}

// stall waits (l.mu released) until something changes (false: look again), or nothing has for
// the patience and no read stalled before it (true: GET). One GET at a time frees a Terraform
// slot, so another read comes that may be found and pay for the next page.
func (l *listing[T]) stall(ctx context.Context, arrival int) (get bool, err error) {
	if l.patience <= 0 {
		return true, nil
	}
	var timeout <-chan time.Time
	if !slices.ContainsFunc(l.stalled, func(a int) bool { return a < arrival }) {
		wait := l.patience - time.Since(l.lastChange)
		if wait <= 0 {
			return true, nil
		}
		timeout = time.After(wait)
	}
	l.stalled = append(l.stalled, arrival)
	changed := l.changed
	l.mu.Unlock()
	select {
	case <-changed:
	case <-timeout:
	case <-ctx.Done():
	}
	l.mu.Lock()
	l.stalled = slices.DeleteFunc(l.stalled, func(a int) bool { return a == arrival })
	if ctx.Err() != nil {
		return false, ctxErr(ctx)
	}
	return false, nil
}

// notify records a change and wakes the stalled reads (l.mu held).
func (l *listing[T]) notify() {
	l.lastChange = time.Now()
	close(l.changed)
	l.changed = make(chan struct{})
}

// all returns every item once the last page is in, paying for its pages itself (no tokens).
func (l *listing[T]) all(ctx context.Context) ([]T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.complete {
		if err := l.nextPage(ctx); err != nil {
			return nil, err
		}
	}
	return slices.Clone(l.items), nil
}

// nextPage waits, with l.mu released, for the page fetch in flight, starting one if none is.
func (l *listing[T]) nextPage(ctx context.Context) error {
	if l.fetching == nil {
		l.startFetch(ctx)
	}
	f := l.fetching
	l.mu.Unlock()
	defer l.mu.Lock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctxErr(ctx)
	}
}

// startFetch fetches the next page in the background (l.mu held).
func (l *listing[T]) startFetch(ctx context.Context) {
	f := &pageFetch{done: make(chan struct{})}
	l.fetching = f
	page := l.pages + 1
	fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pageFetchTimeout)
	l.bg.Add(1)
	go func() {
		defer l.bg.Done()
		defer cancel()
		items, info, err := l.fetchPage(fetchCtx, page)
		l.mu.Lock()
		if err == nil {
			l.add(items, info)
		}
		f.err = err
		l.fetching = nil
		l.notify()
		l.mu.Unlock()
		close(f.done)
	}()
}

// add merges a page (l.mu held); an item seen already (the list shifted) keeps its place.
func (l *listing[T]) add(items []T, info client.PageInfo) {
	for _, it := range items {
		id := l.idOf(it)
		if _, seen := l.index[id]; seen {
			continue
		}
		l.index[id] = len(l.items)
		l.items = append(l.items, it)
	}
	l.pages++
	l.totalPages = info.TotalPages
	l.complete = info.Last
}
