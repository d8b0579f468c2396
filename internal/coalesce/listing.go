package coalesce

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// pageFetchTimeout bounds one page fetch. It runs detached from the reader that started it, so
// that reader's cancellation cannot fail the others waiting for the same page.
const pageFetchTimeout = 5 * time.Minute

// listing is one generation of a list route (a store's secrets, an owner's stores): pages
// fetched on demand, one fetch at a time shared by every reader, and the token count that
// bounds what reads cost (see find).
type listing[T any] struct {
	fetchPage func(ctx context.Context, page int) ([]T, client.PageInfo, error)
	idOf      func(T) string
	born      time.Time
	bg        *sync.WaitGroup

	mu       sync.Mutex
	items    []T            // in the API's order, first occurrence of each id
	index    map[string]int // id -> position in items
	pages    int            // pages fetched
	complete bool           // the last page is in
	fetching *pageFetch     // the fetch in flight, nil when none
	// tokens: one per read that came, plus one spare, less one per page fetched or GET
	// granted to a read. waiting: reads that neither found their item nor were sent to GET.
	// tokens >= waiting always holds: each waiting read can still be granted its GET.
	tokens  int
	waiting int
}

// pageFetch is one page request in flight; err is set before done is closed.
type pageFetch struct {
	done chan struct{}
	err  error
}

func newListing[T any](born time.Time, bg *sync.WaitGroup, idOf func(T) string,
	fetchPage func(ctx context.Context, page int) ([]T, client.PageInfo, error)) *listing[T] {
	return &listing[T]{fetchPage: fetchPage, idOf: idOf, born: born, bg: bg, index: map[string]int{}, tokens: 1}
}

// find looks id up. It returns the item (found), or found false when the caller must GET it:
// the listing is complete without it, or fetching another page would leave too few tokens to
// GET for every read still waiting. An error is a failed page fetch or ctx's end.
func (l *listing[T]) find(ctx context.Context, id string) (item T, found bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens++
	l.waiting++
	for {
		if i, ok := l.index[id]; ok {
			l.waiting--
			return l.items[i], true, nil
		}
		if l.complete {
			break
		}
		// One token for the page, and the rest must still cover a GET per waiting read
		// (this one included) should the page not hold theirs.
		if l.fetching == nil && l.tokens-1 >= l.waiting {
			l.tokens--
			l.startFetch(ctx)
		}
		if l.fetching == nil {
			break
		}
		if err := l.await(ctx, l.fetching); err != nil {
			l.waiting--
			return item, false, err
		}
	}
	l.tokens--
	l.waiting--
	return item, false, nil
}

// all returns every item once the last page is in. A whole-list call pays for the pages it
// needs itself: it takes no read tokens, so reads keep their bound.
func (l *listing[T]) all(ctx context.Context) ([]T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.complete {
		if l.fetching == nil {
			l.startFetch(ctx)
		}
		if err := l.await(ctx, l.fetching); err != nil {
			return nil, err
		}
	}
	return slices.Clone(l.items), nil
}

// await waits, with l.mu released, for f to finish. It returns f's error or ctx's.
func (l *listing[T]) await(ctx context.Context, f *pageFetch) error {
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
		l.mu.Unlock()
		close(f.done)
	}()
}

// add merges a page (l.mu held). An item already seen (the list shifted between pages) keeps
// its first place.
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
	l.complete = info.Last
}
